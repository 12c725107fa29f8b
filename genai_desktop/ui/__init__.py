"""Widgets and windows. They call genai_desktop.core; no domain logic lives here."""

from .. import source_lines

# Before any module here imports PySide6 (see source_lines.py): 5.5 MB less resident memory,
# and ~4 ms less on the way to the first paint.
source_lines.install()
