"""Term sets: the Aho-Corasick matching finds what the reference alternation regex finds."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.taxonomy import default_taxonomy
from streams.terms import Haystack, TermSet
from tests.needs import SHARED_REVIEWS

TERMS = TermSet.compile(
    "sample",
    keywords=["退款", "仅退款", "退", "客服", "不理人", "A B"],
    keywords_en=["pay", "pay now", "in stock", "refund", "Ship"],
    patterns=[r"等了\s*\d+\s*天", r"(?<!\d)618(?!\d)"],
)

#: the pieces texts are made of: terms and near-misses, Chinese, words, spaces, digits
PIECES = st.sampled_from(
    [
        "退款", "仅退", "款", "客服", "不理人", "等了", "天", "618", "6188", "3", " ", "  ",
        "\n", "\t", "pay", "PAY", "now", "display", "in", "stock", "Refund", "ship", "shipshape",
        "_", "a", "b", "A", "B", "，", "!", "用", "İ", "é",
    ]
)  # fmt: skip


def reference(terms: TermSet, text: str) -> list[str]:
    """What the alternation regex finds (whitespace runs in a term read as one space)."""
    found = (re.sub(r"\s+", " ", m.group(0).lower()) for m in terms.regex.finditer(text))
    return list(dict.fromkeys(found))


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=14).map("".join))
def test_findall_and_search_agree_with_the_reference_regex(text: str) -> None:
    expected = reference(TERMS, text)
    assert TERMS.findall(text) == expected
    assert TERMS.search(text) is bool(expected)


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=14).map("".join))
def test_finditer_gives_every_match_with_the_span_the_reference_regex_gives(text: str) -> None:
    expected = [(m.start(), m.end()) for m in TERMS.regex.finditer(text)]
    found = TERMS.finditer(text)
    assert [(m.start, m.end) for m in found] == expected
    assert [m.term for m in found] == [
        re.sub(r"\s+", " ", text[m.start : m.end].lower()) for m in found
    ]


def test_finditer_lists_a_term_each_time_it_comes() -> None:
    text = "退款！退款  A  B"
    assert [(m.term, text[m.start : m.end]) for m in TERMS.finditer(text)] == [
        ("退款", "退款"),
        ("退款", "退款"),
        ("a b", "A  B"),
    ]


def test_occurrences_include_overlapping_keywords() -> None:
    found = {(m.term, m.start, m.end) for m in TERMS.occurrences("我要仅退款")}
    assert found == {("仅退款", 2, 5), ("退款", 3, 5), ("退", 3, 4)}


def test_the_leftmost_longest_term_wins_and_terms_do_not_overlap() -> None:
    assert TERMS.findall("我要仅退款") == ["仅退款"]
    assert TERMS.findall("退款退") == ["退款", "退"]
    assert TERMS.findall("pay now, then pay") == ["pay now", "pay"]


def test_english_keywords_need_word_boundaries_chinese_ones_do_not() -> None:
    assert not TERMS.search("display")
    assert not TERMS.search("用pay付款")  # Han letters are word characters
    assert TERMS.findall("shipshape SHIP") == ["ship"]
    assert TERMS.findall("无理由退款") == ["退款"]


def test_whitespace_inside_a_term_matches_any_run_and_is_reported_as_one_space() -> None:
    assert TERMS.findall("Is it IN \n\t stock?") == ["in stock"]
    assert TERMS.findall("a\tb") == ["a b"]


def test_a_text_whose_lower_case_has_another_length_is_matched_by_the_regex() -> None:
    text = "İstanbul: pay 等了 3 天"
    assert not Haystack(text).exact
    assert TERMS.findall(text) == ["pay", "等了 3 天"] == reference(TERMS, text)


def test_the_shipped_taxonomy_agrees_with_its_reference_regexes_on_reviews(
    generated_reviews_csv: Path,
) -> None:
    """Generated reviews always; the first 3,000 of the shared labelled set too when present."""
    texts = []
    for path in (generated_reviews_csv, SHARED_REVIEWS):
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                rows = zip(range(3000), csv.DictReader(fh), strict=False)
                texts += [row["review"] for _, row in rows]
    taxonomy = default_taxonomy()
    sets = [*taxonomy.topics, taxonomy.complaint, *taxonomy.crisis]
    for text in texts:
        for terms in sets:
            assert terms.findall(text) == reference(terms, text), (terms.name, text)
