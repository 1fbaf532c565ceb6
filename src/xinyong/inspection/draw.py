#!/usr/bin/env python3
"""The draw of a "double random, one open" inspection, and its verifier (format xinyong-draw/1).

This file is the whole algorithm, and it needs nothing but Python 3.11's standard library: a
third party downloads it from the portal and runs it on the published inputs and result::

    python3 draw.py inputs.json result.json [--commitment HEX]

It recomputes the commitment from the inputs, re-runs the draw from the inputs and the seed
printed in the result, and says whether every byte agrees (exit status 0) or what differs (1).

The algorithm
-------------
1. **Commitment.** The inputs (the plan version and its file's SHA-256, the draw date, the
   roster with each subject's class and status, the inspector pool with each inspector's
   declared conflicts, the rates, the floor, the inspectors per target and the region rule) are
   written as canonical JSON: keys sorted, no spaces, UTF-8. The commitment is the SHA-256 of
   those bytes, published before the seed exists.
2. **Key.** The seed is a value no one at the office controls (a lottery number, a public
   randomness beacon's output), entered after the commitment with its source. The key is
   ``SHA-256("xinyong-draw/1|" + commitment + "|" + seed)``.
3. **Random numbers** are taken as in RFC 3797's publicly verifiable selection, with SHA-256:
   the number of a label (such as ``target|<code>``) is the first 8 bytes of
   ``SHA-256(key + label)`` read as a big-endian integer. Each subject and each inspector has
   its own, so the order of the roster file does not matter.
4. **Targets, stratified by class.** Subjects marked ``always`` are targets. For each class,
   of its other ``eligible`` subjects, sorted by their number (then code), the first ``n`` are
   drawn, where ``n`` is the whole part of ``rate x count`` plus one more when the number of
   ``round|<class>``, divided by 2^64, is below the fractional part (randomised rounding: the
   expected number drawn is exactly ``rate x count``). ``excluded`` subjects are never drawn.
5. **Floor.** If fewer targets were drawn than the floor (``subjects``, or the ``share`` of the
   eligible and always subjects, rounded up), the undrawn eligible subjects of every class are
   taken in the order of their numbers until the floor is met or none is left.
6. **Inspectors.** The pool is sorted by each inspector's number ``inspector|<code>``. The
   targets are taken in the order of their numbers; for each, the pool is read round from
   where the previous target's reading stopped, and the first inspectors without a conflict are
   assigned: an inspector conflicts with a subject named in their declared conflicts, or whose
   region shares the inspector's region at the plan's level (``province``: 2 digits, ``city``:
   4, ``county``: 6, ``none``). A target that cannot get enough inspectors is kept and says so.
7. **Result.** Targets sorted by code, each with its class, why it was drawn (``always``,
   ``drawn``, ``floor``) and its inspectors, and per class the count, the rate and the number
   drawn, written as canonical JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

FORMAT = "xinyong-draw/1"
LEVELS = {"none": 0, "province": 2, "city": 4, "county": 6}
STATUSES = ("eligible", "always", "excluded")


def canonical(document: Any) -> bytes:
    """The one byte form of a document that commitments and results are taken over."""
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def commitment(inputs: Mapping[str, Any]) -> str:
    """The SHA-256 of the canonical inputs, in hex."""
    return hashlib.sha256(canonical(inputs)).hexdigest()


def draw_key(committed: str, seed: str) -> bytes:
    return hashlib.sha256(f"{FORMAT}|{committed}|{seed}".encode()).digest()


def number(key: bytes, label: str) -> int:
    """A label's random number: 64 bits of SHA-256 over the key and the label."""
    return int.from_bytes(hashlib.sha256(key + label.encode("utf-8")).digest()[:8], "big")


def _drawn_of_class(key: bytes, name: str, members: list[str], rate: Fraction) -> list[str]:
    expected = rate * len(members)
    whole = math.floor(expected)
    fraction = expected - whole
    if fraction and Fraction(number(key, f"round|{name}"), 2**64) < fraction:
        whole += 1
    return members[:whole]


def _assign(
    key: bytes,
    targets: list[dict[str, Any]],
    numbers: Mapping[str, int],
    regions: Mapping[str, str],
    inputs: Mapping[str, Any],
) -> None:
    """Inspectors for each target, round the pool in the order of the inspectors' numbers."""
    pool = inputs["pool"]
    order = sorted(pool, key=lambda p: (number(key, f"inspector|{p['code']}"), p["code"]))
    declared = [set(p["conflicts"]) for p in order]
    wanted = int(inputs["inspectors_per_target"])
    level = LEVELS[inputs["same_region"]]
    start = 0
    for target in sorted(targets, key=lambda t: (numbers[t["code"]], t["code"])):
        code, region = target["code"], regions[target["code"]][:level]
        chosen: list[str] = []
        last = start - 1
        for step in range(len(order)):
            position = (start + step) % len(order)
            inspector = order[position]
            if code in declared[position] or (level and inspector["region"][:level] == region):
                continue
            chosen.append(inspector["code"])
            last = position
            if len(chosen) == wanted:
                break
        target["inspectors"] = sorted(chosen)
        if len(chosen) < wanted:
            target["unassigned"] = (
                f"{len(chosen)} of the {len(order)} inspectors have no conflict with this "
                f"subject; {wanted} are required"
            )
        if order:
            start = (last + 1) % len(order)


def run_draw(inputs: Mapping[str, Any], seed: Mapping[str, str]) -> dict[str, Any]:
    """The result of the draw from its inputs and the seed ``{value, source}``."""
    if inputs.get("format") != FORMAT:
        raise ValueError(f"these inputs are not of format {FORMAT}")
    committed = commitment(inputs)
    key = draw_key(committed, str(seed["value"]))
    rates = {name: Fraction(str(rate)) for name, rate in inputs["rates"].items()}
    roster = inputs["roster"]
    numbers = {s["code"]: number(key, f"target|{s['code']}") for s in roster}
    members: dict[str, list[str]] = {name: [] for name in rates}
    counts: dict[str, dict[str, int]] = {name: dict.fromkeys(STATUSES, 0) for name in rates}
    why: dict[str, str] = {}
    for s in roster:
        counts[s["class"]][s["status"]] += 1
        if s["status"] == "always":
            why[s["code"]] = "always"
        elif s["status"] == "eligible":
            members[s["class"]].append(s["code"])
    classes = []
    for name in sorted(rates):
        ordered = sorted(members[name], key=lambda c: (numbers[c], c))
        drawn = _drawn_of_class(key, name, ordered, rates[name])
        why.update((code, "drawn") for code in drawn)
        classes.append(
            {
                "class": name,
                "eligible": counts[name]["eligible"],
                "always": counts[name]["always"],
                "excluded": counts[name]["excluded"],
                "rate": str(inputs["rates"][name]),
                "drawn": len(drawn),
            }
        )
    floor = inputs.get("floor") or {}
    counted = sum(c["eligible"] + c["always"] for c in counts.values())
    required = max(
        int(floor.get("subjects") or 0),
        math.ceil(Fraction(str(floor.get("share") or 0)) * counted),
    )
    added = 0
    if len(why) < required:
        rest = [c for name in rates for c in members[name] if c not in why]
        for code in sorted(rest, key=lambda c: (numbers[c], c))[: required - len(why)]:
            why[code] = "floor"
            added += 1
    chosen = set(why)
    details = {s["code"]: s for s in roster if s["code"] in chosen}
    targets: list[dict[str, Any]] = [
        {"code": code, "class": details[code]["class"], "why": why[code], "inspectors": []}
        for code in sorted(why)
    ]
    regions = {code: str(details[code]["region"]) for code in chosen}
    _assign(key, targets, numbers, regions, inputs)
    return {
        "format": FORMAT,
        "commitment": committed,
        "seed": {"value": str(seed["value"]), "source": str(seed["source"])},
        "classes": classes,
        "floor": {"required": required, "added": added},
        "targets": targets,
    }


def verify(
    inputs: Mapping[str, Any], result: Mapping[str, Any], published: str | None = None
) -> list[str]:
    """What does not agree between the published inputs, commitment and result (empty: all)."""
    problems = []
    committed = commitment(inputs)
    if published is not None and published.lower() != committed:
        problems.append(f"the inputs hash to {committed}, not the published {published}")
    if result.get("commitment") != committed:
        problems.append(
            f"the result names commitment {result.get('commitment')}, the inputs hash to "
            f"{committed}"
        )
    again = run_draw(inputs, result["seed"])
    if canonical(again) != canonical(result):
        mine = {t["code"]: t for t in again["targets"]}
        theirs = {t["code"]: t for t in result.get("targets", [])}
        missing = sorted(set(mine) - set(theirs))
        extra = sorted(set(theirs) - set(mine))
        moved = sorted(c for c in set(mine) & set(theirs) if mine[c] != theirs[c])
        problems.append(
            "the draw re-run from the inputs and the seed differs from the result: "
            f"{len(missing)} targets missing, {len(extra)} not drawn by the algorithm, "
            f"{len(moved)} with other inspectors or reasons"
            + (f" (first: {(missing + extra + moved)[0]})" if missing + extra + moved else "")
        )
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a published inspection draw.")
    parser.add_argument("inputs", type=Path, help="the published inputs (JSON)")
    parser.add_argument("result", type=Path, help="the published result (JSON)")
    parser.add_argument("--commitment", help="the commitment as published before the draw")
    args = parser.parse_args(argv)
    inputs = json.loads(args.inputs.read_text(encoding="utf-8"))
    result = json.loads(args.result.read_text(encoding="utf-8"))
    problems = verify(inputs, result, args.commitment)
    print(f"commitment {commitment(inputs)}")
    print(f"seed {result['seed']['value']!r} from {result['seed']['source']}")
    if problems:
        for problem in problems:
            print(f"DIFFERS: {problem}")
        return 1
    print(f"verified: {len(result['targets'])} targets and their inspectors agree byte for byte")
    return 0


if __name__ == "__main__":
    sys.exit(main())
