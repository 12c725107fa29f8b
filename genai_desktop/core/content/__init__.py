"""The library: packs of questions, guides and milestones read from disk (library), their outline
and cache, checks, and the user's notes on pages.
"""
