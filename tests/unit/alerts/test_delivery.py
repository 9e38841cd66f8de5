"""The retry stage: retry what may work, with backoff on the clock; give up on the rest."""

from __future__ import annotations

from datetime import timedelta

from alerts import incidents
from alerts.delivery import Deliverer, RetryPolicy
from alerts.message import Message
from alerts.nflog import NotificationLog
from alerts.notifiers import NotifyFailed
from radar.clock import ManualClock
from radar.store import Store
from tests.unit.alerts.conftest import RecordingNotifier

S = timedelta(seconds=1)


def queue(
    store: Store, clock: ManualClock, receiver: str = "oncall", incident_id: str | None = None
) -> str:
    message = Message(
        id=f"n-{receiver}-{clock.now().timestamp()}",
        kind="firing",
        status="firing",
        receiver=receiver,
        group_key="g",
        rule="r",
        title="t",
        severity=2,
        created_at=clock.now(),
    )
    if incident_id:
        message = message.model_copy(update={"incident": None})
    NotificationLog(store).enqueue(message, [["fp", 2]])
    return message.id


def deliverer(store: Store, clock: ManualClock, notifier: RecordingNotifier) -> Deliverer:
    policy = RetryPolicy(initial=10 * S, factor=2, maximum=30 * S, max_attempts=4)
    return Deliverer(store, NotificationLog(store), {notifier.receiver: notifier}, clock, policy)


def test_retryable_failures_back_off_then_succeed(store: Store, clock: ManualClock) -> None:
    notifier = RecordingNotifier("oncall")
    notifier.failures = [
        NotifyFailed("503", retryable=True),
        NotifyFailed("timeout", retryable=True),
    ]
    d = deliverer(store, clock, notifier)
    nid = queue(store, clock)
    assert d.deliver_due().retrying == [nid]
    clock.advance(9 * S)
    assert d.deliver_due().retrying == []  # not yet: waits 10s
    clock.advance(1 * S)
    assert d.deliver_due().retrying == [nid]
    clock.advance(19 * S)
    assert d.deliver_due().sent == []  # second wait is 20s
    clock.advance(1 * S)
    assert d.deliver_due().sent == [nid]
    entry = NotificationLog(store).get(nid)
    assert entry is not None and (entry.status, entry.attempts) == ("sent", 3)
    assert d.deliver_due().sent == []  # sent once, never again


def test_non_retryable_failure_stops_at_once(store: Store, clock: ManualClock) -> None:
    notifier = RecordingNotifier("oncall")
    notifier.failures = [NotifyFailed("HTTP 400 bad token", retryable=False)]
    incident = incidents.open_incident(
        store, group_key="g", rule="r", type="spike", title="t", severity=1, key={}
    )
    message = Message(
        id="n1",
        kind="firing",
        status="firing",
        receiver="oncall",
        group_key="g",
        rule="r",
        title="t",
        severity=1,
        created_at=clock.now(),
        incident={
            "id": incident.id,
            "title": "t",
            "status": "open",
            "type": "spike",
            "opened_at": clock.now(),
            "url": "http://d",
        },
    )
    NotificationLog(store).enqueue(message, [])
    report = deliverer(store, clock, notifier).deliver_due()
    assert report.failed == ["n1"] and notifier.sent == []
    entry = NotificationLog(store).get("n1")
    assert entry is not None and entry.status == "failed" and "400" in (entry.last_error or "")
    (failed,) = [
        e for e in incidents.timeline(store, incident.id) if e.kind == "notification_failed"
    ]
    assert "HTTP 400 bad token" in failed.message


def test_gives_up_after_max_attempts(store: Store, clock: ManualClock) -> None:
    notifier = RecordingNotifier("oncall")
    notifier.failures = [NotifyFailed("down", retryable=True) for _ in range(10)]
    d = deliverer(store, clock, notifier)
    nid = queue(store, clock)
    for _ in range(10):
        d.deliver_due()
        clock.advance(31 * S)
    entry = NotificationLog(store).get(nid)
    assert entry is not None and (entry.status, entry.attempts) == ("failed", 4)


def test_unknown_receiver_fails_with_a_reason(store: Store, clock: ManualClock) -> None:
    nid = queue(store, clock, receiver="gone")
    report = deliverer(store, clock, RecordingNotifier("oncall")).deliver_due()
    assert report.failed == [nid]
    entry = NotificationLog(store).get(nid)
    assert entry is not None and "no longer in the rules file" in (entry.last_error or "")


def test_backoff_policy() -> None:
    policy = RetryPolicy(initial=5 * S, factor=2, maximum=60 * S)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 4, 5, 6)] == [5, 10, 20, 40, 60, 60]


def test_a_notification_sent_as_the_store_goes_away_is_recorded_once_it_is_back(
    clock: ManualClock,
) -> None:
    """The send succeeds, then PostgreSQL stops before the send is recorded: the record
    waits for the server (a real one, stopped and started again), so nothing is sent twice."""
    import threading

    from radar.store.db import make_engine
    from tests.postgres import postgres_cluster

    with postgres_cluster() as server:
        store = Store(make_engine(server.url), clock)
        store.create_schema()
        restarted = threading.Event()

        class StopsTheStore(RecordingNotifier):
            def send(self, message: Message) -> str:
                answer = super().send(message)
                store.engine.dispose()
                server.stop("fast")  # right after the receiver took it
                threading.Timer(2.0, lambda: (server.start(), restarted.set())).start()
                return answer

        notifier = StopsTheStore("oncall")
        d = deliverer(store, clock, notifier)
        nid = queue(store, clock)
        assert d.deliver_due().sent == [nid]
        assert restarted.is_set()  # the record was written after the server came back
        entry = NotificationLog(store).get(nid)
        assert entry is not None and entry.status == "sent"
        assert d.deliver_due().sent == []
        assert len(notifier.sent) == 1
        store.engine.dispose()
