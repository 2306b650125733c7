"""The topics HangarStack writes, with the operations guide's production settings.

Partitions and replication come from KAFKA_TOPIC_PARTITIONS and
KAFKA_TOPIC_REPLICATION_FACTOR (6 and 3 by default; a one-broker cluster needs
a replication factor of 1). Per-topic config can be overridden with
KAFKA_TOPIC_<NAME>_<CONFIG>, e.g. KAFKA_TOPIC_VIEWS_RETENTION_MS=86400000.
"""

import functools
import os
from dataclasses import dataclass

from django.conf import settings

from .schema_store import BATCHED_TOPICS

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class Topic:
    short: str  # for env overrides and schema file names
    name: str
    retention_days: int
    description: str

    @property
    def full_name(self) -> str:
        return settings.KAFKA["TOPIC_PREFIX"] + self.name

    @functools.cached_property  # asked at every view
    def batched(self) -> bool:
        """Written by every visit: a web process sends its events in batches (events.envelope)."""
        return self.name in BATCHED_TOPICS

    @property
    def partitions(self) -> int:
        return int(os.environ.get(f"KAFKA_TOPIC_{self.short.upper()}_PARTITIONS", settings.KAFKA["TOPIC_PARTITIONS"]))

    @property
    def replication_factor(self) -> int:
        return int(
            os.environ.get(
                f"KAFKA_TOPIC_{self.short.upper()}_REPLICATION_FACTOR", settings.KAFKA["TOPIC_REPLICATION_FACTOR"]
            )
        )

    @property
    def config(self) -> dict[str, str]:
        config = {
            "cleanup.policy": "delete",
            "retention.ms": str(self.retention_days * DAY_MS),
            "min.insync.replicas": str(min(2, self.replication_factor)),
        }
        prefix = f"KAFKA_TOPIC_{self.short.upper()}_"
        for key, value in os.environ.items():
            if key.startswith(prefix) and key not in (prefix + "PARTITIONS", prefix + "REPLICATION_FACTOR"):
                config[key[len(prefix) :].lower().replace("_", ".")] = value
        return config


VIEWS = Topic("views", "hangarstack.aircraft.views", 7, "aircraft page views")
SEARCHES = Topic("searches", "hangarstack.search.queries", 30, "searches with their result counts")
DATA_UPDATES = Topic("updates", "hangarstack.data.updates", 365, "catalogue creates, updates and deletes")
USER_ACTIVITY = Topic("activity", "hangarstack.user.activity", 30, "staff sign-in/out, comparisons")
SYSTEM = Topic("system", "hangarstack.system.events", 30, "catalogue loads, topic changes, relay warnings")

ALL = (VIEWS, SEARCHES, DATA_UPDATES, USER_ACTIVITY, SYSTEM)
BY_NAME = {topic.name: topic for topic in ALL}


def by_name(name: str) -> Topic | None:
    """Accepts the full name, the unprefixed name or the short name ("views")."""
    for topic in ALL:
        if name in (topic.full_name, topic.name, topic.short):
            return topic
    return None
