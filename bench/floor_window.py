"""The floor for start-up: a bare QMainWindow with a tree and a QTextBrowser, nothing else."""

import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTextBrowser, QTreeWidget


def report_and_quit():
    print(f"FIRST_PAINT {time.time():.6f}", flush=True)
    QApplication.quit()


class FirstPaint(QObject):
    def eventFilter(self, watched, event):  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, report_and_quit)  # once the whole first frame is done, as the app does
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
