"""How every Kafka client of ours connects: producers, consumers, the admin client.

Kept apart from the producer (events/producer.py) so that whatever only needs
to reach the broker (the relay, the consumer, the metrics' lag probe, health,
the commands) does not import the per-process producer, and the producer's own
metrics do not import it back.
"""

import logging
import os

from django.conf import settings


def kafka_config(**extra) -> dict:
    """Connection settings shared by producers, consumers and the admin client."""
    conf = settings.KAFKA
    config = {
        "bootstrap.servers": conf["BOOTSTRAP_SERVERS"],
        "security.protocol": conf["SECURITY_PROTOCOL"],
        "client.id": f"hangarstack-{os.getpid()}",
        # librdkafka's own log lines go through Python logging, not raw to stderr.
        "logger": logging.getLogger("librdkafka"),
    }
    if conf["SECURITY_PROTOCOL"].upper().startswith("SASL"):
        config.update(
            {
                "sasl.mechanism": conf["SASL_MECHANISM"],
                "sasl.username": conf["USERNAME"],
                "sasl.password": conf["PASSWORD"],
            }
        )
    config.update(extra)
    return config


def producer_config(**extra) -> dict:
    return kafka_config(
        **{
            "enable.idempotence": True,  # implies acks=all and ordered retries
            "acks": "all",
            "linger.ms": settings.KAFKA["LINGER_MS"],
            "compression.type": "lz4",  # batches of JSON shrink several times: less for the broker to store and send
            "message.timeout.ms": settings.KAFKA["MESSAGE_TIMEOUT_MS"],
            "queue.buffering.max.messages": 100_000,
            "socket.connection.setup.timeout.ms": 5_000,
            "reconnect.backoff.max.ms": 5_000,
            **extra,
        }
    )
