"""Render the app icon from resources/icons/app.svg: PNG sizes, a Windows .ico, a macOS .icns.

QtSvg draws the PNGs (no Pillow needed). Both container formats are written by hand: since
Windows Vista and OS X 10.7 an .ico or .icns entry may simply hold PNG data, so each file is
a small header and index followed by the PNGs.

    python packaging/make_icons.py            (writes into resources/icons/)
"""

from __future__ import annotations

import hashlib
import os
import struct
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SOURCE = ICONS / "app.svg"
# The SVG's hash at the last generation: the test compares hashes, not pixels, because Qt's
# rasteriser differs by a colour level between releases.
SOURCE_HASH = ICONS / "app.svg.sha256"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an .ico entry can describe
# .icns entry types that take PNG data, by pixel size (the @2x types reuse the larger PNG).
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256), ("ic09", 512),
              ("ic11", 32), ("ic12", 64), ("ic13", 256), ("ic14", 512))


def png_name(size: int) -> str:
    return f"app-{size}.png"


def render_pngs(source: Path = SOURCE, sizes: tuple[int, ...] = PNG_SIZES) -> dict[int, bytes]:
    """PNG bytes of the SVG at each size, antialiased, on a transparent background."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QPainter on text needs one
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {source} is not an SVG QtSvg can draw")
    out: dict[int, bytes] = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        out[size] = bytes(data)
    return out


def source_hash(source: Path = SOURCE) -> str:
    return hashlib.sha256(source.read_bytes()).hexdigest()


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICONDIR, one ICONDIRENTRY per size, then the PNGs (a width/height byte of 0 means 256)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """'icns', the total length, then (type, length, PNG) entries; lengths include the 8-byte headers."""
    body = b"".join(kind.encode("ascii") + struct.pack(">I", len(pngs[size]) + 8) + pngs[size]
                    for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main() -> int:
    pngs = render_pngs()
    for size, data in pngs.items():
        (ICONS / png_name(size)).write_bytes(data)
    (ICONS / "app.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    (ICONS / "app.icns").write_bytes(icns_bytes(pngs))
    SOURCE_HASH.write_text(source_hash() + "\n", encoding="ascii")
    print(f"make_icons: {len(pngs)} PNGs, app.ico, app.icns -> {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
