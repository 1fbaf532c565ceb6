"""One subject walked through due process, step by step, for the demo and for readers of the
code: proposed -> notified -> objection -> decided -> signed off -> listed -> checked -> repair
applied -> forwarded -> granted -> exited -> checked again. Every step is a real call into the
library; the lines returned say what each did."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection

from xinyong.catalog.items import Catalog
from xinyong.dueprocess.checks import check
from xinyong.dueprocess.leniency import load_policies
from xinyong.dueprocess.listings import notify, propose, put_on_list, sign_off
from xinyong.dueprocess.objections import decide_objection, object_to
from xinyong.dueprocess.repair import REQUIRED_MATERIALS, apply_for_repair, decide_repair, forward
from xinyong.errors import XinyongError
from xinyong.evaluation.runs import Run
from xinyong.reference.identifiers import MaskPolicy
from xinyong.reference.workdays import WorkCalendar
from xinyong.schemes.library import Library

OFFICIAL = "王科长 (深圳市交通运输局)"


def walk(
    conn: Connection,
    library: Library,
    catalog: Catalog,
    run: Run,
    start: date,
    list_id: str = "untrustworthy",
    action: str = "rental",
    department: str = "bike_operator",
) -> list[str]:
    """Walk the candidate of ``run`` with the fewest records behind its listing on ``list_id``."""
    scheme = library.get(run.scheme)
    mask = MaskPolicy.named("standard")
    policies = load_policies()
    calendar = WorkCalendar.from_database(conn)
    proposed = propose(conn, scheme, catalog, run, start)
    lines = [f"{start}: {len(proposed)} listings proposed from run #{run.id} of {run.scheme}"]
    candidates = [p for p in proposed if p.list_id == list_id and p.record_ids]
    if not candidates:
        return [*lines, f"no candidate for {list_id}; nothing to walk through"]
    listing = min(candidates, key=lambda p: (len(p.record_ids), p.id))
    who = mask.mask_code(listing.subject_code)
    subject_code = listing.subject_code

    def checked(on: date) -> str:
        answer = check(
            conn,
            library,
            subject_code,
            action,
            department,
            on,
            actor="demo operator",
            policies=policies,
        )
        found = ", ".join(f"{m.code} ({m.name_en})" for m in answer.applies) or "none"
        return f"{on}: check {answer.reference} for {action} at {department}: {found}"

    first = listing.record_ids[0]
    day = start
    listing = notify(conn, listing.id, day, "xinyong", scheme, catalog)
    lines.append(
        f"{day}: {who} notified of listing #{listing.id} on {listing.key} "
        f"({len(listing.record_ids)} records); objections until {listing.state.objection_deadline}"
    )
    day += timedelta(days=3)
    case = object_to(conn, catalog, first, day, "本人", "the violation was not mine")
    lines.append(
        f"{day}: objection {case.reference} to record #{first}; it is disputed, answer due "
        f"by {case.deadline}"
    )
    deadline = listing.state.objection_deadline or day
    try:
        sign_off(conn, listing.id, deadline, OFFICIAL)
    except XinyongError as refused:
        lines.append(f"{deadline}: sign-off refused: {refused}")
    day = deadline + timedelta(days=1)
    decided = decide_objection(
        conn,
        library,
        catalog,
        case.id,
        day,
        "李处长",
        upheld=False,
        reasons="the operator's trip log and photo show the violation",
    )
    lines.append(f"{day}: objection {decided.case.reference} {decided.case.outcome}")
    listing = sign_off(conn, listing.id, day, OFFICIAL)
    lines.append(f"{day}: signed off by {listing.state.signed_off_by}")
    day += timedelta(days=1)
    listing = put_on_list(conn, listing.id, day, OFFICIAL, policies)
    lines.append(f"{day}: listed from {listing.state.listed_from} to {listing.state.listed_until}")
    day += timedelta(days=7)
    lines.append(checked(day))
    day += timedelta(days=1)
    case = apply_for_repair(conn, catalog, calendar, first, day, "本人", REQUIRED_MATERIALS)
    lines.append(
        f"{day}: repair {case.reference} of record #{first}; the platform answers by "
        f"{case.deadline} (10 working days on the official calendar)"
    )
    day += timedelta(days=2)
    case = forward(conn, calendar, case.id, day, "信用平台", "深圳市交通运输局")
    lines.append(f"{day}: forwarded; the authority decides by {case.deadline} (3 working days)")
    day += timedelta(days=1)
    repaired = decide_repair(
        conn,
        library,
        catalog,
        case.id,
        day,
        "陈局长",
        granted=True,
        reasons="fine paid, commitment signed",
    )
    lines.append(f"{day}: repair {repaired.case.outcome}")
    for ended in repaired.ended:
        lines.append(f"{day}: listing #{ended.id} ended ({ended.state.exit_reason})")
    day += timedelta(days=1)
    lines.append(checked(day))
    return lines
