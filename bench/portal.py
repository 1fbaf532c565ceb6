"""Time the portal's pages over a database (the demo's, by default): each page asked N times
through the whole HTTP stack in-process, median and 95th percentile in milliseconds.

    python bench/portal.py --database sqlite:///demo/xinyong.db --repeat 20
"""

from __future__ import annotations

import argparse
import statistics
import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import evaluation_results, listings, subjects
from xinyong.web import create_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="sqlite:///demo/xinyong.db")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    db = Database(args.database)
    with db.connect() as conn:
        n = conn.execute(select(subjects.c.id).order_by(subjects.c.id.desc()).limit(1)).scalar()
        graded = conn.execute(
            select(evaluation_results.c.subject_id)
            .where(evaluation_results.c.grade.is_not(None))
            .limit(1)
        ).scalar()
        name = conn.execute(select(subjects.c.name).where(subjects.c.id == graded)).scalar()
        key = conn.execute(select(listings.c.scheme_id, listings.c.list_id).limit(1)).first()
    app = create_app(Settings(database_url=args.database), db)
    pages = {
        "home": "/",
        "search (3 characters)": f"/search?q={name[2:5]}",
        "profile": f"/profile/{graded}",
        "why": None,
        "lists": "/lists",
        "list members": f"/lists/{key.scheme_id}/{key.list_id}" if key else None,
        "catalog filtered": "/directory?type=rating&region=410000",
        "scheme page with chart": "/directory/zhengzhou-environment",
        "latest": "/latest",
    }
    with TestClient(app) as client:
        profile = client.get(pages["profile"]).text
        marker = 'class="why" href="'
        if marker in profile:
            pages["why"] = profile.split(marker, 1)[1].split('"', 1)[0]
        print(f"{args.database}: {n} subjects; {args.repeat} requests per page after one warm-up")
        print(f"{'page':28} {'median ms':>10} {'p95 ms':>8}")
        for label, path in pages.items():
            if path is None:
                continue
            assert client.get(path).status_code == 200, path
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200
            times.sort()
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            print(f"{label:28} {statistics.median(times):10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
