"""Review L5: a customer cannot make their own message a staff reply (email, forum, chat).

A staff reply closes a complaint's wait (and its SLA alert) and is left out of crisis
detection, so it counts only on what the source system vouches for: the shop's mail
server's Authentication-Results, the forum's profile address, the chat system's role.
"""

from __future__ import annotations

from email.mime.text import MIMEText
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.chat import ChatSettings, chat_transform
from ingest.email_imap import EmailSettings, ImapMailbox
from ingest.forum import ForumFeeds, ForumSettings
from ingest.mailauth import read_results, vouched_for
from ingest.mailtext import read_mail
from radar.errors import ConfigError
from radar.settings import CoreSettings

SERVER = "mx.shop.example"


def mail(sender: str, *results: str) -> bytes:
    """A reply from ``sender`` carrying ``results`` as Authentication-Results, topmost first."""
    message = MIMEText("您好，已为您办理退货。", "plain", "utf-8")
    for value in results:
        message["Authentication-Results"] = value
    message["From"] = sender
    message["Message-ID"] = "<r1@shop.example>"
    message["In-Reply-To"] = "<c1@example.cn>"
    return message.as_bytes()


def mailbox(**settings: Any) -> ImapMailbox:
    given = {"username": "support", "staff_domains": ["shop.example"], "authserv_id": SERVER}
    return ImapMailbox(EmailSettings(**{**given, **settings}), CoreSettings())


def staff(raw: bytes, **settings: Any) -> bool:
    record = mailbox(**settings)._record(1, raw, None, {})
    return bool(record.fields["is_staff_reply"])


class TestEmail:
    def test_a_reply_the_server_vouches_for_is_staff(self) -> None:
        dmarc = f"{SERVER}; dkim=pass header.d=shop.example; dmarc=pass header.from=shop.example"
        assert staff(mail("小美 <service@shop.example>", dmarc))
        assert staff(mail("service@shop.example", f"{SERVER}; dkim=pass header.i=@shop.example"))
        parent = f"{SERVER}; dkim=pass header.d=shop.example"  # signed by the parent domain
        assert staff(mail("a@cs.shop.example", parent), staff_domains=["cs.shop.example"])

    def test_a_from_header_alone_is_not_staff(self) -> None:
        """Before: any mail saying From: service@shop.example closed the customer's wait."""
        assert not staff(mail("service@shop.example"))
        failed = f"{SERVER}; dkim=fail header.d=shop.example; dmarc=fail header.from=shop.example"
        assert not staff(mail("service@shop.example", failed))

    def test_a_verdict_for_another_domain_does_not_count(self) -> None:
        signed_elsewhere = f"{SERVER}; dkim=pass header.d=evil.example; spf=pass"
        assert not staff(mail("service@shop.example", signed_elsewhere))
        assert not staff(mail("service@shop.example", f"{SERVER}; dmarc=pass header.from=e.cn"))

    def test_a_header_the_sender_planted_does_not_count(self) -> None:
        planted = f"{SERVER}; dmarc=pass header.from=shop.example"
        ours = f"{SERVER}; dmarc=fail header.from=shop.example"
        assert not staff(mail("service@shop.example", ours, planted))  # ours is added on top
        other_server = "mx.evil.example; dmarc=pass header.from=shop.example"
        assert not staff(mail("service@shop.example", other_server))

    def test_quoted_text_cannot_add_a_verdict(self) -> None:
        """The envelope sender's local part is the sender's: quoted, it may hold ; and =."""
        forged = (
            f'{SERVER}; spf=pass smtp.mailfrom="x; dmarc=pass header.from=shop.example; y"@e.cn; '
            "dmarc=fail (p=none) header.from=shop.example"
        )
        assert not staff(mail("service@shop.example", forged))

    def test_customers_are_never_staff(self) -> None:
        vouched = f"{SERVER}; dmarc=pass header.from=example.cn"
        assert not staff(mail("wang@example.cn", vouched))

    def test_staff_lists_need_the_servers_name(self) -> None:
        with pytest.raises(ConfigError, match="AUTHSERV_ID"):
            mailbox(authserv_id="")
        assert not staff(mail("wang@example.cn"), staff_domains=[], authserv_id="")


class TestAuthenticationResults:
    def test_verdicts_comments_versions_and_spaces(self) -> None:
        server, results = read_results(
            'MX.Shop.Example 1; dkim = pass (2048-bit key) header.d=Shop.Example "x";\r\n'
            " dmarc=pass (p=reject dis=none) header.from=shop.example; none"
        )
        assert server == "mx.shop.example"
        assert [(r.method, r.result) for r in results] == [("dkim", "pass"), ("dmarc", "pass")]
        assert results[0].properties["header.d"] == "shop.example"

    def test_the_read_mail_keeps_the_headers_topmost_first(self) -> None:
        facts = read_mail(mail("s@shop.example", "a; dkim=pass", "b; dkim=fail"))
        assert facts.authentication_results == ("a; dkim=pass", "b; dkim=fail")

    @given(st.text())
    def test_nothing_a_sender_writes_in_quotes_or_comments_becomes_a_verdict(
        self, sent: str
    ) -> None:
        quoted = sent.replace("\\", "\\\\").replace('"', '\\"')
        commented = sent.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        header = (
            f'{SERVER}; spf=pass smtp.mailfrom="{quoted}"@e.cn (sent as {commented}); '
            "dmarc=fail header.from=shop.example"
        )
        server, results = read_results(header)
        assert server == SERVER and [r.method for r in results] == ["spf", "dmarc"]
        assert not vouched_for([header], SERVER, "shop.example")

    @given(st.text())
    def test_any_header_text_is_read_without_error(self, value: str) -> None:
        read_results(value)

    def test_no_server_or_no_domain_vouches_for_nothing(self) -> None:
        headers = [f"{SERVER}; dmarc=pass header.from=shop.example"]
        assert vouched_for(headers, SERVER, "shop.example")
        assert not vouched_for(headers, "", "shop.example")
        assert not vouched_for(headers, SERVER, "")


def entry(author: str, profile: str = "", email: str = "") -> dict[str, Any]:
    detail = {"name": author, **({"href": profile} if profile else {})}
    return {
        "id": "p2",
        "title": "Re: 热水器漏水",
        "author": author,
        "author_detail": {**detail, **({"email": email} if email else {})},
        "summary": "您好，已安排师傅上门。",
    }


def forum(**settings: Any) -> ForumFeeds:
    return ForumFeeds(ForumSettings(feeds=["http://bbs.example/f"], **settings), CoreSettings())


def forum_staff(feed: ForumFeeds, item: dict[str, Any]) -> bool:
    return bool(feed._fields(item, "p2", None, {})["is_staff_reply"])


class TestForum:
    def test_staff_are_known_by_their_profile_address(self) -> None:
        feed = forum(staff_profiles=["HTTPS://BBS.example/u/1024/"])
        assert forum_staff(feed, entry("客服小美", "https://bbs.example/u/1024"))
        assert not forum_staff(feed, entry("客服小美", "https://bbs.example/u/777"))
        assert not forum_staff(feed, entry("客服小美"))  # a name alone, however spelt
        assert not forum_staff(feed, entry("x", "https://bbs.example/u/10245"))

    def test_names_count_only_where_they_are_accounts(self) -> None:
        """Before: anyone who called themselves 客服小美 answered their own thread."""
        with pytest.raises(ConfigError, match="STAFF_PROFILES"):
            forum(staff_authors=["客服小美"])
        feed = forum(staff_authors=["客服小美"], staff_authors_are_accounts=True)
        assert forum_staff(feed, entry("客服小美"))
        assert not forum_staff(feed, entry("张先生"))


class TestChat:
    def test_a_customer_named_like_an_agent_is_a_customer_where_roles_are_given(self) -> None:
        """Before: a buyer whose nickname was a staff name counted as staff in any export."""
        transform = chat_transform(ChatSettings(staff_names=["小美"]))
        buyer = {"conversation_id": "c", "id": "1", "sender": "小美", "role": "buyer", "text": "?"}
        empty = {**buyer, "id": "2", "role": ""}
        agent = {**buyer, "id": "3", "sender": "阿强", "role": "客服", "text": "在的"}
        assert not transform(buyer)["is_staff_reply"]
        assert not transform(empty)["is_staff_reply"]
        answer = transform(agent)
        assert answer["is_staff_reply"] and answer["reply_to"] == "c/1"

    def test_without_a_role_column_the_staff_names_decide(self) -> None:
        transform = chat_transform(ChatSettings(staff_names=["小美"]))
        row = {"会话ID": "c", "消息ID": "1", "发送人": "旗舰店:小美", "内容": "在的"}
        assert transform(row)["is_staff_reply"]
