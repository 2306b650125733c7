from django.db import models


class OutboxEvent(models.Model):
    """An event stored durably in PostgreSQL until the relay has it acknowledged by Kafka.

    Catalogue changes are written here in the same transaction as the change.
    High-volume events land here only when the broker could not take them in time.
    """

    class Origin(models.TextChoices):
        TRANSACTION = "transaction", "Written with a catalogue change"
        SPOOLED = "spooled", "Spooled after the broker did not acknowledge"

    # The sequence orders the relay's sends, which keeps events in order per key.
    seq = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True)
    topic = models.CharField(max_length=120)
    key = models.CharField(max_length=200)
    value = models.TextField(help_text="The CloudEvents JSON envelope.")
    # A batch record (events.envelope.make_batch) carries several events: the
    # relay's metrics count them, not the record.
    event_count = models.PositiveIntegerField(default=1)
    origin = models.CharField(max_length=20, choices=Origin, default=Origin.TRANSACTION)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"{self.topic} {self.event_id}"


class ProcessedEvent(models.Model):
    """Event ids the analytics consumer has applied, so redelivery counts once."""

    event_id = models.UUIDField(primary_key=True)
    topic = models.CharField(max_length=120)
    processed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return str(self.event_id)


class DeadLetterEvent(models.Model):
    """An event that breaks its topic's JSON Schema, set aside instead of retried or dropped.

    The broker refused it (INVALID_RECORD) or the Schema Registry serializer
    would not frame it. Retrying cannot help: the event or the schema has to
    change. `dead_letters --requeue` puts them back in the outbox once fixed.
    """

    class Stage(models.TextChoices):
        BROKER = "broker", "Refused by the broker"
        SERIALIZER = "serializer", "Refused by the Schema Registry serializer"

    event_id = models.UUIDField(unique=True)
    topic = models.CharField(max_length=120)
    key = models.CharField(max_length=200)
    value = models.TextField(help_text="The CloudEvents JSON envelope as produced.")
    stage = models.CharField(max_length=20, choices=Stage)
    reason = models.TextField(help_text="Which parts of the event break the schema.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.topic} {self.event_id}"
