"""Before Qt starts on Linux: is there a display, and are the libraries of Qt's X11 (xcb) platform
plugin installed? Without this, Qt aborts the process (SIGABRT) with a message that names only
``xcb-cursor0`` (even when that one is installed) and suggests reinstalling the app.

Plain file checks, no imports: a few stat calls on the start-up path."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

# What the xcb plugin links (``ldd libqxcb.so``) beyond libxcb itself, with the Debian/Ubuntu
# package that provides each.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}


def library_dirs(env: Mapping[str, str] = os.environ) -> list[Path]:
    """Where the dynamic loader looks on a Debian-like system (multiarch first)."""
    arch = f"{os.uname().machine}-linux-gnu"
    dirs = [Path(p) for p in env.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p]
    bundle = getattr(sys, "_MEIPASS", None)  # a PyInstaller build may carry some of them
    if bundle:
        dirs.append(Path(bundle))
    dirs += [Path(p) for p in (f"/lib/{arch}", f"/usr/lib/{arch}", "/lib64", "/usr/lib64", "/lib", "/usr/lib")]
    return dirs


def missing_libraries(dirs: Iterable[Path]) -> list[str]:
    """The xcb plugin's libraries found in none of ``dirs``. Empty when the layout is not one we
    know (no libc in any of them, as on NixOS): then Qt is left to decide."""
    dirs = [d for d in dirs if d.is_dir()]
    if not any((d / "libc.so.6").exists() for d in dirs):
        return []
    return [name for name in XCB_LIBRARIES if not any((d / name).exists() for d in dirs)]


def display_problem(env: Mapping[str, str] = os.environ, dirs: Iterable[Path] | None = None,
                    platform: str = sys.platform) -> str | None:
    """One line saying why the window cannot open here, or None when Qt may try."""
    if not platform.startswith("linux"):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen and not chosen.startswith("xcb"):
        return None  # offscreen, wayland, vnc…: the user chose; Qt reports its own problems
    if not env.get("DISPLAY"):
        if env.get("WAYLAND_DISPLAY") and not chosen:
            return None  # Qt picks its Wayland plugin
        return ("no display found (DISPLAY is not set): start it from a desktop session, or under a "
                "virtual screen with `xvfb-run genai-desktop` (Debian/Ubuntu package: xvfb)")
    missing = missing_libraries(library_dirs(env) if dirs is None else dirs)
    if missing:
        packages = " ".join(dict.fromkeys(XCB_LIBRARIES[name] for name in missing))
        return (f"Qt's X11 platform needs libraries that are not installed ({', '.join(missing)}); "
                f"on Debian/Ubuntu: sudo apt install {packages}")
    return None
