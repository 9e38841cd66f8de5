"""Dashboard page 危机与告警 Incidents: open incidents, evidence, playbook, on-call actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

import streamlit as st

import alerts
from alerts.shops import concerning, incident_shops, visible_incidents, visible_to
from alerts.titles import CODED_LABELS
from dashboard import charts, data, incident_actions
from dashboard.analysis.incidents import collapse_samples, driver_lines, incident_rows
from dashboard.analysis.taxonomy_edit import (
    TAXONOMY_FILE,
    shipped_taxonomy,
    suggest_topic,
    taxonomy_edit,
    topics,
)
from dashboard.links import verify_link
from dashboard.queries import exports
from dashboard.resources import settings, store
from dashboard.silence_panel import silence_panel
from dashboard.widgets import (
    copy_list,
    current_user,
    export_buttons,
    label,
    literal,
    locale,
    now_until,
    plain,
    t,
    time_heading,
    url_multiselect,
    url_selectbox,
    user_shops,
)
from radar.errors import ConfigError
from radar.store.audit import record_action

user = current_user()
may_act = user.may("incident")
shops = user_shops()  # a user given some shops sees and acts on their incidents only


def incidents_seen(found: list[alerts.Incident]) -> list[alerts.Incident]:
    """The incidents this user may see, of the shops chosen in the filter (if any)."""
    return concerning(visible_incidents(found, shops), chosen_shops)


def may_see(incident_id: str) -> bool:
    found = alerts.find_incident(store(), incident_id)
    return found is not None and visible_to(found, shops)


st.title(label("page", "incidents"))
# the shops named by the incidents this user may see, for the shop filter
named = sorted(
    {
        shop
        for incident in visible_incidents(
            [*data.open_incidents(now_until()), *data.past_incidents(now_until())], shops
        )
        for shop in incident_shops(incident)
    }
)
chosen_shops = tuple(
    url_multiselect(
        t("dashboard.widgets.shop"),
        named,
        key="shop-incidents",
        param="shop",
        help=t("dashboard.widgets.shop_help_incidents"),
    )
)


def act(kind: str, incident_id: str, run: Callable[[], object], detail: str | None = None) -> bool:
    """Do one incident action as the signed-in user (refused unless the role may act)."""
    return incident_actions.act(user, kind, incident_id, run, detail)


# --- a signed link from an alert message: confirm, then act as the signed-in user -----------------
params = st.query_params
if params.get("action") and params.get("token") and params.get("incident"):
    link_id, link_action = str(params["incident"]), str(params["action"])
    try:
        verify_link(str(params["token"]), link_id, link_action, datetime.now(UTC))
        if not may_see(link_id):
            raise alerts.InvalidToken(t("dashboard.incidents.no_such_incident", chosen=link_id))
    except alerts.InvalidToken as exc:
        st.error(t("dashboard.incidents.link_invalid", exc=literal(exc)))
    except ConfigError:  # a key too short: `radar dashboard` refuses it; Streamlit run directly not
        st.error(t("dashboard.incidents.link_secret_invalid"))
    else:
        verb = {
            "acknowledge": t("dashboard.incidents.acknowledge"),
            "resolve": t("dashboard.incidents.resolve"),
        }.get(link_action, link_action)
        with st.container(border=True):
            st.write(
                t(
                    "dashboard.incidents.alert_link",
                    verb=verb,
                    link_id=literal(link_id),
                    name=literal(user.name),
                )
            )
            if not may_act:
                st.warning(t("dashboard.incidents.cannot_act"))
            elif st.button(f"{verb} {literal(link_id)}", type="primary", key="link-confirm"):
                run = (
                    (
                        lambda: alerts.acknowledge(
                            store(), link_id, user.name, t("dashboard.incidents.via_alert_link")
                        )
                    )
                    if link_action == "acknowledge"
                    else (
                        lambda: alerts.resolve(
                            store(), link_id, user.name, t("dashboard.incidents.via_alert_link")
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
    listed = incidents_seen(data.open_incidents(now_until()))
    rows = incident_rows(listed, now, locale())
    st.subheader(t("dashboard.incidents.open_count", count=len(rows)))
    if rows.empty:
        st.success(t("dashboard.incidents.no_open_incidents"))
        return
    shown = rows.assign(
        severity=[label("severity", s) for s in rows["severity"]],
        status=[label("status", s) for s in rows["status"]],
        age=rows["age"],
    )
    chart_rows = shown.assign(age=rows["age_bucket"])
    left, _ = st.columns([1, 2])
    left.altair_chart(
        charts.severity_age_chart(chart_rows, t("dashboard.incidents.severity_age")),
        width="stretch",
    )
    st.dataframe(
        shown[["id", "title", "severity", "status", "owner", "age", "opened_at"]],
        hide_index=True,
        width="stretch",
        column_config={
            "id": t("dashboard.incidents.id"),
            "title": st.column_config.TextColumn(t("dashboard.common.title"), width="large"),
            "severity": t("dashboard.common.severity"),
            "status": t("dashboard.common.status"),
            "owner": t("dashboard.common.owner"),
            "age": t("dashboard.incidents.age"),
            "opened_at": st.column_config.DatetimeColumn(
                time_heading("dashboard.incidents.opened"), format="YYYY-MM-DD HH:mm"
            ),
        },
    )
    incident_list_buttons(listed, "open", now)


def incident_list_buttons(listed: list[alerts.Incident], kind: str, now: datetime) -> None:
    """Download buttons for the incidents listed (open or past), as the API's list file."""
    reader = locale()
    export_buttons(
        lambda fmt: exports.incidents_file(listed, fmt, reader),
        f"radar-incidents-{kind}-{reader.clock(now, '%Y%m%d-%H%M')}",
        key=f"export-incidents-{kind}",
    )


open_list()

open_now = incidents_seen(data.open_incidents(now_until()))
past = incidents_seen(data.past_incidents(now_until()))
known = [i.id for i in open_now] + [i.id for i in past]
wanted = st.query_params.get("incident")
if wanted and wanted not in known:
    # only an incident this user may see is offered; the URL's text itself is never shown
    if may_see(str(wanted)):
        known.insert(0, str(wanted))
    else:
        st.warning(t("dashboard.incidents.not_found"))
titles = {i.id: f"{i.id} · {i.title_in(locale())}" for i in [*open_now, *past]}
chosen = url_selectbox(
    t("dashboard.incidents.incident"),
    known,
    key="incident",
    format_func=lambda i: titles.get(i, i),
    placeholder=t("dashboard.incidents.choose_incident"),
)

scope: dict[str, str] | None = None  # the chosen incident's key: a silence starts from it
if chosen:
    try:
        if not may_see(chosen):
            raise alerts.IncidentNotFound(chosen)
        incident, steps, events = data.incident_detail(chosen)
    except alerts.IncidentNotFound:
        st.error(t("dashboard.incidents.no_such_incident", chosen=literal(chosen)))
        st.stop()
    with st.container(border=True):
        st.subheader(literal(incident.title_in(locale())))
        cols = st.columns(3)
        cols[0].metric(t("dashboard.common.status"), label("status", incident.status))
        cols[1].metric(t("dashboard.common.severity"), label("severity", incident.severity))
        cols[2].metric(t("dashboard.common.owner"), incident.owner or "—")
        scope_text = t("text.join").join(
            f"{label('key', k)} {literal(label(CODED_LABELS.get(k, k), v))}"
            for k, v in sorted(incident.key.items())
            if v
        ) or t("text.none")
        st.caption(
            t(
                "dashboard.incidents.caption",
                rule=literal(incident.rule) if incident.rule else t("text.none"),
                scope=scope_text,
                opened=locale().time(incident.opened_at),
            )
        )
        scope = {str(k): str(v) for k, v in incident.key.items() if v}
        alert_list = list(incident.data.get("alerts", []))
        evidence = data.evidence(alert_list, locale().lang)
        if not evidence.empty:
            st.altair_chart(
                charts.evidence_chart(
                    evidence,
                    t("dashboard.incidents.evidence"),
                    t("dashboard.incidents.observed"),
                    t("dashboard.incidents.expected"),
                ),
                width="stretch",
            )
        for line in driver_lines(alert_list, locale()):
            st.markdown(literal(line))
        samples = [s for a in alert_list for s in a.get("samples", [])]
        term = incident.key.get("term") if incident.type == "emerging" else None
        if term:
            # a lasting new issue belongs in the taxonomy: the edit that puts it there
            taxonomy = shipped_taxonomy()
            codes = list(topics(taxonomy))
            suggested = suggest_topic(taxonomy, [str(s.get("text", "")) for s in samples])
            st.markdown(f"**{t('dashboard.incidents.taxonomy_edit')}**")
            topic = st.selectbox(
                t("dashboard.incidents.taxonomy_topic"),
                codes,
                index=codes.index(suggested) if suggested in codes else 0,
                key=f"taxonomy-topic-{incident.id}",
            )
            st.caption(
                t("dashboard.incidents.taxonomy_caption", term=literal(term), path=TAXONOMY_FILE)
            )
            st.code(taxonomy_edit(taxonomy, str(topic), term), language="yaml")
        if samples:
            st.markdown(f"**{t('dashboard.incidents.sample_messages')}**")
            # one customer saying it on several channels is one sample, its copies under it
            first_of = data.first_ids(tuple(str(s["id"]) for s in samples if s.get("id")))
            shown = collapse_samples(samples, first_of)[:5]
            copies = data.copies(tuple(first for _, first in shown if first))
            for sample, first in shown:
                with st.container(border=True):
                    channel = label("channel", sample["channel"]) if sample.get("channel") else ""
                    at = sample.get("created_at")
                    when = locale().time(datetime.fromisoformat(at)) if at else ""
                    st.caption(f"{channel} {when}")
                    plain(str(sample.get("text", "")))
                    others = (copies["first_id"] == first) & (copies["id"] != sample.get("id"))
                    copy_list(copies[others])

        st.markdown(f"**{t('dashboard.incidents.playbook_checklist')}**")
        for step in steps:
            done_by = f" — {step.done_by}" if step.done else ""
            ticked = st.checkbox(
                f"[{label('area', step.area)}] {step.text_in(locale())}{done_by}",
                value=step.done,
                key=f"step-{incident.id}-{step.step}",
                disabled=not may_act or not incident.is_open,
            )
            if ticked != step.done:
                if act(
                    "checklist",
                    incident.id,
                    partial(alerts.set_step, store(), incident.id, step.step, user.name, ticked),
                    f"step {step.step} {'done' if ticked else 'not done'}",
                ):
                    st.rerun()
                # refused (a box the page disabled, sent anyway): say why here; a rerun
                # would find the box still differing from the record and try again
                refused = st.session_state.pop("_flash", ("error", ""))
                st.error(refused[1])

        if may_act and incident.is_open:
            a, b, c, d = st.columns(4)
            with a.form("ack", clear_on_submit=True, border=False):
                note = st.text_input(t("dashboard.incidents.note_optional"), key="ack-note")
                if st.form_submit_button(
                    t("dashboard.incidents.acknowledge"),
                    type="primary",
                    disabled=incident.status != "open",
                ):
                    act(
                        "acknowledge",
                        incident.id,
                        lambda: alerts.acknowledge(store(), incident.id, user.name, note or None),
                        note,
                    )
                    st.rerun()
            with b.form("assign", clear_on_submit=True, border=False):
                owner = st.text_input(t("dashboard.incidents.assign_to"), key="assign-owner")
                if st.form_submit_button(t("dashboard.incidents.assign")) and owner.strip():
                    act(
                        "assign",
                        incident.id,
                        lambda: alerts.assign(store(), incident.id, owner.strip(), user.name),
                        owner,
                    )
                    st.rerun()
            with c.form("note", clear_on_submit=True, border=False):
                text = st.text_input(t("dashboard.incidents.update"), key="note-text")
                if st.form_submit_button(t("dashboard.incidents.add_note")):
                    act(
                        "note",
                        incident.id,
                        lambda: alerts.add_note(store(), incident.id, user.name, text),
                        text,
                    )
                    st.rerun()
            with d.form("resolve", clear_on_submit=True, border=False):
                why = st.text_input(t("dashboard.incidents.resolution"), key="resolve-note")
                if st.form_submit_button(t("dashboard.incidents.resolve")):
                    act(
                        "resolve",
                        incident.id,
                        lambda: alerts.resolve(store(), incident.id, user.name, why or None),
                        why,
                    )
                    st.rerun()
        elif not may_act:
            st.caption(t("dashboard.incidents.view_only"))

        st.markdown(f"**{t('dashboard.incidents.timeline')}**")
        st.dataframe(
            [
                {
                    "at": locale().local(e.at),
                    "actor": e.actor,
                    "kind": label("timeline", e.kind),
                    "message": e.text(locale()),
                }
                for e in events
            ],
            hide_index=True,
            width="stretch",
            column_config={
                "at": st.column_config.DatetimeColumn(
                    time_heading("dashboard.common.time"), format="YYYY-MM-DD HH:mm:ss"
                ),
                "actor": t("dashboard.incidents.by"),
                "kind": t("dashboard.incidents.kind"),
                "message": st.column_config.TextColumn(t("dashboard.incidents.what")),
            },
        )
        reader, opened = locale(), store()

        def evidence_file(fmt: str, incident_id: str = incident.id) -> bytes:
            record_action(opened, user.name, "export.evidence", incident_id, fmt)
            if fmt == "csv":
                return exports.evidence_file(opened, incident_id, "csv", reader)
            return exports.evidence_file(opened, incident_id, "xlsx", reader)

        export_buttons(
            evidence_file,
            f"{incident.id}-evidence",
            key="export-evidence",
            label=t("dashboard.incidents.export_caption"),
        )
        if not incident.is_open:
            summary = alerts.incident_summary(store(), incident.id, locale())
            with st.expander(t("dashboard.incidents.post_incident_summary")):
                st.code(summary, language="markdown")
            st.download_button(
                t("dashboard.incidents.download_summary"),
                summary,
                file_name=f"{incident.id}.md",
                mime="text/markdown",
            )

if may_act and shops is None:  # a silence mutes every shop's alerts
    silence_panel(user, scope)

st.subheader(t("dashboard.incidents.past_incidents"))
history = incident_rows(past, datetime.now(UTC), locale())
if history.empty:
    st.caption(t("dashboard.incidents.no_past"))
else:
    history = history.assign(severity=[label("severity", s) for s in history["severity"]])
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
            "id": t("dashboard.incidents.id"),
            "title": st.column_config.TextColumn(t("dashboard.common.title")),
            "severity": t("dashboard.common.severity"),
            "owner": t("dashboard.common.owner"),
            "opened_at": st.column_config.DatetimeColumn(
                time_heading("dashboard.incidents.opened"), format="YYYY-MM-DD HH:mm"
            ),
            "resolved_at": st.column_config.DatetimeColumn(
                time_heading("dashboard.incidents.resolved"), format="YYYY-MM-DD HH:mm"
            ),
            "age": t("dashboard.incidents.duration"),
            "acknowledged_by": t("dashboard.incidents.acknowledged_by"),
        },
    )
    incident_list_buttons(past, "past", datetime.now(UTC))
