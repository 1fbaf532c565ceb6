"""The pytest plugin that collects scheme files: each case is its own test, and a failing case
says which scheme, which case, where in the file, and every way its result differs."""

from __future__ import annotations

from pathlib import Path

import pytest

SHIPPED = Path(__file__).parent.parent / "src" / "xinyong" / "data" / "schemes"


def _copy(pytester: pytest.Pytester, name: str, wrong: str | None = None) -> Path:
    text = (SHIPPED / name).read_text(encoding="utf-8")
    if wrong is not None:
        old, new = wrong.split(" => ")
        assert old in text, f"{old!r} is not in {name}"
        text = text.replace(old, new, 1)
    path = pytester.path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_each_case_of_a_scheme_file_is_one_test(pytester: pytest.Pytester) -> None:
    _copy(pytester, "zhengzhou-environment.yaml")
    result = pytester.runpytest_subprocess("-p", "xinyong.evaluation.pytest_plugin", "-q")
    cases = (SHIPPED / "zhengzhou-environment.yaml").read_text(encoding="utf-8").count("- name:")
    result.assert_outcomes(passed=cases)
    assert cases > 3


def test_a_wrong_expectation_fails_only_its_case_and_says_where(pytester: pytest.Pytester) -> None:
    path = _copy(
        pytester,
        "zhengzhou-environment.yaml",
        "expect: {score: 100, grade: 环保诚信 => expect: {score: 99, grade: 环保诚信",
    )
    line = next(
        i
        for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "score: 99" in text
    )
    result = pytester.runpytest_subprocess(
        "-p", "xinyong.evaluation.pytest_plugin", "--no-scheme-duckdb"
    )
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 1 and outcomes["passed"] > 3
    report = result.stdout.str()
    assert "compiled: score 100, expected 99" in report
    assert "reference: score 100, expected 99" in report
    assert "duckdb:" not in report
    # the case's name line is a few lines above its expectation
    reported = int(report.split("zhengzhou-environment.yaml:")[1].split(")")[0])
    assert 0 < line - reported < 8


def test_a_broken_scheme_file_is_a_collection_error_naming_the_line(
    pytester: pytest.Pytester,
) -> None:
    _copy(pytester, "zhengzhou-environment.yaml", "per_record: => per_recrod:")
    result = pytester.runpytest_subprocess("-p", "xinyong.evaluation.pytest_plugin")
    assert result.ret != 0
    assert "per_recrod" in result.stdout.str()
    assert "zhengzhou-environment.yaml:" in result.stdout.str()


def test_other_yaml_files_are_not_collected(pytester: pytest.Pytester) -> None:
    (pytester.path / "catalog.yaml").write_text("catalog: {id: x}\nitems: []\n", encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "xinyong.evaluation.pytest_plugin")
    result.assert_outcomes()
