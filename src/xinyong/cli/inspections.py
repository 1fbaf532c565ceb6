"""CLI commands of "double random, one open" (mounted by :mod:`xinyong.cli.main` as
``xinyong inspections``): the plans, the pool, a draw's commitment and seed, verifying a draw
and entering results. Each is one call into the application layer, then printing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from xinyong.cli.common import By, application, day, out

inspections_app = typer.Typer(
    help="Double random, one open: plans, commitments, draws, verification, results.",
    no_args_is_help=True,
)

Day = Annotated[str | None, typer.Option("--on", help="The draw date (default: today).")]


@inspections_app.command("plan")
def plan(
    plan_id: Annotated[str | None, typer.Argument(help="A plan; none: list the plans.")] = None,
    on: Day = None,
) -> None:
    """The inspection plans, or one plan's roster and pool as a draw would start from them."""
    inspections = application().inspections
    if plan_id is None:
        for found in inspections.plans():
            d = found.definition
            out.print(f"{found.key} {d.scheme.title.zh} / {d.scheme.title.en} ({d.scheme.region})")
        return
    preview = inspections.preview(plan_id, day(on))
    spec = preview.plan.definition.inspection
    assert spec is not None
    out.print(f"{preview.plan.key} as of {preview.on}: pool of {preview.pool} inspectors")
    for name in spec.class_names():
        counts = preview.counts.get(name, {})
        summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("eligible", "always", "excluded"))
        out.print(f"  class {name} at {spec.classes.rate_of(name)}: {summary}")


@inspections_app.command("pool")
def pool(path: Path, by: By) -> None:
    """Load an inspector pool file (inspectors and the relations they declared)."""
    loaded = application().inspections.load_pool(path, by)
    out.print(
        f"{loaded.added} inspectors added, {loaded.updated} updated, "
        f"{loaded.relations} relations declared"
    )


@inspections_app.command("commit")
def commit(plan_id: str, by: By, on: Day = None) -> None:
    """Publish a draw's commitment: the hash of the plan, the roster and the pool."""
    draw = application().inspections.commit(plan_id, by, on=day(on))
    out.print(f"{draw.reference} of {draw.plan_key} as of {draw.draw_date}")
    out.print(f"commitment {draw.commitment}")
    out.print(f"roster of {draw.roster_size} subjects, pool of {draw.pool_size}")
    out.print("publish the commitment now; enter the seed once its source has published it")


@inspections_app.command("draw")
def draw(
    draw_id: int,
    seed: Annotated[str, typer.Option("--seed", help="The value as its source published it.")],
    source: Annotated[str, typer.Option("--source", help="Who published it, where and when.")],
    by: By,
) -> None:
    """Enter the seed and run the draw."""
    inspections = application().inspections
    done = inspections.draw(draw_id, seed, source, by)
    result = done.result() or {}
    out.print(f"{done.reference}: {len(result.get('targets', []))} targets, due {done.due_on}")
    for row in result.get("classes", []):
        out.print(f"  class {row['class']}: {row['drawn']} of {row['eligible']} at {row['rate']}")
    short = [t for t in result.get("targets", []) if t.get("unassigned")]
    if short:
        out.print(f"[yellow]{len(short)} targets lack inspectors: {short[0]['unassigned']}")
    out.print(f"result sha256 {done.result_sha256}")


@inspections_app.command("verify")
def verify(
    draw_id: int,
    export: Annotated[
        Path | None, typer.Option("--export", help="Also write inputs.json and result.json here.")
    ] = None,
) -> None:
    """Re-run a stored draw from its published inputs and seed, byte for byte."""
    inspections = application().inspections
    problems = inspections.verify(draw_id)
    if export is not None:
        found = inspections.get(draw_id)
        assert found.inputs_text is not None  # a draw read whole carries its inputs
        export.mkdir(parents=True, exist_ok=True)
        (export / "inputs.json").write_text(found.inputs_text, encoding="utf-8")
        (export / "result.json").write_text(found.result_text or "", encoding="utf-8")
        out.print(f"wrote {export / 'inputs.json'} and {export / 'result.json'}")
    if problems:
        for problem in problems:
            out.print(f"[red]DIFFERS: {problem}")
        raise typer.Exit(1)
    out.print("verified: the commitment and every target agree")


@inspections_app.command("results")
def results(
    draw_id: int,
    subject: Annotated[str | None, typer.Option("--subject")] = None,
    result: Annotated[str | None, typer.Option("--result", help="Enter this result.")] = None,
    inspector: Annotated[str | None, typer.Option("--inspector")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Decided on (default today).")] = None,
    by: Annotated[str | None, typer.Option("--by")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """A draw's targets with their deadlines and results, or enter one target's result."""
    inspections = application().inspections
    if result is not None:
        if subject is None or inspector is None or by is None:
            raise typer.BadParameter("entering a result needs --subject, --inspector and --by")
        record_id = inspections.enter_result(
            draw_id, subject, result, inspector, by, decided_on=day(on)
        )
        out.print(f"result {result} of {subject} stored as record #{record_id}")
        return
    found = inspections.targets(draw_id, subject)
    if as_json:
        rows = [
            {
                "subject": t.subject_code,
                "class": t.risk_class,
                "why": t.why,
                "inspectors": list(t.inspectors),
                "deadline": str(t.deadline),
                "result": t.result,
            }
            for t in found
        ]
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    for t in found:
        state = t.result or f"due {t.deadline}"
        out.print(f"{t.subject_code} {t.risk_class} ({t.why}) {', '.join(t.inspectors)}: {state}")
