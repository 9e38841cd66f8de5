"""Topics Radar creates want a majority of their replicas in sync (``min.insync.replicas``), so
a record every producer wrote with acks=all survives the loss of a broker; Faust's own topics
(the windows topic, table changelogs) are created the same way."""

from __future__ import annotations

from typing import Any, ClassVar

import faust
import pytest

from radar.settings import CoreSettings
from radar.topics import Topics, ensure_topics, min_insync_replicas, topic_configs
from streams.tables import partitioned_table


@pytest.mark.parametrize(
    ("replication", "in_sync"), [(1, 1), (2, 1), (3, 2), (4, 3), (5, 3)], ids=str
)
def test_min_insync_replicas_is_a_majority_from_three_on(replication: int, in_sync: int) -> None:
    assert min_insync_replicas(replication) == in_sync
    assert topic_configs(replication) == {"min.insync.replicas": str(in_sync)}


class FakeAdmin:
    """kafka-python's admin client, as far as ensure_topics uses it."""

    created: ClassVar[list[Any]] = []
    brokers: ClassVar[int] = 3

    def __init__(self, **_config: Any) -> None:
        pass

    def list_topics(self) -> list[str]:
        return ["radar.feedback.raw"]

    def describe_cluster(self) -> dict[str, Any]:
        return {"brokers": [{"node_id": n} for n in range(1, self.brokers + 1)]}

    def create_topics(self, new: list[Any], timeout_ms: int) -> None:
        FakeAdmin.created = new

    def close(self) -> None:
        pass


@pytest.fixture
def admin(monkeypatch: pytest.MonkeyPatch) -> type[FakeAdmin]:
    import kafka.admin

    FakeAdmin.created = []
    monkeypatch.setattr(kafka.admin, "KafkaAdminClient", FakeAdmin)
    return FakeAdmin


def test_missing_topics_are_created_replicated_with_two_of_three_in_sync(
    admin: type[FakeAdmin], caplog: pytest.LogCaptureFixture
) -> None:
    core = CoreSettings(topic_prefix="radar.", topic_partitions=6, topic_replication=3)
    created = ensure_topics(core)
    names = Topics.from_settings(core).all()
    assert created == [name for name in names if name != "radar.feedback.raw"]
    assert [topic.name for topic in admin.created] == created
    for topic in admin.created:
        assert (topic.num_partitions, topic.replication_factor) == (6, 3)
        assert topic.topic_configs == {"min.insync.replicas": "2"}
    assert "replication" not in caplog.text


def test_replication_one_on_a_cluster_is_warned_about(
    admin: type[FakeAdmin], caplog: pytest.LogCaptureFixture
) -> None:
    ensure_topics(CoreSettings(topic_prefix="radar.", topic_replication=1))
    assert {topic.topic_configs["min.insync.replicas"] for topic in admin.created} == {"1"}
    assert "RADAR_TOPIC_REPLICATION=3" in caplog.text


def test_faust_creates_table_changelogs_with_the_same_in_sync_majority() -> None:
    app = faust.App("radar-test", broker="kafka://127.0.0.1:1", topic_replication_factor=3)
    table = partitioned_table(app, "cells", 4)
    assert table.changelog_topic.config == {"min.insync.replicas": "2"}
    # Faust declares it with the app's replication (Topic.declare)
    assert (table.changelog_topic.replicas or app.conf.topic_replication_factor) == 3
