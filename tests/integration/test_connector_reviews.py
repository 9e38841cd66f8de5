"""Reviews connector on the real broker: files, Excel, a watched folder, a shop API, SIGKILL."""

from __future__ import annotations

import csv
import json
import signal
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from ingest.review_api import NextPage, ReviewApi, ReviewApiSettings
from radar.events import make_event_id
from radar.settings import CoreSettings
from radar.store import Store
from radar.store.tables import events
from tests.integration.conftest import Pipeline, free_port
from tests.integration.connector_helpers import (
    dead_letters,
    http_get,
    http_server,
    json_body,
    raw_events,
    read_topic,
    run_once,
    wait_until,
)

pytestmark = pytest.mark.integration


def write_inputs(folder: Path) -> None:
    folder.mkdir()
    with (folder / "a.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "content", "time", "stars", "order_id"])
        writer.writerow(
            ["c1", "物流很快，包装完好\n第二天就到了", "2026-11-20 10:00:00", "5", "O1"]
        )
        writer.writerow(["c2", "客服电话13912345678打不通，差评", "2026-11-20 11:00:00", "1", "O2"])
        writer.writerow(["c3", "评分不对", "2026-11-20 11:00:00", "seven", "O3"])
    lines = [
        json.dumps(
            {"id": "j1", "text": "质量不错，和描述一致", "created_at": "2026-11-21T08:00:00Z"}
        ),
        "{not json",
        json.dumps({"id": "j2", "text": "发货太慢了", "created_at": 1763712000}),
    ]
    (folder / "b.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号", "评论", "评论时间", "评分"])
    sheet.append(["x1", "屏幕很清晰，邮箱 buyer@example.com 联系", "2026-11-22 09:00", 4])
    sheet.append(["x2", "电池不耐用", "2026-11-22 10:00", 2])
    book.save(folder / "c.xlsx")


def test_files_csv_jsonl_and_excel_arrive_in_contract_shape(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    write_inputs(folder)
    out = pipeline.radar("ingest", "reviews", str(folder), "--source", "shop-exports", "--json")
    summary = json.loads(out.stdout)
    assert summary["events"] == 6 and summary["deadletters"] == 2

    received = {e.external_id: e for e in raw_events(pipeline, 6)}
    assert set(received) == {"c1", "c2", "j1", "j2", "x1", "x2"}
    for event in received.values():
        assert event.channel == "review" and event.source == "shop-exports"
        assert event.id == make_event_id("review", "shop-exports", event.external_id)
    assert received["c1"].text.startswith("物流很快") and received["c1"].rating == 5
    assert received["c2"].attributes["order_id"] == "O2"
    assert "13912345678" not in received["c2"].text and "139****5678" in received["c2"].text
    assert "buyer@example.com" not in received["x1"].text and received["x1"].rating == 4
    assert received["x1"].created_at.isoformat() == "2026-11-22T01:00:00+00:00"

    letters = {d.locator: d for d in dead_letters(pipeline, 2)}
    assert letters["a.csv:5"].reason == "wrong_type" and "rating" in letters["a.csv:5"].message
    assert letters["b.jsonl:2"].reason == "bad_json"
    assert letters["b.jsonl:2"].original == "{not json"

    again = json.loads(
        pipeline.radar(
            "ingest", "reviews", str(folder), "--source", "shop-exports", "--json"
        ).stdout
    )
    assert again["records"] == 0  # the checkpoint remembers every file


def test_watched_folder_picks_up_new_and_appended_files(pipeline: Pipeline, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    port = free_port()
    service = pipeline.start(
        "ingest",
        "reviews",
        str(folder),
        "--follow",
        "--poll-interval",
        "0.3",
        "--heartbeat-interval",
        "0.5",
        "--metrics-port",
        str(port),
        "--source",
        "inbox",
        name="reviews-follow",
    )
    feed = folder / "live.jsonl"
    with feed.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "L1", "text": "第一条评价，很满意"}) + "\n")
    wait_until(lambda: len(pipeline.consume("feedback.raw", 1, timeout=2)) >= 1, what="L1")
    with feed.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "L2", "text": "追加的评价，物流慢"}) + "\n")
        fh.write('{"id": "L3", "text": "写了一半')  # the writer has not finished this line
    (folder / "second.csv").write_text("id,text\nS1,新文件里的评价\n", encoding="utf-8")
    wait_until(lambda: len(pipeline.consume("feedback.raw", 3, timeout=2)) >= 3, what="L2, S1")
    with feed.open("a", encoding="utf-8") as fh:
        fh.write('"}\n')
    wait_until(lambda: len(pipeline.consume("feedback.raw", 4, timeout=2)) >= 4, what="L3")

    ids = sorted(e.external_id for e in raw_events(pipeline, 4))
    assert ids == ["L1", "L2", "L3", "S1"]
    assert next(e for e in raw_events(pipeline, 4) if e.external_id == "L3").text == "写了一半"
    metrics = http_get(f"http://127.0.0.1:{port}/metrics")
    assert 'radar_ingest_records_produced_total{channel="review",source="inbox"} 4.0' in metrics
    assert "radar_ingest_last_success_timestamp_seconds" in metrics
    beats = read_topic(pipeline, "feedback.heartbeats", 2, timeout=10)
    assert beats and all(b["source"] == "inbox" and b["status"] == "ok" for b in beats)
    assert beats[-1]["records_total"] >= 1

    service.send_signal(signal.SIGTERM)
    assert service.wait(timeout=20) == 0


def test_review_api_pages_and_since_cursor(pipeline: Pipeline) -> None:
    reviews: list[dict[str, Any]] = [
        {
            "rid": f"A{i}",
            "body": {"text": f"第{i}条评价，东西不错"},
            "ts": f"2026-11-2{i % 3} 10:0{i}:00",
            "score": 1 + i % 5,
            "sku": "SKU-9",
            "likes": i,
        }
        for i in range(5)
    ]
    requests_seen: list[dict[str, list[str]]] = []
    lock = threading.Lock()

    def handle(request: Any) -> tuple[int, dict[str, str], bytes]:
        if request.headers.get("X-Token") != "s3cret":
            return 401, {}, b"{}"
        query = parse_qs(urlparse(request.path).query)
        with lock:
            requests_seen.append(query)
            since = query.get("since", [""])[0]
            fresh = [r for r in reviews if r["ts"] > since] if since else list(reviews)
        page = int(query.get("page", ["1"])[0])
        chunk = fresh[(page - 1) * 2 : page * 2]
        return 200, {"Content-Type": "application/json"}, json_body({"data": {"list": chunk}})

    with http_server(handle) as base:
        settings = ReviewApiSettings(
            url=base + "/reviews?since={since}&page={page}",
            auth_header="X-Token",
            auth_token="s3cret",  # type: ignore[arg-type]
            items_path="data.list",
            fields={
                "external_id": "rid",
                "text": "body.text",
                "created_at": "ts",
                "rating": "score",
                "product": "sku",
            },
            next_page=NextPage(kind="page"),
            source="shop-api",
        )
        first = run_once(ReviewApi(settings, CoreSettings()), settings)
        assert first.events == 5
        with lock:
            reviews.append(
                {
                    "rid": "A9",
                    "body": {"text": "新评价：快递员态度差"},
                    "ts": "2026-11-23 09:00:00",
                    "score": 1,
                    "sku": "SKU-9",
                }
            )
            before = len(requests_seen)
        second = run_once(ReviewApi(settings, CoreSettings()), settings)
    assert first.polls == 1 and [q["page"] for q in requests_seen[:before]] == [
        ["1"],
        ["2"],
        ["3"],
        ["4"],
    ]
    assert second.events == 1  # only what is newer than the since-cursor
    assert {q["since"][0] for q in requests_seen[before:]} == {"2026-11-22 10:02:00"}
    received = {e.external_id: e for e in raw_events(pipeline, 6)}
    assert set(received) == {"A0", "A1", "A2", "A3", "A4", "A9"}
    assert received["A3"].product == "SKU-9" and received["A3"].attributes["likes"] == 3
    assert received["A9"].rating == 1 and received["A9"].source == "shop-api"


def test_sigkill_mid_backfill_loses_nothing_and_stores_each_once(
    pipeline: Pipeline, tmp_path: Path, generated_reviews_csv: Path
) -> None:
    rows = 500
    source = tmp_path / "backfill.csv"
    with (
        generated_reviews_csv.open(encoding="utf-8") as src,
        source.open("w", encoding="utf-8") as out,
    ):
        reader = csv.DictReader(src)
        writer = csv.writer(out)
        writer.writerow(["id", "review", "cat"])
        short = (row for row in reader if len(row["review"]) <= 40)  # quick to score
        for number, row in zip(range(rows), short, strict=False):
            writer.writerow([f"R{number}", row["review"], row["cat"]])
    args = ("ingest", "reviews", str(source), "--flush-every", "50", "--quiet", "--json")
    checkpoints = pipeline.data_dir / "checkpoints"
    first = pipeline.start(*args, "--rate-limit", "200", name="backfill")
    wait_until(lambda: any(checkpoints.glob("*.json")), timeout=60, what="a first checkpoint")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    state = json.loads(next(checkpoints.glob("*.json")).read_text())["state"]
    done = state["file:backfill.csv"]["line"]
    assert 1 < done < rows, "the kill must land in the middle of the backfill"

    resumed = json.loads(pipeline.radar(*args).stdout)
    assert resumed["records"] < rows  # it resumed from the checkpoint, not the start
    expected = {make_event_id("review", "backfill.csv", f"R{n}") for n in range(rows)}
    seen = {r["id"] for r in pipeline.consume("feedback.raw", rows, timeout=60)}
    assert seen == expected

    pipeline.start("worker")
    store = Store.from_settings(CoreSettings())

    def stored() -> int:
        with store.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(events)) or 0)

    pipeline.wait_for(lambda: stored() >= rows, timeout=180, what="the worker to store it")
    with store.engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(events))
        distinct = conn.scalar(select(func.count(func.distinct(events.c.id))))
        ids = set(conn.scalars(select(events.c.id)))
    assert total == distinct == rows
    assert ids == expected
