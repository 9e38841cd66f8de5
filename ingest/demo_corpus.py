"""Demo feed: the texts it speaks with (labelled reviews from the shared data, plus templates)."""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from radar.errors import ConfigError

#: The shared labelled reviews, beside the repository (never copied into it).
DEFAULT_REVIEWS = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reviews_train.csv"
)

DELIVERY = re.compile(r"快递|物流|发货|送货|配送")
REGIONS = (
    ("广东", 14),
    ("浙江", 10),
    ("江苏", 10),
    ("上海", 8),
    ("北京", 8),
    ("山东", 7),
    ("四川", 7),
    ("湖北", 6),
    ("河南", 6),
    ("福建", 6),
    ("湖南", 5),
    ("陕西", 4),
    ("辽宁", 4),
    ("云南", 3),
    ("黑龙江", 2),
)
SEGMENTS = (("普通会员", 60), ("VIP", 20), ("新客", 20))

STAFF_REPLIES = (
    "您好，非常抱歉给您带来不便，已为您登记售后，请留意短信通知。",
    "亲，已经帮您联系仓库核实，今天内给您回复处理结果。",
    "您好，麻烦提供一下订单号，我们马上为您处理。",
    "感谢反馈，已为您申请补发/退款，1-3个工作日到账。",
    "您好，已转交质检部门跟进，有进展会第一时间通知您。",
)
COURIER_DELAY = (
    "快递一个星期了还没到，物流信息一直不更新，到底什么时候能送到？",
    "下单五天了还显示在中转站，{region}这边的快递是停了吗？",
    "物流太慢了，催了三次客服都说在路上，差评。",
    "说好的次日达，结果等了四天，快递员电话也打不通。",
    "包裹卡在{region}分拨中心三天没动，急用的东西耽误了。",
)
SAFETY_SCARE = (
    "{product}用了不到一个月，洗澡的时候突然冒烟起火，太吓人了！大家千万别买！",
    "我家{product}漏电，孩子洗澡被电了一下，已经报警，要求厂家给说法！",
    "刚看到论坛上说{product}起火，我家的也有焦糊味，是不是同一批次有问题？",
    "{product}爆炸新闻是真的吗？我们家上周刚买，现在都不敢用了。",
    "转发扩散：{product}存在严重安全隐患，已向消协投诉，维权群已建。",
)
SAFETY_PRODUCT = "热水器"


@dataclass
class Corpus:
    """Review texts by (category, label), and the negative ones that speak of delivery."""

    by_label: dict[tuple[str, int], list[str]] = field(default_factory=lambda: defaultdict(list))
    delivery_negative: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def text(self, rng: random.Random, category: str, positive: bool) -> str:
        pool = (
            self.by_label.get((category, int(positive)))
            or self.by_label[(self.categories[0], int(positive))]
        )
        return rng.choice(pool)


def load_corpus(path: Path = DEFAULT_REVIEWS, *, max_chars: int = 240) -> Corpus:
    """Read ``cat,label,review`` rows; short enough texts only, so the feed reads like feedback."""
    if not path.is_file():
        msg = (
            f"{path} is missing; the demo feed reads ../shared/data/reviews_train.csv beside "
            "the repository (set RADAR_INGEST_DEMO_REVIEWS_PATH to use another file)"
        )
        raise ConfigError(msg)
    corpus = Corpus()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text, cat = (row.get("review") or "").strip(), (row.get("cat") or "").strip()
            if not text or not cat or len(text) > max_chars or row.get("label") not in {"0", "1"}:
                continue
            label = int(row["label"])
            corpus.by_label[(cat, label)].append(text)
            if label == 0 and DELIVERY.search(text):
                corpus.delivery_negative.append(text)
    corpus.categories = sorted({cat for cat, _ in corpus.by_label})
    if not corpus.categories:
        raise ConfigError(f"{path}: no usable rows (expected columns cat,label,review)")
    return corpus


def weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]
