"""The HTTP API over real HTTP on 127.0.0.1: tokens, roles, shop scopes, validation, pages,
incident actions with their timeline and audit, exports."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

import alerts
from api import ApiSettings, ApiState, build_app, check_exposure
from radar.clock import ManualClock
from radar.errors import ConfigError
from radar.settings import CoreSettings
from radar.store.audit import recent_actions
from tests.unit.api.conftest import (
    CLIENTS,
    FORMULA,
    NOW,
    Client,
    Seeded,
    api_settings,
    mixed_incident,
    serving,
)

WEEK = {"since": "2026-11-13T06:00:00Z", "until": "2026-11-20T06:00:01Z"}


class TestTokens:
    def test_health_and_the_document_need_no_token(self, client: Client) -> None:
        anyone = client(None)
        assert anyone.get("/healthz").json() == {"status": "ok"}
        assert anyone.get("/openapi.json").json()["openapi"].startswith("3.")

    @pytest.mark.parametrize(
        "headers",
        [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dGVzdA=="}],
    )
    def test_no_or_wrong_token_is_401(self, client: Client, headers: dict[str, str]) -> None:
        answer = client(None).get("/api/v1/events", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert answer.json()["error"] == "unauthorized"

    def test_the_push_endpoints_token_header_works_too(self, client: Client) -> None:
        answer = client(None).get("/api/v1/events", headers={"X-Radar-Token": CLIENTS["bi"][0]})
        assert answer.status_code == 200

    def test_a_token_itself_in_the_settings_works(self, client: Client) -> None:
        assert client("ops").get("/api/v1/incidents").status_code == 200


class TestEvents:
    def test_pages_of_messages(self, client: Client, seeded: Seeded) -> None:
        bi = client("bi")
        seen: list[str] = []
        params: dict[str, Any] = {**WEEK, "limit": 10}
        while True:
            page = bi.get("/api/v1/events", params=params).json()
            seen += [m["id"] for m in page["items"]]
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
        assert sorted(seen) == sorted(e.id for e in seeded.events)
        first = bi.get("/api/v1/events", params={**WEEK, "limit": 1}).json()["items"][0]
        assert first["created_at"].endswith("+00:00")  # UTC, ISO 8601
        assert first["channel"] == "chat"  # codes, not labels

    def test_filters(self, client: Client, seeded: Seeded) -> None:
        bi = client("bi")
        complaints = bi.get(
            "/api/v1/events", params={**WEEK, "complaint": "true", "shop": "专营店"}
        ).json()["items"]
        expected = {e.id for e in seeded.events if e.is_complaint and e.shop == "专营店"}
        assert {m["id"] for m in complaints} == expected
        by_topic = bi.get("/api/v1/events", params={**WEEK, "topic": "物流配送"}).json()
        assert all("物流配送" in m["topics"] for m in by_topic["items"])
        several = bi.get("/api/v1/events?channel=email,chat&channel=forum").json()
        assert several["items"]  # lists repeated or comma separated

    def test_a_date_is_a_local_midnight(self, client: Client) -> None:
        # 2026-11-20 in Beijing starts at 16:00 UTC the day before
        items = client("bi").get("/api/v1/events", params={"since": "2026-11-20"}).json()["items"]
        assert items and all(m["created_at"] >= "2026-11-19T16:00:00" for m in items)

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"chanel": "chat"}, "chanel"),
            ({"channel": "fax"}, "channel.0"),
            ({"since": "2026-11-20T10:00:00"}, "since"),
            ({"limit": "5000"}, "limit"),
            ({"min_severity": "9"}, "min_severity"),
        ],
    )
    def test_bad_parameters_are_named(
        self, client: Client, params: dict[str, str], field: str
    ) -> None:
        answer = client("bi").get("/api/v1/events", params=params)
        assert answer.status_code == 422, answer.text
        assert field in [f["field"] for f in answer.json()["fields"]]

    def test_a_forged_cursor_is_400(self, client: Client) -> None:
        answer = client("bi").get("/api/v1/events", params={"cursor": "bm90IGEgY3Vyc29y"})
        assert answer.status_code == 400
        assert answer.json()["error"] == "bad_cursor"

    def test_since_after_until_is_422(self, client: Client) -> None:
        params = {"since": WEEK["until"], "until": WEEK["since"]}
        assert client("bi").get("/api/v1/events", params=params).status_code == 422

    def test_one_message_by_id(self, client: Client, seeded: Seeded) -> None:
        wanted = seeded.events[0]
        found = client("bi").get(f"/api/v1/events/{wanted.id}").json()
        assert found["text"] == wanted.text
        assert client("bi").get("/api/v1/events/nope").status_code == 404


class TestFigures:
    def test_totals_and_groups(self, client: Client, seeded: Seeded) -> None:
        answer = client("bi").get("/api/v1/kpis", params={**WEEK, "by": "shop"}).json()
        customers = seeded.events
        assert answer["total"]["volume"] == len(customers)
        assert answer["total"]["complaints"] == sum(e.is_complaint for e in customers)
        by_shop = {g["shop"]: g["volume"] for g in answer["groups"]}
        assert by_shop == {
            shop: sum(e.shop == shop for e in customers) for shop in ("旗舰店", "专营店")
        }
        days = client("bi").get("/api/v1/kpis", params={**WEEK, "by": "day"}).json()
        assert sum(g["volume"] for g in days["groups"]) == len(customers)
        assert client("bi").get("/api/v1/kpis", params={"by": "text"}).status_code == 422


class TestResponseTimes:
    def test_waits_and_backlog(self, client: Client, seeded: Seeded) -> None:
        from tests.unit.api.conftest import event

        seeded.store.add_scored(
            [
                event(40, thread_id="t1", department="物流部"),
                event(
                    41, thread_id="t1", is_staff_reply=True, created_at=NOW - timedelta(hours=38)
                ),
            ]
        )
        answer = (
            client("bi").get("/api/v1/response-times", params={**WEEK, "by": "department"}).json()
        )
        groups = {g["department"]: g for g in answer["groups"]}
        assert groups["物流部"]["answered"] == 1
        assert groups["物流部"]["median_hours"] == pytest.approx(2.0)
        # every other seeded chat message is a conversation of its own, still waiting
        waiting = sum(b["conversations"] for b in answer["backlog"])
        assert waiting == answer["total"]["conversations"] - 1
        assert {b["age"] for b in answer["backlog"]} <= {"lt_1h", "1h_6h", "6h_24h", "1d_3d"}
        scoped = client("flagship-desk").get("/api/v1/response-times", params=WEEK).json()
        assert scoped["total"]["conversations"] < answer["total"]["conversations"]
        assert client("bi").get("/api/v1/response-times?by=text").status_code == 422


class TestSignals:
    def test_signals_of_the_period(self, client: Client) -> None:
        items = client("bi").get("/api/v1/signals", params=WEEK).json()["items"]
        assert {s["key"]["shop"] for s in items} == {"旗舰店", "专营店"}
        assert all(s["type"] == "spike" for s in items)
        firing = client("bi").get("/api/v1/signals", params={**WEEK, "status": "resolved"})
        assert firing.json()["items"] == []


class TestShopScope:
    def test_a_scoped_client_sees_only_its_shop(self, client: Client, seeded: Seeded) -> None:
        desk = client("flagship-desk")
        items = desk.get("/api/v1/events", params={**WEEK, "limit": 500}).json()["items"]
        assert items and {m["shop"] for m in items} == {"旗舰店"}
        # asking for the other shop does not widen the scope
        other = desk.get("/api/v1/events", params={**WEEK, "shop": "专营店"}).json()
        assert other["items"] == []
        figures = desk.get("/api/v1/kpis", params=WEEK).json()["total"]
        assert figures["volume"] == sum(e.shop == "旗舰店" for e in seeded.events)
        signals = desk.get("/api/v1/signals", params=WEEK).json()["items"]
        assert {s["key"]["shop"] for s in signals} == {"旗舰店"}
        hidden = next(e for e in seeded.events if e.shop == "专营店")
        assert desk.get(f"/api/v1/events/{hidden.id}").status_code == 404

    def test_incidents_of_other_shops_do_not_exist_for_it(
        self, client: Client, seeded: Seeded
    ) -> None:
        desk = client("flagship-desk")
        listed = desk.get("/api/v1/incidents").json()["items"]
        assert [i["id"] for i in listed] == [seeded.flagship_incident]
        other = seeded.other_incident
        assert desk.get(f"/api/v1/incidents/{other}").status_code == 404
        assert desk.get(f"/api/v1/incidents/{other}/evidence").status_code == 404
        answer = desk.post(f"/api/v1/incidents/{other}/acknowledge", json={})
        assert answer.status_code == 404
        assert alerts.get_incident(seeded.store, other).status == "open"
        mine = desk.post(f"/api/v1/incidents/{seeded.flagship_incident}/acknowledge", json={})
        assert mine.status_code == 200

    def test_an_incident_holding_another_shops_evidence_is_not_theirs(
        self, client: Client, seeded: Seeded
    ) -> None:
        mixed = mixed_incident(seeded.store)
        desk = client("flagship-desk")
        listed = desk.get("/api/v1/incidents", params={"status": "all"}).json()["items"]
        assert mixed not in [i["id"] for i in listed]
        assert desk.get(f"/api/v1/incidents/{mixed}").status_code == 404
        evidence = desk.get(f"/api/v1/incidents/{mixed}/evidence", params={"format": "csv"})
        assert evidence.status_code == 404
        for path, payload in [("assign", {"owner": "wang"}), ("notes", {"text": "x"})]:
            assert desk.post(f"/api/v1/incidents/{mixed}/{path}", json=payload).status_code == 404
        assert desk.post(f"/api/v1/incidents/{mixed}/resolve", json={}).status_code == 404
        assert alerts.get_incident(seeded.store, mixed).status == "open"
        assert recent_actions(seeded.store) == []
        # a client of every shop sees it, with both shops' samples
        found = client("ticketing").get(f"/api/v1/incidents/{mixed}")
        assert found.status_code == 200
        texts = [s["text"] for a in found.json()["alerts"] for s in a["samples"]]
        assert texts == ["旗舰店的杯子漏水", "专营店的杯子漏水"]


class TestIncidents:
    def test_list_and_detail(self, client: Client, seeded: Seeded) -> None:
        items = client("bi").get("/api/v1/incidents").json()["items"]
        assert {i["id"] for i in items} == {seeded.flagship_incident, seeded.other_incident}
        detail = client("bi").get(f"/api/v1/incidents/{seeded.flagship_incident}").json()
        assert detail["title"] == "投诉激增：物流配送 · 旗舰店"
        assert detail["url"].endswith(f"/incidents?incident={seeded.flagship_incident}")
        assert detail["signal_keys"] == [{"shop": "旗舰店", "topic": "物流配送"}]
        assert detail["checklist"] and detail["timeline"][0]["kind"] == "opened"
        english = client("bi").get(
            f"/api/v1/incidents/{seeded.flagship_incident}", params={"lang": "en"}
        )
        assert english.json()["timeline"][0]["text"] != detail["timeline"][0]["text"]

    def test_a_viewer_may_not_act(self, client: Client, seeded: Seeded) -> None:
        answer = client("bi").post(
            f"/api/v1/incidents/{seeded.flagship_incident}/acknowledge", json={"note": "x"}
        )
        assert answer.status_code == 403
        assert answer.json()["error"] == "forbidden"
        assert alerts.get_incident(seeded.store, seeded.flagship_incident).status == "open"
        assert recent_actions(seeded.store) == []

    def test_on_call_works_an_incident_to_the_end(self, client: Client, seeded: Seeded) -> None:
        desk = client("ticketing")
        base = f"/api/v1/incidents/{seeded.flagship_incident}"
        acked = desk.post(f"{base}/acknowledge", json={"note": "checking with SF"}).json()
        assert acked["status"] == "acknowledged"
        assert acked["owner"] == "ticketing" and acked["acknowledged_by"] == "ticketing"
        assert desk.post(f"{base}/assign", json={"owner": "wang"}).json()["owner"] == "wang"
        assert desk.post(f"{base}/notes", json={"text": "已联系顺丰"}).status_code == 200
        assert desk.post(f"{base}/checklist/1", json={"done": True}).status_code == 200
        resolved = desk.post(f"{base}/resolve", json={"note": "carrier fixed"}).json()
        assert resolved["status"] == "resolved" and resolved["resolved_by"] == "ticketing"
        # the timeline and the audit log read as if done in the dashboard, by the client
        entries = alerts.timeline(seeded.store, seeded.flagship_incident)
        assert [e.kind for e in entries] == [
            "opened",
            "acknowledged",
            "assigned",
            "note",
            "checklist",
            "resolved",
        ]
        assert {e.actor for e in entries[1:]} == {"ticketing"}
        assert alerts.checklist(seeded.store, seeded.flagship_incident)[0].done
        actions = list(reversed(recent_actions(seeded.store)))
        assert [a.action for a in actions] == [
            "incident.acknowledge",
            "incident.assign",
            "incident.note",
            "incident.checklist",
            "incident.resolve",
        ]
        assert {a.user for a in actions} == {"ticketing"}
        assert actions[0].detail == "checking with SF"
        assert all(a.data == {"via": "api", "role": "oncall"} for a in actions)
        # resolved is resolved: acknowledging now is a conflict, resolving again is no change
        conflict = desk.post(f"{base}/acknowledge", json={})
        assert conflict.status_code == 409
        assert conflict.json()["error"] == "conflict"
        assert desk.post(f"{base}/resolve", json={}).status_code == 200

    @pytest.mark.parametrize(
        ("path", "payload", "status", "field"),
        [
            ("assign", {}, 422, "owner"),
            ("assign", {"owner": "wang", "extra": 1}, 422, "extra"),
            ("notes", {"text": ""}, 422, "text"),
            ("checklist/99", {"done": True}, 422, None),
            ("checklist/x", {}, 404, None),
        ],
    )
    def test_bad_actions_are_refused(
        self,
        client: Client,
        seeded: Seeded,
        path: str,
        payload: dict[str, Any],
        status: int,
        field: str | None,
    ) -> None:
        answer = client("ticketing").post(
            f"/api/v1/incidents/{seeded.flagship_incident}/{path}", json=payload
        )
        assert answer.status_code == status, answer.text
        if field:
            assert field in [f["field"] for f in answer.json()["fields"]]
        assert recent_actions(seeded.store) == []

    def test_a_body_that_is_not_json_is_400(self, client: Client, seeded: Seeded) -> None:
        answer = client("ticketing").post(
            f"/api/v1/incidents/{seeded.flagship_incident}/notes", content=b"{not json"
        )
        assert answer.status_code == 400
        assert answer.json()["error"] == "bad_json"

    def test_an_unknown_incident_is_404(self, client: Client) -> None:
        assert client("ticketing").post("/api/v1/incidents/INC-x/resolve").status_code == 404


class TestExports:
    def test_messages_as_csv_keep_formulas_as_text(self, client: Client, seeded: Seeded) -> None:
        answer = client("bi").get(
            "/api/v1/events/export", params={**WEEK, "format": "csv", "shop": "旗舰店"}
        )
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in answer.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
        assert {r["店铺"] for r in rows} == {"旗舰店"}
        (taken,) = recent_actions(seeded.store)  # who took customer texts out of Radar
        assert (taken.user, taken.action, taken.data) == ("bi", "export.messages", {"via": "api"})
        assert "'" + FORMULA in {r["内容"] for r in rows}
        assert "时间（北京时间）" in rows[0]

    def test_messages_as_excel_in_english(self, client: Client) -> None:
        answer = client("bi").get(
            "/api/v1/events/export", params={**WEEK, "format": "xlsx", "lang": "en"}
        )
        book = load_workbook(io.BytesIO(answer.content))
        sheet = book["Messages"]
        headings = [c.value for c in next(sheet.iter_rows(max_row=1))]
        assert "Time (Beijing time)" in headings
        text_column = headings.index("Text")
        cells = [row[text_column] for row in sheet.iter_rows(min_row=2)]
        hostile = next(c for c in cells if c.value == FORMULA)
        assert hostile.data_type == "s" and hostile.quotePrefix

    def test_incident_evidence(self, client: Client, seeded: Seeded) -> None:
        base = f"/api/v1/incidents/{seeded.flagship_incident}/evidence"
        data = client("bi").get(base).json()
        assert data["samples"][0]["text"] == FORMULA
        assert data["windows"][0]["observed"] == 12.0
        book = load_workbook(io.BytesIO(client("bi").get(f"{base}?format=xlsx").content))
        assert book.sheetnames == ["事件", "证据窗口", "样本消息", "处置清单", "时间线"]
        samples = client("bi").get(base, params={"format": "csv", "part": "samples"})
        rows = list(csv.reader(io.StringIO(samples.content.decode("utf-8-sig"))))
        assert rows[1][3] == "'" + FORMULA
        assert client("bi").get(base, params={"part": "secrets"}).status_code == 422


class TestLimits:
    def test_one_client_sending_too_fast_gets_429(self, seeded: Seeded) -> None:
        settings = api_settings(client_rate=1, client_burst=3)
        state = ApiState.build(seeded.store, settings, CoreSettings(), ManualClock(NOW))
        with serving(build_app(state)) as url, httpx.Client(base_url=url) as http:
            codes = [http.get("/healthz").status_code for _ in range(6)]
        assert codes[:3] == [200, 200, 200]
        assert 429 in codes[3:]

    def test_refuses_to_listen_beyond_loopback_with_a_short_token(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        short = {"x": {"role": "viewer", "token": "short"}}
        with pytest.raises(ConfigError, match="shorter than 32"):
            check_exposure(ApiSettings(host="0.0.0.0", clients=short))
        with caplog.at_level(logging.WARNING):
            check_exposure(ApiSettings(host="127.0.0.1", clients=short))
        assert "under 32 characters" in caplog.text


class TestMetrics:
    def test_answers_are_counted_by_route_template(self, client: Client, seeded: Seeded) -> None:
        from prometheus_client import REGISTRY

        def count(route: str, status: str) -> float:
            labels = {"route": route, "method": "GET", "status": status}
            return REGISTRY.get_sample_value("radar_api_requests_total", labels) or 0.0

        route = "/api/v1/incidents/{id}"
        before_ok, before_missing = count(route, "200"), count(route, "404")
        client("bi").get(f"/api/v1/incidents/{seeded.flagship_incident}")
        client("bi").get("/api/v1/incidents/INC-none")
        assert count(route, "200") == before_ok + 1
        assert count(route, "404") == before_missing + 1


class TestDocument:
    def test_served_as_written(self, client: Client) -> None:
        from api import openapi

        served = client(None).get("/openapi.json").json()
        assert served == json.loads(json.dumps(openapi()))
