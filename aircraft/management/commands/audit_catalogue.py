"""Report what is wrong with, or missing from, the catalogue in the database.

A reference is only as good as its figures: this finds the gaps (per field and
per role, against issue 10's nine-in-ten target), the contradictions (a speed
that disagrees with its Mach number, an empty weight above the take-off weight,
dates out of order), sources that are landing pages, values with no source and
duplicate names. CI runs it with `--fail-on contradictions` so none can land.
It only reads; running it twice gives the same report.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from aircraft import audit

LISTED = 50  # findings listed per section before "... and N more"


def parse_fail_on(value: str) -> list[str]:
    categories = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [c for c in categories if c not in audit.CATEGORIES]
    if unknown or not categories:
        raise CommandError(
            f"--fail-on: {', '.join(unknown) or 'nothing'} is not a category; use one or more of"
            f" {', '.join(audit.CATEGORIES)}, comma-separated"
        )
    return categories


class Command(BaseCommand):
    help = (
        "Audit the catalogue in the database: missing figures, contradictions, landing-page sources,"
        " unsourced values and duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
        parser.add_argument(
            "--fail-on",
            default="",
            metavar="CATEGORIES",
            help=f"exit non-zero if any of these has findings: {', '.join(audit.CATEGORIES)} (comma-separated)",
        )

    def handle(self, *args, format: str, fail_on: str, **options):
        categories = parse_fail_on(fail_on) if fail_on else []
        report = audit.catalogue_audit()
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        else:
            self._write_text(report, options["verbosity"])
        failures = report.failures(categories)
        if failures:
            lines = []
            for category, findings in failures.items():
                lines.append(f"{category}: {len(findings)}")
                lines += [f"  {finding.line()}" for finding in findings[:LISTED]]
                if len(findings) > LISTED:
                    lines.append(f"  ... and {len(findings) - LISTED} more")
            raise CommandError("catalogue audit failed on " + ", ".join(failures) + ":\n" + "\n".join(lines))
        if categories and options["verbosity"] >= 1 and format == "text":
            self.stdout.write(self.style.SUCCESS(f"Audit passed: no {', no '.join(categories)}."))

    def _write_text(self, report: audit.AuditReport, verbosity: int) -> None:
        write = self.stdout.write
        if verbosity >= 1:
            write(
                self.style.MIGRATE_HEADING(
                    f"Catalogue audit: {report.aircraft} aircraft, {report.sources} sources, {report.figures} figures"
                )
            )
            write(self.style.MIGRATE_HEADING(f"\nCompleteness (target {audit.COMPLETENESS_TARGET:.0%} per field)"))
            for group in report.completeness:
                share = group.complete / group.total if group.total else 1
                write(
                    f"  {audit.GROUP_LABELS[group.group]}: {group.total} aircraft,"
                    f" {group.complete} ({share:.0%}) with every field"
                )
                for coverage in group.fields:
                    line = f"    {coverage.label:<50} {coverage.filled:>5}/{coverage.total:<5} {coverage.share:>5.0%}"
                    write(line if coverage.meets_target else self.style.WARNING(line + "  below target"))
                    if verbosity >= 2 and coverage.missing:
                        write(f"      missing: {', '.join(coverage.missing)}")
            write(self.style.MIGRATE_HEADING("\nMissing figures by role"))
            if not report.missing_by_role:
                write("  none")
            for role, fields in report.missing_by_role.items():
                counts = ", ".join(f"{name} {len(slugs)}" for name, slugs in fields.items())
                write(f"  {role} ({report.role_totals[role]} aircraft): {counts}")
                if verbosity >= 2:
                    for name, slugs in fields.items():
                        write(f"    {name}: {', '.join(slugs)}")
            for category, title in (
                (audit.CONTRADICTIONS, "Contradictions"),
                (audit.LANDING_PAGES, "Sources that are landing pages"),
                (audit.UNSOURCED, "Values without a source"),
                (audit.DUPLICATES, "Duplicate designations and names"),
            ):
                findings = report.findings(category)
                write(self.style.MIGRATE_HEADING(f"\n{title}: {len(findings)}"))
                shown = findings if verbosity >= 2 else findings[:LISTED]
                for finding in shown:
                    write(f"  [{finding.check}] {finding.line()}")
                if len(findings) > len(shown):
                    write(f"  ... and {len(findings) - len(shown)} more (--verbosity 2 lists all)")
            write("")
        counts = report.counts()
        counts[f"{audit.COMPLETENESS} (fields below target)"] = counts.pop(audit.COMPLETENESS)
        write("Summary: " + ", ".join(f"{category} {count}" for category, count in counts.items()))
