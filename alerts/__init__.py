"""Alerts: turn signals into incidents that reach on-call staff once, with evidence.

The dashboard and other tools use this API (no Kafka needed): incidents
(:func:`acknowledge`, :func:`resolve`, :func:`assign`, :func:`add_note`,
:func:`set_step`, :func:`timeline`, :func:`checklist`, :func:`incident_summary`),
silences (:func:`create_silence`, :func:`list_silences`, :func:`expire_silence`),
and :class:`LinkSigner` to check the tokens of acknowledge/resolve links.
"""

from alerts.config import RulesConfig
from alerts.incidents import (
    ChecklistItem,
    Incident,
    IncidentNotFound,
    InvalidTransition,
    TimelineEntry,
    acknowledge,
    add_note,
    assign,
    checklist,
    find_incident,
    get_incident,
    list_incidents,
    resolve,
    set_step,
    timeline,
)
from alerts.links import InvalidToken, LinkAction, LinkSigner
from alerts.loader import Problem, RulesError, lint, load_rules
from alerts.nflog import NotificationLog
from alerts.pipeline import Pipeline
from alerts.service import AlertService, build_pipeline
from alerts.settings import AlertsSettings, link_secret
from alerts.silences import (
    Silence,
    SilenceNotFound,
    create_silence,
    expire_silence,
    get_silence,
    list_silences,
)
from alerts.summary import incident_summary

__all__ = [
    "AlertService",
    "AlertsSettings",
    "ChecklistItem",
    "Incident",
    "IncidentNotFound",
    "InvalidToken",
    "InvalidTransition",
    "LinkAction",
    "LinkSigner",
    "NotificationLog",
    "Pipeline",
    "Problem",
    "RulesConfig",
    "RulesError",
    "Silence",
    "SilenceNotFound",
    "TimelineEntry",
    "acknowledge",
    "add_note",
    "assign",
    "build_pipeline",
    "checklist",
    "create_silence",
    "expire_silence",
    "find_incident",
    "get_incident",
    "get_silence",
    "incident_summary",
    "link_secret",
    "lint",
    "list_incidents",
    "list_silences",
    "load_rules",
    "resolve",
    "set_step",
    "timeline",
]
