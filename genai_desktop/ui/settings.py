"""Window and reader preferences in an ini file inside the data folder.

An ini file (not the platform registry) keeps every preference next to the data it belongs
to, so ``--data-dir`` gives a fully separate profile and tests never touch the user's own.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings


class Settings:
    def __init__(self, path: Path) -> None:
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    def get_str(self, key: str, default: str = "") -> str:
        value = self._qs.value(key, default)
        return str(value) if value is not None else default

    def get_float(self, key: str, default: float) -> float:
        try:
            return float(self._qs.value(key, default))
        except (TypeError, ValueError):
            return default

    def get_bool(self, key: str) -> bool | None:
        """None when the key was never written."""
        value = self._qs.value(key)
        return None if value is None else str(value).lower() in ("true", "1")

    def get_bytes(self, key: str) -> QByteArray | None:
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) else None

    def set(self, key: str, value) -> None:
        self._qs.setValue(key, value)

    def sync(self) -> None:
        self._qs.sync()
