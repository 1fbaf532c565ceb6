"""The message catalogs: gettext PO files, one per language and domain, read with Babel.

``locale/<language>/LC_MESSAGES/<domain>.po`` holds every text of a domain in one language:
``portal`` for the pages, errors and reports, ``schemes`` for the plain-language rendering of a
scheme. A message id is a key (``case_state_open``, ``rule``), so that a page's template and a
sentence's pieces are the same in both languages; translators edit the PO files with any PO
tool. A catalog is refused when it loads if a key is missing from a language or is empty, and,
for a domain whose sentences take the same pieces in both languages (the portal's), if a key
has different ``{pieces}`` in the two (a sentence would lose a piece, or fail). A scheme's
phrases may pick different pieces per language (``{size}`` points in Chinese, ``{amount:+}``
in English): the writer gives them all.

This module imports nothing of xinyong's, so that every layer may use it."""

from __future__ import annotations

import re
import string
from collections import Counter
from functools import cache
from importlib import resources
from typing import Literal

from babel.messages.pofile import read_po

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")


class CatalogError(RuntimeError):
    """A message catalog that is incomplete or inconsistent."""


def _pieces(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _read(language: Language, domain: str) -> dict[str, str]:
    where = resources.files("xinyong") / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
    with where.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=domain)
    # a key written twice would silently take one of its texts: refuse it, naming the key
    ids = re.findall(r'^msgid "(.+)"$', where.read_text(encoding="utf-8"), flags=re.MULTILINE)
    twice = sorted(key for key, n in Counter(ids).items() if n > 1)
    if twice:
        raise CatalogError(f"the {domain} catalog ({language}): written twice: {', '.join(twice)}")
    return {str(m.id): str(m.string) for m in catalog if m.id}


@cache
def messages(domain: str, *, same_pieces: bool = True) -> dict[str, dict[Language, str]]:
    """``key -> {language: text}`` of a domain, checked (see the module's docstring)."""
    texts = {language: _read(language, domain) for language in LANGUAGES}
    keys = set().union(*texts.values())
    problems = []
    for key in sorted(keys):
        missing = [lang for lang in LANGUAGES if not texts[lang].get(key)]
        if missing:
            problems.append(f"{key}: no text in {', '.join(missing)}")
            continue
        pieces = {lang: _pieces(texts[lang][key]) for lang in LANGUAGES}
        if same_pieces and len({frozenset(p) for p in pieces.values()}) > 1:
            told = "; ".join(f"{lang} {sorted(p)}" for lang, p in pieces.items())
            problems.append(f"{key}: the languages have different pieces ({told})")
    if problems:
        raise CatalogError(f"the {domain} catalog: " + "; ".join(problems))
    return {key: {lang: texts[lang][key] for lang in LANGUAGES} for key in keys}
