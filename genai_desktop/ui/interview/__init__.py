"""The Interview view (timed mock interviews): view.py drives pages.py; readiness.py is shared with Stats."""

from .view import InterviewView

__all__ = ["InterviewView"]
