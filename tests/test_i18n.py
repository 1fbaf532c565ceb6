"""The message catalogs: both languages complete, the portal's sentences with the same pieces
in both, every key a template names present, and a broken catalog refused with its fault."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xinyong import i18n
from xinyong.documents.render import HERE, messages

TEMPLATES = HERE / "templates"


def test_both_domains_load_in_both_languages() -> None:
    portal = i18n.messages("portal")
    schemes = i18n.messages("schemes", same_pieces=False)
    assert len(portal) > 300 and len(schemes) > 100
    assert all(set(texts) == {"zh", "en"} for texts in [*portal.values(), *schemes.values()])


def test_every_key_a_template_names_is_in_the_catalog() -> None:
    named = set()
    for template in TEMPLATES.glob("*.html"):
        named |= set(re.findall(r"\bt\('([a-z0-9_.-]+)'\)", template.read_text(encoding="utf-8")))
    assert len(named) > 150
    assert not sorted(named - set(messages()))


def _catalog(folder: Path, language: str, entries: dict[str, str]) -> None:
    where = folder / "xinyong" / "locale" / language / "LC_MESSAGES"
    where.mkdir(parents=True)
    body = "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in entries.items())
    (where / "portal.po").write_text('msgid ""\nmsgstr ""\n\n' + body, encoding="utf-8")


def test_a_catalog_with_a_gap_or_a_lost_piece_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _catalog(tmp_path, "zh", {"greet": "你好，{name}", "bye": "再见"})
    _catalog(tmp_path, "en", {"greet": "Hello", "bye": ""})
    monkeypatch.setattr(i18n.resources, "files", lambda _package: tmp_path / "xinyong")
    i18n.messages.cache_clear()
    try:
        with pytest.raises(i18n.CatalogError) as refused:
            i18n.messages("portal")
        told = str(refused.value)
        assert "bye: no text in en" in told
        assert "greet: the languages have different pieces" in told
    finally:
        i18n.messages.cache_clear()


def test_a_key_written_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _catalog(tmp_path, "zh", {"greet": "你好"})
    _catalog(tmp_path, "en", {"greet": "Hello"})
    en = tmp_path / "xinyong" / "locale" / "en" / "LC_MESSAGES" / "portal.po"
    en.write_text(en.read_text(encoding="utf-8") + 'msgid "greet"\nmsgstr "Hi"\n', encoding="utf-8")
    monkeypatch.setattr(i18n.resources, "files", lambda _package: tmp_path / "xinyong")
    i18n.messages.cache_clear()
    try:
        with pytest.raises(i18n.CatalogError, match=r"\(en\): written twice: greet"):
            i18n.messages("portal")
    finally:
        i18n.messages.cache_clear()
