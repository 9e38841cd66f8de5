"""The docs stay in step with the code: every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

from tests.catalog import settings_fields

ROOT = Path(__file__).resolve().parents[2]


def documented(docs: str, prefix: str, field: str) -> bool:
    """By its full variable name, or by field name in a doc that names the model's prefix."""
    variable = f"{prefix}{field}".upper()
    if f"`{variable}`" in docs:
        return True
    named = re.search(rf"(`{field}`|^\s*{field}:)", docs, re.MULTILINE)
    return prefix.upper() in docs and named is not None


def test_every_setting_is_documented() -> None:
    docs = (ROOT / "README.md").read_text(encoding="utf-8")
    docs += "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
    missing = sorted(
        f"{prefix}{field}".upper()
        for prefix, field in settings_fields()
        if not documented(docs, prefix, field)
    )
    assert not missing, f"settings missing from README.md and docs/*.md: {missing}"
