"""The user's packs: which folders are packs (folders), writing and removing them (user_packs), and
importing notes into them (notes_import).
"""
