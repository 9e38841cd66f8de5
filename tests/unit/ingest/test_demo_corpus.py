"""Where the demo's texts come from: the generator by default, a labelled CSV on request."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.commands.demo import demo_command
from ingest.demo_corpus import Corpus, load_corpus, load_texts
from ingest.demo_feed import DemoSettings
from ingest.demo_script import DemoItem, DemoScript
from ingest.demo_texts import GeneratedTexts
from radar.errors import ConfigError
from streams.taxonomy import default_taxonomy

END = datetime(2026, 11, 23, 0, tzinfo=UTC)
START = END - timedelta(days=3)


def feed(seed: int) -> tuple[DemoScript, list[DemoItem]]:
    script = DemoScript(load_texts(), seed, START, END)
    items: list[DemoItem] = []
    for hour in range(72):
        items += script.advance(START + timedelta(hours=hour + 1), 800)
    return script, items


def test_the_default_is_the_generator_and_a_path_reads_the_csv(tmp_path: Path) -> None:
    assert isinstance(load_texts(), GeneratedTexts)
    assert DemoSettings().corpus is None
    csv = tmp_path / "mine.csv"
    csv.write_text(
        "cat,label,review\n手机,1,很好用\n手机,0,快递太慢了\n书籍,0,\n", encoding="utf-8"
    )
    texts = load_texts(csv)
    assert isinstance(texts, Corpus) and texts.categories == ["手机"]
    assert texts.text(random.Random(1), "手机", True, "chat") == "很好用"
    assert texts.delivery_negative == ["快递太慢了"]


def test_a_category_without_one_polarity_borrows_it_and_a_file_needs_both(
    tmp_path: Path,
) -> None:
    csv = tmp_path / "mine.csv"
    csv.write_text("cat,label,review\n手机,1,很好用\n书籍,0,印刷模糊\n", encoding="utf-8")
    texts = load_corpus(csv)
    assert texts.text(random.Random(1), "手机", False, "review") == "印刷模糊"
    csv.write_text("cat,label,review\n手机,1,很好用\n书籍,1,很精彩\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="label 0"):
        load_corpus(csv)


def test_the_corpus_setting_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RADAR_INGEST_DEMO_CORPUS", str(tmp_path / "mine.csv"))
    assert DemoSettings().corpus == tmp_path / "mine.csv"


def test_a_missing_corpus_says_which_option_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--corpus"):
        load_corpus(tmp_path / "nope.csv")
    result = CliRunner().invoke(demo_command, ["--corpus", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_a_csv_corpus_answers_the_incidents_with_the_generator() -> None:
    corpus = Corpus(categories=["手机"], delivery_negative=["物流太慢了"])
    rng = random.Random(2)
    delays = [corpus.courier_delay(rng, "广东") for _ in range(200)]
    assert 60 < delays.count("物流太慢了") < 140 and len(set(delays)) > 50
    assert "safety" in default_taxonomy().match_crisis(corpus.safety_scare(rng, "热水器", "forum"))
    assert corpus.staff_reply(rng) and "码" in corpus.new_defect(rng, "手机")
    assert corpus.title(rng, "快递太慢了，差评", "email", False).endswith("快递太慢了")


def test_generated_feed_same_seed_same_feed() -> None:
    _, first = feed(1)
    _, again = feed(1)
    assert [i.fields for i in first] == [i.fields for i in again]


def test_generated_feed_states_crises_only_in_the_scripted_scare() -> None:
    script, items = feed(1)
    scares = [i for i in script.incidents if i.type == "crisis"]
    taxonomy = default_taxonomy()
    stated = [i for i in items if taxonomy.match_crisis(i.fields["text"])]
    assert stated and all(any(s.active(i.at) for s in scares) for i in stated)
    assert {i.channel for i in stated} == {"forum", "social"}


def test_generated_feed_has_titles_replies_and_the_courier_wave() -> None:
    script, items = feed(2)
    customers = [i for i in items if not i.fields.get("is_staff_reply")]
    assert {i.channel for i in customers} == {
        "review",
        "survey",
        "forum",
        "social",
        "chat",
        "email",
    }
    assert all(i.fields["title"] for i in customers if i.channel in {"forum", "email"})
    replies = [i.fields["text"] for i in items if i.fields.get("is_staff_reply")]
    assert len(set(replies)) > 0.5 * len(replies)
    wave = next(i for i in script.incidents if i.type == "spike" and i.end and i.end <= END)
    in_wave = [
        i.fields["text"]
        for i in customers
        if wave.active(i.at) and i.fields["region"] == wave.key["region"]
    ]
    delivery = [t for t in in_wave if "物流配送" in default_taxonomy().match_topics(t)]
    assert len(delivery) > 0.6 * len(in_wave)
