import struct

from PySide6.QtGui import QImage

from .helpers import load_script

make_icons = load_script("make_icons")


def test_svg_renders_at_every_size_with_a_transparent_corner(qapp) -> None:
    pngs = make_icons.render_pngs(sizes=(16, 64))
    for size, data in pngs.items():
        image = QImage.fromData(data, "PNG")
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(0, 0).alpha() == 0  # rounded tile: corners are see-through
        assert image.pixelColor(size // 2, size // 2).alpha() == 255


def test_ico_index_points_at_each_png(qapp) -> None:
    pngs = make_icons.render_pngs(sizes=(16, 256))
    ico = make_icons.ico_bytes(pngs)
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind, count) == (0, 1, 2)
    for n, size in enumerate((16, 256)):
        width, height, _, _, planes, bits, length, offset = struct.unpack_from("<BBBBHHII", ico, 6 + 16 * n)
        assert width == height == (0 if size == 256 else size) and (planes, bits) == (1, 32)
        assert ico[offset:offset + length] == pngs[size]


def test_icns_entries_add_up(qapp) -> None:
    pngs = make_icons.render_pngs()
    icns = make_icons.icns_bytes(pngs)
    assert icns[:4] == b"icns" and struct.unpack_from(">I", icns, 4)[0] == len(icns)
    at, kinds = 8, []
    while at < len(icns):
        kinds.append(icns[at:at + 4].decode())
        at += struct.unpack_from(">I", icns, at + 4)[0]
    assert at == len(icns) and kinds == [k for k, _ in make_icons.ICNS_TYPES]


def test_committed_icons_are_current(qapp) -> None:
    """resources/icons/ must be regenerated (python packaging/make_icons.py) after editing app.svg."""
    for size in (16, 32, 256):
        committed = QImage(str(make_icons.ICONS / make_icons.png_name(size)))
        fresh = QImage.fromData(make_icons.render_pngs(sizes=(size,))[size], "PNG")
        assert committed.convertToFormat(fresh.format()) == fresh, size
