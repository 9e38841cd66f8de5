"""Dashboard page 危机与告警 Incidents: open incidents, evidence, playbook, on-call actions."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

import alerts
from dashboard import charts, data, i18n, metrics
from dashboard.analysis.incidents import incident_rows
from dashboard.links import verify_link
from dashboard.resources import settings, store
from dashboard.silence_panel import silence_panel
from dashboard.widgets import current_user, label, now_until, plain, tr, url_selectbox
from radar.store.audit import record_action

user = current_user()
may_act = user.may("incident")
st.title(tr("危机与告警", "Incidents"))


def act(kind: str, incident_id: str, run: object, detail: str | None = None) -> None:
    """Do one incident action as the signed-in user; log it, show the outcome."""
    try:
        run()  # type: ignore[operator]
    except (alerts.InvalidTransition, alerts.IncidentNotFound, ValueError) as exc:
        metrics.incident_action(kind, ok=False)
        st.session_state["_flash"] = ("error", str(exc))
    else:
        metrics.incident_action(kind, ok=True)
        record_action(store(), user.name, f"incident.{kind}", incident_id, detail)
        st.session_state["_flash"] = (
            "success",
            tr(f"已记录：{kind} {incident_id}", f"Done: {kind} {incident_id}"),
        )
    data.clear()


# --- a signed link from an alert message: confirm, then act as the signed-in user -----------------
params = st.query_params
if params.get("action") and params.get("token") and params.get("incident"):
    link_id, link_action = str(params["incident"]), str(params["action"])
    try:
        verify_link(str(params["token"]), link_id, link_action, datetime.now(UTC))
    except alerts.InvalidToken as exc:
        st.error(tr(f"告警链接无效：{exc}", f"This alert link cannot be used: {exc}"))
    else:
        verb = {"acknowledge": tr("确认", "Acknowledge"), "resolve": tr("解决", "Resolve")}.get(
            link_action, link_action
        )
        with st.container(border=True):
            st.write(
                tr(
                    f"告警链接：{verb} {link_id}（以 {user.name} 的身份）",
                    f"Alert link: {verb} {link_id} as {user.name}",
                )
            )
            if not may_act:
                st.warning(tr("你的角色不能处理事件。", "Your role cannot act on incidents."))
            elif st.button(f"{verb} {link_id}", type="primary", key="link-confirm"):
                run = (
                    (
                        lambda: alerts.acknowledge(
                            store(), link_id, user.name, tr("通过告警链接", "via alert link")
                        )
                    )
                    if link_action == "acknowledge"
                    else (
                        lambda: alerts.resolve(
                            store(), link_id, user.name, tr("通过告警链接", "via alert link")
                        )
                    )
                )
                act(link_action, link_id, run, "via alert link")
                del st.query_params["action"]
                del st.query_params["token"]
                st.rerun()

flash = st.session_state.pop("_flash", None)
if flash:
    (st.error if flash[0] == "error" else st.success)(flash[1])


@st.fragment(run_every=settings().refresh_s)
def open_list() -> None:
    now = datetime.now(UTC)
    rows = incident_rows(data.open_incidents(now_until()), now)
    st.subheader(tr(f"进行中的事件（{len(rows)}）", f"Open incidents ({len(rows)})"))
    if rows.empty:
        st.success(tr("没有进行中的事件。", "No open incidents."))
        return
    shown = rows.assign(
        severity=[label(i18n.SEVERITY_LABELS, s) for s in rows["severity"]],
        status=[label(i18n.STATUS_LABELS, s) for s in rows["status"]],
        age=rows["age"],
    )
    chart_rows = shown.assign(age=rows["age_bucket"])
    left, _ = st.columns([1, 2])
    left.altair_chart(
        charts.severity_age_chart(chart_rows, tr("按严重度与持续时间", "By severity and age")),
        width="stretch",
    )
    st.dataframe(
        shown[["id", "title", "severity", "status", "owner", "age", "opened_at"]],
        hide_index=True,
        width="stretch",
        column_config={
            "id": tr("编号", "ID"),
            "title": st.column_config.TextColumn(tr("标题", "Title"), width="large"),
            "severity": tr("严重度", "Severity"),
            "status": tr("状态", "Status"),
            "owner": tr("负责人", "Owner"),
            "age": tr("持续", "Age"),
            "opened_at": st.column_config.DatetimeColumn(
                tr("开始 (UTC)", "Opened (UTC)"), format="YYYY-MM-DD HH:mm"
            ),
        },
    )


open_list()

open_now = data.open_incidents(now_until())
past = data.past_incidents(now_until())
known = [i.id for i in open_now] + [i.id for i in past]
wanted = st.query_params.get("incident")
if wanted and wanted not in known:
    known.insert(0, str(wanted))
titles = {i.id: f"{i.id} · {i.title}" for i in [*open_now, *past]}
chosen = url_selectbox(
    tr("事件", "Incident"),
    known,
    key="incident",
    format_func=lambda i: titles.get(i, i),
    placeholder=tr("选择一个事件", "Choose an incident"),
)

scope: dict[str, str] | None = None  # the chosen incident's key: a silence starts from it
if chosen:
    try:
        incident, steps, events = data.incident_detail(chosen)
    except alerts.IncidentNotFound:
        st.error(tr(f"没有事件 {chosen}。", f"No incident {chosen}."))
        st.stop()
    with st.container(border=True):
        st.subheader(incident.title)
        cols = st.columns(3)
        cols[0].metric(tr("状态", "Status"), label(i18n.STATUS_LABELS, incident.status))
        cols[1].metric(tr("严重度", "Severity"), label(i18n.SEVERITY_LABELS, incident.severity))
        cols[2].metric(tr("负责人", "Owner"), incident.owner or "—")
        scope_text = ", ".join(f"{k}={v}" for k, v in sorted(incident.key.items()) if v) or "—"
        st.caption(
            tr(
                f"规则 {incident.rule or '—'} · 范围 {scope_text} · "
                f"开始 {incident.opened_at:%Y-%m-%d %H:%M} UTC",
                f"Rule {incident.rule or '—'} · scope {scope_text} · "
                f"opened {incident.opened_at:%Y-%m-%d %H:%M} UTC",
            )
        )
        scope = {str(k): str(v) for k, v in incident.key.items() if v}
        alert_list = list(incident.data.get("alerts", []))
        evidence = data.evidence(alert_list)
        if not evidence.empty:
            st.altair_chart(
                charts.evidence_chart(
                    evidence,
                    tr("证据：实际 vs 预期", "Evidence: observed vs expected"),
                    tr("实际", "observed"),
                    tr("预期", "expected"),
                ),
                width="stretch",
            )
        samples = [s for a in alert_list for s in a.get("samples", [])]
        if samples:
            st.markdown(f"**{tr('样例消息', 'Sample messages')}**")
            for sample in samples[:5]:
                with st.container(border=True):
                    st.caption(f"{sample.get('channel') or ''} {sample.get('created_at') or ''}")
                    plain(str(sample.get("text", "")))

        st.markdown(f"**{tr('处置清单', 'Playbook checklist')}**")
        for step in steps:
            done_by = f" — {step.done_by}" if step.done else ""
            ticked = st.checkbox(
                f"[{step.area}] {step.text}{done_by}",
                value=step.done,
                key=f"step-{incident.id}-{step.step}",
                disabled=not may_act or not incident.is_open,
            )
            if ticked != step.done:
                act(
                    "checklist",
                    incident.id,
                    lambda s=step.step, d=ticked: alerts.set_step(
                        store(), incident.id, s, user.name, d
                    ),
                    f"step {step.step} {'done' if ticked else 'not done'}",
                )
                st.rerun()

        if may_act and incident.is_open:
            a, b, c, d = st.columns(4)
            with a.form("ack", clear_on_submit=True, border=False):
                note = st.text_input(tr("确认备注", "Note (optional)"), key="ack-note")
                if st.form_submit_button(
                    tr("确认", "Acknowledge"), type="primary", disabled=incident.status != "open"
                ):
                    act(
                        "acknowledge",
                        incident.id,
                        lambda: alerts.acknowledge(store(), incident.id, user.name, note or None),
                        note,
                    )
                    st.rerun()
            with b.form("assign", clear_on_submit=True, border=False):
                owner = st.text_input(tr("指派给", "Assign to"), key="assign-owner")
                if st.form_submit_button(tr("指派", "Assign")) and owner.strip():
                    act(
                        "assign",
                        incident.id,
                        lambda: alerts.assign(store(), incident.id, owner.strip(), user.name),
                        owner,
                    )
                    st.rerun()
            with c.form("note", clear_on_submit=True, border=False):
                text = st.text_input(tr("进展备注", "Update"), key="note-text")
                if st.form_submit_button(tr("添加备注", "Add note")):
                    act(
                        "note",
                        incident.id,
                        lambda: alerts.add_note(store(), incident.id, user.name, text),
                        text,
                    )
                    st.rerun()
            with d.form("resolve", clear_on_submit=True, border=False):
                why = st.text_input(tr("解决说明", "Resolution"), key="resolve-note")
                if st.form_submit_button(tr("解决", "Resolve")):
                    act(
                        "resolve",
                        incident.id,
                        lambda: alerts.resolve(store(), incident.id, user.name, why or None),
                        why,
                    )
                    st.rerun()
        elif not may_act:
            st.caption(tr("你的角色只能查看事件。", "Your role can view incidents only."))

        st.markdown(f"**{tr('时间线', 'Timeline')}**")
        st.dataframe(
            [
                {
                    "at": e.at,
                    "actor": e.actor,
                    "kind": label(i18n.TIMELINE_LABELS, e.kind),
                    "message": e.message,
                }
                for e in events
            ],
            hide_index=True,
            width="stretch",
            column_config={
                "at": st.column_config.DatetimeColumn(
                    tr("时间 (UTC)", "Time (UTC)"), format="YYYY-MM-DD HH:mm:ss"
                ),
                "actor": tr("操作人", "By"),
                "kind": tr("类型", "Kind"),
                "message": st.column_config.TextColumn(tr("内容", "What")),
            },
        )
        if not incident.is_open:
            summary = alerts.incident_summary(store(), incident.id)
            with st.expander(tr("事后总结", "Post-incident summary")):
                st.code(summary, language="markdown")
            st.download_button(
                tr("下载总结", "Download summary"),
                summary,
                file_name=f"{incident.id}.md",
                mime="text/markdown",
            )

if may_act:
    silence_panel(user, scope)

st.subheader(tr("历史事件", "Past incidents"))
history = incident_rows(past, datetime.now(UTC))
if history.empty:
    st.caption(tr("还没有已解决的事件。", "No resolved incidents yet."))
else:
    st.dataframe(
        history[
            [
                "id",
                "title",
                "severity",
                "owner",
                "opened_at",
                "resolved_at",
                "age",
                "acknowledged_by",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "id": tr("编号", "ID"),
            "title": st.column_config.TextColumn(tr("标题", "Title")),
            "severity": tr("严重度", "Severity"),
            "owner": tr("负责人", "Owner"),
            "opened_at": st.column_config.DatetimeColumn(
                tr("开始", "Opened"), format="YYYY-MM-DD HH:mm"
            ),
            "resolved_at": st.column_config.DatetimeColumn(
                tr("解决", "Resolved"), format="YYYY-MM-DD HH:mm"
            ),
            "age": tr("历时", "Duration"),
            "acknowledged_by": tr("确认人", "Acknowledged by"),
        },
    )
