"""Fuzz target: random and mutated bytes through the ingest parsers and the worker's parsing.

Run standalone: ``python tests/fuzz/fuzz_ingest.py --runs 20000 [--seed 1] [--worker]``.
Every input must end as a valid event or a dead letter with a reason code; any
other exception is a finding (the input is written to ``--out`` and the run fails).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ingest.files import parse_json_record, read_rows
from ingest.intake import to_record
from ingest.mailtext import read_mail
from ingest.schemas import mention_fields, survey_fields
from radar.events import FeedbackEvent, ScoredEvent, parse_values
from radar.masking import MASK_LIMIT, find_personal_data, mask_text
from tests.fuzz.hostile import NOW, check_deadletter, mutate, nested, normaliser, outcome

REVIEW = {
    "id": "r-1",
    "text": "快递太慢了，电话13812345678",
    "created_at": "2026-11-20 10:00",
    "rating": 2,
    "product": "p1",
    "region": "华东",
}
SURVEY = {
    "submission_id": "s-1",
    "submitted_at": "2026-11-20T10:00:00+08:00",
    "csat": 2,
    "nps": 3,
    "comment": "客服态度差",
    "answers": {"q1": "退款太慢"},
}
MENTION = {
    "id": 4711,
    "text": "这家店发货太慢 #吐槽#",
    "created_at": "Fri Nov 20 10:00:00 +0800 2026",
    "user": {"id": 1, "screen_name": "u", "followers_count": 12, "location": "上海 浦东"},
    "reposts_count": 3,
}
CSV = 'id,text,created_at,rating\n1,质量太差了,2026-11-20 10:00,1\n2,"好评, 五星",2026-11-20,5\n'
MAIL = (
    "From: =?utf-8?b?5byg5LiJ?= <a@example.com>\r\nSubject: =?gb2312?b?zcu/7g==?=\r\n"
    "Date: Fri, 20 Nov 2026 10:00:00 +0800\r\nMessage-ID: <m1@example.com>\r\n"
    "Content-Type: text/html; charset=utf-8\r\n\r\n<p>退款还没到账</p><script>x()</script>\r\n"
)


def fuzz_jsonl(data: bytes) -> str:
    row = parse_json_record(data, "fuzz:1")
    return outcome(normaliser(), row.fields, row.raw, row.error)


def fuzz_csv(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(data)
        results = [outcome(normaliser(), r.fields, r.raw, r.error) for r in read_rows(path, "csv")]
    return ",".join(sorted(set(results))) or "no_rows"


def _push(parse: Callable[[object], dict[str, object]], channel: str) -> Callable[[bytes], str]:
    def target(data: bytes) -> str:
        record = to_record(data, "fuzz:request:1", parse)  # type: ignore[arg-type]
        return outcome(normaliser(channel), record.fields, record.raw, record.error)

    return target


def fuzz_mail(data: bytes) -> str:
    try:
        mail = read_mail(data)
    except Exception:  # the email connector dead-letters these as bad_mime
        return "bad_mime"
    fields = {
        "external_id": mail.message_id or "uid-1",
        "title": mail.subject or None,
        "text": mail.text,
        "author": mail.from_address or None,
        "created_at": mail.date,
        "reply_to": mail.in_reply_to,
    }
    present = {k: v for k, v in fields.items() if v is not None}
    return outcome(normaliser("email"), present, data, None)


PII_TEXT = (
    "手机１３８１２３４５６７８ Tel13812345678QQ同号 邮箱 zhang.san(at)example.com "
    "身份证110101-19900307-8515 卡号6217 0012 3456 7890 122 收件人：张三 "
    "收货地址：北京市朝阳区建国路88号1201室 微信号码：zhangsan88"
)


#: What must never be left in masked text. (What is left of a masked landline can, run
#: together with the next number, look like another landline: that is not a leak.)
NUMBERS = {"mobile", "email", "id_card", "bank_card"}


def fuzz_masking(data: bytes) -> str:
    """Any text masks to one where no rule would find a phone, email, ID or card number."""
    text = data.decode("utf-8", "replace")
    masked = mask_text(text)
    if len(masked) <= MASK_LIMIT:
        left = NUMBERS & set(find_personal_data(masked))
        assert not left, (left, text[:300], masked[:300])
    return "masked" if masked != text else "clean"


def fuzz_raw_topic(data: bytes) -> str:
    """What the worker does with one ``feedback.raw`` value: an event or a dead letter."""
    events, letters = parse_values([data], FeedbackEvent, now=NOW, stage="worker")
    assert len(events) + len(letters) == 1
    if letters:
        check_deadletter(letters[0], letters[0].reason)
        return letters[0].reason
    return "event"


#: name -> (seed input, target)
TARGETS: dict[str, tuple[bytes, Callable[[bytes], str]]] = {
    "jsonl": (json.dumps(REVIEW, ensure_ascii=False).encode(), fuzz_jsonl),
    "csv": (CSV.encode(), fuzz_csv),
    "survey": (json.dumps(SURVEY, ensure_ascii=False).encode(), _push(survey_fields, "survey")),
    "social": (json.dumps(MENTION, ensure_ascii=False).encode(), _push(mention_fields, "social")),
    "mail": (MAIL.encode(), fuzz_mail),
    "raw_topic": (b"", fuzz_raw_topic),
    "masking": (PII_TEXT.encode(), fuzz_masking),
}


def raw_event_seed() -> bytes:
    event = normaliser().build(REVIEW)
    return event.to_json()


def generate(seed: bytes, rng: random.Random) -> bytes:
    """One input: mostly a mutated seed, sometimes deep nesting or plain random bytes."""
    roll = rng.random()
    if roll < 0.05:
        return nested(rng.choice((10, 33, 200, 5000))).encode()
    if roll < 0.12:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
    return mutate(seed, rng, rounds=rng.choice((1, 2, 4, 8)))


def run(
    runs: int, seed: int = 0, out: Path | None = None, *, worker: bool = False
) -> dict[str, Counter[str]]:
    """Fuzz every target ``runs`` times in all; returns outcome counts per target.

    Raises AssertionError on the first input that ends other than as an event or a
    dead letter (saved under ``out`` when given). ``worker`` also scores the events
    that parse with the fast sentiment engine (loads its model once).
    """
    rng = random.Random(seed)
    seeds = {name: s for name, (s, _) in TARGETS.items()}
    seeds["raw_topic"] = raw_event_seed()
    counts: dict[str, Counter[str]] = {name: Counter() for name in TARGETS}
    scorer = _scorer() if worker else None
    for n in range(runs):
        name = list(TARGETS)[n % len(TARGETS)]
        data = generate(seeds[name], rng)
        try:
            result = TARGETS[name][1](data)
            if scorer is not None and name == "raw_topic" and result == "event":
                scorer(data)
        except Exception as exc:
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                (out / f"{name}-{seed}-{n}.bin").write_bytes(data)
            msg = f"{name} input #{n} (seed {seed}) raised {exc!r}: {data[:200]!r}"
            raise AssertionError(msg + "\n" + traceback.format_exc()) from exc
        counts[name][result] += 1
    return counts


def _scorer() -> Callable[[bytes], None]:
    from streams.scoring import score_or_reject
    from streams.sentiment import get_engine

    engine = get_engine("fast")

    def score(data: bytes) -> None:
        [event], _ = parse_values([data], FeedbackEvent, now=NOW, stage="worker")
        scored, letters = score_or_reject([event], engine, NOW)
        for item in scored:  # built without validation on the hot path: validate here
            ScoredEvent.model_validate(item.model_dump())
        for letter in letters:
            check_deadletter(letter, "scoring_failed")
        assert len(scored) + len(letters) == 1

    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5000, help="inputs in all (over all targets)")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--out", type=Path, default=Path("fuzz-findings"))
    parser.add_argument("--worker", action="store_true", help="also score with the fast engine")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        counts = run(args.runs, args.seed, args.out, worker=args.worker)
    except AssertionError as exc:
        print(f"FINDING: {exc}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started
    print(f"{args.runs} inputs, seed {args.seed}, {elapsed:.1f}s, no crash")
    for name, outcomes in counts.items():
        shown = ", ".join(f"{k}={v}" for k, v in outcomes.most_common(8))
        print(f"  {name:<10} {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
