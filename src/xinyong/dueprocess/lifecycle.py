"""The listing lifecycle: every state, every transition and the rule each one keeps, in one place.

A listing moves by dated facts::

    proposed --notify--> notified --sign_off--> signed_off --list--> listed --exit--> exited
        |                    |                       |
        +------drop----------+--------drop-----------+--> dropped

``apply`` is a pure function from a state and an event to the next state; the database layer
(:mod:`xinyong.dueprocess.listings`) stores the event and the state it gives, and :func:`replay`
rebuilds the state from the events alone, so a stored state can always be checked against its
history.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from xinyong.catalog.terms import Period
from xinyong.errors import XinyongError

#: The period of a listing with no fixed term: it runs until its exit event.
OPEN = "open"


class IllegalTransition(XinyongError):
    """A listing step that the due-process rules do not allow; the message names the rule."""

    title = "Illegal transition"


class State(enum.StrEnum):
    PROPOSED = "proposed"
    NOTIFIED = "notified"
    SIGNED_OFF = "signed_off"
    LISTED = "listed"
    EXITED = "exited"
    DROPPED = "dropped"


class Action(enum.StrEnum):
    PROPOSE = "propose"
    NOTIFY = "notify"
    SIGN_OFF = "sign_off"
    LIST = "list"
    EXIT = "exit"
    DROP = "drop"
    EXTEND = "extend"


class ExitReason(enum.StrEnum):
    EXPIRED = "expired"  # the listing period ended
    REPAIRED = "repaired"  # credit repair granted for a record that caused it
    REVOKED = "revoked"  # an objection was upheld
    PERFORMED = "performed"  # the obligations were performed (e.g. a defaulter paid)


#: (state, action) -> state after. Anything else is refused with the rule in RULES.
TRANSITIONS: dict[tuple[State | None, Action], State] = {
    (None, Action.PROPOSE): State.PROPOSED,
    (State.PROPOSED, Action.NOTIFY): State.NOTIFIED,
    (State.NOTIFIED, Action.SIGN_OFF): State.SIGNED_OFF,
    (State.SIGNED_OFF, Action.LIST): State.LISTED,
    (State.LISTED, Action.EXIT): State.EXITED,
    (State.LISTED, Action.EXTEND): State.LISTED,
    (State.PROPOSED, Action.DROP): State.DROPPED,
    (State.NOTIFIED, Action.DROP): State.DROPPED,
    (State.SIGNED_OFF, Action.DROP): State.DROPPED,
}

RULES: dict[Action, str] = {
    Action.PROPOSE: "a listing is proposed once, from a scheme's candidates",
    Action.NOTIFY: (
        "the subject is notified of a proposed listing before anything else happens to it "
        "(国办发〔2020〕49号: reasons, basis and rights are told before listing)"
    ),
    Action.SIGN_OFF: (
        "a named official signs off only a notified listing whose objection window has closed "
        "and none of whose records is under an open objection (PIPL art. 24: no listing by an "
        "automated decision alone)"
    ),
    Action.LIST: "only a signed-off listing takes effect, and not before its sign-off",
    Action.EXIT: "only a listing in effect can be exited",
    Action.DROP: "only a listing not yet in effect can be dropped; a listed one is exited",
    Action.EXTEND: (
        "a listing in effect with a fixed end is extended by a later record, to a later end"
    ),
}


@dataclass(frozen=True, slots=True)
class ListingState:
    """What the events of one listing add up to."""

    state: State
    proposed_on: date
    period: str
    notice_period: str
    notified_on: date | None = None
    objection_deadline: date | None = None
    signed_off_on: date | None = None
    signed_off_by: str | None = None
    listed_from: date | None = None
    listed_until: date | None = None
    exited_on: date | None = None
    exit_reason: str | None = None

    @property
    def open_ended(self) -> bool:
        """Listed with no fixed term: until its exit event (``period`` is ``open``)."""
        return self.period == OPEN

    @property
    def until(self) -> str:
        """The end of the listing in words for logs and terminals: a date, or no fixed term."""
        if self.listed_until is not None:
            return self.listed_until.isoformat()
        return "its exit event (no fixed term)" if self.open_ended else "-"

    def in_effect(self, at: date) -> bool:
        """Whether the subject is on the list on ``at``: expiry follows from the dates alone;
        an open-ended listing runs until it is exited."""
        return (
            self.listed_from is not None
            and self.listed_from <= at
            and (self.listed_until is None or at < self.listed_until)
            and (self.listed_until is not None or self.open_ended)
            and (self.exited_on is None or at < self.exited_on)
        )

    def columns(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "proposed_on": self.proposed_on,
            "period": self.period,
            "notice_period": self.notice_period,
            "notified_on": self.notified_on,
            "objection_deadline": self.objection_deadline,
            "signed_off_on": self.signed_off_on,
            "signed_off_by": self.signed_off_by,
            "listed_from": self.listed_from,
            "listed_until": self.listed_until,
            "exited_on": self.exited_on,
            "exit_reason": self.exit_reason,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """One dated fact about a listing, as stored in ``listing_events``."""

    action: Action
    on: date
    actor: str
    reason: str | None = None
    details: dict[str, Any] | None = None


def _refuse(current: State | None, event: Event, why: str | None = None) -> IllegalTransition:
    where = current.value if current else "no listing"
    rule = RULES[event.action]
    return IllegalTransition(
        f"cannot {event.action.value} a listing that is {where}"
        + (f": {why}" if why else "")
        + f" (rule: {rule})"
    )


def apply(current: ListingState | None, event: Event) -> ListingState:
    """The state after ``event``, or :class:`IllegalTransition` naming the rule it breaks."""
    state = current.state if current else None
    target = TRANSITIONS.get((state, event.action))
    if target is None:
        raise _refuse(state, event)
    details = event.details or {}
    if current is None:
        return ListingState(
            state=target,
            proposed_on=event.on,
            period=str(details["period"]),
            notice_period=str(details["notice_period"]),
        )
    last = max(
        (d for d in (current.proposed_on, current.notified_on, current.signed_off_on) if d),
        default=current.proposed_on,
    )
    if event.on < last and event.action is not Action.EXIT:
        raise _refuse(state, event, f"{event.on} is before the previous step on {last}")
    if event.action is Action.NOTIFY:
        deadline = Period.parse(current.notice_period).after(event.on)
        return replace(current, state=target, notified_on=event.on, objection_deadline=deadline)
    if event.action is Action.SIGN_OFF:
        assert current.objection_deadline is not None
        if event.on < current.objection_deadline:
            raise _refuse(
                state, event, f"the objection window is open until {current.objection_deadline}"
            )
        if details.get("open_objections"):
            raise _refuse(state, event, "a record behind it is under an open objection")
        if not event.actor.strip() or event.actor.startswith("xinyong"):
            raise _refuse(state, event, "the sign-off must name the official who gives it")
        return replace(current, state=target, signed_off_on=event.on, signed_off_by=event.actor)
    if event.action is Action.LIST:
        deferred = details.get("deferred_until")
        if deferred is not None and event.on < date.fromisoformat(str(deferred)):
            raise _refuse(
                state,
                event,
                f"leniency policy {details.get('leniency')} defers listing until {deferred}",
            )
        until = None if current.open_ended else Period.parse(current.period).after(event.on)
        return replace(current, state=target, listed_from=event.on, listed_until=until)
    if event.action is Action.EXIT:
        assert current.listed_from is not None
        reason = ExitReason(details.get("reason", ExitReason.EXPIRED))
        if event.on < current.listed_from:
            raise _refuse(state, event, f"it is listed from {current.listed_from}")
        if reason is ExitReason.EXPIRED and current.listed_until is None:
            raise _refuse(state, event, "it has no fixed term: only its exit event ends it")
        if reason is ExitReason.EXPIRED and event.on < current.listed_until:  # type: ignore[operator]
            raise _refuse(state, event, f"its period runs until {current.listed_until}")
        on = event.on if current.listed_until is None else min(event.on, current.listed_until)
        return replace(current, state=target, exited_on=on, exit_reason=reason.value)
    if event.action is Action.EXTEND:
        until = date.fromisoformat(str(details["until"]))
        if current.listed_until is None:
            raise _refuse(state, event, "it has no fixed term to extend")
        if not current.in_effect(event.on):
            raise _refuse(state, event, f"it is not in effect on {event.on}")
        if until <= current.listed_until:
            raise _refuse(state, event, f"{until} is not after its end {current.listed_until}")
        return replace(current, listed_until=until)
    if event.action is Action.DROP:
        reason = details.get("reason", "withdrawn")
        if reason not in {*(r.value for r in ExitReason), "withdrawn"}:
            raise _refuse(state, event, f"unknown reason {reason!r}")
        return replace(current, state=target, exited_on=event.on, exit_reason=str(reason))
    raise AssertionError(f"unhandled action {event.action}")


def replay(events: Iterable[Event]) -> ListingState:
    """The state the events give, applied in order from nothing."""
    current: ListingState | None = None
    for event in events:
        current = apply(current, event)
    if current is None:
        raise ValueError("a listing has at least its proposal")
    return current
