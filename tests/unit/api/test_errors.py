"""The HTTP API's errors: a stable code in ``error``, a message in the reader's language (Chinese
by default; English by ``?lang=en``, ``Accept-Language`` or ``RADAR_LANGUAGE``), from the
catalogue, for Radar's refusals and aiohttp's own (unknown route, wrong method)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api import ApiState, build_app
from api.context import _accepted
from radar.clock import ManualClock
from radar.i18n import translate
from radar.settings import CoreSettings
from tests.unit.api.conftest import CLIENTS, NOW, Client, Seeded, api_settings, serving


def chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


class TestLanguage:
    @pytest.mark.parametrize(
        ("header", "lang"),
        [
            ("", None),
            ("fr-FR", None),
            ("en-US,en;q=0.9", "en"),
            ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
            ("fr;q=1, en;q=0.5, zh;q=0.4", "en"),
            ("zh;q=0.2, en-GB;q=0.7", "en"),
            ("en;q=0, zh-TW", "zh"),
            ("en;q=bad", None),
        ],
    )
    def test_accept_language(self, header: str, lang: str | None) -> None:
        assert _accepted(header) == lang

    def test_unauthorized_in_chinese_by_default(self, client: Client) -> None:
        answer = client(None).get("/api/v1/events")
        body = answer.json()
        assert answer.status_code == 401 and body["error"] == "unauthorized"
        assert body["message"] == translate("api.error.unauthorized", "zh")
        assert chinese(body["message"])
        assert answer.headers["Content-Language"] == "zh"

    @pytest.mark.parametrize(
        "how",
        [{"params": {"lang": "en"}}, {"headers": {"Accept-Language": "en-US,en;q=0.9"}}],
    )
    def test_english_when_the_reader_asks(self, client: Client, how: dict[str, dict]) -> None:
        answer = client(None).get("/api/v1/events", **how)
        assert answer.json()["error"] == "unauthorized"
        assert answer.json()["message"] == translate("api.error.unauthorized", "en")
        assert answer.headers["Content-Language"] == "en"

    def test_every_query_takes_lang(self, client: Client) -> None:
        for path in ("/api/v1/events", "/api/v1/signals", "/api/v1/kpis", "/api/v1/incidents"):
            assert client("bi").get(path, params={"lang": "en"}).status_code == 200, path
        answer = client("bi").get("/api/v1/events", params={"lang": "en", "limit": "0"})
        assert answer.status_code == 422
        assert answer.json()["message"] == "invalid parameters: limit: must be at least 1"

    def test_lang_in_the_url_wins_over_the_header(self, client: Client) -> None:
        answer = client("bi").get(
            "/api/v1/events/nope", params={"lang": "zh"}, headers={"Accept-Language": "en"}
        )
        assert answer.status_code == 404 and answer.json()["error"] == "not_found"
        assert answer.json()["message"] == translate("api.error.no_message", "zh", id="nope")


class TestCodesAndMessages:
    def test_forbidden_names_the_role(self, client: Client, seeded: Seeded) -> None:
        answer = client("bi").post(f"/api/v1/incidents/{seeded.flagship_incident}/resolve")
        assert answer.status_code == 403 and answer.json()["error"] == "forbidden"
        assert answer.json()["message"] == "角色 viewer 无权执行此操作（incident）。"

    def test_an_incident_of_another_shop_does_not_exist(
        self, client: Client, seeded: Seeded
    ) -> None:
        answer = client("flagship-desk").get(f"/api/v1/incidents/{seeded.other_incident}")
        assert answer.status_code == 404 and answer.json()["error"] == "not_found"
        assert seeded.other_incident in answer.json()["message"]
        assert chinese(answer.json()["message"])

    def test_422_names_each_field_in_chinese_with_pydantics_type(self, client: Client) -> None:
        answer = client("bi").get("/api/v1/events", params={"chanel": "chat", "limit": "0"})
        body = answer.json()
        assert answer.status_code == 422 and body["error"] == "invalid"
        fields = {f["field"]: f for f in body["fields"]}
        assert fields["chanel"]["type"] == "extra_forbidden"
        assert fields["chanel"]["problem"] == "不接受此参数"
        assert fields["limit"]["problem"] == "须不小于 1"
        assert body["message"].startswith("参数有误：")
        assert "chanel：不接受此参数" in body["message"]

    def test_a_time_without_zone_in_english(self, client: Client) -> None:
        answer = client("bi").get(
            "/api/v1/events",
            params={"since": "2026-11-13T06:00:00"},
            headers={"Accept-Language": "en"},
        )
        (field,) = answer.json()["fields"]
        assert (field["field"], field["type"]) == ("since", "time_without_zone")
        assert field["problem"] == "a time needs its zone (Z or +08:00), or give a date"

    def test_since_after_until_names_since(self, client: Client) -> None:
        params = {"since": "2026-11-20T00:00:00Z", "until": "2026-11-19T00:00:00Z"}
        answer = client("bi").get("/api/v1/kpis", params=params)
        assert answer.status_code == 422
        assert answer.json()["fields"] == [
            {"field": "since", "type": "period", "problem": "since 须早于 until"}
        ]

    def test_a_conflict_names_the_status_in_the_readers_language(
        self, client: Client, seeded: Seeded
    ) -> None:
        desk = client("ticketing")
        base = f"/api/v1/incidents/{seeded.flagship_incident}"
        assert desk.post(f"{base}/resolve", json={}).status_code == 200
        answer = desk.post(f"{base}/acknowledge", json={})
        assert answer.status_code == 409 and answer.json()["error"] == "conflict"
        assert "已解决" in answer.json()["message"]
        english = desk.post(f"{base}/acknowledge", json={}, headers={"Accept-Language": "en"})
        assert "resolved" in english.json()["message"]

    def test_an_unknown_route_is_json_too(self, client: Client) -> None:
        answer = client("bi").get("/api/v1/nothing-here")
        assert answer.status_code == 404
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.json() == {
            "error": "not_found",
            "message": "没有这个地址：/api/v1/nothing-here；所有地址见 /openapi.json。",
        }

    def test_a_wrong_method_keeps_allow(self, client: Client) -> None:
        answer = client("bi").delete("/api/v1/events")
        assert answer.status_code == 405
        assert answer.json()["error"] == "method_not_allowed"
        assert "DELETE" in answer.json()["message"]
        assert "GET" in answer.headers["Allow"]


@pytest.fixture
def english_api(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("RADAR_LANGUAGE", "en")
    state = ApiState.build(seeded.store, api_settings(), CoreSettings(), ManualClock(NOW))
    with serving(build_app(state)) as url:
        yield url


def test_radar_language_en_makes_english_the_default(english_api: str) -> None:
    with httpx.Client(base_url=english_api) as anyone:
        answer = anyone.get("/api/v1/events")
        assert answer.json()["message"] == translate("api.error.unauthorized", "en")
        chosen = anyone.get("/api/v1/events", headers={"Accept-Language": "zh-CN"})
        assert chosen.json()["message"] == translate("api.error.unauthorized", "zh")
    token = {"Authorization": f"Bearer {CLIENTS['bi'][0]}"}
    with httpx.Client(base_url=english_api, headers=token) as bi:
        assert bi.get("/api/v1/events/x").json()["message"] == "no message x (or not yours to see)"
