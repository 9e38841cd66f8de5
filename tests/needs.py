"""What a test needs from outside the repository (servers, the full labelled set).

One rule for all of it: when the thing is missing, the test is skipped on a
developer's machine with a message saying what to install or provide, and it
fails in CI (``CI_REQUIRE_SERVERS=1``), where everything must be present.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

CI_VARIABLE = "CI_REQUIRE_SERVERS"
ROOT = Path(__file__).resolve().parents[1]
#: The full labelled review set; it sits beside the checkout in CI, never inside it.
SHARED_REVIEWS = ROOT.parent / "shared" / "data" / "reviews_train.csv"


def missing(message: str) -> NoReturn:
    """Skip the running test because of ``message``, or fail it under CI."""
    if os.environ.get(CI_VARIABLE) == "1":
        pytest.fail(f"{message} ({CI_VARIABLE}=1: nothing may be missing)", pytrace=False)
    pytest.skip(message)


def require(binary: str, install_hint: str) -> str:
    """The path of a program the test needs (a name on PATH or an absolute path)."""
    path = binary if os.path.isabs(binary) and os.path.exists(binary) else shutil.which(binary)
    if path:
        return path
    missing(f"{binary} is not installed; {install_hint}")


def shared_reviews() -> Path:
    """The full labelled set, for the few tests that measure something on all of it."""
    if not SHARED_REVIEWS.is_file():
        missing(
            f"{SHARED_REVIEWS} is missing: this test needs the full labelled review set "
            "beside the checkout (../shared/data/reviews_train.csv, as in CI)"
        )
    return SHARED_REVIEWS
