"""Create HangarStack's Kafka topics with the operations guide's settings.

Run at deploy time (the migrate Job does). Safe to run again: existing topics
are reported, with any difference in partitions or config from what this
deployment asks for, and left alone (changing them is an operator's decision).
"""

import time

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from events import outbox, topics
from events.connection import kafka_config
from events.envelope import make_event


class Command(BaseCommand):
    help = "Create the hangarstack.* Kafka topics (idempotent); --dry-run validates without creating."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="ask the broker to validate only")
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the broker")

    def handle(self, *args, dry_run: bool, timeout: float, **options):
        admin = AdminClient(kafka_config(**{"socket.connection.setup.timeout.ms": int(timeout * 1000)}))
        try:
            cluster = admin.list_topics(timeout=timeout)
        except KafkaException as exc:
            raise CommandError(
                f"cannot reach the Kafka broker at {kafka_config()['bootstrap.servers']} within {timeout:.0f}s "
                f"({exc.args[0].str() if exc.args else exc}). Check KAFKA_BOOTSTRAP_SERVERS and credentials."
            ) from exc
        existing = cluster.topics

        missing = [t for t in topics.ALL if t.full_name not in existing]
        brokers = len(cluster.brokers)
        too_few_brokers = [t for t in missing if t.replication_factor > brokers]
        capped = settings.KAFKA.get("CAP_REPLICATION_AT_BROKERS") and too_few_brokers
        if capped:
            self.stderr.write(
                self.style.WARNING(
                    f"replication factor {too_few_brokers[0].replication_factor} on {brokers} broker(s): "
                    f"creating topics with replication factor {brokers} (development only)"
                )
            )
        elif too_few_brokers:
            raise CommandError(
                f"the cluster has {len(cluster.brokers)} broker(s) but topics ask for replication factor "
                f"{too_few_brokers[0].replication_factor}; set KAFKA_TOPIC_REPLICATION_FACTOR accordingly."
            )
        for topic in topics.ALL:
            if topic.full_name in existing:
                self._report_existing(admin, topic, existing[topic.full_name], timeout)

        created = []
        if missing and dry_run:
            # Validated above against the cluster's metadata. Not with validate_only:
            # some Kafka-compatible brokers (Tansu) ignore it and create the topics.
            for topic in missing:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"would create {topic.full_name} ({topic.partitions} partitions, "
                        f"replication {topic.replication_factor}, {topic.config})"
                    )
                )
        elif missing:
            requests = [
                NewTopic(
                    t.full_name,
                    num_partitions=t.partitions,
                    replication_factor=min(t.replication_factor, brokers) if capped else t.replication_factor,
                    config=(
                        {**t.config, "min.insync.replicas": str(min(int(t.config["min.insync.replicas"]), brokers))}
                        if capped
                        else t.config
                    ),
                )
                for t in missing
            ]
            futures = admin.create_topics(requests, request_timeout=timeout)
            errors = []
            for name, future in futures.items():
                try:
                    future.result(timeout=timeout)
                    created.append(name)
                except Exception as exc:
                    errors.append(f"{name}: {exc}")
            for name in created:
                verb = "would create" if dry_run else "created"
                topic = topics.by_name(name)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{verb} {name} ({topic.partitions} partitions, replication {topic.replication_factor})"
                    )
                )
            if errors:
                raise CommandError("could not create topics:\n  " + "\n  ".join(errors))
        if not missing:
            self.stdout.write("Nothing to do; every topic exists.")
        if created:
            time.sleep(0.2)  # let metadata settle before the first produce
            outbox.store(
                [make_event(topics.SYSTEM, "topics.created", subject="topics", key="topics", data={"topics": created})]
            )

    def _report_existing(self, admin, topic, metadata, timeout) -> None:
        differences = []
        partitions = len(metadata.partitions)
        if partitions != topic.partitions:
            differences.append(f"partitions {partitions} (wanted {topic.partitions})")
        try:
            described = admin.describe_configs([ConfigResource("topic", topic.full_name)])
            actual = {k: v.value for k, v in next(iter(described.values())).result(timeout=timeout).items()}
            for key, wanted in topic.config.items():
                if key in actual and actual[key] != wanted:
                    differences.append(f"{key}={actual[key]} (wanted {wanted})")
        except Exception as exc:
            differences.append(f"config not readable: {exc}")
        if differences:
            self.stdout.write(self.style.WARNING(f"exists, differs: {topic.full_name}: " + "; ".join(differences)))
        else:
            self.stdout.write(f"exists: {topic.full_name}")
