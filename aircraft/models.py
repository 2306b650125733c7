from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Lower
from django.urls import reverse

from . import configuration, quantities
from .querysets import AircraftQuerySet

FIRST_POWERED_FLIGHT_YEAR = 1903
IMAGE_TYPES = FileExtensionValidator(["png", "jpg", "jpeg", "webp", "svg"])
YEAR = [MinValueValidator(FIRST_POWERED_FLIGHT_YEAR), MaxValueValidator(2100)]
# Speed of sound (ISA) used only to rank speeds given in knots beside ones given as Mach.
SOUND_KMH_AT_ALTITUDE = 1062.2  # 11,000 m and above
SOUND_KMH_AT_SEA_LEVEL = 1225.0


def alphabetical_order(field: str) -> models.GeneratedField:
    """A name as it sorts for a reader, case and accents aside: "de Havilland" among
    the Ds, "Écureuil" among the Es, where the database's own order (C.UTF-8 here;
    builds without ICU have no better) puts both after Z. Stored, so a sort of
    100,000 aircraft by it costs what a sort by the name did (the SQL function
    `alphabetical` comes from migration 0019)."""
    return models.GeneratedField(
        expression=Func(F(field), function="alphabetical"),
        output_field=models.CharField(max_length=120),
        db_persist=True,
    )


def _source_field(what: str) -> models.ForeignKey:
    return models.ForeignKey(
        "AircraftSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=f"Where the {what} was read.",
    )


class TimeStamped(models.Model):
    """Timestamps, plus the field values as loaded so a save can say what changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # One transaction for the row and whatever post_save receivers write
        # (an audit trail, say): both commit or neither does. No savepoint: a
        # failure inside a caller's transaction dooms all of it, which is as
        # safe, and the savepoint's two round trips were a fifth of a catalogue load.
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)  # post_save receivers see changed_fields() here
        self._loaded_values = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def changed_fields(self) -> dict[str, tuple[object, object]]:
        """{field: (old, new)} since loading; every set field for a new object."""
        loaded = getattr(self, "_loaded_values", None)
        changes = {}
        for field in self._meta.concrete_fields:
            if field.generated or field.attname in ("created_at", "updated_at", "search_vector", "search_keys"):
                continue
            new = getattr(self, field.attname)
            if loaded is None:
                if new not in (None, ""):
                    changes[field.attname] = (None, new)
            elif field.attname in loaded and loaded[field.attname] != new:
                changes[field.attname] = (loaded[field.attname], new)
        return changes


def _words(text: str) -> list[str]:
    return text.casefold().split()


def _key(text: str) -> str:
    """Letters and digits only: "A320 neo" and "A320neo" say the same."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


class SourceKind(models.TextChoices):
    MILITARY_FACT_SHEET = "military-fact-sheet", "Military fact sheet"
    MANUFACTURER = "manufacturer", "Manufacturer data"
    TYPE_CERTIFICATE = "type-certificate", "Type certificate data sheet"
    AIRPORT_PLANNING = "airport-planning", "Airport planning document"
    MUSEUM = "museum", "Museum record"
    GOVERNMENT = "government", "Government publication"
    ENCYCLOPEDIA = "encyclopedia", "Encyclopedia article"
    DATASET = "dataset", "Public dataset"
    BOOK = "book", "Book"


class Manufacturer(TimeStamped):
    name = models.CharField(max_length=120, unique=True)
    name_order = alphabetical_order("name")
    slug = models.SlugField(max_length=140, unique=True)
    country = models.CharField(max_length=80)
    founded = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1800)])
    successor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
        help_text="The company that absorbed this one, e.g. McDonnell Douglas → Boeing.",
    )
    description = models.TextField(max_length=1000, help_text="One or two sentences.")
    website = models.URLField(blank=True)
    # One source for the founding year and successor, with the same details as an aircraft's sources, so the
    # catalogue file's manufacturer source survives a load and an export unchanged.
    source_key = models.SlugField(max_length=40, blank=True, help_text="Short id of the source, e.g. graces-guide.")
    source_title = models.CharField(max_length=200, blank=True, help_text="Where the founding year was read.")
    source_publisher = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    source_kind = models.CharField(max_length=30, choices=SourceKind, blank=True)
    source_checked = models.DateField("source last checked", null=True, blank=True)
    logo = models.FileField(upload_to="logos/", blank=True, validators=[IMAGE_TYPES])

    class Meta:
        ordering = ["name_order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(founded__isnull=True) | Q(founded__gte=1800), name="manufacturer_founded_plausible"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("aircraft:manufacturer-detail", args=[self.slug])

    def clean(self) -> None:
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": "A manufacturer cannot succeed itself."})


class Aircraft(TimeStamped):
    class Role(models.TextChoices):
        FIGHTER = "fighter", "Fighter"
        MULTIROLE = "multirole", "Multirole"
        ATTACK = "attack", "Attack"
        BOMBER = "bomber", "Bomber"
        AIRLINER = "airliner", "Airliner"
        REGIONAL = "regional", "Regional airliner"
        TRANSPORT = "transport", "Transport"
        TANKER = "tanker", "Tanker"
        PATROL = "patrol", "Maritime patrol"
        RECONNAISSANCE = "reconnaissance", "Reconnaissance"
        EARLY_WARNING = "early-warning", "Airborne early warning"
        TRAINER = "trainer", "Trainer"
        HELICOPTER = "helicopter", "Helicopter"
        TILTROTOR = "tiltrotor", "Tiltrotor"
        UAV = "uav", "Uncrewed aircraft (UAV)"
        BUSINESS_JET = "business-jet", "Business jet"
        UTILITY = "utility", "Utility"
        EXPERIMENTAL = "experimental", "Experimental"
        GENERAL_AVIATION = "general-aviation", "General aviation"
        FLYING_BOAT = "flying-boat", "Flying boat"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"
        IN_DEVELOPMENT = "in-development", "In development"
        CANCELLED = "cancelled", "Cancelled (never entered service)"
        RESEARCH = "research", "Research aircraft (never meant for service)"

    class Wake(models.TextChoices):
        LIGHT = "L", "Light"
        MEDIUM = "M", "Medium"
        HEAVY = "H", "Heavy"
        SUPER = "J", "Super"

    class Engine(models.TextChoices):
        TURBOFAN = "turbofan", "Turbofan"
        TURBOJET = "turbojet", "Turbojet"
        TURBOPROP = "turboprop", "Turboprop"
        TURBOSHAFT = "turboshaft", "Turboshaft"
        PISTON = "piston", "Piston"
        ELECTRIC = "electric", "Electric"
        ROCKET = "rocket", "Rocket"
        RAMJET = "ramjet", "Ramjet"

    ROTORCRAFT_ROLES = (Role.HELICOPTER, Role.TILTROTOR)

    manufacturer = models.ForeignKey(Manufacturer, on_delete=models.PROTECT, related_name="aircraft")
    designation = models.CharField(max_length=40, help_text='As commonly written, e.g. "F-22A" or "A320neo".')
    # "F/A-18E" -> "fa18e": lets "fa18" or "f22" find a type without its punctuation.
    designation_key = models.GeneratedField(
        expression=Lower(
            Func(F("designation"), Value("[^A-Za-z0-9]+"), Value(""), Value("g"), function="REGEXP_REPLACE")
        ),
        output_field=models.CharField(max_length=40),
        db_persist=True,
    )
    name = models.CharField(max_length=120, blank=True, help_text='Popular name, e.g. "Raptor".')
    name_order = alphabetical_order("name")
    slug = models.SlugField(max_length=140, unique=True, help_text="The aircraft's URL.")
    variant_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="variants",
        help_text="The base type. A variant shows every figure of its base that it does not give itself.",
    )
    role = models.CharField(max_length=20, choices=Role)
    status = models.CharField(max_length=20, choices=Status, default=Status.ACTIVE)
    country = models.CharField(max_length=80, blank=True, help_text="Country of origin.")
    description = models.TextField(max_length=4000)
    notes = models.TextField(
        blank=True, max_length=2000, help_text="Where sources disagree: which one the catalogue follows and why."
    )

    # Identity: the names people search by.
    icao_type = models.CharField("ICAO type designator", max_length=4, blank=True, help_text="ICAO Doc 8643.")
    wake_category = models.CharField("wake-turbulence category", max_length=1, choices=Wake, blank=True)
    military_designation = models.CharField(max_length=40, blank=True)
    nato_name = models.CharField("NATO reporting name", max_length=40, blank=True)
    aliases = ArrayField(
        models.CharField(max_length=80),
        default=list,
        blank=True,
        help_text="Other names and spellings people search by, one per line; native scripts welcome.",
    )

    # Dates: a year always, the full date when known, each with its source.
    first_flight_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR)
    first_flight_date = models.DateField(null=True, blank=True)
    first_flight_source = _source_field("first flight")
    entered_service_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR)
    entered_service_date = models.DateField(null=True, blank=True)
    entered_service_source = _source_field("entry into service")
    retired_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR)
    retired_date = models.DateField(null=True, blank=True)
    retired_source = _source_field("retirement")

    production_first_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR)
    production_last_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR)
    number_built = models.PositiveIntegerField(null=True, blank=True)
    number_built_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=YEAR, help_text="The year the number built was counted."
    )
    production_source = _source_field("production")

    engine_count = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(20)])
    engine_model = models.CharField(max_length=120, blank=True)
    engine_type = models.CharField(max_length=12, choices=Engine, blank=True)
    # Layout, for the to-scale drawing (aircraft.drawings); blank until recorded,
    # and a variant inherits its base type's where it records none.
    wing_planform = models.CharField(max_length=20, choices=configuration.WingPlanform, blank=True)
    engine_placement = models.CharField(max_length=20, choices=configuration.EnginePlacement, blank=True)
    tail_layout = models.CharField(max_length=20, choices=configuration.TailLayout, blank=True)
    rotor_layout = models.CharField(max_length=20, choices=configuration.RotorLayout, blank=True)
    configuration_source = _source_field("layout")
    powerplant_source = _source_field("powerplant")

    # Said "Not published" on the page rather than "Not in the catalogue yet". Only where
    # a source says so (a classified ceiling, a maker that gives no empty weight); the
    # notes say which source.
    unpublished = ArrayField(
        models.CharField(max_length=30, choices=quantities.QUANTITY_CHOICES),
        default=list,
        blank=True,
        help_text="Figures a source says are not published, e.g. service_ceiling for a classified ceiling. "
        "Say which source in the notes.",
    )

    image = models.FileField(upload_to="aircraft/", blank=True, validators=[IMAGE_TYPES])
    image_alt = models.CharField(max_length=200, blank=True, help_text="Describe the image for screen readers.")

    # Kept by services.aircraft_refresh_digest from the aircraft's own and inherited
    # figures, so lists sort and show cards without reading figures row by row.
    era_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    rank_speed_mach = models.FloatField(null=True, blank=True, editable=False)
    rank_range_km = models.FloatField(null=True, blank=True, editable=False)
    rank_mtow_kg = models.FloatField(null=True, blank=True, editable=False)
    digest = models.JSONField(default=dict, blank=True, editable=False)

    # Maintained by a database trigger (the search document, migration 0014) so
    # that every write, including bulk ones and manufacturer renames, keeps search
    # current. search_keys: every name the aircraft goes by (designation, name,
    # "designation name"), lower case without accents, spaces or punctuation, so
    # a query that is exactly one of them ranks the aircraft first.
    search_vector = SearchVectorField(null=True, editable=False)
    search_keys = ArrayField(models.CharField(max_length=300), default=list, editable=False)

    objects = AircraftQuerySet.as_manager()

    class Meta:
        ordering = ["manufacturer__name_order", "era_year", "designation"]
        verbose_name_plural = "aircraft"
        constraints = [
            models.UniqueConstraint(
                "manufacturer",
                Lower("designation"),
                name="aircraft_designation_unique_per_manufacturer",
                violation_error_message="This manufacturer already has an aircraft with this designation.",
            ),
            models.CheckConstraint(
                condition=Q(variant_of__isnull=True) | ~Q(variant_of=F("pk")),
                name="aircraft_not_its_own_variant",
                violation_error_message="An aircraft cannot be a variant of itself.",
            ),
            models.CheckConstraint(
                condition=Q(first_flight_year__isnull=True)
                | Q(entered_service_year__isnull=True)
                | Q(entered_service_year__gte=F("first_flight_year")),
                name="aircraft_service_after_first_flight",
                violation_error_message="Entry into service cannot come before the first flight.",
            ),
        ]
        indexes = [
            models.Index(Lower("designation"), name="aircraft_designation_ci"),
            # Pattern ops: "f22" finds "f22a" with LIKE 'f22%' whatever the collation.
            models.Index(OpClass(F("designation_key"), name="varchar_pattern_ops"), name="aircraft_designation_key"),
            models.Index(fields=["manufacturer", "era_year"], name="aircraft_by_manufacturer"),
            models.Index(fields=["role", "designation"], name="aircraft_by_role"),
            models.Index(fields=["status", "designation"], name="aircraft_by_status"),
            models.Index(fields=["era_year"], name="aircraft_by_era"),
            models.Index(F("rank_speed_mach").desc(nulls_last=True), "designation", name="aircraft_by_speed"),
            models.Index(F("rank_range_km").desc(nulls_last=True), "designation", name="aircraft_by_range"),
            models.Index(F("rank_mtow_kg").desc(nulls_last=True), "designation", name="aircraft_by_mtow"),
            GinIndex(fields=["search_vector"], name="aircraft_search"),
            GinIndex(fields=["search_keys"], name="aircraft_search_keys"),
        ]

    def __str__(self) -> str:
        return self._full_name(self.manufacturer.name if self.manufacturer_id else "")

    def get_absolute_url(self) -> str:
        return reverse("aircraft:aircraft-detail", args=[self.slug])

    def clean(self) -> None:
        """Field-level messages for the rules the database also enforces."""
        errors = {}
        if self.manufacturer_id and self.designation:
            clash = Aircraft.objects.filter(manufacturer_id=self.manufacturer_id, designation__iexact=self.designation)
            if clash.exclude(pk=self.pk).exists():
                errors["designation"] = "This manufacturer already has an aircraft with this designation."
        if self.first_flight_year and self.entered_service_year and self.entered_service_year < self.first_flight_year:
            errors["entered_service_year"] = "Entry into service cannot come before the first flight."
        if self.retired_year and self.status == self.Status.ACTIVE:
            errors["status"] = "An aircraft with a retirement year cannot be active."
        for prefix in ("first_flight", "entered_service", "retired"):
            day, year = getattr(self, f"{prefix}_date"), getattr(self, f"{prefix}_year")
            if day and year != day.year:
                errors[f"{prefix}_year"] = "The year must match the full date."
        if self.variant_of_id:
            seen, base = {self.pk}, self.variant_of
            while base is not None:
                if base.pk in seen:
                    errors["variant_of"] = "Variants cannot form a loop."
                    break
                seen.add(base.pk)
                base = base.variant_of
        for name in SOURCED_FIELDS:
            source = getattr(self, name)
            if source is not None and self.pk and source.aircraft_id != self.pk:
                errors[name] = "Choose one of this aircraft's own sources."
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        """Designation and name, without saying the same thing twice: "H160", not
        "H160 H160"; "340B", not "340B Saab 340" (a name that only puts the
        manufacturer before a designation it contains says nothing new)."""
        return self._display_name(self._loaded_maker_name())

    @property
    def full_name(self) -> str:
        """Manufacturer and display name, the manufacturer said once:
        "Lockheed Martin F-22A Raptor", "ATR 42-600" (not "ATR ATR 42-600")."""
        return self._full_name(self._loaded_maker_name())

    def _loaded_maker_name(self) -> str:
        # Only a manufacturer already loaded: a name is never worth a query per row.
        if self.manufacturer_id and Aircraft.manufacturer.is_cached(self):
            return self.manufacturer.name
        return ""

    def _display_name(self, maker: str) -> str:
        name = self.name.strip()
        if maker and _words(name)[: len(_words(maker))] == _words(maker):
            name = " ".join(name.split()[len(_words(maker)) :]).strip(" -")  # "Saab 340" -> "340"
        if not name or _key(name) in _key(self.designation):
            return self.designation
        if _key(self.designation) in _key(name):  # "Mi-24 Hind" already says "Mi-24"
            return name
        return f"{self.designation} {name}"

    def _full_name(self, maker: str) -> str:
        shown = self._display_name(maker)
        if not maker or _words(shown)[: len(_words(maker))] == _words(maker):
            return shown
        return f"{maker} {shown}"

    @property
    def is_rotorcraft(self) -> bool:
        return self.role in self.ROTORCRAFT_ROLES

    @property
    def decade(self) -> int | None:
        return self.era_year // 10 * 10 if self.era_year else None

    def lineage(self) -> list["Aircraft"]:
        """This aircraft, then its base, its base's base... (loops cut)."""
        chain, seen, current = [], set(), self
        while current is not None and current.pk not in seen and len(chain) < 6:
            share_manufacturer(self, current)
            chain.append(current)
            seen.add(current.pk)
            current = current.variant_of
        return chain

    def inherited(self, attribute: str):
        """The first value along the lineage that is set, with the aircraft it came from."""
        for plane in self.lineage():
            value = getattr(plane, attribute)
            if value not in (None, "", []):
                return value, plane
        return None, None


def share_manufacturer(loaded: Aircraft, other: Aircraft) -> None:
    """Give `other` the manufacturer `loaded` already holds, when it is the same one."""
    if (
        other is not loaded
        and other.manufacturer_id == loaded.manufacturer_id
        and Aircraft.manufacturer.is_cached(loaded)
        and not Aircraft.manufacturer.is_cached(other)
    ):
        other.manufacturer = loaded.manufacturer


class AircraftSource(TimeStamped):
    """A page or document one or more of an aircraft's figures were read in."""

    aircraft = models.ForeignKey(Aircraft, on_delete=models.CASCADE, related_name="sources")
    key = models.SlugField(max_length=40, help_text="Short id the figures refer to, e.g. usaf.")
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    url = models.URLField(max_length=500, help_text="The page or document that holds the figures, not a home page.")
    kind = models.CharField(max_length=30, choices=SourceKind)
    checked = models.DateField("last checked")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["aircraft", "key"], name="source_key_unique_per_aircraft")]

    def __str__(self) -> str:
        return f"{self.title} ({self.publisher})"

    @property
    def slug(self) -> str:
        return f"{self.aircraft.slug}:{self.key}" if self.aircraft_id else self.key


class FigureLike:
    """What a figure and a proposed correction to one share: quantity, kind, value and unit."""

    quantity: str
    kind: str
    value: str
    unit: str

    @property
    def spec(self) -> quantities.Quantity:
        return quantities.QUANTITIES[self.quantity]

    @property
    def label(self) -> str:
        return quantities.label(self.quantity, self.kind)

    def figure_problems(self) -> dict[str, str]:
        """Field-level messages: a kind the quantity lacks, a value its unit cannot hold."""
        errors = {}
        spec = quantities.QUANTITIES.get(self.quantity)
        if spec and self.kind not in dict(spec.kinds):
            errors["kind"] = f"{spec.label} comes in these kinds: {', '.join(k for k, _ in spec.kinds)}."
        if spec and self.value and self.unit:
            try:
                quantities.parse(self.quantity, self.value, self.unit)
            except quantities.FigureError as exc:
                errors["value"] = quantities.sentence(exc)
        return errors


class Figure(FigureLike, TimeStamped):
    """One published figure: what it is, the value and unit as printed, and its source."""

    aircraft = models.ForeignKey(Aircraft, on_delete=models.CASCADE, related_name="figures")
    quantity = models.CharField(max_length=30, choices=quantities.QUANTITY_CHOICES)
    kind = models.CharField(max_length=20, choices=quantities.KIND_CHOICES)
    value = models.CharField(
        max_length=40, help_text='As the source printed it, in its unit: "83,500", "62.1" or "62 ft 1 in".'
    )
    unit = models.CharField(max_length=8, choices=quantities.UNIT_CHOICES)
    metric_value = models.DecimalField(max_digits=20, decimal_places=6, editable=False)
    condition = models.CharField(
        max_length=200, blank=True, help_text='As the source states it: "at 36,000 ft", "with two external tanks".'
    )
    # RESTRICT: a cited source cannot go alone, but goes with its aircraft.
    source = models.ForeignKey(AircraftSource, on_delete=models.RESTRICT, related_name="figures")

    class Meta:
        ordering = ["aircraft", "quantity", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["aircraft", "quantity", "kind"],
                name="figure_one_per_kind",
                violation_error_message="This aircraft already has this figure of this kind.",
            ),
            models.CheckConstraint(condition=Q(metric_value__gt=0), name="figure_positive"),
        ]
        indexes = [models.Index(fields=["quantity", "kind", "metric_value"], name="figure_by_quantity")]

    def __str__(self) -> str:
        return f"{self.label}: {self.value} {self.unit}"

    def save(self, *args, **kwargs) -> None:
        self.metric_value = self.published().metric
        super().save(*args, **kwargs)

    @property
    def slug(self) -> str:
        where = self.aircraft.slug if self.aircraft_id else ""
        return f"{where}:{self.quantity}:{self.kind}"

    def published(self) -> quantities.Published:
        return quantities.parse(self.quantity, self.value, self.unit)

    def display(self) -> dict[str, str]:
        published = self.published()
        return {system: quantities.display(self.quantity, published, system) for system in quantities.SYSTEMS}

    def clean(self) -> None:
        errors = self.figure_problems()
        if not errors and self.value and self.unit:
            self.metric_value = self.published().metric
        if self.source_id and self.aircraft_id and self.source.aircraft_id != self.aircraft_id:
            errors["source"] = "Choose one of this aircraft's own sources."
        if errors:
            raise ValidationError(errors)


# The layout the to-scale drawing is drawn in (aircraft.configuration), sourced as one block.
CONFIGURATION_FIELDS = ("wing_planform", "engine_placement", "tail_layout", "rotor_layout")

SOURCED_FIELDS = (
    "first_flight_source",
    "entered_service_source",
    "retired_source",
    "production_source",
    "powerplant_source",
    "configuration_source",
)


class CatalogueRelease(models.Model):
    """The header of each fixture loaded: which catalogue version the site shows."""

    version = models.CharField(max_length=40)
    date = models.DateField()
    title = models.CharField(max_length=200, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        get_latest_by = "loaded_at"

    def __str__(self) -> str:
        return f"{self.version} ({self.date})"


class Correction(FigureLike, models.Model):
    """A figure a visitor says is wrong or missing, with the source that says so.

    No account and no personal data: only what the visitor typed. An editor
    accepts it (the figure and its source are written through the services, as
    any edit) or declines it, in the admin.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    aircraft = models.ForeignKey(Aircraft, on_delete=models.CASCADE, related_name="corrections")
    quantity = models.CharField(max_length=30, choices=quantities.QUANTITY_CHOICES)
    kind = models.CharField(max_length=20, choices=quantities.KIND_CHOICES)
    value = models.CharField(max_length=40, help_text="As the source prints it, in its unit.")
    unit = models.CharField(max_length=8, choices=quantities.UNIT_CHOICES)
    source_url = models.URLField("source", max_length=500, help_text="The page or document that gives this value.")
    note = models.TextField(max_length=1000, blank=True)
    # Filled in by the editor before accepting, when the address is not yet one of the aircraft's sources.
    source_title = models.CharField(max_length=300, blank=True, help_text="Defaults to the figure and the site.")
    source_publisher = models.CharField(max_length=200, blank=True, help_text="Defaults to the site's name.")
    source_kind = models.CharField(max_length=30, choices=SourceKind, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=150, blank=True, help_text="The editor's username.")
    figure = models.ForeignKey(
        Figure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="The figure it wrote."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="correction_queue")]

    def __str__(self) -> str:
        return f"{self.get_quantity_display()} of {self.aircraft_id}: {self.value} {self.unit}"

    def clean(self) -> None:
        errors = self.figure_problems()
        if errors:
            raise ValidationError(errors)


# --- Popularity: written by the events consumer, read by the pages ------------
# The catalogue owns these read models so that its pages never import `events`.


class AircraftViewTotal(models.Model):
    aircraft = models.OneToOneField(Aircraft, on_delete=models.CASCADE, primary_key=True, related_name="view_total")
    views = models.PositiveBigIntegerField(default=0)
    last_viewed_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["-views"], name="viewtotal_by_views")]

    def __str__(self) -> str:
        return f"{self.aircraft_id}: {self.views} views"


class AircraftDailyViews(models.Model):
    aircraft = models.ForeignKey(Aircraft, on_delete=models.CASCADE, related_name="daily_views")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["aircraft", "day"], name="dailyviews_one_row_per_day")]
        indexes = [models.Index(fields=["day", "aircraft"], name="dailyviews_by_day")]

    def __str__(self) -> str:
        return f"{self.aircraft_id} on {self.day}: {self.views}"


class SearchTotal(models.Model):
    query = models.CharField(max_length=100, unique=True, help_text="Normalised: lower case, single spaces.")
    searches = models.PositiveBigIntegerField(default=0)
    last_result_count = models.PositiveIntegerField(default=0)
    last_searched_at = models.DateTimeField(null=True)
    # What the last search for this query found first: popular searches are
    # published as these aircraft, never as the text a visitor typed.
    top_aircraft = models.ForeignKey(
        Aircraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="search_totals"
    )
    hidden = models.BooleanField(
        default=False, help_text="Never count this query towards the popular searches the site shows."
    )

    class Meta:
        indexes = [
            models.Index(fields=["-searches"], name="searchtotal_by_searches"),
            models.Index(fields=["-searches"], condition=Q(last_result_count=0), name="searchtotal_found_nothing"),
        ]

    def __str__(self) -> str:
        return f"{self.query!r}: {self.searches}"


# --- Photographs, each with its credit -------------------------------------------


class AircraftPhoto(models.Model):
    """A photograph of an aircraft, never without its author, licence and source.

    The file goes through the default storage (settings.STORAGES), so production
    can keep photos in object storage; resized renditions (aircraft.photos) go
    to the same storage and are listed in `renditions`.
    """

    class Licence(models.TextChoices):
        PUBLIC_DOMAIN = "public-domain", "Public domain"
        US_GOVERNMENT = "us-government", "Public domain (work of the U.S. federal government)"
        CC0 = "cc0-1.0", "CC0 1.0 (public domain dedication)"
        CC_BY_2 = "cc-by-2.0", "CC BY 2.0"
        CC_BY_2_5 = "cc-by-2.5", "CC BY 2.5"
        CC_BY_3 = "cc-by-3.0", "CC BY 3.0"
        CC_BY_4 = "cc-by-4.0", "CC BY 4.0"
        CC_BY_SA_2 = "cc-by-sa-2.0", "CC BY-SA 2.0"
        CC_BY_SA_2_5 = "cc-by-sa-2.5", "CC BY-SA 2.5"
        CC_BY_SA_3 = "cc-by-sa-3.0", "CC BY-SA 3.0"
        CC_BY_SA_4 = "cc-by-sa-4.0", "CC BY-SA 4.0"

    aircraft = models.ForeignKey(Aircraft, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        upload_to="photos/",
        width_field="width",
        height_field="height",
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
        help_text="JPEG, PNG or WebP. Smaller sizes and WebP copies are made when it is saved.",
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        "text alternative", max_length=300, help_text="What the photo shows, for people who cannot see it."
    )
    caption = models.CharField(max_length=300, blank=True, help_text="Optional: where and when it was taken.")
    author = models.CharField(max_length=200, help_text="The photographer or the body that holds the rights.")
    licence = models.CharField(max_length=20, choices=Licence)
    source_url = models.URLField(
        "source", max_length=500, help_text="The page the photo and its licence were taken from."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first; the first leads the page.")
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["aircraft", "position", "id"]
        constraints = [
            # The credit is required in the database too, not only in forms.
            models.CheckConstraint(condition=~Q(author=""), name="photo_has_author"),
            models.CheckConstraint(condition=~Q(source_url=""), name="photo_has_source"),
            models.CheckConstraint(condition=~Q(licence=""), name="photo_has_licence"),
            models.CheckConstraint(condition=~Q(alt_text=""), name="photo_has_alt_text"),
        ]

    def __str__(self) -> str:
        return f"{self.aircraft} by {self.author}" if self.aircraft_id else f"Photo by {self.author}"

    LICENCE_URLS = {
        "cc0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
        **{
            f"cc-{kind}-{version}": f"https://creativecommons.org/licenses/{kind}/{version}/"
            for kind in ("by", "by-sa")
            for version in ("2.0", "2.5", "3.0", "4.0")
        },
    }

    @property
    def licence_url(self) -> str:
        """The licence's own page, where there is one."""
        return self.LICENCE_URLS.get(self.licence, "")


class UnansweredSearch(SearchTotal):
    """Searches whose latest run found nothing, for staff: what to add next."""

    class Meta:
        proxy = True
        verbose_name = "search that found nothing"
        verbose_name_plural = "searches that found nothing"


class SearchWord(models.Model):
    """Every word of the catalogue's search documents, with how many aircraft use
    it: what a misspelt query word is corrected to (by trigram similarity).

    Kept by statement-level triggers on the aircraft table (migration 0014), so
    bulk writes and manufacturer renames keep it exact; never written from Python.
    """

    word = models.CharField(max_length=200, primary_key=True)
    aircraft = models.IntegerField(help_text="How many aircraft documents hold the word.")

    class Meta:
        indexes = [
            GinIndex(OpClass(F("word"), name="gin_trgm_ops"), name="searchword_trigram"),
            models.Index(OpClass(F("word"), name="varchar_pattern_ops"), name="searchword_prefix"),
        ]

    def __str__(self) -> str:
        return f"{self.word} ({self.aircraft})"
