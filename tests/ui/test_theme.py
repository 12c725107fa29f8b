"""The app stylesheet: states a user must be able to tell apart."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton

from genai_desktop.ui import theme as themes


@pytest.mark.parametrize("theme", [themes.LIGHT_THEME, themes.DARK_THEME], ids=["light", "dark"])
def test_a_disabled_primary_button_does_not_look_clickable(qtbot, theme) -> None:
    """The accent fill says "press me": a disabled Restore… or Import must lose it."""
    button = QPushButton("Restore…", objectName="Primary")
    button.setStyleSheet(themes.chrome_stylesheet(theme))
    qtbot.addWidget(button)
    button.resize(160, 40)

    def fill() -> QColor:
        return button.grab().toImage().pixelColor(12, 20)  # inside the rounded border, left of the text

    assert fill() == QColor(theme.accent)
    button.setEnabled(False)
    assert fill() != QColor(theme.accent)


def test_message_box_buttons_are_plain_text_even_where_the_platform_adds_icons(qtbot) -> None:
    """Linux desktops ask for icons on dialog buttons (a red ✗ on Cancel); no other button in
    the app has one. The offscreen platform asks for none, so a style that does stands in."""
    from PySide6.QtWidgets import QApplication, QMessageBox, QProxyStyle, QStyle

    class IconsOnDialogButtons(QProxyStyle):
        def styleHint(self, hint, option=None, widget=None, returnData=None):  # noqa: N802
            if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
                return 1
            return super().styleHint(hint, option, widget, returnData)

    def buttons_with_icons(stylesheet: str) -> list[str]:
        box = QMessageBox(QMessageBox.Icon.Question, "Remove pack?", "Remove this pack?")
        qtbot.addWidget(box)
        box.setStyleSheet(stylesheet)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)  # icons are set here
        return [button.text() for button in box.buttons() if not button.icon().isNull()]

    app = QApplication.instance()
    app_stylesheet = app.styleSheet()
    app.setStyleSheet("")
    app.setStyle(IconsOnDialogButtons("Fusion"))  # a widget's own style would not reach its buttons
    try:
        assert buttons_with_icons("")  # the stand-in works: without our stylesheet there are icons
        assert buttons_with_icons(themes.chrome_stylesheet(themes.LIGHT_THEME)) == []
    finally:
        app.setStyle("Fusion")
        app.setStyleSheet(app_stylesheet)


@pytest.mark.parametrize("theme", [themes.LIGHT_THEME, themes.DARK_THEME], ids=["light", "dark"])
def test_an_unticked_check_box_and_radio_button_can_be_seen(qtbot, theme) -> None:
    """Fusion outlines them in the window colour darkened: on the dark window that was black on
    near-black (custom study's choices, "Suspend leeches") until theme.apply gave them their own."""
    from PySide6.QtWidgets import QApplication, QCheckBox, QRadioButton, QStyle, QStyleOptionButton, QWidget

    app = QApplication.instance()
    palette, stylesheet = app.palette(), app.styleSheet()
    themes.apply(app, theme)
    try:
        background = QColor(theme.window)
        for widget, element in ((QCheckBox("Suspend leeches"), QStyle.SubElement.SE_CheckBoxIndicator),
                                (QRadioButton("Study ahead"), QStyle.SubElement.SE_RadioButtonIndicator)):
            dialog = QWidget()  # the window colour behind it, as in a dialog
            dialog.setAutoFillBackground(True)
            qtbot.addWidget(dialog)
            widget.setParent(dialog)
            dialog.resize(200, 30)
            widget.resize(200, 30)
            image = dialog.grab().toImage()
            assert image.pixelColor(199, 29) == background
            option = QStyleOptionButton()
            option.initFrom(widget)
            box = widget.style().subElementRect(element, option, widget)
            strongest = max(max(abs(c.red() - background.red()), abs(c.green() - background.green()),
                                abs(c.blue() - background.blue()))
                            for x in range(box.left(), box.right() + 1) for y in range(box.top(), box.bottom() + 1)
                            for c in [image.pixelColor(x, y)])
            assert strongest >= 40, f"{type(widget).__name__}'s outline is {strongest} from the window colour"
    finally:
        themes.apply(app, themes.LIGHT_THEME)
        app.setPalette(palette)
        app.setStyleSheet(stylesheet)
