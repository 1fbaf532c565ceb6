"""A credit report as a document people are given: under the letterhead of the authority that
runs the platform, with the moment of issue in its local time and zone, a verification address
and a QR code that opens it, and the report's hash. The HTML is shown on the portal and is what
WeasyPrint (with Debian's Noto CJK fonts) turns into the PDF.

The QR code comes from segno: a pure-Python encoder (ISO/IEC 18004) that writes SVG, so the
PDF needs no image library and the page needs no script."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import segno

from xinyong.documents.render import HERE, Language, render


@dataclass(frozen=True, slots=True)
class Letterhead:
    """Who issues the reports, and where they are verified (from the settings)."""

    authority_zh: str
    authority_en: str
    authority_code: str | None
    site: str  # the public address of the portal, e.g. https://credit.example.gov.cn
    zone: str  # an IANA time zone, e.g. Asia/Shanghai

    def authority(self, language: Language) -> str:
        return self.authority_zh if language == "zh" else self.authority_en

    def verify_url(self, report_id: str) -> str:
        return f"{self.site.rstrip('/')}/verify?id={quote(report_id)}"


def local_time(moment: str, zone: str) -> str:
    """An ISO moment (UTC when it carries no offset) in ``zone``, with the zone's offset:
    ``2026-11-23 16:05 UTC+08:00``."""
    parsed = datetime.fromisoformat(moment)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    shown = parsed.astimezone(ZoneInfo(zone))
    offset = shown.strftime("%z")
    return f"{shown:%Y-%m-%d %H:%M} UTC{offset[:3]}:{offset[3:]}"


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI (error correction M, dark on white)."""
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#111"))


def report_html(
    content: Mapping[str, Any], digest: str, language: Language, letterhead: Letterhead
) -> str:
    """A credit report as a standalone HTML document (the PDF is rendered from it)."""
    verify_url = letterhead.verify_url(str(content["id"]))
    references = {r["id"]: r.get("reference") for r in content.get("records", [])}
    return render(
        "report_document.html",
        language,
        report=content,
        digest=digest,
        letterhead=letterhead,
        authority=letterhead.authority(language),
        issued_local=local_time(str(content["issued_at"]), letterhead.zone),
        zone=letterhead.zone,
        verify_url=verify_url,
        qr=qr_data_uri(verify_url),
        references=references,
    )


def report_pdf(
    content: Mapping[str, Any], digest: str, language: Language, letterhead: Letterhead
) -> bytes:
    """A credit report as PDF. WeasyPrint is an optional dependency (``xinyong[pdf]``)."""
    try:
        from weasyprint import HTML
    except ImportError as missing:  # pragma: no cover - depends on the installation
        raise RuntimeError(
            "PDF reports need WeasyPrint: pip install 'xinyong[pdf]' and Debian's fonts-noto-cjk"
        ) from missing
    document = report_html(content, digest, language, letterhead)
    pdf: bytes = HTML(string=document, base_url=str(HERE)).write_pdf()
    return pdf
