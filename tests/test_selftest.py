"""The self-test in the source tree (tests/packaging runs it inside the frozen build)."""

from genai_desktop import selftest


def test_self_test_passes_and_reports_each_check(qapp) -> None:
    lines: list[str] = []
    assert selftest.run_self_test(lines.append) == 0, "\n".join(lines)
    assert sum(line.lstrip().startswith("ok") for line in lines) == len(selftest.CHECKS)
    assert lines[-1].startswith("self-test passed")


def test_self_test_names_what_failed_and_skips_what_depends_on_it(qapp, monkeypatch) -> None:
    def broken(_ctx):
        raise selftest.CheckFailed("no formulas today")

    checks = list(selftest.CHECKS)
    checks[2] = ("page with formulas and code", broken)
    monkeypatch.setattr(selftest, "CHECKS", checks)
    lines: list[str] = []
    assert selftest.run_self_test(lines.append) == 1
    assert "FAIL  page with formulas and code: no formulas today" in "\n".join(lines)
    assert any(line.strip().startswith("skip") for line in lines)
    assert "self-test FAILED" in lines[-1] and "no formulas today" in lines[-1]
