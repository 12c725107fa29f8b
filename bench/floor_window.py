"""The floor for start-up: a bare QMainWindow with a tree and a QTextBrowser, nothing else."""

import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTextBrowser, QTreeWidget


class FirstPaint(QObject):
    def eventFilter(self, watched, event):  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            print(f"FIRST_PAINT {time.time():.6f}", flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False


app = QApplication([])
window = QMainWindow()
splitter = QSplitter()
splitter.addWidget(QTreeWidget())
browser = QTextBrowser()
browser.setHtml("<h1>Floor</h1><p>A bare window.</p>")
splitter.addWidget(browser)
window.setCentralWidget(splitter)
watcher = FirstPaint()
browser.viewport().installEventFilter(watcher)
window.resize(1280, 800)
window.show()
app.exec()
