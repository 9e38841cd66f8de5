"""Language detection by script: Chinese, English, and everything else."""

import pytest

from streams.language import detect_language


class TestDetectLanguage:
    @pytest.mark.parametrize(
        "text",
        ["质量很好，物流也快", "这个iPhone很好用", "客服态度差!!! 差评", "退款3天还没到账"],
    )
    def test_chinese(self, text):
        assert detect_language(text) == "zh"

    @pytest.mark.parametrize(
        "text",
        [
            "Great product, works perfectly",
            "The parcel arrived broken and nobody replies.",
            "Great product, 好评",
            "very nice 很好",
        ],
    )
    def test_english(self, text):
        assert detect_language(text) == "en"

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "   ",
            "12345 !!!",
            "😀😀👍",
            "これはペンです",
            "日本語のテキストです",
            "배송이 빨라요",
            "Очень хорошо",
            "Tôi rất thích sản phẩm này",
        ],
    )
    def test_other(self, text):
        assert detect_language(text) == "other"

    def test_dominant_script_decides_a_mixed_text(self):
        # three Han characters against one Latin word (worth two): Chinese
        assert detect_language("很好用 phone") == "zh"
        # two Latin words (worth four) against three Han characters: English
        assert detect_language("delivery slow 太慢了") == "en"
