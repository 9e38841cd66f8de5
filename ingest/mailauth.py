"""Connectors: whether the shop's own mail server vouches for a mail's sender (RFC 8601).

A From header says whatever the sender typed, so a customer can write
``From: service@shop.example`` and pass for staff. What a sender cannot write
is the verdict the receiving server adds after checking DKIM and DMARC, in an
``Authentication-Results`` header naming that server (its authserv-id). Only
the topmost such header is read: the receiving server adds its header above
every header the mail arrived with, so one a sender planted lies below it
(and RFC 8601 asks the server to remove those anyway). A verdict counts only
for the From domain itself: ``dmarc=pass`` with ``header.from`` that domain,
or ``dkim=pass`` signed by that domain or a parent of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Result:
    """One method's verdict in an Authentication-Results header (``dkim=pass header.d=…``)."""

    method: str
    result: str
    properties: dict[str, str] = field(default_factory=dict)


def _tokens(value: str) -> list[list[str]]:
    """The header's ``;``-separated parts, each as its words.

    Comments (nested parentheses) are dropped, quoted strings kept whole with
    their quotes removed, and spaces around an ``=`` closed up. Quoted text can
    hold ``;`` or ``=`` (a local part of ``smtp.mailfrom``, which the sender
    chooses), so it never splits a part nor starts a verdict.
    """
    parts: list[list[str]] = [[]]
    word: list[str] = []
    depth = 0  # inside a comment
    quoted = False
    after_equals = False  # the word so far ends with an unquoted "="
    i = 0
    while i < len(value):
        char = value[i]
        if depth:
            if char == "\\":
                i += 1
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
        elif quoted:
            if char == "\\" and i + 1 < len(value):
                i += 1
                word.append(value[i])
            elif char == '"':
                quoted = False
            else:
                word.append(char)
            after_equals = False
        elif char == '"':
            quoted = True
        elif char == "(":
            depth = 1
        elif char == ";":
            if word:
                parts[-1].append("".join(word))
            word, after_equals = [], False
            parts.append([])
        elif char.isspace():
            rest = value[i:].lstrip()
            if word and not after_equals and not rest.startswith("="):
                parts[-1].append("".join(word))
                word = []
        else:
            word.append(char)
            after_equals = char == "="
        i += 1
    if word:
        parts[-1].append("".join(word))
    return parts


def read_results(value: str) -> tuple[str, list[Result]]:
    """An Authentication-Results header's authserv-id (lower case) and its verdicts."""
    parts = _tokens(value)
    head = parts[0]
    server = head[0].casefold() if head else ""
    results = []
    for words in parts[1:]:
        if not words or "=" not in words[0]:
            continue  # "none", or not a verdict
        method, _, result = words[0].partition("=")
        properties = {}
        for word in words[1:]:
            name, equals, text = word.partition("=")
            if equals:
                properties[name.casefold()] = text.casefold()
        results.append(Result(method.split("/")[0].casefold(), result.casefold(), properties))
    return server, results


def _vouches(result: Result, domain: str) -> bool:
    if result.result != "pass":
        return False
    if result.method == "dmarc":
        return result.properties.get("header.from") == domain
    if result.method == "dkim":
        identity = result.properties.get("header.i", "").rpartition("@")[2]
        signer = result.properties.get("header.d") or identity
        return bool(signer) and (domain == signer or domain.endswith("." + signer))
    return False


def vouched_for(headers: Sequence[str], authserv_id: str, domain: str) -> bool:
    """Whether the server ``authserv_id`` found mail from ``domain`` authentic.

    ``headers`` are the mail's Authentication-Results values, topmost first;
    only the first one naming ``authserv_id`` is read.
    """
    wanted, domain = authserv_id.strip().casefold(), domain.strip().casefold()
    if not wanted or not domain:
        return False
    for value in headers:
        server, results = read_results(value)
        if server == wanted:
            return any(_vouches(result, domain) for result in results)
    return False


__all__ = ["Result", "read_results", "vouched_for"]
