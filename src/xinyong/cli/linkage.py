"""``xinyong link``: rows sent without a code, matched to the registry, reviewed by a person
(mounted by :mod:`xinyong.cli.main`)."""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli.common import By, application, out
from xinyong.linkage.links import Link

link_app = typer.Typer(
    help="Link quarantined rows that named their party without a code: propose, review.",
    no_args_is_help=True,
)
LinkId = Annotated[int, typer.Argument(help="The proposal's number.")]


def _line(found: Link) -> str:
    return (
        f"#{found.id} {found.reference} [{found.state}] {found.row_name} -> "
        f"{found.subject_name} ({found.subject_code}): probability {found.probability:.4f}, "
        f"weight {found.weight:.2f}"
    )


@link_app.command("propose")
def link_propose(
    threshold: Annotated[
        float, typer.Option(help="The least match probability a proposal needs.")
    ] = 0.9,
    limit: Annotated[int | None, typer.Option(help="At most this many rows.")] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="duckdb (in this process) or spark (the session of XINYONG_SPARK_MASTER)."
        ),
    ] = "duckdb",
) -> None:
    """Train the model on the quarantined rows and the registry; propose each row's best
    subject as a case for review. Nothing is written to a file until a person accepts."""
    done = application().linkage.propose(threshold=threshold, limit=limit, engine=engine)
    out.print(
        f"{done.examined} rows without a code examined against {done.registry} registry "
        f"names; {len(done.proposed)} proposed for review (prior {done.prior:.2e})"
    )
    for found in done.proposed:
        out.print(_line(found), markup=False, highlight=False)


@link_app.command("list")
def link_list(limit: Annotated[int, typer.Option(help="At most this many.")] = 50) -> None:
    """Proposals waiting for a decision, the strongest first."""
    found = application().linkage.pending(limit=limit)
    if not found:
        out.print("no proposal is waiting")
    for item in found:
        out.print(_line(item), markup=False, highlight=False)


@link_app.command("show")
def link_show(link_id: LinkId) -> None:
    """A proposal with its explanation: each comparison's level and weight."""
    found = application().linkage.show(link_id)
    out.print(_line(found), markup=False, highlight=False)
    for part in found.explanation["agreements"]:
        out.print(
            f"  {part['comparison']}: {part['level']} ({part['weight']:+.2f}): "
            f"{part['record'] or '-'} | {part['registry'] or '-'}",
            markup=False,
            highlight=False,
        )
    runner = found.explanation.get("runner_up")
    if runner:
        out.print(f"  next best: subject #{runner['subject_id']}, {runner['probability']:.4f}")
    if found.record_id:
        out.print(f"  record #{found.record_id}, decided by {found.decided_by}")


@link_app.command("accept")
def link_accept(link_id: LinkId, by: By) -> None:
    """Accept: the row, with the subject's code, becomes the subject's record."""
    done = application().linkage.accept(link_id, by=by)
    out.print(
        f"{done.link.reference} accepted by {by}: record #{done.record_id} of "
        f"{done.link.subject_code}",
        markup=False,
    )


@link_app.command("reject")
def link_reject(
    link_id: LinkId, by: By, reason: Annotated[str, typer.Option(help="Why not.")]
) -> None:
    """Reject: the case is closed, the row stays in quarantine."""
    found = application().linkage.reject(link_id, by=by, reasons=reason)
    out.print(f"{found.reference} rejected by {by}", markup=False)
