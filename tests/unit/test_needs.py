"""The rule for what a test needs from outside the repository: skip locally, fail in CI."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests import needs


@pytest.mark.parametrize(
    ("ci", "outcome"), [("1", pytest.fail.Exception), (None, pytest.skip.Exception)]
)
def test_a_missing_server_skips_locally_and_fails_in_ci(
    ci: str | None, outcome: type[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(needs.CI_VARIABLE, raising=False)
    if ci is not None:
        monkeypatch.setenv(needs.CI_VARIABLE, ci)
    with pytest.raises(outcome, match="radar-no-such-server is not installed; apt-get it"):
        needs.require("radar-no-such-server", "apt-get it")


@pytest.mark.parametrize(
    ("ci", "outcome"), [("1", pytest.fail.Exception), ("0", pytest.skip.Exception)]
)
def test_a_missing_shared_set_skips_locally_and_fails_in_ci(
    ci: str, outcome: type[BaseException], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(needs.CI_VARIABLE, ci)
    monkeypatch.setattr(needs, "SHARED_REVIEWS", tmp_path / "reviews_train.csv")
    with pytest.raises(outcome, match="full labelled review set"):
        needs.shared_reviews()


def test_what_is_there_is_returned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(needs.CI_VARIABLE, "1")
    assert needs.require(sys.executable, "") == sys.executable
    assert needs.require("sh", "")
    present = tmp_path / "reviews_train.csv"
    present.write_text("cat,label,review\n", encoding="utf-8")
    monkeypatch.setattr(needs, "SHARED_REVIEWS", present)
    assert needs.shared_reviews() == present
