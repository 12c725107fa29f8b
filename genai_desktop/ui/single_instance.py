"""One running app per data folder: a second launch brings the first window forward and exits.

Who is first is decided by a ``QLockFile`` in the data folder: atomic, cheap (QtCore, no new
import on the start-up path), and a lock left by a killed process is detected from its PID and
taken over. The running app also listens on a ``QLocalServer`` so a second launch can ask it to
raise its window; QtNetwork costs ~15 ms to import, so the server starts after the first paint
and a second launch retries the connection for a moment while the first is still starting.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal

LOCK_NAME = "app.lock"
MESSAGE = b"activate\n"


def server_name(data_dir: Path) -> str:
    """A name per user and data folder: two different data folders may run side by side."""
    key = f"{os.getuid() if hasattr(os, 'getuid') else os.environ.get('USERNAME', '')}|{data_dir.resolve()}"
    return f"genai-study-desk-{_fnv1a(key.encode()):016x}"


def _fnv1a(data: bytes) -> int:
    """A stable 64-bit hash without importing hashlib on the start-up path."""
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


class SingleInstance(QObject):
    """``claim()`` first; the winner calls ``listen()``, a loser calls ``notify_running()``."""

    activated = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self.lock = QLockFile(str(data_dir / LOCK_NAME))
        self.lock.setStaleLockTime(0)  # stale only when its process is gone, however old
        self._server = None

    def claim(self) -> bool:
        """True when this process is the only app on the data folder."""
        return self.lock.tryLock(0)

    def holder_pid(self) -> int | None:
        """The process holding the lock, if the lock file names one. PySide 6 gives
        (pid, host, app), with pid 0 when there is none (older bindings led with an ok flag)."""
        info = self.lock.getLockInfo()
        if len(info) == 4:
            ok, pid = info[0], info[1]
            return pid if ok and pid else None
        return info[0] or None

    def listen(self) -> bool:
        from PySide6.QtNetwork import QLocalServer

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # We hold the lock, so any socket file with our name was left by a killed process.
        QLocalServer.removeServer(self.name)
        if not server.listen(self.name):
            return False
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def _on_connection(self) -> None:
        while self._server is not None and self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            # The second launch writes as soon as it connects: a short wait, no per-socket slots.
            if socket.bytesAvailable() or socket.waitForReadyRead(250):
                if bytes(socket.readAll()).startswith(MESSAGE.strip()):
                    self.activated.emit()
            socket.disconnectFromServer()
            socket.deleteLater()

    def notify_running(self, timeout_s: float = 3.0) -> bool:
        """Ask the running app to raise its window; False when it did not answer in time."""
        from PySide6.QtNetwork import QLocalSocket

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            socket = QLocalSocket()
            socket.connectToServer(self.name)
            if socket.waitForConnected(300):
                socket.write(MESSAGE)
                sent = socket.waitForBytesWritten(1000)
                socket.waitForDisconnected(500)
                return sent
            time.sleep(0.1)  # the first app may not listen yet: it starts its server after painting
        return False

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self.lock.unlock()


def bring_to_front(window) -> None:
    """Raise a window a second launch asked for, even if it was minimised."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    window.setWindowState((window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive)
    window.show()
    window.raise_()
    window.activateWindow()
    QApplication.alert(window)  # where focus stealing is blocked, at least flash the taskbar entry
