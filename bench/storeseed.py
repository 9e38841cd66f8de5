"""Bulk store seeding for the dashboard benchmark: realistic scored events, fast.

Events are written straight to the store tables in event-time order (as a live
sink writes them), with texts from the shared labelled reviews, topics from the
taxonomy, threads with staff replies on conversation channels, surveys with
CSAT/NPS, heartbeats, dead letters, pipeline samples and a few incidents.
"""

from __future__ import annotations

import csv
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from radar.clock import to_millis
from radar.events import make_event_id
from radar.store import Store
from radar.store.tables import event_topics, events

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = ROOT.parent / "shared" / "data" / "reviews_train.csv"

CHANNELS = (
    ("review", 34),
    ("chat", 24),
    ("survey", 10),
    ("social", 12),
    ("forum", 8),
    ("email", 12),
)
REGIONS = (
    ("广东", 14),
    ("浙江", 10),
    ("江苏", 10),
    ("上海", 8),
    ("北京", 8),
    ("山东", 7),
    ("四川", 7),
)
REGIONS += (
    ("湖北", 6),
    ("河南", 6),
    ("福建", 6),
    ("湖南", 5),
    ("陕西", 4),
    ("辽宁", 4),
    ("云南", 3),
)
SEGMENTS = (("普通会员", 60), ("VIP", 20), ("新客", 20))
#: complaint topics with their weight and lifecycle stage
TOPICS = (
    ("物流配送", 24, "sale"),
    ("商品质量", 20, "aftersale"),
    ("退换货退款", 14, "aftersale"),
    ("客服态度", 9, None),
    ("描述不符", 8, "aftersale"),
    ("价格优惠", 7, "presale"),
    ("订单支付", 6, "sale"),
    ("安装使用", 5, "aftersale"),
    ("账户隐私安全", 2, None),
    ("售前咨询", 3, "presale"),
    ("产品建议", 2, "aftersale"),
)
QUESTIONS = (
    "请问什么时候发货？",
    "这个有现货吗？什么时候能发货",
    "怎么申请退款？",
    "退货运费谁出？",
    "发票怎么开？",
    "可以开发票吗？",
    "怎么修改收货地址？",
    "订单能改地址吗？",
    "保修期多久？",
    "坏了怎么保修？",
    "优惠券怎么用？",
    "满减和优惠券能一起用吗？",
)
STAFF = ("您好，已为您登记售后，请留意短信通知。", "亲，已经帮您联系仓库核实，今天内回复您。")
CONVERSATION = {"chat": 0.05, "forum": 2.0, "email": 5.0, "social": 3.0}  # median reply hours


def weighted(rng: random.Random, pairs: tuple[tuple[Any, ...], ...]) -> Any:
    return rng.choices(pairs, weights=[p[1] for p in pairs])[0]


def load_texts() -> dict[tuple[str, int], list[str]]:
    texts: dict[tuple[str, int], list[str]] = defaultdict(list)
    with REVIEWS.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if len(row["review"]) <= 200:
                texts[(row["cat"], int(row["label"]))].append(row["review"])
    return texts


def daily_rhythm(hour: float) -> float:
    """More feedback in the day and evening than at night (Beijing time = UTC+8)."""
    local = (hour + 8) % 24
    return 0.35 + 0.65 * max(0.0, math.sin(math.pi * (local - 6) / 18)) if local >= 6 else 0.3


class Seeder:
    """Generates ``total`` events over ``days`` up to ``now`` and writes them in batches."""

    def __init__(self, store: Store, now: datetime, days: int, seed: int = 7) -> None:
        self.store = store
        self.now = now
        self.days = days
        self.rng = random.Random(seed)
        self.texts = load_texts()
        self.products = sorted({cat for cat, _ in self.texts})
        self.seq = 0

    def times(self, total: int) -> list[int]:
        """Event times (epoch ms), sorted, following the daily rhythm."""
        rng, start = self.rng, to_millis(self.now - timedelta(days=self.days))
        span = self.days * 86_400_000
        out: list[int] = []
        while len(out) < total:
            at = start + rng.randrange(span)
            if rng.random() < daily_rhythm((at // 3_600_000) % 24):
                out.append(at)
        return sorted(out)

    def customer(self, at: int) -> tuple[dict[str, Any], list[str]]:
        rng = self.rng
        channel = weighted(rng, CHANNELS)[0]
        product = rng.choice(self.products)
        positive = rng.random() < (0.45 if channel in ("forum", "email") else 0.62)
        question = rng.random() < 0.06
        text = (
            rng.choice(QUESTIONS)
            if question
            else rng.choice(self.texts[(product, int(positive))] or ["还行"])
        )
        complaint = not positive and not question and rng.random() < 0.85
        topics = []
        if complaint or question or rng.random() < 0.3:
            topics.append(weighted(rng, TOPICS)[0] if not question else "售前咨询")
            if rng.random() < 0.25:
                topics.append(weighted(rng, TOPICS)[0])
        topics = list(dict.fromkeys(topics))
        stages = [s for t in topics for code, _, s in TOPICS if code == t and s]
        sentiment = rng.uniform(0.62, 1.0) if positive else rng.uniform(0.0, 0.45)
        self.seq += 1
        external = f"b{self.seq}"
        row: dict[str, Any] = {
            "id": make_event_id(channel, f"{channel}-main", external),
            "channel": channel,
            "source": f"{channel}-main",
            "external_id": external,
            "text": text,
            "created_at": at,
            "ingested_at": at + 2_000,
            "scored_at": at + 3_000,
            "stored_at": at + 4_000,
            "product": product,
            "region": weighted(rng, REGIONS)[0],
            "segment": weighted(rng, SEGMENTS)[0],
            "rating": (rng.choice((4, 5, 5)) if positive else rng.choice((1, 2, 3)))
            if channel == "review"
            else None,
            "csat": (rng.choice((4, 5)) if positive else rng.choice((1, 2, 3)))
            if channel == "survey"
            else None,
            "nps": (rng.randint(7, 10) if positive else rng.randint(0, 7))
            if channel == "survey"
            else None,
            "reach": int(20 * rng.paretovariate(1.1)) if channel == "social" else None,
            "thread_id": external if channel in CONVERSATION else None,
            "is_staff_reply": False,
            "lang": "zh",
            "sentiment": sentiment,
            "sentiment_label": "pos" if positive else "neg",
            "topics": topics,
            "stage": stages[-1]
            if stages
            else ("aftersale" if channel in ("review", "survey") else None),
            "department": "客服中心",
            "is_complaint": complaint,
            "severity": (1 if rng.random() < 0.93 else rng.choice((2, 3))) if complaint else 0,
            "crisis_terms": [],
            "engine": "bench",
            "attributes": {},
        }
        return row, topics

    def reply(self, post: dict[str, Any]) -> dict[str, Any] | None:
        rng = self.rng
        median_h = CONVERSATION.get(post["channel"])
        if median_h is None or rng.random() < 0.08:
            return None
        at = post["created_at"] + int(rng.lognormvariate(math.log(median_h), 1.0) * 3_600_000)
        if at >= to_millis(self.now):
            return None
        self.seq += 1
        external = f"b{self.seq}"
        return {
            **post,
            "id": make_event_id(post["channel"], post["source"], external),
            "external_id": external,
            "text": rng.choice(STAFF),
            "created_at": at,
            "ingested_at": at + 2_000,
            "scored_at": at + 3_000,
            "stored_at": at + 4_000,
            "reply_to": post["external_id"],
            "is_staff_reply": True,
            "sentiment": 0.9,
            "sentiment_label": "pos",
            "topics": [],
            "is_complaint": False,
            "severity": 0,
            "rating": None,
            "csat": None,
            "nps": None,
        }

    def run(self, total: int, progress: Callable[[int], None] | None = None) -> int:
        """Write about ``total`` events (customer messages plus staff replies)."""
        customers = int(total / 1.25)
        pending: list[dict[str, Any]] = []  # replies, kept sorted by time as they come due
        written, batch, topic_rows = 0, [], []
        columns = {c.name for c in events.columns}
        started = time.monotonic()
        for at in self.times(customers):
            while pending and pending[0]["created_at"] <= at and written + len(batch) < total:
                batch.append(pending.pop(0))
            if written + len(batch) >= total:
                break
            row, topics = self.customer(at)
            batch.append(row)
            topic_rows += [
                {
                    "event_id": row["id"],
                    "topic": t,
                    "created_at": at,
                    "is_complaint": row["is_complaint"],
                }
                for t in topics
            ]
            answer = self.reply(row) if row["is_complaint"] or self.rng.random() < 0.3 else None
            if answer is not None:
                pending.append(answer)
                pending.sort(key=lambda r: r["created_at"])
            if len(batch) >= 20_000:
                written += self.flush(batch, topic_rows, columns)
                batch, topic_rows = [], []
                if progress:
                    progress(written)
        written += self.flush(batch, topic_rows, columns)
        if progress:
            progress(written)
        _ = started
        return written

    def flush(
        self, rows: list[dict[str, Any]], topic_rows: list[dict[str, Any]], columns: set[str]
    ) -> int:
        if not rows:
            return 0
        full = [{c: r.get(c) for c in columns} for r in rows]
        with self.store.engine.begin() as conn:
            conn.execute(insert(events), full)
            if topic_rows:
                conn.execute(insert(event_topics), topic_rows)
        return len(rows)
