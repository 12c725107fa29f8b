"""Build the standalone executables: `make package`, CI's workflow, the packaging test and bench.

    python packaging/build.py [--mode onedir|onefile|both] [--dist DIR] [--work DIR]

Writes THIRD_PARTY_LICENSES, runs PyInstaller on packaging/genai_desktop.spec, archives the
one-folder build (.tar.gz on Linux, .zip on Windows and macOS) and prints every size.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "genai_desktop.spec"
APP = "genai-desktop"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""


@dataclass
class Build:
    onedir: Path | None = None  # the folder
    onefile: Path | None = None  # the single executable
    archive: Path | None = None
    seconds: float = 0.0

    @property
    def onedir_exe(self) -> Path | None:
        return self.onedir / f"{APP}{EXE_SUFFIX}" if self.onedir else None


def version() -> str:
    namespace: dict[str, str] = {}
    exec((ROOT / "genai_desktop" / "__init__.py").read_text(encoding="utf-8"), namespace)
    return namespace["__version__"]


def platform_tag() -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    return f"{system}-{platform.machine().lower()}"


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def write_licences() -> None:
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import make_licenses
    finally:
        sys.path.pop(0)
    if make_licenses.main([]) != 0:
        raise SystemExit("build: could not write THIRD_PARTY_LICENSES")


def run_pyinstaller(mode: str, dist: Path, work: Path) -> Build:
    started = time.perf_counter()
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work), str(SPEC), "--", "--mode", mode]
    subprocess.run(command, cwd=ROOT, check=True)
    build = Build(seconds=time.perf_counter() - started)
    if mode in ("onedir", "both"):
        build.onedir = dist / APP
    if mode in ("onefile", "both"):
        build.onefile = dist / f"{APP}-onefile{EXE_SUFFIX}"
    return build


def make_archive(folder: Path) -> Path:
    """The one-folder build as one download, unpacking to a single genai-desktop-VERSION/ folder."""
    stem = f"{APP}-{version()}-{platform_tag()}"
    if sys.platform.startswith("linux"):
        out = folder.parent / f"{stem}.tar.gz"
        with tarfile.open(out, "w:gz", compresslevel=9) as tar:
            tar.add(folder, arcname=f"{APP}-{version()}")
        return out
    return Path(shutil.make_archive(str(folder.parent / stem), "zip", folder.parent, folder.name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build GenAI Study Desk's standalone executables.")
    parser.add_argument("--mode", choices=["onedir", "onefile", "both"], default="both")
    parser.add_argument("--dist", default=str(ROOT / "dist"))
    parser.add_argument("--work", default=str(ROOT / "build" / "pyinstaller"))
    parser.add_argument("--no-archive", action="store_true", help="skip the .tar.gz / .zip of the folder")
    args = parser.parse_args(argv)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("build: PyInstaller is not installed; run `pip install -e '.[build]'`", file=sys.stderr)
        return 1
    write_licences()
    dist = Path(args.dist)
    build = run_pyinstaller(args.mode, dist, Path(args.work))
    if build.onedir and not args.no_archive:
        build.archive = make_archive(build.onedir)
    print(f"\nbuilt in {build.seconds:.0f} s:")
    for label, path in (("one-folder", build.onedir), ("one-file", build.onefile), ("archive", build.archive)):
        if path:
            print(f"  {label:<10} {size_mb(path):7.1f} MB  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
