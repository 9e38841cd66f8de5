"""The taxonomy: hand-written examples per topic, stages, routing, and load-time validation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from radar.errors import ConfigError
from streams.crisis_words import required
from streams.taxonomy import DEFAULT_PATH, default_taxonomy, load_taxonomy

DATA = Path(__file__).resolve().parents[2] / "data"

#: Hand-written examples: each must be tagged with its topic (others may be tagged too).
EXAMPLES: dict[str, list[str]] = {
    "售前咨询": [
        "请问这款有现货吗？",
        "175的身高穿什么尺码合适",
        "这两个型号有什么区别",
        "想买一台给老人用，是正品吗",
        "Is this model in stock?",
        "Does it support 5G? Would you recommend it for gaming?",
    ],
    "订单支付": [
        "付款的时候一直提示支付失败",
        "同一个订单扣了两次钱，重复扣款",
        "下单后想取消订单怎么操作",
        "麻烦开一张发票",
        "I was charged twice at checkout",
        "How do I cancel my order before it ships?",
    ],
    "物流配送": [
        "快递三天了还没到",
        "物流信息一直不更新",
        "发货太慢了，等了7天",
        "顺丰送货很快，包裹完好",
        "The parcel never arrived and tracking shows nothing",
        "Delivery was late by a week",
    ],
    "商品质量": [
        "质量太差了，用了两天就坏了",
        "收到的杯子有裂痕开裂了，还有划痕",
        "衣服洗一次就掉色起球",
        "这是假货吧，做工很粗糙",
        "The blender stopped working after a week",
        "Arrived defective with a cracked screen",
    ],
    "描述不符": [
        "实物和图片完全不一样",
        "颜色跟描述不符，色差太大",
        "发错货了，我买的是黑色",
        "虚假宣传，说是纯棉结果不是",
        "Item not as described at all",
        "Wrong color and it looks nothing like the photos",
    ],
    "退换货退款": [
        "申请退款三天了还没处理",
        "我要退货，七天无理由",
        "尺码不合适想换货",
        "保修期内能免费维修吗",
        "I want a refund for this",
        "Can I get a replacement under warranty?",
    ],
    "客服态度": [
        "客服态度太差了",
        "问了半天没人回，一直不回复",
        "售后互相推脱踢皮球",
        "客服很耐心，解答很详细",
        "Customer service was rude and unhelpful",
        "I got no reply from the support team for days",
    ],
    "安装使用": [
        "这个怎么安装啊，说明书看不懂",
        "蓝牙一直连不上手机",
        "充不进电怎么办",
        "有没有使用教程",
        "How to use the timer function? The manual is unclear",
        "Bluetooth pairing fails every time",
    ],
    "价格优惠": [
        "刚买完就降价了，能退差价吗",
        "优惠券为什么用不了",
        "双十一价格比平时还贵",
        "性价比很高，活动价很划算",
        "Is there a discount code or coupon?",
        "The price dropped the day after I bought it",
    ],
    "账户隐私安全": [
        "我的账号被盗了",
        "登录一直提示密码错误",
        "下单后就接到骚扰电话，个人信息泄露了",
        "收不到验证码",
        "My account was hacked and my password changed",
        "You leaked my personal data",
    ],
    "产品建议": [
        "建议增加一个夜间模式",
        "希望能出大一点的尺寸",
        "要是能支持快充就好了",
        "提个意见，包装可以改进一下",
        "I suggest adding a dark mode",
        "It would be great if the lid were dishwasher safe",
    ],
}

#: Texts that must not be tagged with the topic named (common false friends).
NOT_EXAMPLES: list[tuple[str, str]] = [
    ("订单支付", "The display is bright"),
    ("物流配送", "This shipshape little box is great"),
    ("价格优惠", "订单号 20236181234 已收到"),
    ("描述不符", "和朋友一起用，很开心"),
    ("安装使用", "很好吃，会回购"),
]


class TestTopics:
    def test_the_taxonomy_has_every_required_topic(self) -> None:
        assert set(EXAMPLES) <= set(default_taxonomy().topic_codes)

    @pytest.mark.parametrize(
        ("topic", "text"), [(topic, text) for topic, texts in EXAMPLES.items() for text in texts]
    )
    def test_example_is_tagged_with_its_topic(self, topic: str, text: str) -> None:
        assert topic in default_taxonomy().match_topics(text)

    @pytest.mark.parametrize(("topic", "text"), NOT_EXAMPLES)
    def test_false_friend_is_not_tagged(self, topic: str, text: str) -> None:
        assert topic not in default_taxonomy().match_topics(text)

    def test_items_get_several_topics(self) -> None:
        topics = default_taxonomy().match_topics("快递太慢，收到还破损了，客服不回复，我要退款")
        assert {"物流配送", "商品质量", "客服态度", "退换货退款"} <= set(topics)

    def test_nothing_matches_small_talk(self) -> None:
        assert default_taxonomy().match_topics("很好，谢谢") == []


class TestStageAndDepartment:
    @pytest.mark.parametrize(
        ("text", "channel", "stage"),
        [
            ("请问有现货吗", "chat", "presale"),
            ("快递还没到", "chat", "sale"),
            ("质量太差，要退货", "chat", "aftersale"),
            ("降价了能退差价吗", "chat", "aftersale"),
            ("非常满意", "review", "aftersale"),
            ("你好", "chat", None),
        ],
    )
    def test_stage(self, text: str, channel: str, stage: str | None) -> None:
        taxonomy = default_taxonomy()
        assert taxonomy.stage_for(taxonomy.match_topics(text), channel) == stage

    def test_routing_follows_the_first_matching_rule(self) -> None:
        taxonomy = default_taxonomy()
        assert taxonomy.department_for(["物流配送"], [], 1) == "物流部"
        assert taxonomy.department_for(["物流配送", "商品质量"], [], 1) == "品控部"
        assert taxonomy.department_for(["物流配送"], ["legal"], 2) == "法务部"
        assert taxonomy.department_for(["物流配送"], ["safety"], 3) == "危机公关组"
        assert taxonomy.department_for([], [], 0) == "客服中心"


class TestCrisisTerms:
    def test_spans_point_at_the_terms_in_the_text(self) -> None:
        text = "标题 充电宝在包里  突然爆炸了，孩子  烫伤，我要曝光"
        found = default_taxonomy().find_terms(text).crisis
        assert [(h.term, text[h.start : h.end]) for h in found] == [
            ("爆炸", "爆炸"),
            ("烫伤", "烫伤"),
            ("曝光", "曝光"),
        ]
        assert [h.category for h in found] == ["safety", "safety", "media"]

    def test_every_term_reported_has_a_category(self) -> None:
        taxonomy = default_taxonomy()
        for text in ("12315投诉", "冒充你们的客服打电话", "手机烫得根本拿不住", "去了附近的医院"):
            for hit in taxonomy.find_terms(text).crisis:
                assert taxonomy.category_of(hit.term) == hit.category, text

    def test_a_term_in_two_categories_reads_as_the_graver(self) -> None:
        taxonomy = default_taxonomy()
        assert taxonomy.category_of("过敏") == "safety"
        assert taxonomy.category_of("律师") == "legal"
        assert taxonomy.category_of("没有这个词") is None

    def test_the_keyword_only_matcher_takes_every_keyword_as_written(self) -> None:
        taxonomy = default_taxonomy()
        assert taxonomy.match_crisis("没有漏电，不会过敏", keyword_only=True) == {
            "safety": ["漏电", "过敏"]
        }
        assert taxonomy.match_crisis("没有漏电，不会过敏") == {}
        assert taxonomy.match_crisis("全家拉肚子", keyword_only=True) == {}


class TestRequiredText:
    @pytest.mark.parametrize(
        ("pattern", "needed"),
        [
            ("(?:送|进)(?:了|到)?医院", "医院"),
            ("在医院(?:(?<=现在在医院)|(?<=还在医院))", "在医院"),
            ("烫得?(?:根本|都)?拿不住", "拿不住"),  # 得 is optional
            ("烫得?都", "烫"),
            ("拉了.{0,5}肚子", "拉了"),
            ("12345(?<!\\d12345)(?!\\d)", "12345"),
            ("冒[出起]?烟", "冒"),
            ("(?:电池|手机)[^，。]{0,4}鼓包", "鼓包"),
            ("(?:电话|地址)[^，。]{0,6}(?:被卖|卖给)", ""),  # 0 and 6 are bounds, not text
            ("起火|着火", ""),  # alternatives at the top: nothing is sure
            ("(?:12)?315", "315"),
        ],
    )
    def test_the_longest_sure_literal(self, pattern: str, needed: str) -> None:
        assert required(pattern) == needed

    def test_every_match_of_a_shipped_pattern_holds_its_required_text(self) -> None:
        data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
        groups = [*data["crisis"], *data["symptoms"], *data["contaminants"], *data["topics"]]
        patterns = [p for group in groups for p in group.get("patterns", [])]
        texts = [
            json.loads(line)["text"]
            for name in ("crisis_eval.jsonl", "crisis_holdout.jsonl")
            for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        ]
        for pattern in patterns:
            compiled = re.compile(pattern, re.IGNORECASE)
            needed = required(pattern)
            for text in texts:
                for match in compiled.finditer(text):
                    assert needed in match.group(0), (pattern, text)


class TestValidation:
    def write(self, tmp_path: Path, change: dict[str, object]) -> Path:
        data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
        data.update(change)
        path = tmp_path / "taxonomy.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    def test_the_shipped_file_loads(self) -> None:
        assert len(load_taxonomy().topics) >= 11

    def test_bad_regex_names_the_topic_and_pattern(self, tmp_path: Path) -> None:
        topics = [{"code": "坏", "name_en": "bad", "patterns": ["(unclosed"]}]
        with pytest.raises(ConfigError, match=r"topics\.0\.patterns.*\(unclosed"):
            load_taxonomy(self.write(tmp_path, {"topics": topics}))

    def test_topic_without_terms_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match=r"topics\.0.*at least one of keywords"):
            load_taxonomy(self.write(tmp_path, {"topics": [{"code": "空", "name_en": "empty"}]}))

    def test_pattern_matching_everything_is_refused(self, tmp_path: Path) -> None:
        topics = [{"code": "全", "name_en": "all", "patterns": ["x*"]}]
        with pytest.raises(ConfigError, match="empty string"):
            load_taxonomy(self.write(tmp_path, {"topics": topics}))

    def test_routing_to_an_unknown_topic_is_refused(self, tmp_path: Path) -> None:
        routing = {"default": "客服中心", "rules": [{"topic": "不存在", "department": "x"}]}
        with pytest.raises(ConfigError, match="unknown topic '不存在'"):
            load_taxonomy(self.write(tmp_path, {"routing": routing}))

    def test_unknown_stage_is_refused(self, tmp_path: Path) -> None:
        topics = [{"code": "a", "name_en": "a", "keywords": ["a"], "stage": "later"}]
        with pytest.raises(ConfigError, match=r"topics\.0\.stage"):
            load_taxonomy(self.write(tmp_path, {"topics": topics}))

    def assertions(self, **change: object) -> dict[str, object]:
        data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
        return {**data["assertions"], **change}

    def test_a_symptom_group_of_an_unknown_crisis_is_refused(self, tmp_path: Path) -> None:
        symptoms = [{"category": "saftey", "keywords": ["冒烟"]}]
        with pytest.raises(ConfigError, match=r"symptoms\.0\.category: unknown crisis 'saftey'"):
            load_taxonomy(self.write(tmp_path, {"symptoms": symptoms}))

    def test_a_cue_word_listed_twice_is_named(self, tmp_path: Path) -> None:
        change = {"assertions": self.assertions(negators=["没有", "不", "没有"])}
        with pytest.raises(ConfigError, match=r"assertions\.negators.*listed more than once: 没有"):
            load_taxonomy(self.write(tmp_path, change))

    def test_a_word_that_is_a_negator_and_a_breaker_is_refused(self, tmp_path: Path) -> None:
        change = {"assertions": self.assertions(breakers=["但是", "没有"])}
        with pytest.raises(ConfigError, match="没有: listed in both breakers and negators"):
            load_taxonomy(self.write(tmp_path, change))

    def test_an_opposite_that_is_a_crisis_keyword_is_refused(self, tmp_path: Path) -> None:
        change = {"assertions": self.assertions(opposites=["防爆", "漏电"])}
        with pytest.raises(ConfigError, match=r"assertions\.opposites: 漏电 is a crisis"):
            load_taxonomy(self.write(tmp_path, change))

    def test_a_yaml_boolean_among_cue_words_is_named(self, tmp_path: Path) -> None:
        path = tmp_path / "taxonomy.yaml"
        text = DEFAULT_PATH.read_text(encoding="utf-8").replace('"no", never', "no, never")
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=r"assertions\.negators\.\d+.*valid string"):
            load_taxonomy(path)

    def test_a_sentence_mark_must_end_clauses_too(self, tmp_path: Path) -> None:
        change = {"assertions": self.assertions(clause_marks="，,", sentence_marks="。")}
        with pytest.raises(ConfigError, match="sentence_marks"):
            load_taxonomy(self.write(tmp_path, change))

    def test_without_assertions_every_crisis_keyword_counts(self, tmp_path: Path) -> None:
        data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
        del data["assertions"]
        path = tmp_path / "taxonomy.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        assert load_taxonomy(path).match_crisis("没有漏电") == {"safety": ["漏电"]}

    def test_not_yaml(self, tmp_path: Path) -> None:
        path = tmp_path / "t.yaml"
        path.write_text("topics: [unclosed", encoding="utf-8")
        with pytest.raises(ConfigError, match="not valid YAML"):
            load_taxonomy(path)
