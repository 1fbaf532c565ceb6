"""One subject walked through due process, step by step, for the demo and for readers of the
code: proposed -> notified -> objection -> decided -> signed off -> listed -> checked -> repair
applied -> forwarded -> granted -> exited -> checked again. Every step is one use case of the
application layer (so a decision re-evaluates the subject, as it does from every interface); the
lines returned say what each did. Steps are dated by the application's clock, as they are
everywhere, so the walk needs a :class:`~xinyong.clock.FixedClock`, which it moves day by day."""

from __future__ import annotations

from datetime import date

from xinyong.application import Application
from xinyong.clock import FixedClock
from xinyong.dueprocess.repair import REQUIRED_MATERIALS
from xinyong.errors import XinyongError
from xinyong.evaluation.runs import Run
from xinyong.reference.identifiers import MaskPolicy

OFFICIAL = "王科长 (深圳市交通运输局)"


def walk(
    app: Application,
    run: Run,
    start: date,
    list_id: str = "untrustworthy",
    action: str = "rental",
    department: str = "bike_operator",
) -> list[str]:
    """Walk the candidate of ``run`` with the fewest records behind its listing on ``list_id``,
    from ``start`` on (the application's clock is set to each step's day)."""
    clock = app.clock
    if not isinstance(clock, FixedClock):
        raise XinyongError(
            "the walkthrough moves the clock: build the application with a FixedClock"
        )
    mask = MaskPolicy.named("standard")
    clock.day = start
    _run, proposed = app.listings.propose(run.id, by="xinyong")
    lines = [f"{start}: {len(proposed)} listings proposed from run #{run.id} of {run.scheme}"]
    candidates = [p for p in proposed if p.list_id == list_id and p.record_ids]
    if not candidates:
        return [*lines, f"no candidate for {list_id}; nothing to walk through"]
    listing = min(candidates, key=lambda p: (len(p.record_ids), p.id))
    who = mask.mask_code(listing.subject_code)
    subject_code = listing.subject_code

    def checked(on: date) -> str:
        answer = app.checks.check(subject_code, action, department, by="demo operator", at=on)
        found = ", ".join(f"{m.code} ({m.name_en})" for m in answer.applies) or "none"
        return f"{on}: check {answer.reference} for {action} at {department}: {found}"

    first = listing.record_ids[0]
    day = start
    listing = app.listings.notify(listing.id, by="xinyong")
    lines.append(
        f"{day}: {who} notified of listing #{listing.id} on {listing.key} "
        f"({len(listing.record_ids)} records); objections until {listing.state.objection_deadline}"
    )
    day = clock.advance(3)
    case = app.cases.object(first, "the violation was not mine", by="本人")
    lines.append(
        f"{day}: objection {case.reference} to record #{first}; it is disputed, answer due "
        f"by {case.deadline}"
    )
    deadline = listing.state.objection_deadline or day
    clock.day = deadline
    try:
        app.listings.sign_off(listing.id, by=OFFICIAL)
    except XinyongError as refused:
        lines.append(f"{deadline}: sign-off refused: {refused}")
    day = clock.advance(1)
    decided = app.cases.decide_objection(
        case.id,
        uphold=False,
        reasons="the operator's trip log and photo show the violation",
        by="李处长",
    )
    lines.append(
        f"{day}: objection {decided.case.reference} {decided.case.outcome}; "
        f"re-evaluated under {len(decided.runs)} scheme(s)"
    )
    listing = app.listings.sign_off(listing.id, by=OFFICIAL)
    lines.append(f"{day}: signed off by {listing.state.signed_off_by}")
    day = clock.advance(1)
    listing = app.listings.put_on_list(listing.id, by=OFFICIAL)
    lines.append(f"{day}: listed from {listing.state.listed_from} to {listing.state.until}")
    day = clock.advance(7)
    lines.append(checked(day))
    day = clock.advance(1)
    case = app.cases.apply_for_repair(first, REQUIRED_MATERIALS, by="本人")
    lines.append(
        f"{day}: repair {case.reference} of record #{first}; the platform answers by "
        f"{case.deadline} (10 working days on the official calendar)"
    )
    day = clock.advance(2)
    case = app.cases.forward(case.id, "深圳市交通运输局", by="信用平台")
    lines.append(f"{day}: forwarded; the authority decides by {case.deadline} (3 working days)")
    day = clock.advance(1)
    repaired = app.cases.decide_repair(
        case.id, grant=True, reasons="fine paid, commitment signed", by="陈局长"
    )
    lines.append(
        f"{day}: repair {repaired.case.outcome}; re-evaluated under {len(repaired.runs)} scheme(s)"
    )
    for ended in repaired.ended:
        lines.append(f"{day}: listing #{ended.id} ended ({ended.state.exit_reason})")
    day = clock.advance(1)
    lines.append(checked(day))
    return lines
