"""The message catalogue and the reader's locale: both languages complete, times in the zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from radar.i18n import (
    LANGS,
    Catalogue,
    Locale,
    MissingMessage,
    Text,
    catalogue,
    label,
    language,
    placeholders,
    translate,
)

AT = datetime(2026, 12, 7, 6, 5, tzinfo=UTC)  # 14:05 in Beijing


class TestCatalogue:
    def test_every_key_has_every_language_with_the_same_placeholders(self) -> None:
        shipped = catalogue()
        zh, en = shipped.keys("zh"), shipped.keys("en")
        assert zh == en, f"only in zh: {sorted(zh - en)}; only in en: {sorted(en - zh)}"
        differ = {
            key: (placeholders(shipped.raw(key, "zh")), placeholders(shipped.raw(key, "en")))
            for key in zh
            if placeholders(shipped.raw(key, "zh")) != placeholders(shipped.raw(key, "en"))
        }
        assert not differ, f"placeholders differ between zh and en: {differ}"
        empty = [k for k in zh for lang in LANGS if not shipped.raw(k, lang).strip()]
        assert set(empty) <= {"duration.join"}, f"empty texts: {empty}"  # joins 1h30m

    def test_a_missing_key_or_parameter_is_named(self) -> None:
        with pytest.raises(
            MissingMessage, match=r"no message 'alerts\.nope' in radar/locales/zh\.yaml"
        ):
            translate("alerts.nope")
        with pytest.raises(MissingMessage, match="needs the parameter 'scope'"):
            translate("alerts.title.signal", "zh", type="x")

    def test_chinese_unless_english_is_asked_for(self) -> None:
        assert (language("en"), language("en-US"), language("zh"), language(None)) == (
            "en",
            "en",
            "zh",
            "zh",
        )
        assert translate("alerts.message.ack_link") == "确认"
        assert translate("alerts.message.ack_link", "en") == "Acknowledge"

    def test_labels_of_codes_and_codes_without_one(self) -> None:
        assert label("channel", "chat") == "在线客服" and label("channel", "chat", "en") == "Chat"
        assert label("severity", 3) == "危急" and label("crisis", "security") == "信息安全"
        assert label("channel", "fax") == "fax"  # unknown codes are shown as they are

    def test_a_catalogue_of_its_own(self) -> None:
        small = Catalogue({"zh": {"a.b": "你好 {name}"}, "en": {"a.b": "hello {name}"}})
        assert small.text("a.b", "en", name="lin") == "hello lin"
        assert not small.has("a.c")


class TestText:
    def test_stored_and_rendered_later_in_any_language_and_zone(self) -> None:
        text = Text(
            "alerts.timeline.escalated",
            {"after": timedelta(minutes=15), "receivers": "lead"},
        )
        again = Text.from_json(text.to_json())
        assert again == text
        assert again.render("zh") == "15 分钟内无人确认：已升级给 lead"
        assert again.render("en") == "unacknowledged after 15m: escalated to lead"

    def test_times_labels_and_lists_inside(self) -> None:
        held = Text.from_json(Text("alerts.timeline.held", {"until": AT}).to_json())
        assert held is not None
        assert held.render("zh") == "免打扰时段：通知暂缓至 2026-12-07 14:05（北京时间）"
        assert held.render("en", "Asia/Tokyo") == (
            "quiet hours: notifications held until 2026-12-07 15:05 (UTC+09:00 Asia/Tokyo)"
        )
        title = Text(
            "alerts.title.signal",
            {"type": Text("label.signal.spike"), "scope": ["物流配送", Text("label.channel.chat")]},
        )
        assert Text.from_json(title.to_json()) == title
        assert title.render("zh") == "投诉激增：物流配送 · 在线客服"

    def test_not_a_text(self) -> None:
        assert Text.from_json("plain") is None and Text.from_json({"k": 1}) is None


class TestLocale:
    def test_beijing_time_is_named(self) -> None:
        assert Locale().time(AT) == "2026-12-07 14:05（北京时间）"
        assert Locale("en").time(AT) == "2026-12-07 14:05 (Beijing time)"
        assert Locale().time(None) == "—"

    def test_other_zones_show_offset_and_name(self) -> None:
        assert Locale("zh", "Asia/Tokyo").time(AT) == "2026-12-07 15:05（UTC+09:00 Asia/Tokyo）"
        assert Locale("en", "UTC").time(AT) == "2026-12-07 06:05 (UTC)"
        summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
        assert Locale("en", "Europe/Berlin").time(summer).endswith("(UTC+02:00 Europe/Berlin)")

    def test_spans_and_durations(self) -> None:
        end = AT + timedelta(minutes=55)
        assert Locale().span(AT, end) == "2026-12-07 14:05–15:00（北京时间）"
        late = AT + timedelta(hours=10)  # past midnight in Beijing
        assert Locale().span(AT, late) == "2026-12-07 14:05–2026-12-08 00:05（北京时间）"
        assert Locale().duration(timedelta(hours=1, minutes=30)) == "1 小时 30 分钟"
        assert Locale("en").duration(timedelta(days=2, seconds=5)) == "2d5s"
        assert Locale().duration(timedelta(0)) == "0 秒"

    def test_headings_name_the_zone(self) -> None:
        assert Locale().heading("alerts.summary.time_column") == "时间（北京时间）"
        assert Locale("en").heading("alerts.summary.time_column") == "Time (Beijing time)"
