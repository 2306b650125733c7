"""Register every topic's JSON Schema with a Confluent-compatible Schema Registry.

The operations guide used to do this by hand, one `confluent schema-registry
schema create` per topic. This registers events/schemas/<topic>.json under the
subject `<topic>-value` (the name confluent-kafka's serializer looks up), sets
each subject's compatibility level (BACKWARD unless SCHEMA_REGISTRY_COMPATIBILITY
or --compatibility says otherwise) and reports each subject as new, a new
version, unchanged, or incompatible.

All or nothing: every subject is checked first, and if any schema is
incompatible with what is registered, nothing is registered and the command
fails, so a deploy stops before producers write events consumers cannot read.
Safe to run again: a run with nothing to change changes nothing.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from events import compatibility, schema_store, serde, topics

LEVELS = ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE")
SUBJECT_NOT_FOUND = 40401


class Command(BaseCommand):
    help = "Register each topic's JSON Schema under <topic>-value in the Schema Registry (idempotent; --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report what would change, change nothing")
        parser.add_argument("--compatibility", choices=LEVELS, help="default: SCHEMA_REGISTRY_COMPATIBILITY")

    def handle(self, *args, dry_run: bool, compatibility: str | None, **options):
        from confluent_kafka.schema_registry.error import SchemaRegistryError

        if not serde.registry_configured():
            raise CommandError("SCHEMA_REGISTRY_URL is not set: point it at the registry (and set its API key/secret)")
        level = (compatibility or settings.SCHEMA_REGISTRY["COMPATIBILITY"]).upper()
        if level not in LEVELS:
            raise CommandError(f"unknown compatibility level {level!r}; one of {', '.join(LEVELS)}")
        self.client = serde.registry_client()
        self.dry_run = dry_run
        try:
            changed_levels = sum(self._ensure_level(serde.subject(topic), level) for topic in topics.ALL)
            plan = [self._plan(topic, level) for topic in topics.ALL]
            incompatible = [p for p in plan if p["outcome"] == "incompatible"]
            if not incompatible and not dry_run:
                for item in plan:
                    if item["outcome"] in ("new", "new version"):
                        item["registered"] = self.client.register_schema_full_response(item["subject"], item["schema"])
        except SchemaRegistryError as exc:
            hint = (
                " Check SCHEMA_REGISTRY_API_KEY and SCHEMA_REGISTRY_API_SECRET."
                if exc.http_status_code in (401, 403)
                else ""
            )
            raise CommandError(f"the Schema Registry refused: {exc}.{hint}") from exc
        except Exception as exc:  # connection refused, DNS, TLS, timeout
            raise CommandError(f"cannot reach the Schema Registry at {settings.SCHEMA_REGISTRY['URL']}: {exc}") from exc
        self._report(plan, incompatible)
        if incompatible:
            raise CommandError(
                f"{len(incompatible)} schema(s) incompatible with what is registered ({level}); nothing registered"
            )
        if not changed_levels and all(item["outcome"] == "unchanged" for item in plan):
            self.stdout.write("Nothing to do.")

    def _plan(self, topic, level: str) -> dict:
        from confluent_kafka.schema_registry import Schema
        from confluent_kafka.schema_registry.error import SchemaRegistryError

        subject = serde.subject(topic)
        schema = Schema(schema_store.schema_text(topic.name), schema_type="JSON")
        item = {"subject": subject, "schema": schema}
        try:
            found = self.client.lookup_schema(subject, schema)
            return {**item, "outcome": "unchanged", "detail": f"id {found.schema_id}, version {found.version}"}
        except SchemaRegistryError as exc:
            if exc.http_status_code != 404:
                raise
            if exc.error_code == SUBJECT_NOT_FOUND:
                return {**item, "outcome": "new"}
        if self.client.test_compatibility(subject, schema):
            return {**item, "outcome": "new version"}
        latest = self.client.get_latest_version(subject)
        reasons = compatibility.backward_problems(json.loads(latest.schema.schema_str), schema_store.load(topic.name))
        why = "; ".join(reasons) or f"the registry's {level} check refused it"
        return {**item, "outcome": "incompatible", "detail": f"with version {latest.version}: {why}"}

    def _report(self, plan: list[dict], incompatible: list[dict]) -> None:
        counts: dict[str, int] = {}
        for item in plan:
            outcome = item["outcome"]
            counts[outcome] = counts.get(outcome, 0) + 1
            if "registered" in item:
                line = f"{item['subject']}: {outcome} (id {item['registered'].schema_id})"
            elif outcome in ("new", "new version"):
                line = f"{item['subject']}: {outcome}, {'would register' if self.dry_run else 'not registered'}"
            else:
                line = f"{item['subject']}: {outcome} ({item['detail']})"
            style = {"incompatible": self.style.ERROR, "unchanged": str}.get(outcome, self.style.SUCCESS)
            self.stdout.write(style(line))
        summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("new", "new version", "unchanged", "incompatible"))
        self.stdout.write(("dry run: " if self.dry_run else "") + summary)

    def _ensure_level(self, subject: str, level: str) -> bool:
        """Give the subject the level; True when that changes (or, dry run, would change) it."""
        from confluent_kafka.schema_registry.error import SchemaRegistryError

        try:
            current = self.client.get_compatibility(subject)
        except SchemaRegistryError as exc:
            if exc.http_status_code != 404:
                raise
            current = None  # no level of its own: the registry's global default applies
        if current == level:
            return False
        was = current or "the global default"
        if self.dry_run:
            self.stdout.write(f"{subject}: would set compatibility {level} (now {was})")
        else:
            self.client.set_compatibility(subject, level)
            self.stdout.write(f"{subject}: compatibility {level} (was {was})")
        return True
