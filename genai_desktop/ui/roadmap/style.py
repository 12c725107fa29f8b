"""The Roadmap view's stylesheet, set on the view so it reaches every child (detail pane,
banner, state buttons) by object name."""

from __future__ import annotations

from ...core.study.roadmap import PENDING, STATES
from .. import theme as themes
from .painting import state_color


def stylesheet(t: themes.Theme) -> str:
    # A checked state button takes its state's colour, as the glyph does (pending keeps the text's).
    state_css = "".join(
        f"QToolButton#State_{s}:checked {{ background: {themes.mix(state_color(t, s), t.surface, 0.18).name()}; "
        f"color: {state_color(t, s) if s != PENDING else t.text}; border: 1px solid {state_color(t, s)}; }}"
        for s in STATES)
    return f"""
        QLabel#PageTitle {{ font-size: 24px; font-weight: 600; }}
        QLabel#DetailTitle {{ font-size: 20px; font-weight: 600; }}
        QLabel#DetailText {{ font-size: 14px; }}
        QLabel#DetailHeading {{ font-size: 12px; font-weight: 700; color: {t.muted}; padding-top: 8px; }}
        QLabel#Hint {{ font-size: 12px; color: {t.muted}; }}
        QLabel#Links {{ font-size: 14px; }}
        QListWidget#Checklist {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 12px;
                                 padding: 4px 6px; outline: 0; }}
        QScrollArea#DetailScroll, QFrame#Detail {{ background: {t.surface}; }}
        QScrollArea#DetailScroll {{ border: 1px solid {t.border}; border-radius: 12px; }}
        QFrame#Detail QLabel {{ background: transparent; }}
        QToolButton[stateButton="true"] {{ background: {t.surface}; border: 1px solid {t.border};
                                             padding: 4px 9px; font-size: 13px; border-radius: 13px; }}
        QToolButton[stateButton="true"]:hover {{ background: {t.hover}; }}
        QToolButton[stateButton="true"]:disabled {{ color: {t.muted}; }}
        {state_css}
        QToolButton#HeaderButton {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 7px;
                                   padding: 6px 14px; font-size: 13px; }}
        QToolButton#HeaderButton:hover {{ background: {t.hover}; }}
        QToolButton#HeaderButton:disabled {{ color: {t.muted}; }}
        QToolButton#HeaderButton::menu-indicator {{ image: none; width: 0; }}
        QFrame#Banner {{ background: {t.selection}; border: 1px solid {t.accent}; border-radius: 9px; }}
        QFrame#Banner QLabel {{ background: transparent; font-size: 13px; }}
        QPushButton#BannerButton {{ padding: 4px 12px; font-size: 13px; font-weight: 600; }}
        QToolButton#BannerClose {{ border: none; color: {t.muted}; padding: 2px 6px; }}
        QFrame#Suggestion {{ background: {themes.mix(t.good, t.surface, 0.12).name()}; border: 1px solid {t.good};
                             border-radius: 9px; }}
        QFrame#Suggestion QLabel {{ background: transparent; font-size: 13px; }}
        QPushButton#SuggestButton {{ color: {t.good}; border: 1px solid {t.good}; padding: 4px 12px;
                                     font-weight: 600; font-size: 13px; }}
        QPlainTextEdit#Note {{ background: {t.window}; border: 1px solid {t.border}; border-radius: 8px;
                               padding: 6px; font-size: 14px; }}
        QPlainTextEdit#Note:focus {{ border: 1px solid {t.accent}; }}
        QSplitter::handle {{ background: transparent; }}
    """
