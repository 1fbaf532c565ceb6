"""The portal's double-random pages in Chromium, in Chinese and English: the plans with their
rates, a draw with its commitment, seed and targets, its results as they are entered, and the
verifier downloaded from the page checking the draw's published files in another process."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from tests.dueprocess import add_records, add_subject
from tests.helpers import uscc_code

from xinyong.application import Application
from xinyong.clock import FixedClock
from xinyong.disclosure.tokens import Role, issue
from xinyong.registry.subjects import rename
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
    ),
    pytest.mark.slow,
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip)")

DAY = date(2026, 10, 9)
HAN_OUTSIDE_ZH = re.compile(r"[\u3400-\u9fff]")
POOL = """
pool: 长沙市市场监督管理局
inspectors:
  - {code: ZF-0101, name: 王一, department: 市场监管, region: "430202", active_from: 2020-01-01}
  - {code: ZF-0102, name: 李二, department: 市场监管, region: "430302", active_from: 2020-01-01}
  - {code: ZF-0103, name: 张三, department: 市场监管, region: "430402", active_from: 2020-01-01}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Application, str]]:
    folder = tmp_path_factory.mktemp("double-random")
    db = Database(f"sqlite:///{folder / 'portal.db'}")
    db.migrate()
    with db.begin() as conn:
        for serial in range(1, 31):
            code = uscc_code(serial, "430102")
            subject_id = add_subject(conn, code, "enterprise", "430102")
            rename(conn, code, f"长沙测试{serial}有限公司", "test")
            if serial <= 6:
                add_records(conn, subject_id, "ADM_PENALTY_SERIOUS", [date(2026, 1, 5)] * 2)
    settings = Settings(today=DAY, database_url=db.url)
    service = Application.build(settings, db=db, clock=FixedClock(DAY))
    pool = folder / "pool.yaml"
    pool.write_text(POOL, encoding="utf-8")
    service.inspections.load_pool(pool, "人事科")
    committed = service.inspections.commit("hunan-double-random", "科长甲")
    drawn = service.inspections.draw(committed.id, "0 4 2 7 5", "体彩排列5 第26268期", "科长乙")
    with db.begin() as conn:
        official = issue(conn, "李明", Role.OFFICIAL)
    app = create_app(settings, db)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", drawn.id, service, official
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_draw_is_published_and_verifiable_from_its_page(
    site: tuple[str, int, Application, str], tmp_path: Path
) -> None:
    base, draw_id, service, official = site
    draw = service.inspections.get(draw_id)
    target = service.inspections.targets(draw_id)[0]
    service.inspections.enter_result(
        draw_id, target.subject_code, "ordered_to_rectify", target.inspectors[0], "检查员"
    )
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(accept_downloads=True)
        page.goto(f"{base}/?lang=zh")
        page.click("text=双随机抽查")
        assert page.locator("h1").inner_text() == "双随机抽查"
        assert "湖南省市场监管领域“双随机、一公开”抽查" in page.content()
        assert "D 30%" in page.locator("table.plans").inner_text()
        page.click(f"text={draw.reference}")
        assert page.locator("#commitment").inner_text() == draw.commitment
        assert "体彩排列5" in page.content()
        rows = page.locator("table.targets tbody tr")
        assert rows.count() == len(service.inspections.targets(draw_id))
        assert "责令限期改正" in page.locator("table.targets").inner_text()
        with page.expect_download() as verifier:
            page.click("#verifier")
        verifier.value.save_as(tmp_path / "verifier.py")
        for name in ("inputs.json", "result.json"):
            with page.expect_download() as got:
                page.click(f"text={name}")
            got.value.save_as(tmp_path / name)
        page.goto(f"{base}/double-random/{draw_id}?lang=en")
        assert page.locator("html").get_attribute("lang") == "en"
        assert "ordered to rectify" in page.locator("table.targets").inner_text()
        english = page.content()
        text_only = re.sub(r"<title>.*?</title>", "", english, flags=re.S)
        text_only = re.sub(r'<span lang="zh">.*?</span>', "", text_only)
        text_only = re.sub(r"<[^>]+>", " ", text_only).replace("中文", "")
        assert not HAN_OUTSIDE_ZH.search(text_only), HAN_OUTSIDE_ZH.findall(text_only)[:5]
        # on the workbench each target is an inspection case, due on the results' day
        page.goto(f"{base}/signin?lang=zh")
        page.fill("input[name=token]", official)
        page.click("button[type=submit]")
        assert "双随机抽查" in page.locator("main").inner_text()
        page.click("text=INS-")
        assert page.locator(f"a[href='/double-random/{draw_id}']").count() == 1
        browser.close()
    checked = subprocess.run(
        [
            sys.executable,
            "-I",
            "verifier.py",
            "inputs.json",
            "result.json",
            "--commitment",
            draw.commitment,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
