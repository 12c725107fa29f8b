"""The domain layer: content, markdown, formulas, databases, study logic. Never imports Qt."""
