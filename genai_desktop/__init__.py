"""GenAI Study Desk: an offline desktop app for preparing Generative-AI interviews."""

__version__ = "0.1.0"
