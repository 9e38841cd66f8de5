"""``radar ingest forum``, ``radar ingest email`` and ``radar ingest chat``: pull connectors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ingest.chat import ChatSettings, chat_files
from ingest.commands.common import load_settings, pull_options
from ingest.email_imap import EmailSettings, ImapMailbox
from ingest.forum import ForumFeeds, ForumSettings
from ingest.service import run_pull


@click.command("forum")
@click.argument("feeds", nargs=-1)
@click.option(
    "--thread",
    "thread_feeds",
    multiple=True,
    metavar="URL",
    help="A feed that is one thread (opening post and its replies); repeatable",
)
@click.option(
    "--staff-profile",
    "staff_profiles",
    multiple=True,
    metavar="URL",
    help="The profile address (feed author URI) of a staff member: their posts are replies",
)
@click.option(
    "--staff",
    "staff_authors",
    multiple=True,
    metavar="NAME",
    help="An author name of shop staff; needs --staff-authors-are-accounts; repeatable",
)
@click.option(
    "--staff-authors-are-accounts",
    is_flag=True,
    default=None,
    help="The feeds' author names are log-in names no other member can take",
)
@pull_options
def forum_command(
    feeds: tuple[str, ...],
    thread_feeds: tuple[str, ...],
    staff_profiles: tuple[str, ...],
    staff_authors: tuple[str, ...],
    staff_authors_are_accounts: bool | None,
    follow: bool,
    as_json: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Forum and community posts from RSS/Atom FEEDS (URLs), with threads and staff replies.

    Feeds are asked with ETag/Last-Modified; entries already sent are remembered,
    so each poll sends only new posts. Settings: RADAR_INGEST_FORUM_* (feeds,
    thread_feeds, staff_profiles, staff_authors) add to the options.
    """
    base = ForumSettings()
    settings = load_settings(
        ForumSettings,
        options,
        feeds=[*base.feeds, *feeds],
        thread_feeds=[*base.thread_feeds, *thread_feeds],
        staff_profiles=[*base.staff_profiles, *staff_profiles],
        staff_authors=[*base.staff_authors, *staff_authors],
        staff_authors_are_accounts=staff_authors_are_accounts,
    )
    if not settings.feeds and not settings.thread_feeds:
        raise click.UsageError("give feed URLs, --thread URL, or RADAR_INGEST_FORUM_FEEDS")
    run_pull(
        lambda core: ForumFeeds(settings, core),
        settings,
        follow=follow,
        quiet=quiet,
        as_json=as_json,
    )


@click.command("email")
@click.option("--host", help="IMAP server (RADAR_INGEST_EMAIL_HOST)")
@click.option("--port", type=int, help="IMAP port (993 ssl, 143 starttls)")
@click.option("--security", type=click.Choice(["ssl", "starttls", "plain"]), help="Transport")
@click.option("--username", help="Mailbox login (password: RADAR_INGEST_EMAIL_PASSWORD)")
@click.option("--mailbox", help="Folder to read (default INBOX)")
@click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CA bundle for a private server certificate",
)
@click.option(
    "--staff-address",
    "staff_addresses",
    multiple=True,
    help="A staff mail address (their mails are replies); repeatable",
)
@click.option("--staff-domain", "staff_domains", multiple=True, help="A staff mail domain")
@click.option(
    "--authserv-id",
    help="Your mail server's name in Authentication-Results: staff mail must pass its check",
)
@pull_options
def email_command(
    host: str | None,
    port: int | None,
    security: str | None,
    username: str | None,
    mailbox: str | None,
    ca_file: Path | None,
    staff_addresses: tuple[str, ...],
    staff_domains: tuple[str, ...],
    authserv_id: str | None,
    follow: bool,
    as_json: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Customer email from an IMAP mailbox, checkpointed by UID (read-only: nothing is marked).

    MIME is decoded (UTF-8, GBK/GB18030, Big5), HTML turned into text, quoted
    replies and signatures cut. The password comes from RADAR_INGEST_EMAIL_PASSWORD.
    """
    base = EmailSettings()
    settings = load_settings(
        EmailSettings,
        options,
        host=host,
        port=port,
        security=security,
        username=username,
        mailbox=mailbox,
        ca_file=ca_file,
        staff_addresses=[*base.staff_addresses, *staff_addresses],
        staff_domains=[*base.staff_domains, *staff_domains],
        authserv_id=authserv_id,
    )
    run_pull(
        lambda core: ImapMailbox(settings, core),
        settings,
        follow=follow,
        quiet=quiet,
        as_json=as_json,
    )


@click.command("chat")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--staff-name",
    "staff_names",
    multiple=True,
    help="A staff sender name, for exports without a role column; repeatable",
)
@pull_options
def chat_command(
    paths: tuple[Path, ...],
    staff_names: tuple[str, ...],
    follow: bool,
    as_json: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Chat transcripts exported from IM tools (JSON lines or CSV files, or folders).

    One event per message: customer messages are feedback, staff messages are
    marked as replies to the customer message they answer in the conversation.
    """
    base = ChatSettings()
    settings = load_settings(ChatSettings, options, staff_names=[*base.staff_names, *staff_names])
    run_pull(
        lambda core: chat_files(list(paths), core, settings, follow=follow),
        settings,
        follow=follow,
        quiet=quiet,
        as_json=as_json,
    )
