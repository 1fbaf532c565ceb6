"""Checking one input row, without the database: is it a record (or a subject) xinyong can take?

Every problem names the field, the value and what to do, in words a clerk understands. Checks
that need the database (is the subject registered, is the decision number already recorded, does
the corrected record exist) are in :mod:`xinyong.ingest.pipeline`.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from xinyong.catalog.items import Catalog, CatalogItem
from xinyong.catalog.terms import Polarity, Severity
from xinyong.errors import InvalidIdentifier
from xinyong.ingest.parsed import (
    ACTION_WORDS,
    KIND_WORDS,
    SIZE_WORDS,
    STATUS_WORDS,
    Action,
    Problem,
    RecordRow,
    SubjectRow,
    short,
    text_problems,
)
from xinyong.ingest.profiles import Profile
from xinyong.reference.dates import parse_date
from xinyong.reference.identifiers import Identifier, IdScheme, SubjectKind, parse_identifier
from xinyong.reference.industries import Industries, normalise_industry
from xinyong.reference.regions import Regions
from xinyong.registry.subjects import SubjectStatus


class RowChecker:
    """Checks rows against the catalog, the identifier rules, the region and industry tables."""

    def __init__(
        self,
        catalog: Catalog,
        regions: Regions,
        industries: Industries,
        today: date,
        earliest: date,
    ) -> None:
        self.catalog = catalog
        self.regions = regions
        self.industries = industries
        self.today = today
        self.earliest = earliest
        self._ids: dict[str, Identifier | str] = {}

    # -- shared pieces ---------------------------------------------------------------------------
    def identifier(self, text: Any, problems: list[Problem]) -> Identifier | None:
        key = str(text)
        cached = self._ids.get(key)
        if cached is None:
            try:
                cached = parse_identifier(key)
            except InvalidIdentifier as exc:
                cached = str(exc)
            self._ids[key] = cached
        if isinstance(cached, str):
            problems.append(Problem("subject_code", key, cached))
            return None
        return cached

    def region_warning(self, identifier: Identifier) -> str | None:
        region = self.regions.lookup(identifier.region_code)
        if region is None:
            return self.regions.check(identifier.region_code)
        if region.to_year is None:
            return None
        # A resident ID keeps the code of the place of first registration, so a code retired
        # after the holder was born is normal; a USCC is issued from 2015 on.
        issued = identifier.birth_date.year if identifier.birth_date else 2015
        if region.to_year < issued:
            return f"region code {region.code} ({region.name}) was retired in {region.to_year}"
        return None

    def date(
        self, fields: dict[str, Any], name: str, problems: list[Problem], required: bool = False
    ) -> date | None:
        value = fields.get(name)
        if value is None:
            if required:
                problems.append(Problem(name, None, "is required; write it as YYYY-MM-DD"))
            return None
        try:
            parsed = parse_date(value)
        except ValueError as exc:
            problems.append(Problem(name, str(value), str(exc)))
            return None
        if parsed > self.today and name in ("decided_on", "registered_on"):
            problems.append(
                Problem(name, str(value), f"is in the future (today is {self.today.isoformat()})")
            )
            return None
        if parsed < self.earliest:
            problems.append(
                Problem(name, str(value), f"is before {self.earliest.isoformat()}; check the year")
            )
            return None
        return parsed

    def kind(self, fields: dict[str, Any], problems: list[Problem]) -> SubjectKind | None:
        value = fields.get("subject_kind")
        if value is None:
            return None
        kind = KIND_WORDS.get(str(value).strip().lower())
        if kind is None:
            known = ", ".join(k.value for k in SubjectKind)
            problems.append(
                Problem("subject_kind", str(value), f"unknown kind; use one of {known}")
            )
        return kind

    # -- records ---------------------------------------------------------------------------------
    def record(
        self, number: int, fields: dict[str, Any], attributes: dict[str, Any], profile: Profile
    ) -> RecordRow | list[Problem]:
        problems = text_problems({**attributes, **fields})
        if problems:
            return problems
        action = ACTION_WORDS.get(str(fields.get("action", "new")).strip().lower())
        if action is None:
            problems.append(
                Problem("action", str(fields["action"]), "use new, correct, revoke or repair")
            )
            return problems
        amendment = action in (Action.REVOKE, Action.REPAIR)

        identifier = None
        if "subject_code" in fields:
            identifier = self.identifier(fields["subject_code"], problems)
        elif not amendment:
            problems.append(Problem("subject_code", None, "is required (USCC or resident ID)"))
        kind = self.kind(fields, problems)
        if (
            identifier
            and kind
            and identifier.scheme is IdScheme.RESIDENT_ID
            and kind is not (SubjectKind.INDIVIDUAL)
        ):
            old = len(str(fields["subject_code"]).strip()) == 15
            problems.append(
                Problem(
                    "subject_code" if old else "subject_kind",
                    str(fields["subject_code"]) if old else kind.value,
                    "15 digits for a firm are its old business registration number (工商注册号); "
                    "send its USCC (18 characters)"
                    if old
                    else "a resident ID is an individual",
                )
            )
        if (
            identifier
            and kind
            and identifier.scheme is IdScheme.USCC
            and kind is (SubjectKind.INDIVIDUAL)
        ):
            problems.append(Problem("subject_kind", kind.value, "a USCC is not an individual"))

        severity = None
        if "severity" in fields:
            try:
                severity = Severity.parse(fields["severity"])
            except ValueError as exc:
                problems.append(Problem("severity", str(fields["severity"]), str(exc)))
        item_code = fields.get("item_code")
        if severity is not None and profile.item_by_severity:
            item_code = profile.item_by_severity.get(severity.name.lower(), item_code)
        item = None
        if item_code is None:
            if not amendment:
                problems.append(Problem("item_code", None, "is required (a catalog item code)"))
        else:
            item = self.catalog.get(str(item_code).strip())
            if item is None:
                problems.append(
                    Problem(
                        "item_code",
                        str(item_code),
                        "is not in the catalog; only catalog items with a legal basis "
                        "can be recorded ('xinyong catalog list' shows them)",
                    )
                )
        if item is not None:
            if severity is not None and item.polarity is not Polarity.NEGATIVE:
                problems.append(
                    Problem("severity", str(fields["severity"]), f"{item.code} is not negative")
                )
            elif severity is None and item.severity is not None:
                severity = item.severity
            subject_kind = kind or (identifier.kind if identifier else None)
            if subject_kind and subject_kind not in item.subject_kinds:
                allowed = ", ".join(k.value for k in item.subject_kinds)
                problems.append(
                    Problem(
                        "item_code",
                        item.code,
                        f"applies to {allowed} subjects, not to {subject_kind.value}",
                    )
                )

        decided_on = self.date(fields, "decided_on", problems, required=True)
        valid_from = self.date(fields, "valid_from", problems)
        valid_to = self.date(fields, "valid_to", problems)
        if valid_from and valid_to and valid_to < valid_from:
            problems.append(Problem("valid_to", str(valid_to), "is before valid_from"))
        elif decided_on and valid_to and valid_to < decided_on:
            problems.append(Problem("valid_to", str(valid_to), "is before the decision date"))

        reference = _text(fields.get("reference"))
        if item and item.reference_required and not reference and not amendment:
            problems.append(
                Problem("reference", None, f"{item.code} needs the decision document number")
            )
        target_reference = _text(fields.get("target_reference"))
        target_record_id = None
        if "target_record_id" in fields:
            try:
                target_record_id = int(str(fields["target_record_id"]).strip())
            except ValueError:
                problems.append(
                    Problem("target_record_id", str(fields["target_record_id"]), "not a number")
                )
        if action is not Action.NEW and not (target_reference or target_record_id):
            problems.append(
                Problem(
                    "target_reference",
                    None,
                    f"a {action.value} row must say which record it changes "
                    "(target_reference or target_record_id)",
                )
            )

        parsed_attributes = (
            self.attributes(item, attributes, problems, required=not amendment) if item else {}
        )
        decided_in = self.decided_in(fields, parsed_attributes, problems)
        if problems or decided_on is None:
            return problems
        warnings = []
        if identifier is not None:
            warning = self.region_warning(identifier)
            if warning:
                warnings.append(warning)
        return RecordRow(
            number=number,
            action=action,
            identifier=identifier,
            subject_name=_text(fields.get("subject_name")),
            subject_kind=kind,
            item=item,
            decided_on=decided_on,
            valid_from=valid_from,
            valid_to=valid_to,
            severity=int(severity) if severity is not None else None,
            reference=reference,
            target_reference=target_reference,
            target_record_id=target_record_id,
            reason=_text(fields.get("reason")),
            attributes=parsed_attributes,
            warnings=warnings,
            decided_in=decided_in,
        )

    def decided_in(
        self, fields: dict[str, Any], attributes: dict[str, Any], problems: list[Problem]
    ) -> str | None:
        """The record's region: the ``decided_in`` field (6 digits, GB/T 2260), or else the
        region in the deciding authority's USCC (characters 3 to 8) where the row gives one."""
        given = _text(fields.get("decided_in"))
        if given is not None:
            if not (len(given) == 6 and given.isdigit()):
                problems.append(Problem("decided_in", given, "must be 6 digits (GB/T 2260)"))
                return None
            if self.regions.lookup(given) is None:
                problems.append(Problem("decided_in", given, "is not a region code (GB/T 2260)"))
                return None
            return given
        authority = attributes.get("authority_code")
        if isinstance(authority, str):
            try:
                found = parse_identifier(authority)
            except InvalidIdentifier:
                return None
            if found.scheme is IdScheme.USCC and self.regions.lookup(found.region_code):
                return found.region_code
        return None

    def attributes(
        self,
        item: CatalogItem,
        values: dict[str, Any],
        problems: list[Problem],
        *,
        required: bool = True,
    ) -> dict[str, Any]:
        """The typed attributes; with ``required``, the item's required ones must be there (a
        revocation or repair names a record, and carries none of its attributes)."""
        specs = item.attribute_specs
        parsed: dict[str, Any] = {}
        for name, value in values.items():
            spec = specs.get(name)
            if spec is None:
                known = ", ".join(specs) or "none"
                problems.append(
                    Problem(
                        name,
                        short(value),
                        f"is not an attribute of {item.code} (its "
                        f"attributes: {known}); remove the column or map it in a profile",
                    )
                )
                continue
            try:
                parsed[name] = spec.parse(value)
            except ValueError as exc:
                problems.append(Problem(name, short(value), str(exc)))
        for spec in item.attributes if required else ():
            if spec.required and spec.name not in values:
                problems.append(Problem(spec.name, None, f"is required for {item.code}"))
        return parsed

    # -- subjects --------------------------------------------------------------------------------
    def subject(self, number: int, fields: dict[str, Any]) -> SubjectRow | list[Problem]:
        problems = text_problems(fields)
        if problems:
            return problems
        identifier = None
        if "subject_code" not in fields:
            problems.append(Problem("subject_code", None, "is required (USCC or resident ID)"))
        else:
            identifier = self.identifier(fields["subject_code"], problems)
        name = _text(fields.get("subject_name"))
        if not name:
            problems.append(Problem("subject_name", None, "is required"))
        kind = self.kind(fields, problems)
        region_code = _text(fields.get("region_code"))
        warnings: list[str] = []
        if region_code is not None:
            if not (len(region_code) == 6 and region_code.isdigit()):
                problems.append(Problem("region_code", region_code, "must be 6 digits (GB/T 2260)"))
            else:
                warning = self.regions.check(region_code)
                if warning:
                    warnings.append(warning)
        industry_code = _text(fields.get("industry_code"))
        if industry_code is not None:
            industry_code = normalise_industry(industry_code)
            head = industry_code[:2] if industry_code[:2].isdigit() else industry_code
            if head not in self.industries:
                problems.append(
                    Problem(
                        "industry_code", industry_code, "is not a GB/T 4754 section or division"
                    )
                )
        registered_on = self.date(fields, "registered_on", problems)
        status = None
        if "status" in fields:
            status = STATUS_WORDS.get(str(fields["status"]).strip().lower())
            if status is None:
                known = ", ".join(s.value for s in SubjectStatus)
                problems.append(Problem("status", str(fields["status"]), f"use one of {known}"))
        representative = _text(fields.get("legal_representative"))
        individual = identifier is not None and (kind or identifier.kind) is SubjectKind.INDIVIDUAL
        if representative is not None and individual:
            problems.append(
                Problem(
                    "legal_representative",
                    representative,
                    "an individual has no legal representative",
                )
            )
        size_band = None
        if "size_band" in fields:
            size_band = SIZE_WORDS.get(str(fields["size_band"]).strip().lower())
            if size_band is None:
                problems.append(
                    Problem(
                        "size_band",
                        str(fields["size_band"]),
                        "use one of large, medium, small, micro (大型, 中型, 小型, 微型)",
                    )
                )
            elif individual:
                problems.append(Problem("size_band", size_band, "an individual has no size"))
        number_before = _text(fields.get("registration_number"))
        if number_before is not None:
            number_before = unicodedata.normalize("NFKC", number_before).replace(" ", "")
            if not (number_before.isdigit() and len(number_before) in (13, 15)):
                problems.append(
                    Problem(
                        "registration_number",
                        number_before,
                        "an old business registration number (工商注册号) is 13 or 15 digits",
                    )
                )
            elif individual:
                problems.append(
                    Problem("registration_number", number_before, "an individual has none")
                )
        if problems or identifier is None or name is None:
            return problems
        warning = self.region_warning(identifier)
        if warning:
            warnings.append(warning)
        return SubjectRow(
            number=number,
            identifier=identifier,
            name=name,
            kind=kind,
            region_code=region_code,
            industry_code=industry_code,
            registered_on=registered_on,
            status=status,
            legal_representative=representative,
            size_band=size_band,
            registration_number=number_before,
            former_names=_split(fields.get("former_names")),
            aliases=_split(fields.get("aliases")),
            warnings=warnings,
        )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    return [part.strip() for part in str(value).split("|") if part.strip()]
