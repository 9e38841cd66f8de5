"""Masking rules on real-looking Chinese customer text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from radar.masking import find_personal_data, mask_text, pseudonymise


class TestMaskText:
    @pytest.mark.parametrize(
        ("text", "masked", "hidden"),
        [
            (
                "快递一直没到，麻烦联系我13812345678，谢谢",
                "快递一直没到，麻烦联系我138****5678，谢谢",
                "13812345678",
            ),
            ("电话：+86 139-1234-5678（白天）", "电话：+86 139****5678（白天）", "1234-5678"),
            (
                "客服座机 021-64001234 转 808 一直占线",
                "客服座机 021-****1234 转 808 一直占线",
                "64001234",
            ),
            ("请打（0755）8888 6666 找王经理", "请打0755-****6666 找王经理", "8888 6666"),
            (
                "我的邮箱是 zhang.san@163.com，发票发这里",
                "我的邮箱是 z***@163.com，发票发这里",
                "zhang.san@",
            ),
            ("退款到 li＠qq.com", "退款到 l***@qq.com", "li＠"),
            (
                "实名认证身份证号 110101199003078515 一直失败",
                "实名认证身份证号 110***********8515 一直失败",
                "199003078",
            ),
            ("老身份证：110101900307851 能用吗", "老身份证：110********7851 能用吗", "900307"),
            (
                "退款请打到卡号：6222 0212 3456 7890 123",
                "退款请打到卡号：6222 **** **** 0123",
                "0212 3456",
            ),
            (
                "信用卡 4111111111111111 被盗刷了",
                "信用卡 4111 **** **** 1111 被盗刷了",
                "4111111111111111",
            ),
            (
                "加我微信 wxid_abc123 或者 QQ：123456789 详聊",
                "加我微信 wx*******23 或者 QQ：12*****89 详聊",
                "123456789",
            ),
        ],
    )
    def test_personal_data_is_masked(self, text: str, masked: str, hidden: str) -> None:
        assert mask_text(text) == masked
        assert hidden not in mask_text(text)

    @pytest.mark.parametrize(
        "text",
        [
            "订单号 4890123456789012345 还没发货",  # long order number, not a card (Luhn fails)
            "快递单号SF1234567890，三天没更新",
            "下单时间 20261120153000，价格 1999 元，数量 3",
            "型号 iPhone15 Pro 256G，电池 4422mAh",
            "2026-11-20 10:00 收到货，评分 5 分",
        ],
    )
    def test_ordinary_numbers_stay_readable(self, text: str) -> None:
        assert mask_text(text) == text
        assert find_personal_data(text) == []

    def test_find_personal_data_names_each_kind(self) -> None:
        text = "电话13812345678，邮箱 a.b@example.com，身份证 11010119900307851X"
        assert find_personal_data(text) == ["email", "id_card", "mobile"]

    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet="0123456789 -+()（）:：手机电话卡号@a.的", max_size=60))
    def test_masking_is_idempotent_and_leaves_no_mobile(self, text: str) -> None:
        once = mask_text(text)
        assert mask_text(once) == once
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", once)


class TestPseudonymise:
    def test_stable_case_insensitive_and_keyed(self) -> None:
        assert pseudonymise("王女士", b"k1") == pseudonymise(" 王女士 ", b"k1")
        assert pseudonymise("Alice", b"k1") == pseudonymise("alice", b"k1")
        assert pseudonymise("王女士", b"k1") != pseudonymise("王女士", b"k2")
        assert pseudonymise("王女士", b"k1").startswith("u_")
