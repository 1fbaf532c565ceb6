"""CLI commands for the audit log (mounted by :mod:`xinyong.cli.main`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from xinyong.application.oversight import Checkpoint
from xinyong.cli.common import application, out

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)

KeyEnv = Annotated[
    str,
    typer.Option(help="Environment variable holding the HMAC key for checkpoints (if set)."),
]


def _key(variable: str) -> bytes | None:
    value = os.environ.get(variable)
    return value.encode() if value else None


@audit_app.command("verify")
def audit_verify(
    against: Annotated[
        Path | None, typer.Option("--checkpoint", help="A checkpoint file kept elsewhere.")
    ] = None,
    key_env: KeyEnv = "XINYONG_AUDIT_KEY",
) -> None:
    """Walk the hash chain; report edited, deleted, reordered rows and a truncated tail."""
    kept = Checkpoint.from_json(against.read_text(encoding="utf-8")) if against else None
    report = application().oversight.verify(kept, _key(key_env) if kept else None)
    out.print(f"{report.rows} rows, head {report.head_seq} {report.head_hash[:16]}...")
    for problem in report.problems:
        out.print(f"[red]{problem}[/red]")
    if not report.intact:
        raise typer.Exit(1)
    out.print(
        "[green]the audit log is intact[/green]" + (" and reaches the checkpoint" if kept else "")
    )


@audit_app.command("checkpoint")
def audit_checkpoint(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the checkpoint.")],
    key_env: KeyEnv = "XINYONG_AUDIT_KEY",
) -> None:
    """Export the chain's head (signed with the key when one is set), to keep elsewhere."""
    head = application().oversight.checkpoint(_key(key_env))
    out_file.write_text(head.to_json() + "\n", encoding="utf-8")
    signed = "signed" if head.signature else "unsigned (no key set)"
    out.print(f"checkpoint at row {head.seq}, {signed}, written to {out_file}")
