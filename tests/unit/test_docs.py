"""The docs stay in step with the code: every setting is documented."""

from __future__ import annotations

from pathlib import Path

from tests.catalog import known_variables

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented() -> None:
    docs = (ROOT / "README.md").read_text(encoding="utf-8")
    docs += "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
    missing = sorted(name for name in known_variables() if f"`{name}`" not in docs)
    assert not missing, f"settings missing from README.md and docs/*.md: {missing}"
