"""An entry of a subject's access log as the subject reads it on a page: who read (the role in
the page's language, then the person and the department as written), what (the kind of thing
read, then its number), when (in the platform's time zone), why and on what basis. The purposes
and bases the platform itself writes are told in the page's language; a purpose a reader
declared is shown as the reader wrote it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from markupsafe import Markup

from xinyong.application import cases, checks, files, listings
from xinyong.disclosure import access, consents
from xinyong.disclosure.access import Read
from xinyong.documents.render import Translator, messages
from xinyong.reference.services import ServiceCategories

#: The platform's own purposes and bases, by the message that tells them.
OWN_WORDS: dict[str, str] = {}
for _key, _purpose in {
    "case": cases.HANDLING,
    "listing": listings.HANDLING,
    "oversight": files.OVERSIGHT,
    "own": access.OWN,
}.items():
    OWN_WORDS[_purpose.purpose] = f"purpose_{_key}"
    OWN_WORDS[_purpose.legal_basis] = f"basis_{_key}"
OWN_WORDS[checks.CHECK_BASIS] = "basis_check"
CHECK = re.compile(
    "^"
    + re.escape(checks.CHECK_PURPOSE)
    .replace(r"\{action\}", r"(?P<action>\w+)")
    .replace(r"\{department\}", r"(?P<department>.+)")
    + "$"
)
CONSENT = re.compile("^" + re.escape(consents.PURPOSE) + r": (?P<categories>[a-z_, ]+)$")
CONSENT_BASIS = re.compile(
    "^" + re.escape(consents.BASIS).replace(r"\{ids\}", r"(?P<ids>[#\d, ]+)") + "$"
)
RESOURCE = re.compile(r"^(?P<kind>[a-z]+)(?: \((?P<via>[a-z]+)\))?(?: (?P<number>\S+))?$")


def local(moment: datetime, zone: str) -> str:
    """A stored moment (UTC) in the platform's time zone, to the minute."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{aware.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


def purpose(t: Translator, text: str) -> Markup:
    key = OWN_WORDS.get(text)
    if key is not None:
        return Markup("{}").format(t(key))
    consented = CONSENT.match(text)
    if consented:
        codes = consented.group("categories").split(", ")
        shipped = [(c, ServiceCategories.load().find(c)) for c in codes]
        names = [category.name(t.language) if category else c for c, category in shipped]
        return Markup("{}").format(t("purpose_consent").format(categories="、".join(names)))
    consent = CONSENT_BASIS.match(text)
    if consent:
        return Markup("{}").format(t("basis_consent").format(ids=consent.group("ids")))
    found = CHECK.match(text)
    if found:
        action = found.group("action")
        named = t(f"action_{action}") if f"action_{action}" in _known() else action
        return Markup("{}").format(t("purpose_check").format(action=named)) + Markup(
            "（{}）" if t.language == "zh" else " ({})"
        ).format(t.proper(found.group("department")))
    return t.proper(text)


def resource(t: Translator, text: str) -> Markup:
    found = RESOURCE.match(text)
    if not found or f"resource_{found.group('kind')}" not in _known():
        return t.number(text)
    told = Markup("{}").format(t(f"resource_{found.group('kind')}"))
    if found.group("number"):
        told += Markup(" ") + t.number(found.group("number"))
    return told


def actor(t: Translator, text: str) -> Markup:
    """``official:李明@郑州市财政局`` as 信用管理部门工作人员 李明（郑州市财政局）."""
    role, _, rest = text.partition(":")
    holder, _, department = rest.partition("@")
    if f"role_{role}" not in _known() or not holder:
        return t.proper(text)
    told = Markup("{} ").format(t(f"role_{role}")) + t.proper(holder)
    if department:
        told += Markup("（{}）" if t.language == "zh" else " ({})").format(t.proper(department))
    return told


@cache
def _known() -> frozenset[str]:
    """The catalog's keys, read once."""
    return frozenset(messages())


def told(t: Translator, read: Read, zone: str) -> dict[str, Markup | str]:
    return {
        "at": local(read.read_at, zone),
        "actor": actor(t, read.actor),
        "resource": resource(t, read.resource),
        "purpose": purpose(t, read.purpose),
        "basis": purpose(t, read.legal_basis),
    }
