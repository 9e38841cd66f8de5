"""requirements.lock: every dependency pinned by version and hash, and installed from it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = (ROOT / "requirements.lock").read_text(encoding="utf-8")
PINNED = {
    canonicalize_name(name): version
    for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", LOCK, re.MULTILINE)
}
DECLARED = [
    Requirement(spec)
    for spec in [
        *PYPROJECT["project"]["dependencies"],
        *PYPROJECT["project"]["optional-dependencies"]["test"],
    ]
]


@pytest.mark.parametrize("requirement", DECLARED, ids=str)
def test_every_dependency_is_locked_at_a_version_it_allows(requirement: Requirement) -> None:
    name = canonicalize_name(requirement.name)
    assert name in PINNED, (
        f"{requirement.name} is in pyproject.toml but not in requirements.lock; regenerate the "
        "lock (the command is in the Makefile, above the install target)"
    )
    assert requirement.specifier.contains(PINNED[name], prereleases=True), (
        f"requirements.lock pins {requirement.name}=={PINNED[name]}, outside {requirement}; "
        "regenerate the lock"
    )


def test_every_locked_package_has_hashes() -> None:
    entries = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", LOCK.strip())
    assert len(entries) == len(PINNED)
    for entry in entries:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_make_install_installs_from_the_lock_then_the_project_alone() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install --quiet --require-hashes -r requirements.lock" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    assert re.search(r"^\$\(STAMP\): pyproject.toml requirements.lock$", makefile, re.MULTILINE)
