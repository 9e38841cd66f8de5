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


def pins(lock: str) -> dict[str, tuple[str, frozenset[str]]]:
    """A lock's packages: canonical name → (version, its sha256 hashes)."""
    found = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", lock.strip()):
        pinned = re.match(r"([A-Za-z0-9_.\-]+)==([^\s\\;]+)", entry)
        assert pinned, entry
        hashes = frozenset(re.findall(r"sha256:(\w+)", entry))
        found[canonicalize_name(pinned.group(1))] = (pinned.group(2), hashes)
    return found


IMAGE = pins((ROOT / "requirements-image.lock").read_text(encoding="utf-8"))
BUILD = pins((ROOT / "requirements-build.lock").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
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


def test_make_install_installs_the_build_tools_then_the_lock_then_the_project_alone() -> None:
    """Like the image: jieba's and snownlp's sdists and the project are built with the
    setuptools and wheel requirements-build.lock pins, not with whatever PyPI serves."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\n$(STAMP):", 1)[1].split("\n\n", 1)[0]
    steps = re.findall(r"pip install --quiet ([^\n]+)", recipe)
    assert steps == [
        "--upgrade pip",
        "--require-hashes -r requirements-build.lock",
        "--require-hashes --no-build-isolation -r requirements.lock",
        "--no-deps --no-build-isolation -e .",
    ]
    assert re.search(
        r"^\$\(STAMP\): pyproject.toml requirements.lock requirements-build.lock$",
        makefile,
        re.MULTILINE,
    )


class TestImage:
    """The Docker image installs from locks too (review M11): nothing resolved at build time."""

    @pytest.mark.parametrize(
        "requirement",
        [Requirement(spec) for spec in PYPROJECT["project"]["dependencies"]],
        ids=str,
    )
    def test_every_runtime_dependency_is_in_the_image_lock(self, requirement: Requirement) -> None:
        name = canonicalize_name(requirement.name)
        assert name in IMAGE, f"{requirement.name} is not in requirements-image.lock; regenerate it"
        assert requirement.specifier.contains(IMAGE[name][0], prereleases=True)

    def test_the_image_lock_pins_what_the_lock_pins_without_test_tools(self) -> None:
        full = pins(LOCK)
        differing = {name for name, pin in IMAGE.items() if full.get(name) != pin}
        assert not differing, f"requirements-image.lock differs from requirements.lock: {differing}"
        assert all(hashes for _, hashes in IMAGE.values())
        assert not {"pytest", "hypothesis", "playwright", "mypy", "ruff", "pip-audit"} & set(IMAGE)

    @pytest.mark.parametrize("spec", PYPROJECT["build-system"]["requires"])
    def test_the_build_backend_is_locked(self, spec: str) -> None:
        requirement = Requirement(spec)
        version, hashes = BUILD[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version) and hashes

    def test_the_dockerfile_installs_from_the_locks_then_radar_alone(self) -> None:
        steps = re.findall(r"pip install ([^\n&\\]+)", DOCKERFILE)
        assert [step.strip() for step in steps] == [
            "--require-hashes -r requirements-build.lock",
            "--require-hashes --no-build-isolation -r requirements-image.lock",
            "--no-deps --no-build-isolation .",
        ]
