"""Write THIRD_PARTY_LICENSES: every distribution the app runs on, with its licence and its text.

The list is the runtime dependency closure of the dependencies pyproject.toml declares (extras
such as ``test`` and ``build`` are left out), followed through the installed distributions with
importlib.metadata, plus what ships inside a build without being a Python requirement: the
Python interpreter, Qt itself (through PySide6, under LGPLv3) and PyInstaller's bootloader.

    python packaging/make_licenses.py [OUT]      (default: THIRD_PARTY_LICENSES at the repo root)
"""

from __future__ import annotations

import argparse
import re
import sys
import sysconfig
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE_LICENSES = Path(__file__).resolve().parent / "licenses"
# Files in a .dist-info folder that carry licence terms or the notices they require.
_LICENSE_NAME = re.compile(r"^(licen[cs]e|copying|notice|authors|copyright)", re.I)
RULE = "=" * 78


@dataclass
class Component:
    name: str
    version: str
    licence: str
    homepage: str = ""
    texts: list[tuple[str, str]] = field(default_factory=list)  # (file name, text)
    note: str = ""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def project_requirements() -> list[str]:
    """The app's runtime requirements as pyproject.toml declares them now. Not the installed
    ``genai-study-desk`` metadata: an editable install keeps the dependencies declared when it
    was installed, so a dependency dropped since would still be listed."""
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["dependencies"]


def _needed(text: str) -> list[str]:
    """The distribution a requirement line names, or nothing when its marker leaves it out here
    (an extra's requirement, another platform's)."""
    from packaging.requirements import Requirement  # ships with pip, pytest and PyInstaller

    requirement = Requirement(text)
    if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
        return [requirement.name]
    return []


def runtime_closure(requirements: list[str] | None = None) -> list[metadata.Distribution]:
    """The installed distributions ``requirements`` (the project's, by default) need at run
    time, themselves included, without extras, sorted by name."""
    seen: dict[str, metadata.Distribution] = {}
    pending = [name for text in (project_requirements() if requirements is None else requirements)
               for name in _needed(text)]
    while pending:
        name = canonical(pending.pop())
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional platform dependency that is not installed here
        seen[name] = dist
        for text in dist.requires or []:
            pending.extend(_needed(text))
    return sorted(seen.values(), key=lambda d: canonical(d.metadata["Name"]))


def licence_of(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) < 120:
        return text
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return "; ".join(classifiers) or "see the licence text below"


def homepage_of(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    if meta.get("Home-page"):
        return meta["Home-page"]
    for url in meta.get_all("Project-URL") or []:
        label, _, address = url.partition(",")
        if label.strip().lower() in {"homepage", "source", "source code", "repository", "code"}:
            return address.strip()
    return ""


def licence_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    texts = []
    for file in dist.files or []:
        parts = file.parts
        in_info = parts and parts[0].endswith(".dist-info")
        if in_info and (_LICENSE_NAME.match(file.name) or "licenses" in parts[1:-1]):
            try:
                texts.append((file.name, file.read_text(encoding="utf-8").strip()))
            except (OSError, UnicodeDecodeError):
                continue
    return sorted(texts)


def from_distribution(dist: metadata.Distribution) -> Component:
    component = Component(dist.metadata["Name"], dist.version, licence_of(dist), homepage_of(dist),
                          licence_texts(dist))
    if canonical(component.name) == "pyside6-essentials":
        # The wheels carry no licence files. We distribute Qt and PySide6 under the LGPLv3,
        # which is the GPLv3 plus additional permissions, so both texts ship.
        component.licence = f"LGPL-3.0-only (chosen from: {component.licence})"
        component.texts = [(p.name, p.read_text(encoding="utf-8").strip())
                           for p in (HERE_LICENSES / "LGPL-3.0.txt", HERE_LICENSES / "GPL-3.0.txt")]
        component.note = ("Qt and PySide6 are used unmodified as separate shared libraries. In the one-folder "
                          "build they sit next to the executable (in PySide6/), so you can replace them with "
                          "your own build of the same Qt version. Sources: https://download.qt.io/official_releases/"
                          "qt/ and https://code.qt.io/pyside/ . Qt bundles ICU (Unicode License v3, "
                          "https://www.unicode.org/license.txt) and other code listed at "
                          "https://doc.qt.io/qt-6/licenses-used-in-qt.html .")
    elif canonical(component.name) == "shiboken6":
        component.licence = f"LGPL-3.0-only (chosen from: {component.licence})"
        component.note = "PySide6's binding runtime, under the same LGPLv3 and GPLv3 texts as PySide6_Essentials."
    if not component.texts:
        component.note = component.note or ("This distribution ships no licence file; its terms are the "
                                             f"{component.licence} licence named in its metadata.")
    return component


def python_component() -> Component:
    version = sys.version.split()[0]
    candidates = [Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt", Path(sys.base_prefix) / "LICENSE.txt"]
    texts = [("LICENSE.txt", p.read_text(encoding="utf-8").strip()) for p in candidates[:1] if p.is_file()]
    if not texts:
        texts = [("LICENSE.txt", p.read_text(encoding="utf-8").strip()) for p in candidates[1:] if p.is_file()]
    return Component("Python", version, "PSF-2.0", "https://www.python.org/", texts,
                     note="" if texts else "See https://docs.python.org/3/license.html")


def pyinstaller_component() -> Component | None:
    try:
        dist = metadata.distribution("pyinstaller")
    except metadata.PackageNotFoundError:
        return None
    component = from_distribution(dist)
    component.note = ("Only PyInstaller's bootloader ships inside the executables; its GPL licence carries "
                      "an exception that allows distributing it with any program.")
    return component


def components() -> list[Component]:
    found = [python_component()] + [from_distribution(d) for d in runtime_closure()]
    bootloader = pyinstaller_component()
    if bootloader:
        found.append(bootloader)
    return found


def render(items: list[Component]) -> str:
    lines = ["GenAI Study Desk: third-party licences",
             "",
             "The app's own code is MIT (LICENSE); the text of its built-in library is CC BY 4.0",
             "(content/LICENSE.md). It is built on the components below, listed with their versions",
             "and licences as installed when this file was generated by packaging/make_licenses.py.",
             "",
             "Summary:"]
    width = max(len(c.name) for c in items)
    lines += [f"  {c.name:<{width}}  {c.version:<10}  {c.licence}" for c in items]
    for c in items:
        lines += ["", RULE, f"{c.name} {c.version}", f"Licence: {c.licence}"]
        if c.homepage:
            lines.append(f"Home: {c.homepage}")
        if c.note:
            lines.append(f"Note: {c.note}")
        for name, text in c.texts:
            lines += ["", f"--- {name} ---", "", text]
    return "\n".join(lines) + "\n"


def _installed(name: str) -> bool:
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default=str(ROOT / "THIRD_PARTY_LICENSES"))
    args = parser.parse_args(argv)
    missing = [name for text in project_requirements() for name in _needed(text) if not _installed(name)]
    if missing:
        print(f"make_licenses: not installed here: {', '.join(missing)}; install requirements.lock first",
              file=sys.stderr)
        return 1
    items = components()
    out = Path(args.out)
    out.write_text(render(items), encoding="utf-8")
    print(f"make_licenses: {len(items)} components -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
