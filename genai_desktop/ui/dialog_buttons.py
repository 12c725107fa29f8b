"""The button row at the foot of the app's dialogs: secondary actions on the left, the dialog's
own buttons (Cancel, Close, the main action) on the right.

Plain QPushButtons in a layout rather than a QDialogButtonBox: under Fusion on Linux a button
box puts platform icons on its standard buttons (a red ✗ on Close), which no other button in
the app has.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QHBoxLayout, QPushButton


def button_row(*trailing: QPushButton, leading: Sequence[QPushButton] = ()) -> QHBoxLayout:
    """``leading`` buttons flush left, ``trailing`` ones flush right, in the order given."""
    row = QHBoxLayout()
    row.setSpacing(8)
    for button in leading:
        row.addWidget(button)
    row.addStretch(1)
    for button in trailing:
        row.addWidget(button)
    return row
