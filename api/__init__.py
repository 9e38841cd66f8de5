"""HTTP API: customer messages, key figures, signals and incidents for other systems.

``radar api`` serves :func:`build_app` (aiohttp, like the push endpoints) to the
clients of ``RADAR_API_CLIENTS``; ``api/openapi.yaml`` describes every route.
"""

from api.app import build_app, openapi, routes
from api.auth import Caller, TokenCheck, check_exposure, digest, new_token
from api.context import ApiState
from api.settings import ApiClientSpec, ApiSettings

__all__ = [
    "ApiClientSpec",
    "ApiSettings",
    "ApiState",
    "Caller",
    "TokenCheck",
    "build_app",
    "check_exposure",
    "digest",
    "new_token",
    "openapi",
    "routes",
]
