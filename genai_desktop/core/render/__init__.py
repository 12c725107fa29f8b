"""Pages as the reader shows them: markdown to HTML (markdown_rules, markdown_html), formulas,
figures, pictures and the page styling.
"""
