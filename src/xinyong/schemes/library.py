"""The scheme library: every scheme file shipped with xinyong or named in the settings, by id
and version, filed by type, industry and region."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from xinyong.catalog.items import Catalog
from xinyong.errors import InvalidInput, NotFound
from xinyong.reference.industries import Industries, normalise_industry
from xinyong.reference.regions import Regions, region_prefix
from xinyong.schemes.loading import load_scheme
from xinyong.schemes.model import Grades, InvalidScheme, Scheme, SchemeType


@dataclass(frozen=True, slots=True)
class Publication:
    """One entry of the dated feed of scheme publications: a new scheme or a new version."""

    published_on: date
    scheme: Scheme
    kind: str  # "new scheme" or "new version"
    replaces: int | None

    def describe(self) -> str:
        meta = self.scheme.definition.scheme
        what = (
            f"new version {self.scheme.version} (replaces {self.replaces})"
            if self.kind == "new version"
            else "new scheme"
        )
        return f"{self.published_on} {self.scheme.key}: {what}, {meta.title.en}"


def industry_matches(filed: str | None, wanted: str) -> bool:
    """A scheme filed under one industry is found under it, under its section, and under every
    division of a section it is filed under; a cross-industry scheme (none) under every one."""
    if filed is None:
        return True
    industries = Industries.load()
    filed, wanted = normalise_industry(filed), normalise_industry(wanted)
    if filed == wanted:
        return True
    if wanted.isalpha():  # a section: the scheme's industry lies within it
        return industries.section_of(filed[:2] if filed[:2].isdigit() else filed) == wanted
    if filed.isalpha():  # a section-wide scheme covers each of its divisions
        return industries.section_of(wanted[:2]) == filed
    return wanted.startswith(filed) or filed.startswith(wanted)


def region_matches(filed: str, wanted: str) -> bool:
    """A scheme is found under its own region, the regions above it (a province lists its
    cities' schemes) and the regions below it (a national scheme applies in every county)."""
    a, b = region_prefix(filed) or "", region_prefix(wanted) or ""
    return a.startswith(b) or b.startswith(a)


def shipped_scheme_files() -> list[Path]:
    folder = resources.files("xinyong.data").joinpath("schemes")
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))


class Library:
    def __init__(self, schemes: Iterable[Scheme]) -> None:
        self._schemes: dict[tuple[str, int], Scheme] = {}
        for scheme in schemes:
            key = (scheme.id, scheme.version)
            if key in self._schemes:
                first = self._schemes[key].path
                raise InvalidScheme(
                    f"{scheme.key} is also defined in {first}",
                    path=str(scheme.path),
                    line=scheme.line("scheme", "version"),
                )
            self._schemes[key] = scheme
        for scheme in self._schemes.values():
            self._check_triggers(scheme)
            self._check_classes(scheme)

    def _check_classes(self, scheme: Scheme) -> None:
        """An inspection plan's classes are grades of a loaded rating scheme."""
        inspection = scheme.definition.inspection
        if inspection is None:
            return
        source = inspection.classes.scheme
        versions = [s for (i, _), s in self._schemes.items() if i == source]
        line = scheme.line("inspection", "classes", "scheme")
        if inspection.classes.by == "list":
            known = {entry.id for v in versions for entry in v.definition.lists}
            what = "list"
        else:
            known = {
                g for v in versions if v.definition.grades for g in v.definition.grades.codes()
            }
            what = "grade"
        if not known:
            raise InvalidScheme(
                f"the classes are {what}s of scheme {source}, which is not loaded or has none",
                path=str(scheme.path),
                line=line,
            )
        unknown = sorted(set(inspection.classes.rates) - known)
        if unknown:
            raise InvalidScheme(
                f"scheme {source} has no {what} {', '.join(unknown)}",
                path=str(scheme.path),
                line=scheme.line("inspection", "classes", "rates"),
            )

    def _check_triggers(self, scheme: Scheme) -> None:
        """A memorandum may only point at lists and grades that some scheme defines."""
        for index, entry in enumerate(scheme.definition.memorandum):
            target = entry.when.scheme
            versions = [s for (i, _), s in self._schemes.items() if i == target]
            line = scheme.line("memorandum", index, "when")
            if not versions:
                raise InvalidScheme(
                    f"entry {entry.id} is triggered by scheme {target}, which is not loaded",
                    path=str(scheme.path),
                    line=line,
                )
            if any(v.definition.scheme.type is SchemeType.SCREENING for v in versions):
                raise InvalidScheme(
                    f"entry {entry.id}: {target} is a screening scheme; its flags answer a "
                    "consent check only and never trigger measures",
                    path=str(scheme.path),
                    line=line,
                )
            if entry.when.list:
                list_id = entry.when.list.split("/")[1]
                if not any(list_id in {d.id for d in v.definition.lists} for v in versions):
                    raise InvalidScheme(
                        f"entry {entry.id}: scheme {target} has no list {list_id}",
                        path=str(scheme.path),
                        line=line,
                    )
            if entry.when.grade:
                known = {
                    g
                    for v in versions
                    if v.definition.grades
                    for g in [b.grade for b in v.definition.grades.bands]
                    + (
                        [v.definition.grades.new_subject.grade]
                        if v.definition.grades.new_subject
                        else []
                    )
                }
                unknown = sorted(set(entry.when.grade.grades) - known)
                if unknown:
                    raise InvalidScheme(
                        f"entry {entry.id}: scheme {target} has no grade {', '.join(unknown)}",
                        path=str(scheme.path),
                        line=line,
                    )

    @classmethod
    def load(cls, catalog: Catalog, extra: Iterable[Path] = (), *, shipped: bool = True) -> Library:
        paths = shipped_scheme_files() if shipped else []
        for path in extra:
            paths += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        return cls(load_scheme(path, catalog) for path in paths)

    def __iter__(self) -> Iterator[Scheme]:
        return iter(sorted(self._schemes.values(), key=lambda s: (s.id, s.version)))

    def evaluable(self) -> list[Scheme]:
        """Schemes that produce scores, grades or lists (memoranda are consulted by checks,
        inspection plans by their draws)."""
        passive = (SchemeType.MEASURES, SchemeType.INSPECTION)
        return [s for s in self if s.definition.scheme.type not in passive]

    def plans(self) -> list[Scheme]:
        """The inspection plans."""
        return [s for s in self if s.definition.scheme.type is SchemeType.INSPECTION]

    def __len__(self) -> int:
        return len(self._schemes)

    def in_force(self, on: date) -> list[Scheme]:
        """The version of each scheme in force on ``on``, by scheme id."""
        found = []
        for scheme_id in sorted({i for i, _ in self._schemes}):
            try:
                found.append(self.get(scheme_id, on=on))
            except NotFound:
                continue
        return found

    def is_in_force(self, scheme: Scheme, on: date) -> bool:
        """Whether ``scheme`` is the version of its scheme in force on ``on``."""
        try:
            return self.get(scheme.id, on=on).version == scheme.version
        except NotFound:
            return False

    def filed(
        self,
        type: str | None = None,
        industry: str | None = None,
        region: str | None = None,
    ) -> list[Scheme]:
        """Schemes filed under an SCS type, an industry (GB/T 4754 section or division) and a
        location (GB/T 2260 code), the way the scheme catalog is browsed."""
        if type is not None and type not in {t.value for t in SchemeType}:
            raise InvalidInput(
                f"unknown scheme type {type!r}; use one of "
                + ", ".join(t.value for t in SchemeType)
            )
        if industry is not None and normalise_industry(industry) not in Industries.load():
            raise InvalidInput(
                f"unknown industry {industry!r}; use a GB/T 4754 section or division"
            )
        if region is not None and region != "000000" and region not in Regions.load():
            raise InvalidInput(f"unknown region {region!r}; use a GB/T 2260 code")
        return [
            s
            for s in self
            if (type is None or s.definition.scheme.type.value == type)
            and (industry is None or industry_matches(s.definition.scheme.industry, industry))
            and (region is None or region_matches(s.definition.scheme.region, region))
        ]

    def latest(self, limit: int | None = None) -> list[Publication]:
        """The dated feed of publications, newest first: each scheme's first version as a new
        scheme, every later version as a new version of it."""
        feed = []
        for scheme in self:
            meta = scheme.definition.scheme
            earlier = [v for (i, v) in self._schemes if i == scheme.id and v < scheme.version]
            kind = "new version" if earlier else "new scheme"
            replaces = meta.supersedes if meta.supersedes else max(earlier, default=None)
            feed.append(Publication(meta.published_on, scheme, kind, replaces))
        feed.sort(key=lambda p: (p.published_on, p.scheme.id, p.scheme.version), reverse=True)
        return feed[:limit] if limit else feed

    def grades_of(self, reference: str) -> Grades | None:
        """The grades of a scheme (``id`` or ``id@version``), to name them; None for a
        scheme without grades or one the library does not hold."""
        try:
            return self.get(reference).definition.grades
        except (NotFound, InvalidInput):
            return None

    def get(self, reference: str, on: date | None = None) -> Scheme:
        """``id@version``, or ``id`` for the version in force on ``on`` (default: the newest)."""
        scheme_id, _, version = reference.partition("@")
        if version and not version.isdigit():
            raise InvalidInput(f"{reference!r}: a version is a whole number, as in {scheme_id}@2")
        if version:
            found = self._schemes.get((scheme_id, int(version)))
            if found is None:
                raise NotFound(f"no scheme {scheme_id} version {version}")
            return found
        versions = [s for (i, _), s in self._schemes.items() if i == scheme_id]
        if on is not None:
            versions = [
                s
                for s in versions
                if s.definition.scheme.effective_from <= on
                and (
                    s.definition.scheme.effective_to is None
                    or on < s.definition.scheme.effective_to
                )
            ]
        if not versions:
            known = ", ".join(sorted({i for i, _ in self._schemes})) or "none"
            raise NotFound(
                f"no scheme {scheme_id}{f' in force on {on}' if on else ''}; known: {known}"
            )
        return max(versions, key=lambda s: s.version)
