"""API tokens: who is calling, in which role, over which region.

A token is 32 random bytes shown once when it is issued; only its SHA-256 is stored, so a copy of
the database does not let anyone sign in. A token is high-entropy, so a plain hash (not a slow
password hash) is enough to make the stored value useless to a thief, and it keeps the lookup
on every request one indexed equality.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from xinyong import clock
from xinyong.errors import InvalidInput, NotFound, Unauthenticated
from xinyong.reference.identifiers import parse_identifier
from xinyong.store.tables import api_tokens

PREFIX = "xy_"


class Role(enum.StrEnum):
    """Who calls. The public has no token; every other role signs in with one."""

    PUBLIC = "public"
    SUBJECT = "subject"  # an enterprise or person, for its own file
    DEPARTMENT = "department"  # submits records, checks subjects before a service
    AGENCY = "agency"  # a registered credit-rating agency: reads authorised data, sends ratings
    OFFICIAL = "official"  # a credit office: evaluates, signs off listings, decides cases
    AUDITOR = "auditor"  # reads the audit and access logs


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request, as its token says."""

    holder: str
    role: Role
    region_code: str | None = None  # None: the whole country
    subject_code: str | None = None
    department: str | None = None
    token_id: int | None = None

    @property
    def actor(self) -> str:
        """The name written to the logs: role, holder and, for a department, which one."""
        where = f"@{self.department}" if self.department else ""
        return f"{self.role.value}:{self.holder}{where}"


PUBLIC = Principal("public", Role.PUBLIC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    conn: Connection,
    holder: str,
    role: Role,
    *,
    region_code: str | None = None,
    subject_code: str | None = None,
    department: str | None = None,
    expires_on: date | None = None,
) -> str:
    """Store a new token and return it; it is never shown again."""
    if role is Role.PUBLIC:
        raise InvalidInput("the public needs no token")
    if not holder.strip():
        raise InvalidInput("holder: name the person or office the token is for")
    if role in (Role.SUBJECT, Role.AGENCY):
        if not subject_code:
            raise InvalidInput(f"subject_code: a {role.value}'s token names the subject")
        subject_code = parse_identifier(subject_code).code
    elif subject_code:
        raise InvalidInput("subject_code: only a subject's or an agency's token names a subject")
    if role is Role.DEPARTMENT and not (department or "").strip():
        raise InvalidInput("department: a department's token names the department")
    if region_code is not None and (len(region_code) != 6 or not region_code.isdigit()):
        raise InvalidInput(f"region_code: {region_code!r} is not a 6-digit GB/T 2260 code")
    token = PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        insert(api_tokens),
        {
            "token_sha256": _digest(token),
            "prefix": token[:12],
            "holder": holder.strip(),
            "role": role.value,
            "region_code": region_code,
            "subject_code": subject_code,
            "department": department,
            "created_at": clock.now(),
            "expires_on": expires_on,
        },
    )
    return token


#: A token by its digest: built once, as the statement runs before every signed-in request.
TOKEN_BY_DIGEST = select(api_tokens).where(api_tokens.c.token_sha256 == bindparam("digest"))


def authenticate(conn: Connection, token: str, today: date) -> Principal:
    """The principal a bearer token stands for; :class:`Unauthenticated` if it stands for none."""
    row = conn.execute(TOKEN_BY_DIGEST, {"digest": _digest(token)}).first()
    if row is None:
        raise Unauthenticated("the token is not known").saying("token_unknown")
    if row.revoked_at is not None:
        raise Unauthenticated(f"the token {row.prefix}... was revoked").saying("token_revoked")
    if row.expires_on is not None and row.expires_on < today:
        raise Unauthenticated(f"the token {row.prefix}... expired on {row.expires_on}").saying(
            "token_expired", day=row.expires_on
        )
    return Principal(
        row.holder,
        Role(row.role),
        row.region_code,
        row.subject_code,
        row.department,
        row.id,
    )


@dataclass(frozen=True, slots=True)
class IssuedToken:
    id: int
    prefix: str
    holder: str
    role: str
    region_code: str | None
    subject_code: str | None
    department: str | None
    created_at: datetime
    expires_on: date | None
    revoked_at: datetime | None


def issued(conn: Connection) -> list[IssuedToken]:
    columns = [c for c in api_tokens.c if c.name != "token_sha256"]
    rows = conn.execute(select(*columns).order_by(api_tokens.c.id))
    return [IssuedToken(*row) for row in rows]


def revoke(conn: Connection, token_id: int) -> None:
    done = conn.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    if done.rowcount == 0:
        raise NotFound(f"no token {token_id} that is not already revoked")
