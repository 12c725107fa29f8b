"""Search as you type: the SQLite FTS index (index), the query language and ranking (query), and
the glossary of the field's abbreviations.
"""
