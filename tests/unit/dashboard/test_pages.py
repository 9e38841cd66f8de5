"""AppTest runs of every dashboard view on a seeded store: figures, drill-downs, actions, roles."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

import alerts
from radar.events import ScoredEvent
from radar.localtime import local, zone
from radar.store.audit import recent_actions
from radar.store.improvements import list_improvements, record_improvement
from tests.unit.dashboard.conftest import HOSTILE, PASSWORDS, Seeded, scored


def shown_text(at: Any) -> str:
    parts = [e.value for e in [*at.markdown, *at.caption, *at.title, *at.subheader, *at.text]]
    parts += [e.body for e in [*at.error, *at.warning, *at.info, *at.success]]
    return "\n".join(str(p) for p in parts)


def live_markdown(source: str) -> str:
    """``source`` without its backslash-escaped characters: the syntax a renderer acts on."""
    return re.sub(r"\\.", "", source)


def markdown_sources(at: Any) -> str:
    """Everything the app hands to a Markdown renderer (titles, captions, alerts, labels)."""
    parts = [e.value for e in [*at.markdown, *at.caption, *at.title, *at.subheader]]
    parts += [e.body for e in [*at.error, *at.warning, *at.info, *at.success]]
    return "\n".join(str(p) for p in parts)


def frame_with(at: Any, column: str) -> Any:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def sent_anyway(widget: Any, value: Any) -> Any:
    """``widget`` with ``value`` as a client could send it, disabled in the page or not."""
    widget._value = value
    return widget


def said_three_times(seeded: Seeded) -> tuple[ScoredEvent, list[ScoredEvent]]:
    """One customer's complaint on reviews, then again by email and on the forum (flagged)."""
    said = {
        "is_complaint": True,
        "topics": ["商品质量"],
        "region": "江苏",
        "sentiment": 0.1,
        "sentiment_label": "neg",
        "severity": 1,
    }
    first = scored(901, "review", 3, text="屏幕第二天就碎了，要求退货", **said)
    copies = [
        scored(902, "email", 2.5, text="屏幕第二天就碎了，要求退货！", **said),
        scored(903, "forum", 2, text="屏幕第二天就碎了 要求退货", **said),
    ]
    copies = [c.model_copy(update={"duplicate_of": first.id}) for c in copies]
    seeded.store.add_scored([first, *copies])
    return first, copies


class TestSignIn:
    def test_sign_in_with_the_configured_password(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user=None)
        assert not at.exception
        at.text_input[0].input("lin")
        at.text_input[1].input("wrong password")
        at.button[0].click().run()
        assert "用户名或密码错误" in shown_text(at)
        assert "user" not in at.session_state
        at.text_input[0].input("lin")
        at.text_input[1].input(PASSWORDS["lin"])
        at.button[0].click().run()
        assert at.session_state["user"].name == "lin"
        assert at.session_state["user"].roles == ("oncall",)
        assert [a.action for a in recent_actions(seeded.store)] == ["sign_in"]

    def test_a_locked_out_name_is_told_when_to_try_again(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        at = app_for(user=None)
        for _ in range(5):  # RADAR_DASHBOARD_SIGNIN_USER_FAILURES
            at.text_input[0].input("lin")
            at.text_input[1].input("wrong password")
            at.button[0].click().run()
        at.text_input[0].input("lin")
        at.text_input[1].input(PASSWORDS["lin"])  # right, but too late
        at.button[0].click().run()
        assert [e.body for e in at.error] == ["登录失败次数过多，请 15 分钟后再试。"]
        assert "user" not in at.session_state
        for _ in range(6):  # a name nobody has is locked out alike: the message names no user
            at.text_input[0].input("nobody")
            at.text_input[1].input("wrong password")
            at.button[0].click().run()
        assert [e.body for e in at.error] == ["登录失败次数过多，请 15 分钟后再试。"]

    def test_a_busy_server_says_so(
        self, seeded: Seeded, app_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from dashboard.auth import SignInGuard, SignInResult

        def busy(*_: Any, **__: Any) -> SignInResult:
            return SignInResult(refusal="busy", retry_after_s=5.0)

        monkeypatch.setattr(SignInGuard, "sign_in", busy)
        at = app_for(user=None)
        at.text_input[0].input("lin")
        at.text_input[1].input(PASSWORDS["lin"])
        at.button[0].click().run()
        assert [e.body for e in at.error] == ["正在登录的人较多，请稍后再试。"]
        assert "user" not in at.session_state

    def test_nobody_signs_in_without_configured_users(
        self, seeded: Seeded, app_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("RADAR_DASHBOARD_USERS")
        at = app_for(user=None)
        assert "RADAR_DASHBOARD_USERS" in shown_text(at)
        assert not at.text_input

    def test_roles_decide_the_views(self, seeded: Seeded, app_for: Any) -> None:
        with pytest.raises(ValueError, match="Known pages"):  # on-call has no product view
            app_for(user="lin", page="products")
        at = app_for(user="wang", page="products")
        assert "产品洞察" in shown_text(at)


class TestOverview:
    def test_figures_match_the_events(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(page="overview")
        assert not at.exception, at.exception
        since = seeded.now + timedelta(minutes=1) - timedelta(days=7)
        customers = [e for e in seeded.events if not e.is_staff_reply and e.created_at >= since]
        complaints = sum(e.is_complaint for e in customers)
        surveys = [e for e in customers if e.csat is not None]
        metrics = {m.label: m for m in at.metric}
        assert metrics["反馈量"].value == str(len(customers))
        assert metrics["投诉率"].value == f"{complaints / len(customers):.1%}"
        assert (
            metrics["满意度 CSAT"].value
            == f"{sum(e.csat >= 4 for e in surveys) / len(surveys):.1%}"
        )
        promoters = sum(e.nps >= 9 for e in surveys)
        detractors = sum(e.nps <= 6 for e in surveys)
        assert (
            metrics["净推荐值 NPS"].value == f"{100 * (promoters - detractors) / len(surveys):+.0f}"
        )
        # chat complaints 6 h or older: the even ones were answered within the hour
        assert metrics["及时回复率"].value == f"{3 / 7:.1%}"
        assert metrics["反馈量"].delta is not None  # vs the previous 7 days
        table = at.dataframe[0].value
        assert {"评价", "在线客服", "问卷", "全部"} <= set(table.index)

    def test_a_complaint_said_on_three_channels_counts_once(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        first, _copies = said_three_times(seeded)
        at = app_for(page="overview")
        assert not at.exception, at.exception
        since = seeded.now + timedelta(minutes=1) - timedelta(days=7)
        customers = [e for e in seeded.events if not e.is_staff_reply and e.created_at >= since]
        customers.append(first)  # and not its copies
        complaints = sum(e.is_complaint for e in customers)
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["反馈量"] == str(len(customers))
        assert metrics["投诉率"] == f"{complaints / len(customers):.1%}"
        table = at.dataframe[0].value
        assert table.at["邮件", "反馈量"].startswith("0") and table.at["论坛", "反馈量"].startswith(
            "0"
        )

    def test_down_source_is_flagged(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(page="overview")
        assert any("email-imap" in e.body and "IMAP login failed" in e.body for e in at.error)
        freshness = frame_with(at, "events_24h").set_index("source")
        assert freshness.at["email-imap", "state"] == "中断"
        assert freshness.at["chat-src", "state"] == "正常"

    def test_a_connectors_error_text_is_shown_as_written(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        """An upstream error (a feed's or an API's words) went into st.error as Markdown (L1)."""
        from radar.events import Heartbeat

        seeded.store.record_heartbeat(
            Heartbeat(
                source="forum-feed",
                channel="forum",
                at=datetime.now(UTC),
                status="down",
                message="502: [点此重新授权](https://evil.example/oauth)",
            )
        )
        at = app_for(page="overview")
        (down,) = [e.body for e in at.error if "forum-feed" in e.body]
        assert "点此重新授权" in down and "](" not in live_markdown(down)

    def test_english_switch(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(page="overview", lang="en")
        assert at.title[0].value == "Overview"
        assert "Complaint rate" in {m.label for m in at.metric}


class TestComplaints:
    def test_rising_topic_and_drill_down_from_the_url(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(page="complaints", query={"topic": "物流配送", "region": "浙江"})
        assert not at.exception, at.exception
        assert len(at.get("vega_lite_chart")) == 2  # heatmap and rising topics
        messages = frame_with(at, "text")
        expected = [e for e in seeded.events if "物流配送" in e.topics and e.region == "浙江"]
        assert len(messages) == len(expected) == 13
        assert set(messages["region"]) == {"浙江"}
        assert f"共 {len(expected)} 条投诉" in shown_text(at)

    def test_filters_narrow_the_messages(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(page="complaints", query={"channel": "review", "product": "手机"})
        messages = frame_with(at, "text")
        assert set(messages["channel"]) == {"评价"} and set(messages["product"]) == {"手机"}
        within = seeded.now + timedelta(minutes=1) - timedelta(days=7)
        expected = [
            e
            for e in seeded.events
            if e.channel == "review"
            and e.product == "手机"
            and e.is_complaint
            and e.created_at >= within
        ]
        assert len(messages) == len(expected)

    def test_duplicates_are_one_row_with_their_copies_under_it(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        first, copies = said_three_times(seeded)
        at = app_for(page="complaints", query={"region": "江苏"})
        assert not at.exception, at.exception
        messages = frame_with(at, "text")
        assert list(messages["text"]) == [first.text]
        assert list(messages["duplicates"]) == ["重复 2 次（邮件、论坛）"]
        assert "共 1 条投诉，显示最新 1 条" in shown_text(at)
        (listed,) = [e for e in at.expander if e.label.startswith("重复的消息")]
        assert listed.label == "重复的消息（1 条消息，共重复 2 次）"
        shown = frame_with(at, "first")
        assert list(shown["text"]) == [c.text for c in copies]
        assert list(shown["channel"]) == ["邮件", "论坛"]
        assert set(shown["first"]) == {first.text}
        # the heatmap counts the complaint once
        heat = next(c for c in at.get("vega_lite_chart"))
        assert "江苏" not in markdown_sources(at)  # (a filter value, not rendered as Markdown)
        assert heat is not None

    def test_duplicates_in_english(self, seeded: Seeded, app_for: Any) -> None:
        said_three_times(seeded)
        at = app_for(page="complaints", query={"region": "江苏"}, lang="en")
        assert list(frame_with(at, "text")["duplicates"]) == ["repeated 2× (Email, Forum)"]
        assert any(e.label == "Duplicates (2 copies of 1 messages)" for e in at.expander)

    def test_customer_html_is_shown_as_text(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(page="complaints", query={"channel": "chat"})
        assert HOSTILE in set(frame_with(at, "text")["text"])
        assert "<script" not in markdown_sources(at)


class TestIncidents:
    def test_open_incident_with_evidence_and_samples(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="lin", page="incidents", query={"incident": seeded.incident_id})
        assert not at.exception, at.exception
        listed = frame_with(at, "age")
        assert seeded.incident_id in set(listed["id"])
        assert listed.set_index("id").at[seeded.incident_id, "age"].startswith("2 小时")
        assert len(at.get("vega_lite_chart")) == 2  # severity/age and the evidence chart
        assert [t.value for t in at.text] == [HOSTILE]  # the sample, as plain text
        assert "<script" not in markdown_sources(at)
        steps = alerts.checklist(seeded.store, seeded.incident_id)
        assert len([c for c in at.checkbox if c.key.startswith("step-")]) == len(steps)

    def test_a_sample_said_on_three_channels_is_shown_once(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        from alerts.incidents import open_incident

        first, copies = said_three_times(seeded)

        def sample(e: ScoredEvent) -> dict[str, str]:
            return {
                "id": e.id,
                "text": e.text,
                "channel": e.channel,
                "created_at": e.created_at.isoformat(),
            }

        def alert(kind: str, key: dict[str, str], e: ScoredEvent) -> dict[str, Any]:
            window = {
                "window_start": e.created_at.isoformat(),
                "window_end": e.created_at.isoformat(),
            }
            return {"type": kind, "key": key, "observed": 1.0, "expected": 0.0, **window}

        # the unanswered detector may sample a copy too: it waits for its own reply
        crisis = {**alert("crisis", {"product": "平板"}, first), "samples": [sample(first)]}
        other = {**alert("unanswered", {"channel": "email"}, first), "samples": [sample(copies[0])]}
        incident = open_incident(
            seeded.store,
            group_key="g-dup",
            rule="crisis",
            type="crisis",
            title="屏幕碎裂",
            severity=3,
            key={"product": "平板"},
            data={"alerts": [crisis, other]},
        )
        at = app_for(user="lin", page="incidents", query={"incident": incident.id})
        assert not at.exception, at.exception
        assert [t.value for t in at.text if "屏幕" in t.value] == [
            first.text,
            *(c.text for c in copies),  # under the expander
        ]
        assert [e.label for e in at.expander if e.label.startswith("重复")] == [
            "重复 2 次（邮件、论坛）"
        ]

    def test_scope_and_past_severity_read_as_words(self, seeded: Seeded, app_for: Any) -> None:
        from alerts.incidents import open_incident, resolve

        key = {"type": "crisis", "crisis": "safety", "product": "热水器"}
        args = {"rule": "crisis", "type": "crisis", "severity": 3, "key": key}
        shown = open_incident(seeded.store, group_key="g-heat", title="安全危机：热水器", **args)
        past = open_incident(seeded.store, group_key="g-old", title="安全危机：旧款", **args)
        resolve(seeded.store, past.id, "lin")
        at = app_for(user="lin", page="incidents", query={"incident": shown.id})
        assert not at.exception, at.exception
        (caption,) = [c.value for c in at.caption if c.value.startswith("规则")]
        scope = caption.split("范围")[1]
        assert "类型 危机" in scope and "危机类别 安全" in scope and "crisis" not in scope
        history = frame_with(at, "resolved_at").set_index("id")
        assert history.at[past.id, "severity"] == "危急"

    def test_acknowledge_note_step_and_resolve_are_logged_with_the_user(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        at = app_for(user="lin", page="incidents", query={"incident": seeded.incident_id})
        at.text_input(key="ack-note").input("checking with SF")
        next(b for b in at.button if b.label == "确认").click().run()
        incident = alerts.get_incident(seeded.store, seeded.incident_id)
        assert incident.status == "acknowledged" and incident.acknowledged_by == "lin"
        at.text_input(key="note-text").input("holding statement published")
        next(b for b in at.button if b.label == "添加备注").click().run()
        at.checkbox(key=f"step-{seeded.incident_id}-1").check().run()
        at.text_input(key="resolve-note").input("carrier fixed")
        next(b for b in at.button if b.label == "解决").click().run()
        incident = alerts.get_incident(seeded.store, seeded.incident_id)
        assert incident.status == "resolved" and incident.resolved_by == "lin"
        timeline = alerts.timeline(seeded.store, seeded.incident_id)
        assert [(e.kind, e.actor) for e in timeline][1:] == [
            ("acknowledged", "lin"),
            ("note", "lin"),
            ("checklist", "lin"),
            ("resolved", "lin"),
        ]
        assert alerts.checklist(seeded.store, seeded.incident_id)[0].done_by == "lin"
        logged = [(a.user, a.action) for a in recent_actions(seeded.store)]
        assert ("lin", "incident.acknowledge") in logged and ("lin", "incident.resolve") in logged
        assert "事后总结" in [e.label for e in at.expander]

    def test_product_role_cannot_act(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="mei", page="incidents", query={"incident": seeded.incident_id})
        assert any(b.label == "确认" for b in at.button)  # a manager may act
        from dashboard.auth import User

        at.session_state["user"] = User("viewer", ("product",), "viewer")
        at.run()
        assert not any(b.label == "确认" for b in at.button)

    def test_signed_alert_link_acknowledges_after_confirmation(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        from alerts import AlertsSettings, LinkSigner, link_secret
        from radar.settings import CoreSettings

        core = CoreSettings()
        signer = LinkSigner(link_secret(AlertsSettings(), core), core.dashboard_url)
        token = signer.token(seeded.incident_id, "acknowledge", datetime.now(UTC))
        query = {"incident": seeded.incident_id, "action": "acknowledge", "token": token}
        at = app_for(user="lin", page="incidents", query=query)
        assert alerts.get_incident(seeded.store, seeded.incident_id).status == "open"  # not yet
        at.button(key="link-confirm").click().run()
        incident = alerts.get_incident(seeded.store, seeded.incident_id)
        assert incident.status == "acknowledged" and incident.acknowledged_by == "lin"
        assert "token" not in at.query_params

    def test_a_link_to_an_incident_already_resolved_says_why_in_chinese(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        """The store's English reason ("incident … is resolved; cannot …") was shown as is."""
        from alerts import AlertsSettings, LinkSigner, link_secret
        from radar.settings import CoreSettings

        core = CoreSettings()
        signer = LinkSigner(link_secret(AlertsSettings(), core), core.dashboard_url)
        token = signer.token(seeded.resolved_id, "acknowledge", datetime.now(UTC))
        query = {"incident": seeded.resolved_id, "action": "acknowledge", "token": token}
        at = app_for(user="lin", page="incidents", query=query)
        at.button(key="link-confirm").click().run()
        assert [e.body for e in at.error] == [
            f"事件 {seeded.resolved_id} 当前状态为“已解决”，无法执行“确认”。"
        ]
        assert alerts.get_incident(seeded.store, seeded.resolved_id).status == "resolved"

    def test_a_forged_tick_of_a_disabled_box_changes_nothing(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        """Review L6 feared a client could send what the page only disables (a resolved
        incident's checklist). Streamlit discards a value sent for a disabled widget, and
        the store refuses a checklist change on a resolved incident (test_incidents)."""
        at = app_for(user="lin", page="incidents", query={"incident": seeded.resolved_id})
        box = at.checkbox(key=f"step-{seeded.resolved_id}-1")
        assert box.disabled
        sent_anyway(box, True).run()
        assert not alerts.checklist(seeded.store, seeded.resolved_id)[0].done
        assert not at.checkbox(key=f"step-{seeded.resolved_id}-1").value

    def test_a_link_secret_too_short_is_said_not_a_traceback(
        self, seeded: Seeded, app_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`radar dashboard` refuses such a key; Streamlit started some other way may not."""
        monkeypatch.setenv("RADAR_ALERTS_LINK_SECRET", "too-short")
        query = {"incident": seeded.incident_id, "action": "resolve", "token": "abc.def"}
        at = app_for(user="lin", page="incidents", query=query)
        assert not at.exception
        assert [e.body for e in at.error] == [
            "告警链接暂时无法验证：链接密钥配置有误。请管理员把 RADAR_ALERTS_LINK_SECRET "
            "设为至少 16 字节的随机值（或不设置，使用数据目录中自动生成的密钥），然后重启仪表盘。"
        ]
        assert not any(b.key == "link-confirm" for b in at.button)
        assert alerts.get_incident(seeded.store, seeded.incident_id).status == "open"

    def test_forged_link_is_refused(self, seeded: Seeded, app_for: Any) -> None:
        query = {"incident": seeded.incident_id, "action": "resolve", "token": "abc.def"}
        at = app_for(user="lin", page="incidents", query=query)
        assert any("告警链接无效" in e.body for e in at.error)
        assert not any(b.key == "link-confirm" for b in at.button)
        assert alerts.get_incident(seeded.store, seeded.incident_id).status == "open"

    def test_silence_from_the_incident_scope_then_expire(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        at = app_for(user="lin", page="incidents", query={"incident": seeded.incident_id})
        assert "没有生效中的静默。" in shown_text(at)
        matchers = next(t for t in at.text_area if t.key.startswith("silence-matchers"))
        # the incident's scope, sparing critical alerts (on-call may not mute those)
        assert matchers.value == 'region="浙江"\ntopic="物流配送"\nseverity!="critical"'
        at.selectbox(key="silence-hours").set_value(24)
        at.text_input(key="silence-comment").input("carrier outage, SF is on it")
        next(b for b in at.button if b.label == "创建静默").click().run()
        (silence,) = alerts.list_silences(seeded.store)
        assert silence.created_by == "lin" and silence.comment == "carrier outage, SF is on it"
        assert silence.describe() == 'region="浙江", topic="物流配送", severity!="critical"'
        assert timedelta(hours=23) < silence.ends_at - datetime.now(UTC) <= timedelta(hours=24)
        assert "carrier outage, SF is on it" in [t.value for t in at.text]
        at.button(key=f"expire-{silence.id}").click().run()
        assert alerts.list_silences(seeded.store) == []
        assert alerts.get_silence(seeded.store, silence.id).expired_by == "lin"
        logged = [(a.user, a.action, a.target) for a in recent_actions(seeded.store)]
        assert ("lin", "silence.create", silence.id) in logged
        assert ("lin", "silence.expire", silence.id) in logged

    def test_oncall_silences_last_a_day_and_spare_critical_alerts(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        """Review L6: any on-call could mute everything, crises included, for a week."""
        at = app_for(user="lin", page="incidents", query={"incident": seeded.incident_id})
        assert at.selectbox(key="silence-hours").options[-1] == "1 天"
        matchers = next(t for t in at.text_area if t.key.startswith("silence-matchers"))
        matchers.input('alertname=~".*"')
        at.text_input(key="silence-comment").input("too noisy")
        next(b for b in at.button if b.label == "创建静默").click().run()
        assert alerts.list_silences(seeded.store) == []
        assert any("可能屏蔽严重告警，需要主管创建" in e.body for e in at.error)
        at = app_for(user="mei", page="incidents", query={"incident": seeded.incident_id})
        next(t for t in at.text_area if t.key.startswith("silence-matchers")).input(
            'alertname=~".*"'
        )
        at.selectbox(key="silence-hours").set_value(72)
        at.text_input(key="silence-comment").input("planned migration")
        next(b for b in at.button if b.label == "创建静默").click().run()
        (silence,) = alerts.list_silences(seeded.store)
        assert silence.created_by == "mei"

    def test_a_bad_matcher_is_refused_with_the_reason(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="mei", page="incidents")
        next(t for t in at.text_area if t.key.startswith("silence-matchers")).input("region 浙江")
        at.text_input(key="silence-comment").input("test")
        next(b for b in at.button if b.label == "创建静默").click().run()
        assert any("cannot read matcher" in e.body for e in at.error)
        assert alerts.list_silences(seeded.store) == []

    def test_an_incident_named_in_the_url_is_never_rendered(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        """Review L1: ?incident= was echoed into st.error, a phishing link in the dashboard."""
        phish = "[会话已过期，请重新登录](https://evil.example) ![](https://tracker.example/x)"
        at = app_for(user="lin", page="incidents", query={"incident": phish})
        assert "evil.example" not in markdown_sources(at)
        assert phish not in at.selectbox(key="incident").options
        assert [w.body for w in at.warning] == ["找不到这个事件，或你无权查看它。"]

    def test_a_title_or_scope_from_customer_labels_is_shown_as_written(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        from alerts.incidents import open_incident

        region = "浙江](https://evil.example) :red[**已解决**]"
        hostile = open_incident(
            seeded.store,
            group_key="g-hostile",
            rule="logistics-spike",
            type="spike",
            title=f"物流投诉激增: [确认](https://evil.example) {region}",
            severity=2,
            key={"topic": "物流配送", "region": region},
            data={"alerts": []},
        )
        at = app_for(user="lin", page="incidents", query={"incident": hostile.id})
        assert not at.exception, at.exception
        shown = live_markdown(markdown_sources(at))
        assert "](" not in shown and ":red[" not in shown and "**已解决**" not in shown
        assert any("物流投诉激增" in h.value for h in at.subheader)

    def test_history_lists_resolved_incidents(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="lin", page="incidents", query={"incident": seeded.resolved_id})
        past = frame_with(at, "resolved_at")
        assert list(past["id"]) == [seeded.resolved_id]
        assert any(seeded.resolved_id in c.value for c in at.code)  # the post-incident summary


class TestImprovements:
    def test_effect_of_the_seeded_action(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="wang", page="improvements")
        assert not at.exception, at.exception
        table = frame_with(at, "verdict")
        row = table.iloc[0]
        assert row["title"] == "平板质检加严" and row["verdict"] == "已改善"
        assert row["after"] < row["before"]
        assert {m.label: m.value for m in at.metric}["结论"] == "已改善"

    def test_record_an_action_as_the_user(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="wang", page="improvements")
        at.text_input(key="imp-title").input("仓库改用加厚包装")
        at.selectbox(key="imp-topic").select("物流配送")
        at.selectbox(key="imp-region").select("浙江")
        at.text_input(key="imp-owner").input("zhao")
        next(b for b in at.button if b.label == "保存").click().run()
        assert not at.exception, at.exception
        recorded = next(a for a in list_improvements(seeded.store) if a.title == "仓库改用加厚包装")
        assert (recorded.topic, recorded.region, recorded.owner, recorded.created_by) == (
            "物流配送",
            "浙江",
            "zhao",
            "wang",
        )
        assert "仓库改用加厚包装" in set(frame_with(at, "verdict")["title"])
        assert ("wang", "improvement.record") in [
            (a.user, a.action) for a in recent_actions(seeded.store)
        ]

    def test_the_day_picked_is_the_day_shown(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="wang", page="improvements")
        at.text_input(key="imp-title").input("退货入口改版")
        at.date_input(key="imp-date").set_value(date(2026, 12, 7))
        next(b for b in at.button if b.label == "保存").click().run()
        assert not at.exception, at.exception
        recorded = next(a for a in list_improvements(seeded.store) if a.title == "退货入口改版")
        # Beijing's midnight, kept in UTC: 16:00 the evening before
        assert recorded.shipped_at == datetime(2026, 12, 6, 16, tzinfo=UTC)
        assert recorded.shipped_on("Asia/Shanghai") == date(2026, 12, 7)
        table = frame_with(at, "verdict").set_index("title")
        assert table.at["退货入口改版", "shipped"] == date(2026, 12, 7)
        assert "退货入口改版 (全部, 2026-12-07)" in at.selectbox(key="action").options

    def test_before_and_after_meet_at_the_local_midnight_of_the_day_shipped(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        day = local(seeded.now, zone("Asia/Shanghai")).date() - timedelta(days=2)
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone("Asia/Shanghai"))
        seeded.store.add_scored(
            [
                scored(950, "review", 0, product="耳机", created_at=midnight - timedelta(hours=2)),
                scored(
                    951,
                    "review",
                    0,
                    product="耳机",
                    is_complaint=True,
                    created_at=midnight + timedelta(hours=2),  # the day it shipped: after
                ),
            ]
        )
        action = record_improvement(  # kept at 00:00 UTC, 08:00 in Beijing, as older versions did
            seeded.store,
            title="耳机质检",
            product="耳机",
            shipped_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
            owner="wang",
            created_by="wang",
        )
        at = app_for(user="wang", page="improvements", query={"action": str(action.id)})
        assert not at.exception, at.exception
        helps = {m.label: m.help for m in at.metric}
        assert helps["之前投诉率"] == "0 / 1 条" and helps["之后投诉率"] == "1 / 1 条"
        table = frame_with(at, "verdict").set_index("title")
        assert table.at["耳机质检", "shipped"] == day

    def test_oncall_cannot_record(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="mei", page="improvements")
        assert any(e.label == "记录一项改进" for e in at.expander)
        from dashboard.auth import User

        at.session_state["user"] = User("lin", ("oncall",), "lin")
        at.run()
        assert not any(e.label == "记录一项改进" for e in at.expander)


class TestProducts:
    def test_topic_mix_terms_and_faq_with_export(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="wang", page="products")
        assert not at.exception, at.exception
        assert len(at.get("vega_lite_chart")) == 1
        faq = frame_with(at, "coverage")
        assert faq.iloc[0]["question"] == "快递一周还没到，什么时候发货？"
        assert faq.iloc[0]["count"] == 12
        assert at.get("download_button")
        # two weeks of history: the 23 days before the last 7 hold too few messages
        assert "之前的消息太少" in shown_text(at)

    def test_one_product(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="wang", page="products", query={"product": "手机"})
        assert "这段时间没有提问类消息" in shown_text(at)


class TestHealth:
    def test_lag_deadletters_and_connectors(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="lin", page="health")
        assert not at.exception, at.exception
        assert {m.label: m.value for m in at.metric}["消费延迟（条）"] == "40"
        reasons = frame_with(at, "recent").set_index("reason")
        assert reasons.at["missing_field", "total"] == 3 and reasons.at["bad_json", "total"] == 2
        beats = frame_with(at, "lag_seconds").set_index("source")
        assert beats.at["email-imap", "status"] == "中断"
        assert HOSTILE in set(frame_with(at, "original")["original"])
        assert "<script" not in markdown_sources(at)


def headings(at: Any, column: str) -> str:
    """The heading the app gave ``column`` in the table that has it."""
    table = next(d for d in at.dataframe if column in d.value.columns)
    config = json.loads(table.proto.columns or "{}")
    return str(config.get(column, {}).get("label", ""))


class TestLanguageAndTimeZone:
    def test_incident_times_are_beijing_time_and_say_so(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="lin", page="incidents", query={"incident": seeded.incident_id})
        assert not at.exception, at.exception
        timeline = frame_with(at, "actor")
        assert str(timeline["at"].dt.tz) == "Asia/Shanghai"
        opened = seeded.now - timedelta(hours=2)  # when the seeded incident opened
        assert timeline["at"].iloc[0] == pd.Timestamp(opened).tz_convert("Asia/Shanghai")
        assert headings(at, "at") == "时间（北京时间）" and headings(at, "actor") == "操作人"
        assert timeline["message"].iloc[0] == "由规则 logistics-spike 开启：物流投诉激增: 浙江"
        local = pd.Timestamp(opened).tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M")
        assert f"开始于 {local}（北京时间）" in shown_text(at)
        listed = frame_with(at, "age")  # the open incidents
        assert str(listed["opened_at"].dt.tz) == "Asia/Shanghai"
        assert headings(at, "age") == "持续" and headings(at, "opened_at") == "开始（北京时间）"
        steps = [c.label for c in at.checkbox if c.key.startswith("step-")]
        assert steps[0] == "[职责] 确认并指定负责人"

    def test_messages_show_local_time(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(page="complaints", query={"channel": "review"})
        messages = frame_with(at, "text")
        assert str(messages["created_at"].dt.tz) == "Asia/Shanghai"
        assert headings(at, "text") and headings(at, "created_at") == "时间（北京时间）"

    def test_english_readers_get_english_and_another_zone_is_named(
        self, seeded: Seeded, app_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("RADAR_TIMEZONE", "Asia/Tokyo")
        at = app_for(
            user="lin", page="incidents", query={"incident": seeded.incident_id}, lang="en"
        )
        assert not at.exception, at.exception
        timeline = frame_with(at, "actor")
        assert str(timeline["at"].dt.tz) == "Asia/Tokyo"
        assert headings(at, "at") == "Time (UTC+09:00 Asia/Tokyo)"
        assert timeline["message"].iloc[0] == "opened by rule logistics-spike: 物流投诉激增: 浙江"
        steps = [c.label for c in at.checkbox if c.key.startswith("step-")]
        assert steps[0] == "[responsibilities] Acknowledge and name an owner"
        assert "Past incidents" in [s.value for s in at.subheader]

    def test_the_default_language_is_radar_language_unless_the_dashboard_sets_its_own(
        self, seeded: Seeded, app_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("RADAR_LANGUAGE", "en")
        assert app_for(page="overview").title[0].value == "Overview"
        monkeypatch.setenv("RADAR_DASHBOARD_LANGUAGE", "zh")
        import streamlit as st

        st.cache_resource.clear()  # settings are read once per server
        assert app_for(page="overview").title[0].value == "总览"


WINDOW = {
    "window_start": "2026-12-07T05:00:00+00:00",
    "window_end": "2026-12-07T06:00:00+00:00",
    "observed": 12.0,
    "expected": 0.5,
}


class TestDriversAndEmergingIssues:
    def open(self, seeded: Seeded, **args: Any) -> str:
        from alerts.incidents import open_incident

        return open_incident(seeded.store, rule="r", severity=1, **args).id

    def test_an_emerging_issue_offers_the_taxonomy_edit_for_its_term(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        sample = {"id": "e1", "text": "二维码失效了，质量太差", "channel": "review"}
        alert = {"type": "emerging", "key": {"term": "二维码失效"}, "samples": [sample], **WINDOW}
        incident_id = self.open(
            seeded,
            group_key="g-emerging",
            type="emerging",
            title="新问题：二维码失效",
            key={"term": "二维码失效"},
            data={"alerts": [alert]},
        )
        at = app_for(user="lin", page="incidents", query={"incident": incident_id})
        assert not at.exception, at.exception
        chooser = at.selectbox(key=f"taxonomy-topic-{incident_id}")
        assert chooser.value == "商品质量"  # the sample says 质量
        [edit] = [c.value for c in at.code if c.language == "yaml"]
        assert edit.startswith("  - code: 商品质量\n    keywords: [质量, ")
        assert edit.rstrip().endswith(", 二维码失效]")
        chooser.set_value("安装使用").run()
        [edit] = [c.value for c in at.code if c.language == "yaml"]
        assert "code: 安装使用" in edit and "二维码失效" in edit

    def test_a_spike_incident_names_its_drivers(self, seeded: Seeded, app_for: Any) -> None:
        drivers = [
            {"field": "region", "value": "广东", "share": 0.72, "observed": 30, "expected": 4},
            {"field": "channel", "value": "social", "share": 0.6, "observed": 20, "expected": 3},
        ]
        alert = {"type": "spike", "key": {"topic": "物流配送"}, "drivers": drivers, **WINDOW}
        incident_id = self.open(
            seeded,
            group_key="g-driven",
            type="spike",
            title="投诉激增：物流配送",
            key={"topic": "物流配送"},
            data={"alerts": [alert]},
        )
        at = app_for(user="lin", page="incidents", query={"incident": incident_id})
        assert not at.exception, at.exception
        assert "主要来源：广东 72%、社交媒体 60%" in [m.value for m in at.markdown]
        assert not [c for c in at.code if c.language == "yaml"]  # no taxonomy edit for a spike
