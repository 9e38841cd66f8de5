"""The OpenAPI document and the served routes agree: every route documented, every documented
route served, the same query parameters and body fields as the models that validate them."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from api import ApiSettings, ApiState, build_app, openapi, params, routes
from api import incidents as incident_routes
from radar.settings import CoreSettings
from radar.store import Store, make_engine

#: route -> the model its query parameters are validated with
QUERIES: dict[tuple[str, str], type[params.Params]] = {
    ("GET", "/api/v1/events"): params.EventsQuery,
    ("GET", "/api/v1/events/export"): params.ExportQuery,
    ("GET", "/api/v1/kpis"): params.FiguresQuery,
    ("GET", "/api/v1/response-times"): params.ResponseTimesQuery,
    ("GET", "/api/v1/signals"): params.SignalsQuery,
    ("GET", "/api/v1/incidents"): params.IncidentsQuery,
    ("GET", "/api/v1/incidents/{id}"): params.IncidentQuery,
    ("GET", "/api/v1/incidents/{id}/evidence"): params.EvidenceQuery,
}
BODIES: dict[tuple[str, str], type[params.Params]] = {
    ("POST", "/api/v1/incidents/{id}/acknowledge"): params.AcknowledgeBody,
    ("POST", "/api/v1/incidents/{id}/assign"): params.AssignBody,
    ("POST", "/api/v1/incidents/{id}/resolve"): params.ResolveBody,
    ("POST", "/api/v1/incidents/{id}/notes"): params.NoteBody,
    ("POST", "/api/v1/incidents/{id}/checklist/{step}"): params.StepBody,
}


def served() -> set[tuple[str, str]]:
    store = Store(make_engine("sqlite://"))
    return routes(build_app(ApiState.build(store, ApiSettings(), CoreSettings())))


def documented() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in openapi()["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def resolve(item: dict[str, Any]) -> dict[str, Any]:
    ref = item.get("$ref")
    if ref is None:
        return item
    found: Any = openapi()
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return dict(found)


def test_the_document_is_valid_openapi() -> None:
    validate(openapi())


def test_every_route_is_documented_and_every_documented_route_served() -> None:
    assert served() == documented()


@pytest.mark.parametrize(("route", "model"), QUERIES.items(), ids=lambda r: str(r))
def test_query_parameters_match_the_model(
    route: tuple[str, str], model: type[params.Params]
) -> None:
    method, path = route
    operation = openapi()["paths"][path][method.lower()]
    named = {
        resolve(p)["name"] for p in operation.get("parameters", []) if resolve(p)["in"] == "query"
    }
    assert named == set(model.model_fields)
    lists = {
        resolve(p)["name"]
        for p in operation.get("parameters", [])
        if resolve(p)["in"] == "query" and resolve(p)["schema"].get("type") == "array"
    }
    assert lists == set(model.LISTS)


@pytest.mark.parametrize(("route", "model"), BODIES.items(), ids=lambda r: str(r))
def test_bodies_match_the_model(route: tuple[str, str], model: type[params.Params]) -> None:
    method, path = route
    content = openapi()["paths"][path][method.lower()]["requestBody"]["content"]
    schema = resolve(content["application/json"]["schema"])
    assert set(schema["properties"]) == set(model.model_fields)
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    assert set(schema.get("required", [])) == required


def test_every_action_route_is_checked() -> None:
    posts = {r for r in served() if r[0] == "POST"}
    assert posts == set(BODIES)
    assert len(incident_routes.routes()) == 8
