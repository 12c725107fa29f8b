from importlib import metadata

from .helpers import load_script

make_licenses = load_script("make_licenses")


def test_every_runtime_dependency_is_listed_with_version_and_licence(tmp_path) -> None:
    out = tmp_path / "THIRD_PARTY_LICENSES"
    assert make_licenses.main([str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for name in ("PySide6_Essentials", "shiboken6", "markdown-it-py", "mdit-py-plugins", "Pygments",
                 "ziamath", "ziafont", "latex2mathml", "fsrs"):
        dist = metadata.distribution(name)
        assert f"\n{dist.metadata['Name']} {dist.version}\n" in text, name
    assert "Python " in text and "PSF" in text
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "GNU GENERAL PUBLIC LICENSE" in text


def test_extras_are_not_runtime_dependencies() -> None:
    names = {make_licenses.canonical(d.metadata["Name"]) for d in make_licenses.runtime_closure()}
    assert {"pyside6-essentials", "ziamath", "latex2mathml"} <= names  # latex2mathml: a dependency's dependency
    assert not names & {"pytest", "pytest-qt", "hypothesis", "ruff", "genai-study-desk"}


def test_the_list_follows_pyproject_not_the_installed_metadata_of_an_editable_install() -> None:
    """python-markdown and linkify-it-py were dropped from pyproject.toml; an editable install made
    before still declares them, and anki (a test extra) still installs Markdown."""
    declared = {make_licenses.canonical(name) for text in make_licenses.project_requirements()
                for name in make_licenses._needed(text)}
    names = {make_licenses.canonical(d.metadata["Name"]) for d in make_licenses.runtime_closure()}
    assert declared <= names
    assert not names & {"markdown", "linkify-it-py", "anki"}
    only = {make_licenses.canonical(d.metadata["Name"]) for d in make_licenses.runtime_closure(["ziamath"])}
    assert {"ziamath", "ziafont", "latex2mathml"} <= only and "pygments" not in only


def test_qt_is_offered_under_the_lgpl() -> None:
    pyside = make_licenses.from_distribution(metadata.distribution("PySide6-Essentials"))
    assert pyside.licence.startswith("LGPL-3.0-only")
    assert [name for name, _ in pyside.texts] == ["LGPL-3.0.txt", "GPL-3.0.txt"]
    assert "replace them" in pyside.note


def test_committed_file_matches_what_the_lock_installs(tmp_path) -> None:
    """THIRD_PARTY_LICENSES is generated: after `make lock`, regenerate it (python packaging/make_licenses.py)."""
    out = tmp_path / "THIRD_PARTY_LICENSES"
    assert make_licenses.main([str(out)]) == 0
    committed = (make_licenses.ROOT / "THIRD_PARTY_LICENSES").read_text(encoding="utf-8")
    assert committed == out.read_text(encoding="utf-8")
