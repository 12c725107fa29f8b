"""The floor for start-up: a bare QMainWindow with a tree and a QTextBrowser, nothing else."""

import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTextBrowser, QTreeWidget


def resident_kb() -> int:
    """This process's resident memory (Linux); 0 where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


def report_and_quit():
    print(f"FIRST_PAINT {time.time():.6f}", flush=True)
    print(f"RSS_KB {resident_kb()}", flush=True)  # the memory floor (bench_freeze)
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
