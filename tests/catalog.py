"""What the code base declares, for tests that keep docs and deployment files in step with it."""

from __future__ import annotations

import importlib
import pkgutil

from radar.settings import RadarSettings

PACKAGES = ("radar", "ingest", "streams", "alerts", "dashboard", "api")
#: Modules that run an app when imported (Streamlit pages), never imported here.
SCRIPTS = ("dashboard.app", "dashboard.app_pages")
#: Packages only a tool loads in its own context: Alembic runs the store's migrations
#: (env.py configures Alembic when imported, so it fails anywhere else).
TOOL_PACKAGES = ("radar.store.migrations",)


def settings_models() -> list[type[RadarSettings]]:
    """Every settings model in the project (their modules are imported to find them)."""
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if not info.name.startswith(SCRIPTS + TOOL_PACKAGES):
                importlib.import_module(info.name)
    found: list[type[RadarSettings]] = []
    pending = list(RadarSettings.__subclasses__())
    while pending:
        model = pending.pop()
        subclasses = model.__subclasses__()
        pending.extend(subclasses)
        if not subclasses:  # a base is read through its subclasses' prefixes
            found.append(model)
    return found


def known_variables() -> set[str]:
    """Every environment variable some settings model reads."""
    names: set[str] = set()
    for model in settings_models():
        prefix = model.model_config.get("env_prefix", "")
        names.update(f"{prefix}{field}".upper() for field in model.model_fields)
    return names


def settings_fields() -> list[tuple[str, str]]:
    """(environment prefix, field name) of every setting."""
    return [
        (str(model.model_config.get("env_prefix", "")), field)
        for model in settings_models()
        for field in model.model_fields
    ]
