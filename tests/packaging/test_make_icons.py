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


def test_committed_icons_come_from_the_current_svg() -> None:
    """resources/icons/ must be regenerated (python packaging/make_icons.py) after editing app.svg."""
    assert make_icons.SOURCE_HASH.read_text(encoding="ascii").strip() == make_icons.source_hash()


def test_committed_icons_are_whole_and_not_blank(qapp) -> None:
    # Pixels are compared loosely: another Qt release draws the same SVG a colour level apart.
    for size in make_icons.PNG_SIZES:
        committed = QImage(str(make_icons.ICONS / make_icons.png_name(size)))
        assert (committed.width(), committed.height()) == (size, size)
        assert committed.pixelColor(0, 0).alpha() == 0
        assert committed.pixelColor(size // 2, size // 2).alpha() == 255
    fresh = QImage.fromData(make_icons.render_pngs(sizes=(64,))[64], "PNG")
    committed = QImage(str(make_icons.ICONS / make_icons.png_name(64))).convertToFormat(fresh.format())
    diff = sum(abs(committed.pixelColor(x, y).value() - fresh.pixelColor(x, y).value())
               for x in range(64) for y in range(64)) / 64 / 64
    assert diff < 2.0  # a redrawn SVG (other shapes or colours) differs by far more


def test_committed_containers_hold_the_committed_pngs() -> None:
    pngs = {size: (make_icons.ICONS / make_icons.png_name(size)).read_bytes() for size in make_icons.PNG_SIZES}
    assert (make_icons.ICONS / "app.ico").read_bytes() == make_icons.ico_bytes(
        {s: pngs[s] for s in make_icons.ICO_SIZES})
    assert (make_icons.ICONS / "app.icns").read_bytes() == make_icons.icns_bytes(pngs)
