"""Widgets and windows. They call genai_desktop.core; no domain logic lives here."""
