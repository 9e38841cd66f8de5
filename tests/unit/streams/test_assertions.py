"""Judging terms in their clause: negation, scope, hypotheticals, rumours, opposite words,
symptoms and contaminants; and the targets on the hand-written evaluation set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from streams.taxonomy import default_taxonomy

DATA = Path(__file__).resolve().parents[2] / "data"


def verdicts(text: str) -> dict[str, str]:
    """Each term of ``text`` → its verdict (the last occurrence's, when it comes twice)."""
    return {hit.term: verdict for hit, verdict in default_taxonomy().explain(text)}


def crisis_terms(text: str) -> list[str]:
    return [h.term for h in default_taxonomy().find_terms(text).crisis]


def complaint_terms(text: str) -> list[str]:
    return [h.term for h in default_taxonomy().find_terms(text).complaint]


class TestQuotedExamples:
    """The crises a keyword matcher missed, and denials it raised, in the task's own words."""

    @pytest.mark.parametrize(
        ("text", "term"),
        [
            ("全家拉肚子，已经去医院了", "拉肚子"),
            ("奶粉里面有虫子", "虫子"),
            ("吃出了玻璃渣", "玻璃渣"),
            ("一插上就冒火花", "冒火花"),
        ],
    )
    def test_symptoms_and_contaminants_are_crises(self, text: str, term: str) -> None:
        assert term in crisis_terms(text)

    @pytest.mark.parametrize(
        "text", ["用了三个月了，没有漏电，很放心", "没有任何刺激，不会过敏", "说会爆炸的都是谣言"]
    )
    def test_denials_are_no_crises(self, text: str) -> None:
        assert crisis_terms(text) == []


class TestNegation:
    @pytest.mark.parametrize(
        ("text", "term"),
        [
            ("没有漏电", "漏电"),
            ("没漏电", "漏电"),
            ("宝宝用了不过敏", "过敏"),
            ("未发现甲醛超标", "甲醛超标"),
            ("并未出现过敏", "过敏"),
            ("无过敏反应", "过敏"),
            ("绝对不会漏电", "漏电"),
            ("从没触电过", "触电"),
            ("从来没有漏电", "漏电"),
            ("一点都不过敏", "过敏"),
            ("毫无漏电迹象", "漏电"),
            ("并没有过敏", "过敏"),
            ("绝对没有起火", "起火"),
            ("更别说着火了", "着火"),
            ("没有发生任何爆炸", "爆炸"),
            ("No allergic reaction at all", "allergic reaction"),
            ("it never exploded", "exploded"),
        ],
    )
    def test_a_negated_term_is_no_crisis(self, text: str, term: str) -> None:
        assert verdicts(text)[term] == "negated"

    @pytest.mark.parametrize(
        ("text", "term"),
        [
            ("漏电什么的完全不存在", "漏电"),
            ("过敏反应一次都没有", "过敏"),
            ("漏电现象没有出现过", "漏电"),
            ("过敏？没有的事", "过敏"),
            ("起火？不可能的", "起火"),
            ("有毒？开玩笑", "有毒"),
        ],
    )
    def test_a_negation_after_the_term_that_ends_the_clause(self, text: str, term: str) -> None:
        assert verdicts(text)[term] == "negated"

    @pytest.mark.parametrize(
        "text",
        [
            "漏电了没有人管",  # 没有 negates 人管; the leak happened
            "过敏了，没人理",
            "不断冒烟",  # 不 inside 不断 is no negation
            "不少人用了都过敏",
            "不止一次漏电",
            "不到一个月就自燃了",
            "无论如何都过敏",
            "毫无疑问是过敏",
        ],
    )
    def test_cue_characters_inside_other_words_do_not_negate(self, text: str) -> None:
        assert crisis_terms(text), text

    @pytest.mark.parametrize(
        ("text", "asserted"),
        [
            ("不是没有过敏", True),  # two negations in a row cancel
            ("没有不过敏的", True),
            ("不会漏电不会发烫", False),  # each its own
            ("东西没坏也不漏电", False),  # 没 belongs to 坏: the nearest negation decides
            ("不红不痒不过敏", False),  # the 不 of 不痒 is a word away: no double negation
        ],
    )
    def test_double_negation(self, text: str, asserted: bool) -> None:
        assert bool(crisis_terms(text)) is asserted


class TestScope:
    @pytest.mark.parametrize(
        "text",
        [
            "不但没有改善反而起火",
            "本来以为不会过敏，结果还是过敏了",
            "没用几天就漏电了",
            "没想到会爆炸",
            "没有包装，但是充电宝爆炸了",
            "用了一周都没事，今天突然漏电",  # another clause
            "买之前担心会漏电，果然第二天就漏电了",
            "客服说不会过敏，可是我用了当天就过敏了",
        ],
    )
    def test_a_negation_or_fear_ends_at_its_clause_or_a_breaker(self, text: str) -> None:
        assert crisis_terms(text), text

    @pytest.mark.parametrize(
        "text",
        ["没有过敏、红肿或刺痛", "没有出现任何过敏或者红肿的情况", "一点焦糊味都没有"],
    )
    def test_terms_joined_to_a_negated_one_share_its_verdict(self, text: str) -> None:
        assert crisis_terms(text) == []

    def test_only_the_asserted_occurrence_of_a_repeated_term_counts(self) -> None:
        text = "本来以为不会过敏，结果还是过敏了"
        [hit] = default_taxonomy().find_terms(text).crisis
        assert (hit.term, hit.start) == ("过敏", text.rindex("过敏"))


class TestHypotheticals:
    @pytest.mark.parametrize(
        "text",
        [
            "担心会过敏，先在手腕上试了一下",
            "怕孩子吃了拉肚子",
            "以为会有甲醛超标的问题",
            "这个会不会漏电啊",
            "万一起火了怎么办",
            "如果充电时间太长就爆炸吗",
            "请问孕妇用了会过敏吗",
            "有没有人用了过敏的",
            "为了防止烫伤，建议加个隔热垫",
            "可能会过敏，敏感肌先试用",
            "不用担心触电",
            "Will it catch fire if left on overnight?",
        ],
    )
    def test_feared_or_supposed_terms_are_no_crises(self, text: str) -> None:
        assert crisis_terms(text) == [], text

    def test_a_question_about_what_happened_is_a_crisis(self) -> None:
        assert crisis_terms("孩子过敏了你们不管吗") == ["过敏"]

    @pytest.mark.parametrize(
        ("text", "term"),
        [
            ("如果再不处理我就起诉你们", "起诉"),
            ("再不退款就去消协", "消协"),
            ("不给个说法的话，我就发到网上曝光", "曝光"),
            ("你们是想让我找记者吗？", "记者"),
        ],
    )
    def test_a_threat_keeps_its_condition(self, text: str, term: str) -> None:
        assert term in crisis_terms(text)

    def test_a_negated_threat_is_none(self) -> None:
        assert crisis_terms("不打算起诉，退款就行") == []


class TestRumours:
    @pytest.mark.parametrize(
        "text",
        [
            "说会爆炸的都是谣言",
            "网上说这款会自燃，其实根本没有那回事",
            "有人说吃了会中毒，都是假的，别信",
            "传言说这个奶粉有虫子，官方已经辟谣了",
            "听说会起火，实际上用了半年一点事没有",
            "那个说爆炸的视频是摆拍",
            "The rumours that it explodes are fake",
        ],
    )
    def test_a_rumour_or_a_denied_claim_is_no_crisis(self, text: str) -> None:
        assert crisis_terms(text) == [], text

    @pytest.mark.parametrize(
        "text",
        [
            "这不是谣言，我家的充电宝真的爆炸了",
            "之前以为是谣言，结果真的起火了",
            "听说有人吃了中毒住院了",
        ],
    )
    def test_a_rumour_confirmed_or_reported_first_hand_is_a_crisis(self, text: str) -> None:
        assert crisis_terms(text), text

    @pytest.mark.parametrize(
        "text",
        [
            "以前用别的牌子会过敏，这个一点事都没有",
            "上一个用两次就冒烟，这个完全不会",  # 就 does not change the subject
            "之前那家的奶粉宝宝喝了拉肚子，换了这家就好了",
        ],
    )
    def test_another_products_trouble_is_not_ours(self, text: str) -> None:
        assert crisis_terms(text) == [], text

    def test_ours_named_again_after_another_is(self) -> None:
        assert crisis_terms("别家的不会，这个却会起火") == ["起火"]
        assert crisis_terms("别家的都没事这款却起火了") == ["起火"]


class TestOppositeWords:
    @pytest.mark.parametrize(
        "text",
        [
            "防爆炸的电池",
            "带防漏电插头",
            "插座有漏电保护功能",
            "抗过敏配方",
            "过敏体质也能用",
            "烟雾报警器很灵敏",
            "工商银行的卡也能付款",
            "钓鱼竿很轻",
            "多媒体功能很全",
            "价格让我气炸了",
            "令人窒息的物流速度",
            "相机曝光准确",
            "smoke detector works well",
        ],
    )
    def test_a_word_meaning_the_opposite_is_no_crisis(self, text: str) -> None:
        assert crisis_terms(text) == [], text
        assert "opposite" in verdicts(text).values()

    def test_the_same_term_outside_the_guard_still_counts(self) -> None:
        assert crisis_terms("号称防爆，结果充电的时候还是爆炸了") == ["爆炸"]


class TestSymptomsAndContaminants:
    @pytest.mark.parametrize(
        "text",
        [
            "吃完以后上吐下泻",
            "孩子吃了两口就开始呕吐",
            "已经送医院了",
            "半夜去挂急诊",
            "插上电源就冒火花",
            "吹风机冒烟了",
            "一股烧焦的味道",
            "满屋子焦糊味",
            "面膜敷完脸起泡红肿",
            "手机烫得根本拿不住",
            "电池鼓包了",
            "用了以后脸上红肿",  # 红肿 after using
            "喝完头晕",
            "喝了这个果汁以后拉了一整天肚子",
        ],
    )
    def test_symptoms_are_safety_crises(self, text: str) -> None:
        found = default_taxonomy().find_terms(text).crisis
        assert found and {h.category for h in found} == {"safety"}, text

    @pytest.mark.parametrize(
        "text",
        [
            "奶粉里面有虫子",
            "吃出了玻璃渣",
            "面包里有头发",
            "饮料中发现异物",
            "汤圆里面咬到塑料片",
            "Found a dead cockroach inside the bag",
        ],
    )
    def test_contaminants_in_food_are_safety_crises(self, text: str) -> None:
        assert crisis_terms(text), text

    @pytest.mark.parametrize(
        "text",
        [
            "这个颜色看着头晕",  # no eating or using before it
            "梳子梳头发不打结",  # hair, not in anything
            "眼镜戴着没有异物感",
            "吃了也没拉肚子",
            "没吃出过头发之类的异物",
            "担心吃出虫子",
            "书里面有很多昆虫，孩子很喜欢",  # found in something that is no food or drink
            "光盘里面还有米老鼠的动画",
            "生病了还是该去医院看看",  # no visit happened
            "每天用热水泡脚",
        ],
    )
    def test_without_their_context_or_when_denied_they_are_not(self, text: str) -> None:
        assert crisis_terms(text) == [], text


class TestComplaintWords:
    @pytest.mark.parametrize(
        ("text", "asserted"),
        [
            ("没有差评的理由", False),
            ("一点也不失望", False),
            ("怕买到垃圾，结果挺好", False),
            ("垃圾袋很结实", False),
            ("太失望了", True),
            ("千万别买", True),
            ("从来没有这么失望过", True),  # 这么 ends the negation: a superlative
            ("本来不想给差评，但是太差了", True),
        ],
    )
    def test_complaint_words_are_judged_like_crisis_words(self, text: str, asserted: bool) -> None:
        assert bool(complaint_terms(text)) is asserted


#: terms, cue words, marks and characters whose lower case is longer (İ)
PIECES = st.sampled_from(
    [
        "没有", "不", "漏电", "过敏", "？", "，", "。", " ", "İ", "ß", "\n", "说会", "谣言", "里",
        "虫子", "吃", "冒烟", "防爆", "起诉", "如果", "就", "了", "吗", "No", "fire", "caught fire",
        "IF", "\u200b", "😀", "12315", "、", "差评",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=16).map("".join) | st.text(max_size=40))
@example("漏电İfire")
def test_any_text_is_judged_and_every_span_is_inside_it(text: str) -> None:
    terms = default_taxonomy().find_terms(text)
    for hit in [*terms.crisis, *terms.complaint]:
        assert 0 <= hit.start < hit.end <= len(text)
    assert {h for h, v in default_taxonomy().explain(text) if v == "asserted"} >= set(terms.crisis)


def load(name: str) -> list[dict[str, object]]:
    path = DATA / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class TestEvaluationSets:
    """The hand-written sets (tests/data): enough texts of both classes, and the targets."""

    @pytest.mark.parametrize(
        ("name", "size"), [("crisis_eval.jsonl", 300), ("crisis_holdout.jsonl", 80)]
    )
    def test_sets_are_large_and_balanced(self, name: str, size: int) -> None:
        rows = load(name)
        crises = sum(bool(r["crisis"]) for r in rows)
        assert len(rows) >= size and 0.4 <= crises / len(rows) <= 0.6
        assert all(isinstance(r["text"], str) and r.get("kind") for r in rows)

    def test_the_hold_out_shares_no_text_with_the_evaluation_set(self) -> None:
        assert not {r["text"] for r in load("crisis_eval.jsonl")} & {
            r["text"] for r in load("crisis_holdout.jsonl")
        }

    def test_recall_and_false_crisis_rate_on_the_evaluation_set(self) -> None:
        rows = load("crisis_eval.jsonl")
        raised = [bool(crisis_terms(str(r["text"]))) for r in rows]
        crises = [g for g, r in zip(raised, rows, strict=True) if r["crisis"]]
        others = [g for g, r in zip(raised, rows, strict=True) if not r["crisis"]]
        recall = sum(crises) / len(crises)
        false_crisis_rate = sum(others) / len(others)
        assert recall >= 0.95, recall
        assert false_crisis_rate <= 0.05, false_crisis_rate
