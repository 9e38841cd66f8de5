"""The fast sentiment engine: each part against the snownlp code it replaces."""

from __future__ import annotations

import gzip
import logging
import marshal
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from radar.errors import ConfigError
from streams.sentiment import NEUTRAL, get_engine, seg_tables, snownlp_files
from streams.sentiment.bayes import BayesScorer
from streams.sentiment.fast import FastEngine
from streams.sentiment.segmenter import SPACE, Segmenter

# Han characters U+4E00..U+9FA5 that snownlp's segmenter has never seen (it copies paths there)
UNKNOWN_HAN = "丂丄丅丟"

SEG_TEXTS = [
    "主要是用来放置一些简单快速的中文分词和词性标注的程序",
    "这个手机很好用，电池也耐用，但是屏幕有点暗。",
    "质量很好物流很快客服态度不错下次还来",
    "好",
    "不好",
    "差评！！！",
    "衣服收到了，颜色和图片上一样，尺码偏小，建议买大一号。",
    "這個產品質量很好，物流也快，賣家服務態度很好",
    "iPhone15很好用abc123，ＡＢＣ全角１２３也行",
    "  很好 \t 不错\n\r\n推荐  ",
    "😀👍很好🔥",
    "\x00\x01好\x7f评",
    "\ud800好评\udfff",
    f"{UNKNOWN_HAN[0]}好评",
    f"好{UNKNOWN_HAN[1]}评",
    f"很好{UNKNOWN_HAN[2]}{UNKNOWN_HAN[3]}很好用",
    UNKNOWN_HAN,
    UNKNOWN_HAN[0],
    "，。！？",
    "",
    "   ",
    "水果新鲜，个头大，甜度高，包装结实，没有一个坏的，五星好评",
    "热水器安装师傅迟到两个小时，还多收了材料费，非常不满意",
    "蒙牛纯牛奶日期新鲜，口感醇厚，孩子很爱喝",
    "平板电脑反应速度快，屏幕清晰，玩游戏不卡，就是充电有点慢",
    "洗发水味道好闻，洗完头发很顺滑，不过容易出油",
    "书的印刷质量一般，有错别字，内容还可以",
    "计算机配置不错，性价比高，键盘手感好，散热一般",
    "人人人人人人人人人人人人人人人人人人人人人人人人人人人人人人",
    "的的的的的的",
    "一二三四五六七八九十百千万亿",
    "丶乂乜乩亍亓",
    "鿥鿦〇",
    "好" * 300,
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sentiment-cache")


@pytest.fixture(scope="module")
def engine(cache_dir: Path) -> FastEngine:
    return FastEngine(cache_dir=cache_dir)


class TestSegmenter:
    @pytest.mark.parametrize("text", SEG_TEXTS)
    def test_words_equal_snownlp_seg(self, engine: FastEngine, text: str) -> None:
        from snownlp import seg

        assert engine.segmenter.seg(text) == seg.seg(text)

    def test_random_texts_equal_snownlp_seg(self, engine: FastEngine) -> None:
        from snownlp import seg

        rng = random.Random(5)
        pools = [
            "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出要于就下得可你年生好很",
            UNKNOWN_HAN + "很好不错质量物流",
            "质量很好，物流 a1 快！差评\t退货" + UNKNOWN_HAN,
        ]
        texts = [
            "".join(rng.choice(pool) for _ in range(rng.choice([1, 2, 3, 5, 9, 30])))
            for pool in pools
            for _ in range(200)
        ]
        assert engine.segmenter.seg_many(texts) == [seg.seg(text) for text in texts]

    def test_batch_equals_one_by_one(self, engine: FastEngine) -> None:
        one_by_one = [engine.segmenter.seg(text) for text in SEG_TEXTS]
        assert engine.segmenter.seg_many(SEG_TEXTS) == one_by_one

    def test_unknown_characters_are_unknown_to_the_model(self, engine: FastEngine) -> None:
        from snownlp import seg

        model = seg.segger.segger
        for char in UNKNOWN_HAN:
            assert not any(model.uni.freq((char, tag)) for tag in "bmes")
            assert engine.segmenter.tables.known[ord(char) - 0x4E00] == 0
        assert engine.segmenter.tables.known[ord("好") - 0x4E00] == 1

    def test_whitespace_table_covers_every_space_python_splits_on(self) -> None:
        spaces = [c for c in range(sys.maxunicode + 1) if chr(c).isspace()]
        assert max(spaces) < len(SPACE)
        assert np.flatnonzero(SPACE).tolist() == spaces

    def test_empty_batch(self, engine: FastEngine) -> None:
        assert engine.segmenter.seg_many([]) == []
        assert engine.score_batch([]) == []


class TestSegTablesCache:
    def test_cache_file_is_written_and_read_back(self, engine: FastEngine, cache_dir: Path) -> None:
        files = list(cache_dir.glob("snownlp-seg-*.npz"))
        assert len(files) == 1
        again = seg_tables.load(cache_dir)
        for name, array in engine.segmenter.tables._asdict().items():
            assert np.array_equal(getattr(again, name), array), name

    def test_unreadable_cache_is_rebuilt(
        self,
        engine: FastEngine,
        cache_dir: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        broken_dir = tmp_path
        name = next(cache_dir.glob("snownlp-seg-*.npz")).name
        (broken_dir / name).write_bytes(b"not an npz file")
        monkeypatch.setattr(seg_tables, "build", lambda: engine.segmenter.tables)
        with caplog.at_level(logging.WARNING):
            tables = seg_tables.load(broken_dir)
        assert tables is engine.segmenter.tables
        assert "unreadable segmenter cache" in caplog.text
        # the rebuilt tables replaced the broken file
        assert np.array_equal(np.load(broken_dir / name)["pair_lp"], tables.pair_lp)

    def test_without_cache_dir_nothing_is_written(
        self, engine: FastEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(seg_tables, "build", lambda: engine.segmenter.tables)
        monkeypatch.chdir(tmp_path)
        assert Segmenter.load(None).tables is engine.segmenter.tables
        assert list(tmp_path.iterdir()) == []


class TestBayes:
    @pytest.mark.parametrize(
        "words",
        [
            [],
            ["好"],
            ["差", "退货"],
            ["从来没见过的词", "另一个生词"],
            ["很好", "不错", "推荐", "差", "失望"] * 50,
            ["垃圾"] * 3000,  # exp() overflows for one class: snownlp's OverflowError branch
        ],
    )
    def test_scores_equal_snownlp_classify(self, engine: FastEngine, words: list[str]) -> None:
        from snownlp import sentiment

        ret, prob = sentiment.classifier.classifier.classify(words)
        expected = prob if ret == "pos" else 1 - prob
        assert engine.bayes.score(words) == expected

    def test_rejects_a_model_without_pos_and_neg(self) -> None:
        with pytest.raises(ConfigError, match="sentiment classes"):
            BayesScorer({"total": 1.0, "d": {"a": {"d": {}, "total": 1.0, "none": 1}}})


class TestEngine:
    def test_registered_as_fast(self) -> None:
        from streams.sentiment import ENGINES

        assert ENGINES["fast"] == "streams.sentiment.fast:FastEngine"
        assert FastEngine.name == "fast"

    def test_get_engine_builds_it_with_the_configured_cache(
        self, engine: FastEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("RADAR_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setattr(seg_tables, "build", lambda: engine.segmenter.tables)
        get_engine.cache_clear()
        try:
            built = get_engine("fast")
            assert isinstance(built, FastEngine)
            assert built.score("质量很好") > 0.5
            assert list((tmp_path / "cache").glob("snownlp-seg-*.npz"))
        finally:
            get_engine.cache_clear()

    def test_empty_text_is_neutral_where_snownlp_divides_by_zero(self, engine: FastEngine) -> None:
        from snownlp import SnowNLP

        with pytest.raises(ZeroDivisionError):
            _ = SnowNLP("").sentiments
        assert engine.score("") == NEUTRAL

    @pytest.mark.parametrize("text", [t for t in SEG_TEXTS if t])
    def test_scores_equal_snownlp(self, engine: FastEngine, text: str) -> None:
        from snownlp import SnowNLP

        assert engine.score(text) == pytest.approx(SnowNLP(text).sentiments, abs=1e-9, rel=0)

    def test_batch_keeps_order(self, engine: FastEngine) -> None:
        texts = ["质量很好，非常满意", "", "太差了，退货", "   "]
        assert engine.score_batch(texts) == [engine.score(text) for text in texts]
        positive, empty, negative, _ = engine.score_batch(texts)
        assert positive > 0.5 > negative
        assert empty == NEUTRAL


class TestSnownlpFiles:
    def test_stopwords_are_snownlps(self, engine: FastEngine) -> None:
        from snownlp import normal

        assert engine.stopwords == normal.stop

    def test_missing_snownlp_is_a_config_error(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(snownlp_files.importlib.util, "find_spec", lambda name: None)
        with pytest.raises(ConfigError, match="snownlp is not installed"):
            snownlp_files.seg_model()

    def test_plain_marshal_is_read_like_snownlp_does(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        (tmp_path / "plain.3").write_bytes(marshal.dumps({"total": 2.0}))
        (tmp_path / "gzipped.3").write_bytes(gzip.compress(marshal.dumps({"total": 3.0})))
        (tmp_path / "not-a-model.3").write_bytes(marshal.dumps([1, 2]))
        monkeypatch.setattr(snownlp_files, "snownlp_dir", lambda: tmp_path)
        assert snownlp_files.load_marshal("plain") == {"total": 2.0}
        assert snownlp_files.load_marshal("gzipped") == {"total": 3.0}
        with pytest.raises(ConfigError, match="not a snownlp model"):
            snownlp_files.load_marshal("not-a-model")
        with pytest.raises(ConfigError, match="missing"):
            snownlp_files.load_marshal("absent")
