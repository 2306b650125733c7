"""Grow the catalogue with plausible, generated aircraft for benchmarks.

    python -m bench.generate --count N      (or --delete; --help for the rest)

Part of the benchmark, not of the product: bench/run.py runs it for each
catalogue size (bench/generate.py is its command line).

The real catalogue has about 120 aircraft; the site must stay fast at 100,000.
This command makes a catalogue of that size in seconds: generated manufacturers
("Generated Aero 1" to "Generated Aero 20") each get aircraft with realistic
designations, names, roles and specifications within the model's constraints.

It is benchmark data, not catalogue data. It is written with bulk_create, so
no post_save signal fires: no change events go to the outbox or Kafka, and no
audit trail is kept. The search trigger still fills search_vector, and the
catalogue's cache stamp is refreshed once at the end so cached pages go stale.

`--count N` makes the number of generated aircraft exactly N, adding what is
missing or removing the newest extras, so running it twice does nothing the
second time. `--delete` removes every generated record; real aircraft are never
touched (generated ones are recognised by their manufacturer).
"""

import datetime
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from aircraft import digest as digests
from aircraft import quantities
from aircraft.models import (
    Aircraft,
    AircraftDailyViews,
    AircraftSource,
    AircraftViewTotal,
    Figure,
    Manufacturer,
    SearchWord,
    SourceKind,
)
from aircraft.stamps import catalogue_stamp_refresh

MAKER_PREFIX = "Generated Aero"
MAKER_COUNT = 20
SOURCE_NAME = "HangarStack generated benchmark data"
SOURCE_URL = "https://example.invalid/generated/"
# One designation prefix per generated manufacturer, as real makers have ("F-", "C-", "Su-", "An-").
MAKER_CODES = ("GA", "GB", "GC", "GD", "GE", "GF", "GH", "GJ", "GK", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT",
               "GV", "GW", "GX")  # fmt: skip
COUNTRIES = ("United States", "France", "United Kingdom", "Germany", "Italy", "Sweden", "Brazil", "Canada", "Japan",
             "Spain", "Switzerland", "Netherlands")  # fmt: skip
ADJECTIVES = ("Silver", "Swift", "Iron", "Northern", "Grey", "Golden", "Storm", "Night", "Sea", "Sky", "Thunder",
              "Desert", "Arctic", "Blue", "Red", "Shadow", "Rapid", "High", "Long", "Royal", "Bright", "Steel",
              "Wild", "Silent", "Cloud", "Crimson", "Polar", "Coastal", "Mountain", "Star")  # fmt: skip
NOUNS = ("Kestrel", "Falcon", "Heron", "Osprey", "Condor", "Petrel", "Albatross", "Harrier", "Merlin", "Swift",
         "Lynx", "Stallion", "Mustang", "Comet", "Arrow", "Ranger", "Voyager", "Courier", "Sentinel", "Guardian",
         "Nomad", "Pioneer", "Trader", "Lancer", "Hawk", "Eagle", "Raven", "Gannet", "Tern", "Skimmer")  # fmt: skip
TASKS = {
    "fighter": "air superiority and interception",
    "multirole": "air defence, strike and reconnaissance",
    "attack": "close air support",
    "bomber": "long-range strike",
    "airliner": "medium- and long-haul passenger service",
    "regional": "short-haul passenger service between regional airports",
    "transport": "tactical and strategic airlift",
    "tanker": "air-to-air refuelling",
    "patrol": "maritime patrol and anti-submarine warfare",
    "reconnaissance": "high-altitude reconnaissance",
    "early-warning": "airborne early warning and control",
    "trainer": "basic and advanced pilot training",
    "helicopter": "utility, search and rescue and transport",
    "uav": "persistent surveillance without a crew on board",
    "business-jet": "corporate and private travel",
    "utility": "short take-off utility work from unprepared strips",
    "experimental": "flight research",
}


# Plausible ranges per role ("low-high"); share is how common the role is among generated aircraft,
# mtow/empty the maximum take-off weight as a multiple of the empty weight, and "mach" whether the
# type's top speed is also given as a Mach number.
SPECIFICATIONS = """
role           share length_m span_m height_m empty_kg     mtow/empty speed_kn  mach range_km    ceiling_m   crew
fighter        8     14-22    9-14   4-6      8000-20000   1.6-2.2    1100-1450 yes  1500-3500   15000-20000 1-2
multirole      10    14-20    9-13   4-6      7000-18000   1.8-2.5    1000-1300 yes  2000-4000   15000-18000 1-2
attack         4     12-18    11-18  4-5      9000-14000   1.6-2.1    350-600   no   1000-4000   9000-14000  1-2
bomber         3     40-55    40-56  10-13    70000-90000  2.0-2.7    500-1300  no   8000-16000  12000-16000 2-5
airliner       14    30-76    28-70  11-20    40000-180000 1.6-2.1    450-510   no   4000-15000  11000-13100 2-4
regional       9     20-36    24-30  7-10     12000-25000  1.4-1.7    280-470   no   1200-4000   7600-12500  2-3
transport      8     25-75    28-68  9-19     30000-170000 1.8-2.3    300-500   no   3000-10000  9000-13000  3-7
tanker         3     40-55    40-60  12-17    60000-110000 2.0-2.4    450-530   no   10000-15000 12000-13000 3-4
patrol         2     30-40    30-38  10-13    30000-62000  1.4-1.8    330-490   no   4000-8000   8000-12500  8-13
reconnaissance 2     15-35    20-40  4-10     7000-40000   1.5-2.5    400-1900  yes  5000-12000  15000-25000 1-2
early-warning  2     30-47    28-45  10-13    25000-80000  1.6-2.1    300-480   no   3000-9000   9000-12500  4-18
trainer        4     9-13     9-11   3-5      1500-5000    1.4-2.0    250-600   no   1200-2500   7600-14000  2-2
helicopter     20    11-30    10-18  3-6      1000-11000   1.6-2.1    120-170   no   400-1100    3000-6000   1-4
uav            7     5-15     10-40  2-5      300-6700     1.5-2.8    90-400    no   1000-20000  7000-18000  0-0
business-jet   15    14-34    15-32  4-8      5000-25000   1.6-2.0    400-530   yes  3000-14000  13000-15500 2-4
utility        5     9-16     11-20  3-6      1200-4500    1.4-1.9    150-290   no   1000-2500   6000-9000   1-2
experimental   3     8-35     7-40   3-9      1000-20000   1.2-2.0    200-1500  yes  500-5000    5000-20000  1-2
"""


@dataclass(frozen=True)
class Profile:
    share: int
    length: tuple[float, float]
    span: tuple[float, float]
    height: tuple[float, float]
    empty: tuple[int, int]
    mtow_factor: tuple[float, float]
    speed: tuple[int, int]
    mach: bool
    range: tuple[int, int]
    ceiling: tuple[int, int]
    crew: tuple[int, int]


def _profiles(table: str) -> dict[str, Profile]:
    def span(text: str, kind=float) -> tuple:
        low, high = text.split("-")
        return kind(low), kind(high)

    profiles = {}
    for line in table.strip().splitlines()[1:]:
        role, share, length, wingspan, height, empty, mtow, speed, mach, range_, ceiling, crew = line.split()
        profiles[role] = Profile(
            share=int(share),
            length=span(length),
            span=span(wingspan),
            height=span(height),
            empty=span(empty, int),
            mtow_factor=span(mtow),
            speed=span(speed, int),
            mach=mach == "yes",
            range=span(range_, int),
            ceiling=span(ceiling, int),
            crew=span(crew, int),
        )
    return profiles


PROFILES = _profiles(SPECIFICATIONS)
ENGINES = {
    "fighter": ("1 × afterburning turbofan", "2 × afterburning turbofan"),
    "multirole": ("1 × afterburning turbofan", "2 × afterburning turbofan"),
    "attack": ("2 × turbofan", "1 × turboprop"),
    "bomber": ("4 × turbofan", "8 × turbofan"),
    "airliner": ("2 × high-bypass turbofan", "4 × high-bypass turbofan"),
    "regional": ("2 × turboprop", "2 × turbofan"),
    "transport": ("4 × turboprop", "2 × turbofan", "4 × turbofan"),
    "tanker": ("2 × turbofan", "4 × turbofan"),
    "patrol": ("4 × turboprop", "2 × turbofan"),
    "reconnaissance": ("1 × turbofan", "2 × turbojet"),
    "early-warning": ("2 × turboprop", "4 × turbofan"),
    "trainer": ("1 × turboprop", "1 × turbofan"),
    "helicopter": ("1 × turboshaft", "2 × turboshaft", "3 × turboshaft"),
    "uav": ("1 × turboprop", "1 × turbofan", "1 × piston"),
    "business-jet": ("2 × turbofan", "3 × turbofan"),
    "utility": ("1 × turboprop", "2 × turboprop", "1 × piston"),
    "experimental": ("1 × turbofan", "1 × rocket", "electric motors"),
}
ROLES = list(PROFILES)
ROLE_WEIGHTS = [PROFILES[role].share for role in ROLES]
STATUSES = [Aircraft.Status.ACTIVE, Aircraft.Status.RETIRED, Aircraft.Status.IN_DEVELOPMENT]
STATUS_WEIGHTS = [70, 25, 5]


def maker_name(number: int) -> str:
    return f"{MAKER_PREFIX} {number}"


def generated_makers():
    return Manufacturer.objects.filter(name__startswith=MAKER_PREFIX + " ")


def generated_aircraft():
    return Aircraft.objects.filter(manufacturer__name__startswith=MAKER_PREFIX + " ")


def _decimal(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.2f}")


def build_aircraft(index: int, *, seed: int, makers: list[Manufacturer], verified: datetime.date) -> Aircraft:
    """Generated aircraft number `index` (0-based), the same for the same seed.

    The designation depends only on the index, so it is unique whatever the seed:
    maker `index % 20`, number `index // 20` within that maker.
    """
    rng = random.Random(seed * 1_000_003 + index)
    maker = makers[index % MAKER_COUNT]
    code = MAKER_CODES[index % MAKER_COUNT]
    designation = f"{code}-{index // MAKER_COUNT + 100}"
    role = rng.choices(ROLES, ROLE_WEIGHTS)[0]
    profile = PROFILES[role]
    status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
    if status == Aircraft.Status.IN_DEVELOPMENT:
        introduced = rng.choice([None, rng.randint(2024, 2032)])
    elif status == Aircraft.Status.RETIRED:
        introduced = rng.randint(1935, 2005)
    else:
        introduced = rng.randint(1965, 2025)
    name = "" if rng.random() < 0.1 else f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    empty = rng.randint(*profile.empty)
    mtow = int(empty * rng.uniform(*profile.mtow_factor))
    speed = rng.randint(*profile.speed)
    crew_low, crew_high = profile.crew
    crew = rng.randint(crew_low, crew_high) if crew_high else None
    engines = rng.choice(ENGINES[role])
    when = f"introduced in {introduced}" if introduced else "still in development"
    description = (
        f"The {maker.name} {designation}{f' {name}' if name else ''} is a {Aircraft.Role(role).label.lower()} "
        f"for {TASKS[role]}, {when}. It is powered by {engines} engines"
        f"{f' and carries a crew of {crew}' if crew else ' and flies without a crew on board'}. "
        "This record was generated for benchmarks and describes no real aircraft."
    )
    slug = slugify(f"{designation} {name}")
    figures = {
        ("length", "overall"): (str(_decimal(rng, *profile.length)), "m"),
        ("wingspan", "overall"): (str(_decimal(rng, *profile.span)), "m"),
        ("height", "overall"): (str(_decimal(rng, *profile.height)), "m"),
        ("empty_weight", "empty"): (str(empty), "kg"),
        ("max_takeoff_weight", "overall"): (str(max(mtow, empty)), "kg"),
        ("max_speed", "at-altitude"): (str(speed), "kn"),
        ("range", "typical"): (str(rng.randint(*profile.range)), "km"),
        ("service_ceiling", "overall"): (str(rng.randint(*profile.ceiling)), "m"),
    }
    if profile.mach and speed > 400:  # over the speed of sound at altitude (573 kn)
        figures[("mach", "maximum")] = (f"{speed / 573:.2f}", "mach")
    if crew:
        figures[("crew", "overall")] = (str(crew), "count")
    plain = {key: digests.PlainFigure(*key, value, unit) for key, (value, unit) in figures.items()}
    plane = Aircraft(
        manufacturer=maker,
        designation=designation,
        name=name,
        slug=slug,
        role=role,
        status=status,
        entered_service_year=introduced if status != Aircraft.Status.IN_DEVELOPMENT else None,
        first_flight_year=introduced if status == Aircraft.Status.IN_DEVELOPMENT else None,
        description=description,
        engine_model=engines,
        **digests.digest(plain, introduced),
    )
    plane.generated_figures = figures
    plane.generated_source = AircraftSource(
        key="generated",
        title=SOURCE_NAME,
        publisher="HangarStack",
        url=SOURCE_URL + slug,
        kind=SourceKind.DATASET,
        checked=verified,
    )
    return plane


def build_manufacturer(number: int) -> Manufacturer:
    name = maker_name(number)
    return Manufacturer(
        name=name,
        slug=slugify(name),
        country=COUNTRIES[number % len(COUNTRIES)],
        founded=1900 + (number * 7) % 120,
        description=f"A fictional manufacturer of generated benchmark aircraft ({MAKER_CODES[number - 1]}- types).",
        website="",
    )


class Command(BaseCommand):
    help = (
        "Make the catalogue hold exactly --count generated aircraft (benchmark data: written in bulk, so no "
        "change events or audit trail), or --delete them all. Real aircraft are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, help="how many generated aircraft there should be")
        parser.add_argument("--seed", type=int, default=1, help="random seed for names, roles and specifications")
        parser.add_argument("--delete", action="store_true", help="remove every generated aircraft and manufacturer")
        parser.add_argument("--dry-run", action="store_true", help="report what would change and write nothing")
        parser.add_argument("--batch-size", type=int, default=2000, help="rows per INSERT")

    def handle(self, *args, count: int | None, seed: int, delete: bool, dry_run: bool, batch_size: int, **options):
        if delete == (count is not None):
            raise CommandError("Give either --count N (how many generated aircraft to have) or --delete.")
        if count is not None and not 0 <= count <= 1_000_000:
            raise CommandError("--count must be between 0 and 1,000,000.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.verbosity = options["verbosity"]
        started = time.monotonic()
        existing = generated_aircraft().count()
        target = 0 if delete else count

        if existing == target and not (delete and generated_makers().exists()):
            self.stdout.write(f"Nothing to do; there are already {existing} generated aircraft.")
            return
        if dry_run:
            change = f"add {target - existing}" if target > existing else f"remove {existing - target}"
            self.stdout.write(
                self.style.WARNING(
                    f"Dry run, nothing written. Would {change} generated aircraft ({existing} now, {target} after)."
                )
            )
            return

        with transaction.atomic():
            if delete:
                removed = self._remove(generated_aircraft().values_list("pk", flat=True))
                self._delete_rows(Manufacturer, "id", list(generated_makers().values_list("pk", flat=True)))
            elif target < existing:
                newest = generated_aircraft().order_by("-pk").values_list("pk", flat=True)[: existing - target]
                removed = self._remove(newest)
            else:
                removed = 0
                self._add(target - existing, seed=seed, batch_size=batch_size)
            # Cached pages of the old catalogue go stale (bulk writes send no post_save).
            transaction.on_commit(catalogue_stamp_refresh)
        with connection.cursor() as cursor:
            # The state autovacuum would soon reach, before the first page is served: statistics
            # that match the new size (without them a typo correction scans every word instead of
            # using the trigram index), and the GIN indexes' pending lists merged (search scans a
            # pending list of 100,000 new rows on every query until then: 3 to 10 times slower).
            # Every table, not only these two: the figures, sources and words of 100,000 new aircraft
            # otherwise wake autovacuum during the first page the benchmark measures (PostgreSQL then
            # used 26 us of CPU per detail request, against 1 to 3 at the other sizes).
            # VACUUM cannot run inside a transaction (a caller's, or a test's): ANALYZE can.
            if connection.in_atomic_block:
                for model in (Aircraft, SearchWord):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
            else:
                cursor.execute("VACUUM (ANALYZE)")

        total = Aircraft.objects.count()
        elapsed = time.monotonic() - started
        what = f"Removed {removed} generated aircraft" if removed else f"Generated {target - existing} aircraft"
        self.stdout.write(
            self.style.SUCCESS(
                f"{what} in {elapsed:.1f}s; {target} generated, {total} in the catalogue"
                + ("; generated manufacturers removed" if delete else "")
                + "."
            )
        )

    def _makers(self) -> list[Manufacturer]:
        present = {m.name: m for m in generated_makers()}
        missing = [build_manufacturer(n) for n in range(1, MAKER_COUNT + 1) if maker_name(n) not in present]
        if missing:
            taken = set(Manufacturer.objects.filter(slug__in=[m.slug for m in missing]).values_list("slug", flat=True))
            if taken:
                raise CommandError(f"A real manufacturer already uses the slug {sorted(taken)[0]!r}; rename it first.")
            Manufacturer.objects.bulk_create(missing)
        present = {m.name: m for m in generated_makers()}
        return [present[maker_name(n)] for n in range(1, MAKER_COUNT + 1)]

    def _add(self, wanted: int, *, seed: int, batch_size: int) -> None:
        makers = self._makers()
        taken_slugs = set(Aircraft.objects.values_list("slug", flat=True))
        taken_designations = {
            (maker_id, designation.lower())
            for maker_id, designation in generated_aircraft().values_list("manufacturer_id", "designation")
        }
        verified = timezone.localdate()
        batch: list[Aircraft] = []
        self._reported = 0
        made = 0
        index = 0
        while made < wanted:
            plane = build_aircraft(index, seed=seed, makers=makers, verified=verified)
            index += 1
            if (plane.manufacturer_id, plane.designation.lower()) in taken_designations:
                continue  # made by an earlier run
            if plane.slug in taken_slugs:
                plane.slug = f"{plane.slug}-{index}"
                plane.generated_source.url = SOURCE_URL + plane.slug
                if plane.slug in taken_slugs:
                    continue
            taken_slugs.add(plane.slug)
            batch.append(plane)
            made += 1
            if len(batch) >= batch_size:
                self._insert(batch)
                batch.clear()
                self._progress(made, wanted)
        if batch:
            self._insert(batch)
            self._progress(made, wanted)
        self._progress_done()

    @staticmethod
    def _insert(batch: list[Aircraft]) -> None:
        Aircraft.objects.bulk_create(batch)
        for plane in batch:
            plane.generated_source.aircraft = plane
        AircraftSource.objects.bulk_create([plane.generated_source for plane in batch])
        figures = [
            Figure(
                aircraft=plane,
                quantity=quantity,
                kind=kind,
                value=value,
                unit=unit,
                metric_value=quantities.parse(quantity, value, unit).metric,
                source=plane.generated_source,
            )
            for plane in batch
            for (quantity, kind), (value, unit) in plane.generated_figures.items()
        ]
        Figure.objects.bulk_create(figures)

    def _remove(self, pks) -> int:
        """Generated aircraft and their view counts. In SQL, not through the ORM, which would load
        every row and send post_delete, i.e. a change event, for records that never had one."""
        ids = list(pks)
        self._delete_rows(AircraftViewTotal, "aircraft_id", ids)
        self._delete_rows(AircraftDailyViews, "aircraft_id", ids)
        self._delete_rows(Figure, "aircraft_id", ids)
        self._delete_rows(AircraftSource, "aircraft_id", ids)
        return self._delete_rows(Aircraft, "id", ids)

    @staticmethod
    def _delete_rows(model, column: str, ids: list[int]) -> int:
        if not ids:
            return 0
        with connection.cursor() as cursor:
            # One array parameter: an IN list of 100,000 would pass PostgreSQL's 65,535-parameter limit.
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {column} = ANY(%s)", [ids])  # noqa: S608
            return cursor.rowcount

    def _progress(self, done: int, total: int) -> None:
        if self.verbosity < 1:
            return
        if self.stdout.isatty():
            self.stdout.write(f"\r  {done}/{total} aircraft", ending="")
            self.stdout.flush()
        elif done == total or done * 10 // total > self._reported:
            self.stdout.write(f"  {done}/{total} aircraft")
        self._reported = done * 10 // total

    def _progress_done(self) -> None:
        if self.verbosity >= 1 and self.stdout.isatty():
            self.stdout.write("")
