"""Learning: the FSRS scheduler and study sessions (session), the card browser, statistics, FSRS
fitting, the roadmap and interview practice.
"""
