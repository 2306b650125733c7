from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Lower
from django.urls import reverse

from . import units
from .querysets import AircraftQuerySet

FIRST_POWERED_FLIGHT_YEAR = 1903
# Specification fields: the measured ones must be positive when known.
MEASURED_FIELDS = (
    "length_m",
    "wingspan_m",
    "height_m",
    "empty_weight_kg",
    "max_takeoff_weight_kg",
    "max_speed_kn",
    "max_speed_mach",
    "range_km",
    "service_ceiling_m",
)
SPEC_FIELDS = (*MEASURED_FIELDS, "crew", "engines")
IMAGE_TYPES = FileExtensionValidator(["png", "jpg", "jpeg", "webp", "svg"])
POSITIVE_DECIMAL = MinValueValidator(Decimal("0.01"), "Must be greater than zero.")
POSITIVE_INTEGER = MinValueValidator(1, "Must be greater than zero.")


class TimeStamped(models.Model):
    """Timestamps, plus the field values as loaded so a save can say what changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # One transaction for the row and whatever post_save receivers write
        # (an audit trail, say): both commit or neither does.
        with transaction.atomic():
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
            if field.generated or field.attname in ("created_at", "updated_at", "search_vector"):
                continue
            new = getattr(self, field.attname)
            if loaded is None:
                if new not in (None, ""):
                    changes[field.attname] = (None, new)
            elif field.attname in loaded and loaded[field.attname] != new:
                changes[field.attname] = (loaded[field.attname], new)
        return changes


class Manufacturer(TimeStamped):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    country = models.CharField(max_length=80)
    founded = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1800)])
    description = models.TextField(max_length=1000, help_text="One or two sentences.")
    website = models.URLField(blank=True)
    logo = models.FileField(upload_to="logos/", blank=True, validators=[IMAGE_TYPES])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(founded__isnull=True) | Q(founded__gte=1800), name="manufacturer_founded_plausible"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("aircraft:manufacturer-detail", args=[self.slug])


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
        UAV = "uav", "Uncrewed aircraft (UAV)"
        BUSINESS_JET = "business-jet", "Business jet"
        UTILITY = "utility", "Utility"
        EXPERIMENTAL = "experimental", "Experimental"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"
        IN_DEVELOPMENT = "in-development", "In development"

    class SourceKind(models.TextChoices):
        MILITARY_FACT_SHEET = "military-fact-sheet", "Military fact sheet"
        MANUFACTURER = "manufacturer", "Manufacturer data"
        TYPE_CERTIFICATE = "type-certificate", "Type certificate data sheet"
        AIRPORT_PLANNING = "airport-planning", "Airport planning document"
        MUSEUM = "museum", "Museum record"
        GOVERNMENT = "government", "Government publication"

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
    slug = models.SlugField(max_length=140, unique=True, help_text="The aircraft's URL.")
    role = models.CharField(max_length=20, choices=Role)
    status = models.CharField(max_length=20, choices=Status, default=Status.ACTIVE)
    introduced = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(FIRST_POWERED_FLIGHT_YEAR), MaxValueValidator(2100)],
        help_text="Year of introduction (or first flight for types not yet in service).",
    )
    description = models.TextField(max_length=4000)

    # Specifications, each stored once in one unit; the other system is derived.
    length_m = models.DecimalField(
        "length (m)", max_digits=6, decimal_places=2, null=True, blank=True, validators=[POSITIVE_DECIMAL]
    )
    wingspan_m = models.DecimalField(
        "wingspan / rotor diameter (m)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[POSITIVE_DECIMAL],
    )
    height_m = models.DecimalField(
        "height (m)", max_digits=6, decimal_places=2, null=True, blank=True, validators=[POSITIVE_DECIMAL]
    )
    empty_weight_kg = models.PositiveIntegerField(
        "empty weight (kg)", null=True, blank=True, validators=[POSITIVE_INTEGER]
    )
    max_takeoff_weight_kg = models.PositiveIntegerField(
        "maximum take-off weight (kg)", null=True, blank=True, validators=[POSITIVE_INTEGER]
    )
    max_speed_kn = models.PositiveIntegerField(
        "maximum speed (knots)", null=True, blank=True, validators=[POSITIVE_INTEGER]
    )
    max_speed_mach = models.DecimalField(
        "maximum speed (Mach)", max_digits=4, decimal_places=2, null=True, blank=True, validators=[POSITIVE_DECIMAL]
    )
    range_km = models.PositiveIntegerField("range (km)", null=True, blank=True, validators=[POSITIVE_INTEGER])
    service_ceiling_m = models.PositiveIntegerField(
        "service ceiling (m)", null=True, blank=True, validators=[POSITIVE_INTEGER]
    )
    crew = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(100)])
    engines = models.CharField(max_length=200, blank=True)

    source_name = models.CharField(max_length=200)
    source_url = models.URLField(max_length=500)
    source_kind = models.CharField(max_length=30, choices=SourceKind)
    source_verified = models.DateField("source last verified")

    image = models.FileField(upload_to="aircraft/", blank=True, validators=[IMAGE_TYPES])
    image_alt = models.CharField(max_length=200, blank=True, help_text="Describe the image for screen readers.")

    # Maintained by a database trigger (see migration 0002) so that every write,
    # including bulk ones and manufacturer renames, keeps search current.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = AircraftQuerySet.as_manager()

    class Meta:
        ordering = ["manufacturer__name", "introduced", "designation"]
        verbose_name_plural = "aircraft"
        constraints = [
            models.UniqueConstraint(
                "manufacturer",
                Lower("designation"),
                name="aircraft_designation_unique_per_manufacturer",
                violation_error_message="This manufacturer already has an aircraft with this designation.",
            ),
            models.CheckConstraint(
                condition=Q(introduced__isnull=True) | Q(introduced__gte=FIRST_POWERED_FLIGHT_YEAR),
                name="aircraft_introduced_after_first_flight",
                violation_error_message="Introduction year cannot be before 1903.",
            ),
            models.CheckConstraint(
                condition=Q(empty_weight_kg__isnull=True)
                | Q(max_takeoff_weight_kg__isnull=True)
                | Q(empty_weight_kg__lte=F("max_takeoff_weight_kg")),
                name="aircraft_empty_weight_within_mtow",
                violation_error_message="Empty weight cannot exceed maximum take-off weight.",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": 0}),
                    name=f"aircraft_{field}_positive",
                    violation_error_message=f"{field.replace('_', ' ')} must be greater than zero.",
                )
                for field in MEASURED_FIELDS
            ],
        ]
        indexes = [
            models.Index(Lower("designation"), name="aircraft_designation_ci"),
            # Pattern ops: "f22" finds "f22a" with LIKE 'f22%' whatever the collation.
            models.Index(OpClass(F("designation_key"), name="varchar_pattern_ops"), name="aircraft_designation_key"),
            models.Index(fields=["manufacturer", "introduced"], name="aircraft_by_manufacturer"),
            models.Index(fields=["role", "designation"], name="aircraft_by_role"),
            models.Index(fields=["status", "designation"], name="aircraft_by_status"),
            models.Index(fields=["introduced"], name="aircraft_by_introduced"),
            GinIndex(fields=["search_vector"], name="aircraft_search"),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer.name} {self.display_name}" if self.manufacturer_id else self.display_name

    def get_absolute_url(self) -> str:
        return reverse("aircraft:aircraft-detail", args=[self.slug])

    def clean(self) -> None:
        """Field-level messages for the rules the database also enforces."""
        errors = {}
        if self.empty_weight_kg and self.max_takeoff_weight_kg and self.empty_weight_kg > self.max_takeoff_weight_kg:
            errors["empty_weight_kg"] = "Empty weight cannot exceed the maximum take-off weight."
        if self.manufacturer_id and self.designation:
            clash = Aircraft.objects.filter(manufacturer_id=self.manufacturer_id, designation__iexact=self.designation)
            if clash.exclude(pk=self.pk).exists():
                errors["designation"] = "This manufacturer already has an aircraft with this designation."
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        return f"{self.designation} {self.name}".strip()

    @property
    def decade(self) -> int | None:
        return self.introduced // 10 * 10 if self.introduced else None

    def specifications(self) -> list[dict]:
        """Rows for display: label, both unit systems, and the raw value for comparing."""
        rows = [
            # Size is neither better nor worse, so dimensions have no "best".
            ("length", "Length", self.length_m, units.length, None),
            ("wingspan", "Wingspan", self.wingspan_m, units.length, None),
            ("height", "Height", self.height_m, units.length, None),
            ("empty_weight", "Empty weight", self.empty_weight_kg, units.mass, None),
            ("max_takeoff_weight", "Max take-off weight", self.max_takeoff_weight_kg, units.mass, "max"),
            ("max_speed", "Maximum speed", self.max_speed_kn, units.speed, "max"),
            ("max_speed_mach", "Maximum speed (Mach)", self.max_speed_mach, lambda v: units.plain(f"Mach {v}"), "max"),
            ("range", "Range", self.range_km, units.distance, "max"),
            ("service_ceiling", "Service ceiling", self.service_ceiling_m, units.altitude, "max"),
            ("crew", "Crew", self.crew, units.plain, None),
            ("engines", "Engines", self.engines or None, units.plain, None),
        ]
        return [
            {
                "key": key,
                "label": label,
                "value": value,
                "display": formatter(value) if value is not None else None,
                "best": best,
            }
            for key, label, value, formatter, best in rows
        ]


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

    class Meta:
        indexes = [models.Index(fields=["-searches"], name="searchtotal_by_searches")]

    def __str__(self) -> str:
        return f"{self.query!r}: {self.searches}"
