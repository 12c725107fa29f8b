"""Light and dark themes: the Qt palette, the chrome stylesheet and the reader's document CSS.

Dark is designed, not inverted: a #1e1f22 background, #e6e6e6 text, code a step lighter,
and the accent a touch brighter than in light mode.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from ..core.render.page_style import DARK, LIGHT, PageStyle


class Theme(NamedTuple):
    """One colour scheme: the window chrome (as a stylesheet) and the page (as document CSS).
    A NamedTuple, not a dataclass: see core/render/page_style.py."""

    name: str
    window: str
    sidebar: str
    surface: str  # the reader and cards
    text: str
    muted: str
    border: str
    accent: str
    accent_text: str
    selection: str
    hover: str
    badge: str
    table_head: str
    page: PageStyle
    # Rating colours stay distinct for colour-blind users: they differ in lightness, too.
    again: str
    hard: str
    good: str
    easy: str
    # Never-studied cards in the stats: a neutral grey with 3:1 contrast on the surface (the badge
    # grey was almost the panel's own colour in dark mode).
    new_card: str

    @property
    def dark(self) -> bool:
        return self.page.dark


LIGHT_THEME = Theme(
    name="light", window="#f6f7f9", sidebar="#eef0f3", surface="#ffffff", text="#1f2328",
    muted="#667085", border="#dde1e6", accent="#3b6fd8", accent_text="#ffffff",
    selection="#dbe6fb", hover="#e4e8ee", badge="#e2e6ec", table_head="#f3f5f8", page=LIGHT,
    again="#c2410c", hard="#a16207", good="#15803d", easy="#1d4ed8", new_card="#8a94a6",
)
DARK_THEME = Theme(
    name="dark", window="#1e1f22", sidebar="#191a1d", surface="#232428", text="#e6e6e6",
    muted="#9aa0aa", border="#34363c", accent="#7aa2f7", accent_text="#101216",
    selection="#2f3d5c", hover="#2a2c31", badge="#30333a", table_head="#2a2c31", page=DARK,
    again="#fb923c", hard="#facc15", good="#4ade80", easy="#93c5fd", new_card="#7c8594",
)
THEMES = {"light": LIGHT_THEME, "dark": DARK_THEME}


def mix(color: str, background: str, amount: float) -> QColor:
    """``color`` laid over ``background`` at ``amount`` (0 background .. 1 color): the pale tints
    of a theme colour that charts and chips use, opaque so they paint the same on any parent."""
    a, b = QColor(color), QColor(background)
    return QColor(round(b.red() + (a.red() - b.red()) * amount), round(b.green() + (a.green() - b.green()) * amount),
                  round(b.blue() + (a.blue() - b.blue()) * amount))


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is not None:
        from PySide6.QtCore import Qt

        return scheme() == Qt.ColorScheme.Dark
    return False


def resolve(choice: str, system_dark: bool | None = None) -> Theme:
    """``choice`` is light, dark or system. ``system_dark`` is the system's scheme as last seen:
    asking Qt makes PySide build every enum of the ``Qt`` namespace (~13 ms), so start-up uses
    the remembered answer and checks it after the first paint."""
    if choice in THEMES:
        return THEMES[choice]
    if system_dark is None:
        system_dark = system_prefers_dark()
    return DARK_THEME if system_dark else LIGHT_THEME


def palette_for(theme: Theme) -> QPalette:
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window,
        QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.surface,
        QPalette.ColorRole.AlternateBase: theme.sidebar,
        QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.Button: theme.surface,
        QPalette.ColorRole.ButtonText: theme.text,
        QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: theme.accent_text,
        QPalette.ColorRole.ToolTipBase: theme.surface,
        QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.PlaceholderText: theme.muted,
        QPalette.ColorRole.Link: theme.accent,
        QPalette.ColorRole.Mid: theme.border,
        QPalette.ColorRole.Midlight: theme.hover,
    }
    for role, color in roles.items():
        pal.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(theme.muted))
    return pal


SIDEBAR_FONT_PX = 14  # the sidebar's rows are sized for it (ui/sidebar.py)


def chrome_stylesheet(t: Theme) -> str:
    return f"""
    QMainWindow, QDialog {{ background: {t.window}; }}
    /* Linux desktops put icons on dialog buttons (a red cross on Cancel); no other button has one. */
    QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
    QWidget#Sidebar {{ background: {t.sidebar}; border-right: 1px solid {t.border}; }}
    QWidget#TopBar {{ background: {t.window}; border-bottom: 1px solid {t.border}; }}
    QTreeView {{ background: {t.sidebar}; border: none; outline: 0; font-size: {SIDEBAR_FONT_PX}px;
                 show-decoration-selected: 0; selection-background-color: {t.selection}; }}
    QTreeView::item {{ padding: 4px 2px; border-radius: 5px; }}
    QTreeView::item:hover {{ background: {t.hover}; }}
    QTreeView::item:selected {{ background: {t.selection}; color: {t.text}; }}
    QLineEdit {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 7px;
                 padding: 6px 9px; font-size: 14px; selection-background-color: {t.accent}; }}
    QLineEdit:focus {{ border: 1px solid {t.accent}; }}
    QTextBrowser {{ background: {t.surface}; border: none; }}
    QToolButton#ViewTab {{ border: none; border-radius: 7px; padding: 6px 14px; font-size: 14px;
                           color: {t.muted}; background: transparent; }}
    QToolButton#ViewTab:hover {{ background: {t.hover}; color: {t.text}; }}
    QToolButton#ViewTab:checked {{ background: {t.selection}; color: {t.text}; font-weight: 600; }}
    QPushButton#RangeChip {{ border: 1px solid {t.border}; border-radius: 11px; padding: 3px 12px;
                             color: {t.muted}; background: transparent; }}
    QPushButton#RangeChip:hover {{ background: {t.hover}; }}
    QPushButton#RangeChip:checked {{ background: {t.selection}; color: {t.text}; border-color: {t.accent}; }}
    QToolButton#NavButton {{ border: none; border-radius: 6px; padding: 4px 8px; color: {t.muted}; }}
    QToolButton#NavButton:hover {{ background: {t.hover}; color: {t.text}; }}
    QToolButton#NavButton:disabled {{ color: {t.border}; }}
    QToolButton#SidebarJump {{ border: none; border-radius: 5px; padding: 2px 6px; font-size: 12px;
        color: {t.muted}; }}
    QToolButton#SidebarJump:hover {{ background: {t.hover}; color: {t.text}; }}
    QStatusBar {{ background: {t.window}; color: {t.muted}; border-top: 1px solid {t.border}; }}
    QStatusBar QLabel {{ color: {t.muted}; padding: 0 6px; }}
    QSplitter::handle {{ background: {t.border}; }}
    QScrollBar:vertical {{ background: transparent; width: 11px; margin: 2px; }}
    QScrollBar::handle:vertical {{ background: {t.border}; border-radius: 4px; min-height: 30px; }}
    QScrollBar::handle:vertical:hover {{ background: {t.muted}; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; width: 0; }}
    QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
    QScrollBar:horizontal {{ background: transparent; height: 11px; margin: 2px; }}
    QScrollBar::handle:horizontal {{ background: {t.border}; border-radius: 4px; min-width: 30px; }}
    QMenu {{ background: {t.surface}; border: 1px solid {t.border}; padding: 4px; }}
    QMenu::item {{ padding: 5px 22px 5px 14px; border-radius: 5px; }}
    QMenu::item:selected {{ background: {t.selection}; color: {t.text}; }}
    QMenu::separator {{ height: 1px; background: {t.border}; margin: 4px 8px; }}
    QMenuBar {{ background: {t.window}; }}
    QMenuBar::item:selected {{ background: {t.hover}; border-radius: 4px; }}
    QToolTip {{ background: {t.surface}; color: {t.text}; border: 1px solid {t.border}; padding: 4px; }}
    QPushButton {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 7px;
                   padding: 7px 16px; font-size: 14px; }}
    QPushButton:hover {{ background: {t.hover}; }}
    QPushButton:default, QPushButton#Primary {{ background: {t.accent}; color: {t.accent_text};
                   border: 1px solid {t.accent}; }}
    QPushButton#Primary {{ font-weight: 600; }}
    QPushButton:disabled, QPushButton:default:disabled, QPushButton#Primary:disabled {{
                   background: {t.window}; color: {t.muted}; border: 1px solid {t.border}; }}
    QLabel#Muted {{ color: {t.muted}; }}
    """


def document_css(t: Theme, base_px: float) -> str:
    """The reader's stylesheet; sizes scale with the zoom through ``base_px``."""
    def px(factor: float) -> str:
        return f"{round(base_px * factor)}px"

    return f"""
    body {{ color: {t.text}; font-size: {px(1)}; }}
    p, li {{ line-height: 150%; }}
    p {{ margin-top: 0px; margin-bottom: {px(0.75)}; }}
    h1 {{ font-size: {px(1.5)}; font-weight: 600; margin-top: {px(0.2)}; margin-bottom: {px(0.9)}; }}
    h2 {{ font-size: {px(1.3)}; font-weight: 600; margin-top: {px(1.6)}; margin-bottom: {px(0.5)}; }}
    h3 {{ font-size: {px(1.12)}; font-weight: 600; margin-top: {px(1.3)}; margin-bottom: {px(0.4)}; }}
    h4 {{ font-size: {px(1.0)}; font-weight: 600; margin-top: {px(1.0)}; margin-bottom: {px(0.3)}; }}
    ul, ol {{ margin-top: 0px; margin-bottom: {px(0.75)}; }}
    li {{ margin-bottom: {px(0.25)}; }}
    a {{ color: {t.accent}; text-decoration: none; }}
    code {{ font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: {px(0.88)};
            background-color: {t.page.code_background}; }}
    pre {{ font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: {px(0.85)};
           margin: 0px; line-height: 135%; }}
    table {{ border-collapse: collapse; border-color: {t.border}; margin-top: {px(0.4)};
             margin-bottom: {px(1.0)}; }}
    th {{ background-color: {t.table_head}; padding: {px(0.4)} {px(0.7)}; font-weight: 600;
          border-bottom: 1px solid {t.border}; }}
    td {{ padding: {px(0.4)} {px(0.7)}; border-bottom: 1px solid {t.border}; }}
    table.keypoints td, table.callout td, table.formula td, table.figure td, table.error td {{ border-bottom: none; }}
    table.code td {{ border-style: none; padding: {px(0.5)} {px(0.8)}; }}
    table.keypoints td, table.callout td {{ padding: 0px; }}
    table.boxinner {{ margin-top: 0px; margin-bottom: 0px; }}
    table.boxinner td {{ padding: {px(0.8)} {px(1.0)}; }}
    table.code, table.keypoints, table.callout, table.error {{ margin-top: {px(0.3)}; margin-bottom: {px(1.0)}; }}
    td.codehead {{ font-size: {px(0.72)}; padding-bottom: 0px; }}
    p.callouttitle {{ margin-bottom: {px(0.35)}; }}
    p.crumbs {{ color: {t.muted}; font-size: {px(0.82)}; margin-bottom: {px(0.3)}; }}
    p.cardstate {{ color: {t.muted}; font-size: {px(0.82)}; margin-top: 0px; margin-bottom: {px(0.3)}; }}
    p.boxtitle {{ font-size: {px(0.72)}; margin-bottom: {px(0.35)}; }}
    blockquote {{ color: {t.muted}; margin-left: {px(1)}; }}
    """


INDICATOR_CLASSES = ("QCheckBox", "QRadioButton")
FUSION_SET = "genaiFusionStyle"  # application property: Fusion already chosen at construction


def apply(app: QApplication, theme: Theme) -> None:
    if not app.property(FUSION_SET):
        app.setStyle("Fusion")
        app.setProperty(FUSION_SET, True)
    app.setPalette(palette_for(theme))
    # Fusion draws a check box's and a radio button's outline in the Window colour darkened
    # (QFusionStylePrivate::outline): on the dark window that is black on near-black, and an
    # unticked box could not be seen. Those two classes get a Window colour whose darkened shade
    # reads as a border; neither fills its background, so nothing else changes.
    # A second palette_for(), not QPalette(palette): the copy constructor's overloads make PySide
    # build every enum of the Qt namespace (~20 ms of start-up).
    indicators = palette_for(theme)
    indicators.setColor(QPalette.ColorRole.Window, QColor(theme.muted if theme.dark else theme.window))
    for cls in INDICATOR_CLASSES:
        app.setPalette(indicators, cls)
    app.setStyleSheet(chrome_stylesheet(theme))
