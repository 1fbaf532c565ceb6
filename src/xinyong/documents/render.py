"""How portal pages are rendered: one Jinja2 environment and the messages of one language per
page (a credit report's document is in :mod:`xinyong.documents.reports`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from jinja2 import Environment

from xinyong import i18n
from xinyong.schemes.writer import phrases

Language = i18n.Language
LANGUAGES = i18n.LANGUAGES
HERE = Path(__file__).parent
_HAN = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
CJK = re.compile(f"[{_HAN}]")
#: A run of Chinese text, with the digits and letters inside it (e.g. 国办发〔2020〕49号).
CJK_RUN = re.compile(f"[{_HAN}](?:[{_HAN}0-9A-Za-z·]*[{_HAN}0-9])?")
#: A run of Latin words in a name (e.g. "Greenway Tech Co., Ltd."), not part of a code.
LATIN_RUN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?:[ .,&'-]+[A-Za-z]+)*\.?(?![A-Za-z0-9])")


def messages() -> dict[str, dict[Language, str]]:
    """The portal's catalog (``locale/<language>/LC_MESSAGES/portal.po``)."""
    return i18n.messages("portal")


def _marked(run: re.Pattern[str], language: str, text: str) -> Markup:
    """``text`` escaped, with each match of ``run`` in a span of ``language``."""
    out, at = Markup(""), 0
    for found in run.finditer(text):
        out += escape(text[at : found.start()])
        out += Markup('<span lang="{}">{}</span>').format(language, found.group(0))
        at = found.end()
    return out + escape(text[at:])


class Translator:
    """The messages of one language; an unknown key is an error, not a blank."""

    def __init__(self, language: Language) -> None:
        self.language = language

    def __call__(self, key: str) -> str:
        return messages()[key][self.language]

    def names(self, names: Any) -> str:
        """The text of a {zh, en} pair (a pydantic Names or a dict) in this language."""
        if names is None:
            return ""
        if isinstance(names, Mapping):
            return str(names[self.language])
        return str(getattr(names, self.language))

    def proper(self, text: str | None) -> Markup:
        """A proper noun (a subject's or an authority's name) as it is written; the parts in
        the other script are marked with their language (lang="zh" on an English page,
        lang="en" on a Chinese one) so that readers and screen readers know."""
        if not text:
            return Markup("")
        if self.language == "zh":
            return _marked(LATIN_RUN, "en", text)
        return _marked(CJK_RUN, "zh", text)

    def unit(self, unit: str) -> str:
        """A unit of an attribute, as the plain-language phrases name it."""
        found = phrases().get(f"unit.{unit}")
        return str(getattr(found, self.language)) if found else unit

    def number(self, text: str | None) -> Markup:
        """A document number or code, shown as written and never translated."""
        if not text:
            return Markup("")
        return Markup('<span class="docno" translate="no">{}</span>').format(text)


#: The steps the engine gives to a grade (xinyong.schemes.oracle.grade_steps), each with the
#: message that tells it; the last piece of each is a grade, named as its scheme names it.
STEP_FORMS = (
    (re.compile(r"^new subject: grade (\S+)$"), "step_new_subject"),
    (re.compile(r"^score (\S+) is at least (\S+): band (\S+)$"), "step_band"),
    (re.compile(r"^score (\S+) is below every band minimum: band (\S+)$"), "step_lowest_band"),
    (re.compile(r"^override (\d+) holds: grade (\S+)$"), "step_override"),
    (re.compile(r"^bar (\d+) holds: at best (\S+)$"), "step_bar"),
)


def step_text(step: str, language: Language, grades: Mapping[str, str] | None = None) -> str:
    """A grade step in ``language``, with each grade by its name in ``grades``."""
    for pattern, key in STEP_FORMS:
        found = pattern.match(step)
        if found:
            *pieces, grade = found.groups()
            return Translator(language)(key).format(*pieces, (grades or {}).get(grade, grade))
    raise ValueError(f"a grade step the portal cannot tell: {step!r}")


def _query(params: Mapping[str, Any]) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"?{urlencode(kept)}" if kept else ""


def _day(value: date | str | None) -> Markup | str:
    """A day in a page: a <time> element, kept on one line (never broken at its hyphens)."""
    if not value:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return Markup('<time datetime="{0}">{0}</time>').format(text)


@cache
def environment() -> Environment:
    # imported here: a command line run that renders nothing does not pay for Jinja
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["query"] = _query
    env.globals["step_text"] = step_text
    env.filters["combine_lang"] = lambda params, language: {**params, "lang": language}
    env.filters["day"] = _day
    return env


def render(template: str, language: Language, **context: Any) -> str:
    t = Translator(language)
    return environment().get_template(template).render(t=t, lang=language, **context)
