"""Moving progress and cards out and in: progress files for a second computer (progress), Anki
export and Anki text import.
"""
