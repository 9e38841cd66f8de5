"""Email text: Chinese charsets, encoded headers, HTML, quoted replies and signatures."""

from __future__ import annotations

from email.header import Header
from email.mime.text import MIMEText

import pytest

from ingest.mailtext import decode_bytes, decode_words, read_mail, strip_reply


class TestDecoding:
    def test_gbk_text_labelled_gb2312_is_read(self) -> None:
        text = "镕基的快递"  # 镕 is GBK, not GB2312
        assert decode_bytes(text.encode("gbk"), "gb2312") == text

    def test_big5_hkscs_and_wrong_labels_fall_back(self) -> None:
        assert decode_bytes("訂單延遲".encode("big5"), "big5") == "訂單延遲"
        assert decode_bytes("退款".encode(), "iso-8859-1-typo") == "退款"
        assert decode_bytes("退款".encode("gb18030"), None) == "退款"

    def test_encoded_words_in_headers(self) -> None:
        assert decode_words(Header("投诉：质量问题", "gb2312").encode()) == "投诉：质量问题"
        assert decode_words("=?utf-8?b?5L2g5aW9?= there") == "你好 there"


class TestStripReply:
    @pytest.mark.parametrize(
        "tail",
        [
            "\n-----原始邮件-----\n发件人: service@shop.example\n谢谢",
            "\n在 2026年11月20日 10:00，客服 <service@shop.example> 写道：\n> 您好",
            "\nOn Fri, Nov 20, 2026 at 10:00 AM Service <s@shop.example> wrote:\n> hi",
            "\n发件人: 客服\n发送时间: 2026年11月20日 10:00\n收件人: 我\n原来的内容",
            "\n-- \n王女士\n手机 138...",
            "\n\n发自我的iPhone",
        ],
    )
    def test_only_the_new_words_stay(self, tail: str) -> None:
        assert strip_reply("东西坏了，要求退货。" + tail) == "东西坏了，要求退货。"

    def test_quoted_lines_inside_are_dropped(self) -> None:
        assert strip_reply("> 旧的\n新的\n＞ 也旧") == "新的"


def test_read_mail_prefers_plain_text_and_threads() -> None:
    mail = MIMEText("<p>订单<b>延迟</b></p><blockquote>旧邮件</blockquote>", "html", "utf-8")
    mail["From"] = "Chen <CHEN@Example.TW>"
    mail["Message-ID"] = "<x@y>"
    mail["In-Reply-To"] = "<p@y>"
    mail["References"] = "<root@y> <p@y>"
    mail["Date"] = "Fri, 20 Nov 2026 11:00:00 +0800"
    facts = read_mail(mail.as_bytes())
    assert facts.text == "订单\n延迟" or facts.text.replace("\n", "") == "订单延迟"
    assert facts.from_address == "chen@example.tw" and facts.from_name == "Chen"
    assert facts.references == ("<root@y>", "<p@y>") and facts.in_reply_to == "<p@y>"
    assert facts.date == "2026-11-20T11:00:00+08:00"
