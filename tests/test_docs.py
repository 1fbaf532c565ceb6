"""Documentation that is checked: doctests run, and every setting and CLI command is documented."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest
import typer.main

import xinyong
from xinyong.cli.main import app
from xinyong.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SOURCE = ROOT / "src"
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(xinyong.__path__, "xinyong.")
    if ".migrations" not in m.name
    and not m.ispkg
    and ">>> " in (SOURCE / (m.name.replace(".", "/") + ".py")).read_text(encoding="utf-8")
)
"""Only the modules that hold doctests: a module without one is not a test."""


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_every_setting_is_in_the_readme() -> None:
    for name, field in Settings.model_fields.items():
        assert f"XINYONG_{name.upper()}" in README, name
        assert field.description, name


def _commands(group: typer.Typer, prefix: str = "") -> list[str]:
    click_group = typer.main.get_command(group)
    names = []
    for name, command in click_group.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            names += [f"{prefix}{name} {sub}" for sub in command.commands]
        else:
            names.append(f"{prefix}{name}")
    return names


def test_every_cli_command_is_in_the_readme() -> None:
    commands = _commands(app)
    assert {"init", "ingest", "generate", "demo", "subjects show", "quarantine list"} <= set(
        commands
    )
    for command in commands:
        assert command in README, command


def test_public_surface_imports() -> None:
    for name in xinyong.__all__:
        assert getattr(xinyong, name) is not None


def test_the_scheme_reference_example_loads_and_passes(tmp_path: Path) -> None:
    from xinyong.catalog.items import Catalog
    from xinyong.evaluation.scheme_cases import run_tests
    from xinyong.schemes.loading import load_scheme
    from xinyong.store.database import Database

    text = (ROOT / "docs" / "schemes.md").read_text(encoding="utf-8")
    example = text.split("## A whole example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    catalog = Catalog.load()
    scheme = load_scheme(path, catalog)
    db = Database("sqlite://")
    db.migrate()
    assert [r.problems for r in run_tests(db, scheme, catalog)] == [()]
