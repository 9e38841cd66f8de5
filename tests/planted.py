"""Generated complaints with a planted cause: a wave in one region and one product, a new phrase.

Two days and more of ordinary delivery and quality complaints over six regions
(广东 the largest), six products and four channels, then a wave: extra
complaints from one smaller region about one product, whose texts name a
defect no taxonomy topic lists. Used by the driver and emerging-issue tests
and by ``bench/drivers.py``; the same seed gives the same history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from radar.events import ScoredEvent, make_event_id
from streams.counting import Delivery

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
REGIONS = {"广东": 0.34, "浙江": 0.2, "江苏": 0.16, "上海": 0.12, "北京": 0.1, "四川": 0.08}
PRODUCTS = {"p1": 0.3, "p2": 0.22, "p3": 0.18, "p4": 0.14, "p5": 0.1, "p6": 0.06}
CHANNELS = {"review": 0.5, "chat": 0.25, "social": 0.15, "forum": 0.1}
ORDINARY = [
    ("物流配送", "快递太慢了，等了好几天"),
    ("物流配送", "发货太慢，物流一直不更新"),
    ("商品质量", "质量很差，用了两天就坏了"),
    ("商品质量", "做工粗糙，有划痕"),
    ("退换货退款", "客服不理人，退款一直没处理"),
]
#: The defect nobody listed, and the ways customers write it.
PHRASE = "二维码失效"
PHRASE_TEXTS = [
    "保修卡上的二维码失效了，根本扫不出来",
    "包装上的二维码失效，没法验证真假",
    "二维码失效，扫了好几次都不行，质量太差",
    "说明书二维码失效，客服也说不清楚",
    "刚买的就二维码失效，扫码失效怎么激活",
]


@dataclass(frozen=True)
class Plant:
    """What was planted: the wave's region, product and phrase, and when it started."""

    region: str
    product: str
    start: datetime
    hours: float
    per_hour: float


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def rhythm(at: datetime) -> float:
    """Busier by day (Beijing), quieter at night."""
    hour = (at.hour + 8) % 24
    return 1.4 if 9 <= hour < 22 else 0.4


def planted(
    seed: int = 1,
    *,
    history_h: int = 54,
    wave_h: float = 3.0,
    per_hour: float = 30.0,
    wave_per_hour: float = 12.0,
    region: str | None = None,
    product: str | None = None,
    phrase: bool = True,
    spread: bool = False,
) -> tuple[list[ScoredEvent], Plant]:
    """Ordinary complaints for ``history_h`` hours, the last ``wave_h`` with a planted wave.

    ``spread``: the wave comes from every region and product in the usual mix (no
    driver to find; ``Plant.region`` and ``product`` are then empty).
    """
    rng = random.Random(seed)
    region = "" if spread else region or rng.choice([r for r in REGIONS if r != "广东"])
    product = "" if spread else product or rng.choice(list(PRODUCTS)[1:])
    wave_start = T0 + timedelta(hours=history_h - wave_h)
    plant = Plant(region, product, wave_start, wave_h, wave_per_hour)
    events: list[ScoredEvent] = []

    def add(at: datetime, topic: str, text: str, **fields: str) -> None:
        n = len(events)
        events.append(
            ScoredEvent(
                id=make_event_id("review", "planted", f"{seed}-{n}"),
                external_id=f"{seed}-{n}",
                source="planted",
                channel=fields.get("channel") or _pick(rng, CHANNELS),
                text=text,
                created_at=at,
                ingested_at=at,
                region=fields.get("region") or _pick(rng, REGIONS),
                product=fields.get("product") or _pick(rng, PRODUCTS),
                sentiment=0.1,
                sentiment_label="neg",
                topics=[topic] if topic else [],
                is_complaint=True,
                scored_at=at,
            )
        )

    for minute in range(history_h * 60):
        at = T0 + timedelta(minutes=minute)
        for _ in range(_poisson(rng, per_hour * rhythm(at) / 60)):
            topic, text = rng.choice(ORDINARY)
            add(at + timedelta(seconds=rng.uniform(0, 59)), topic, text)
        if at >= wave_start:
            for _ in range(_poisson(rng, wave_per_hour / 60)):
                # no topic places the new defect; without it the wave is of quality complaints
                text = rng.choice(PHRASE_TEXTS) if phrase else "质量很差，用了两天就坏了"
                add(
                    at + timedelta(seconds=rng.uniform(0, 59)),
                    "" if phrase else "商品质量",
                    text,
                    region=region,
                    product=product,
                )
    events.sort(key=lambda e: (e.created_at, e.id))
    return events, plant


def deliveries(events: list[ScoredEvent]) -> list[Delivery]:
    return [Delivery(0, n, event) for n, event in enumerate(events)]


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = pow(2.718281828459045, -mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k
