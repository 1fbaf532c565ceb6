"""How portal pages are rendered: one Jinja2 environment, the messages of one language per page,
and a credit report as HTML or as PDF (WeasyPrint, with the Noto CJK fonts Debian installs)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlencode

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
HERE = Path(__file__).parent
_HAN = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
CJK = re.compile(f"[{_HAN}]")
#: A run of Chinese text, with the digits and letters inside it (e.g. 国办发〔2020〕49号).
CJK_RUN = re.compile(f"[{_HAN}](?:[{_HAN}0-9A-Za-z·]*[{_HAN}0-9])?")


@cache
def messages() -> dict[str, dict[str, str]]:
    loaded = yaml.safe_load((HERE / "messages.yaml").read_text(encoding="utf-8"))
    missing = [key for key, texts in loaded.items() if set(texts) != set(LANGUAGES)]
    if missing:
        raise RuntimeError(f"portal messages without both languages: {', '.join(missing)}")
    return cast(dict[str, dict[str, str]], loaded)


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
        """A proper noun (a subject's or an authority's name) as it is written; on an English
        page, Chinese text is marked lang="zh" so that readers and screen readers know."""
        if not text:
            return Markup("")
        if self.language == "zh":
            return escape(text)
        return Markup(CJK_RUN.sub(lambda m: f'<span lang="zh">{m.group(0)}</span>', escape(text)))


#: The steps the engine gives to a grade (xinyong.schemes.oracle.grade_steps), in Chinese.
STEP_FORMS = (
    (re.compile(r"^new subject: grade (\S+)$"), "新设主体：等级{0}"),
    (re.compile(r"^score (\S+) is at least (\S+): band (\S+)$"), "得分{0}不低于{1}：{2}级"),
    (
        re.compile(r"^score (\S+) is below every band minimum: band (\S+)$"),
        "得分{0}低于各等级下限：{1}级",
    ),
    (re.compile(r"^override (\d+) holds: grade (\S+)$"), "符合第{0}项直接定级情形：{1}级"),
    (re.compile(r"^bar (\d+) holds: at best (\S+)$"), "符合第{0}项限制情形：最高{1}级"),
)


def step_text(step: str, language: Language) -> str:
    if language == "en":
        return step
    for pattern, chinese in STEP_FORMS:
        found = pattern.match(step)
        if found:
            return chinese.format(*found.groups())
    raise ValueError(f"a grade step the portal cannot say in Chinese: {step!r}")


def _query(params: Mapping[str, Any]) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"?{urlencode(kept)}" if kept else ""


@cache
def environment() -> Environment:
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
    env.filters["day"] = lambda d: d.isoformat() if isinstance(d, date) else (d or "")
    return env


def render(template: str, language: Language, **context: Any) -> str:
    t = Translator(language)
    return environment().get_template(template).render(t=t, lang=language, **context)


def report_html(content: Mapping[str, Any], digest: str, language: Language) -> str:
    """A credit report as a standalone HTML document (the PDF is rendered from it)."""
    return render("report_document.html", language, report=content, digest=digest)


def report_pdf(content: Mapping[str, Any], digest: str, language: Language) -> bytes:
    """A credit report as PDF. WeasyPrint is an optional dependency (``xinyong[pdf]``)."""
    try:
        from weasyprint import HTML
    except ImportError as missing:  # pragma: no cover - depends on the installation
        raise RuntimeError(
            "PDF reports need WeasyPrint: pip install 'xinyong[pdf]' and Debian's fonts-noto-cjk"
        ) from missing
    document = report_html(content, digest, language)
    pdf: bytes = HTML(string=document, base_url=str(HERE)).write_pdf()
    return pdf
