from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, QuerySet, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from . import quantities
from .models import (
    Aircraft,
    AircraftPhoto,
    AircraftSource,
    CatalogueRelease,
    Correction,
    Figure,
    Manufacturer,
    SearchTotal,
    UnansweredSearch,
)
from .photos import photo_delete_files, photo_renditions_build, photo_renditions_current
from .services import (
    aircraft_refresh_digest,
    aircraft_retire,
    correction_accept,
    correction_decline,
    search_totals_hide,
)


class DecadeFilter(admin.SimpleListFilter):
    title = "decade (entry into service, else first flight)"
    parameter_name = "decade"

    def lookups(self, request, model_admin):
        years = Aircraft.objects.exclude(era_year=None).order_by().values_list("era_year", flat=True).distinct()
        return [(str(d), f"{d}s") for d in sorted({y // 10 * 10 for y in years})]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.in_decade(int(value))
        return queryset


class CatalogueAdminMedia:
    """The catalogue's admin stylesheet: a field's error wraps within its own field,
    never running into the next field's label (static/css/admin.css)."""

    class Media:
        css = {"all": ["css/admin.css"]}


# Links typed without a scheme are https, as Django 6 will assume.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Manufacturer)
class ManufacturerAdmin(CatalogueAdminMedia, admin.ModelAdmin):
    ordering = ["name_order"]
    formfield_overrides = URL_FIELDS
    list_display = ["name", "country", "founded", "successor", "aircraft_count", "updated_at"]
    list_filter = ["country"]
    search_fields = ["name", "country"]
    autocomplete_fields = ["successor"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "country", "founded", "successor", "description"]}),
        (
            "Source of the founding year and successor",
            {
                "fields": [
                    "source_key",
                    "source_title",
                    "source_publisher",
                    "source_url",
                    "source_kind",
                    "source_checked",
                ]
            },
        ),
        ("Links and logo", {"fields": ["website", "logo"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(aircraft_total=Count("aircraft"))

    @admin.display(description="aircraft", ordering="aircraft_total")
    def aircraft_count(self, obj: Manufacturer) -> int:
        return obj.aircraft_total


def _kinds_help() -> str:
    rows = format_html_join(
        "",
        "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
        ((q.label, ", ".join(code for code, _ in q.kinds), ", ".join(q.units)) for q in quantities.QUANTITIES.values()),
    )
    return (
        "Enter each figure as the source printed it, in its unit (83,500 lb stays 83,500 lb; "
        '"62 ft 1 in" is fine); the other unit system is derived. Each figure names the source it was '
        "read in: save new sources first, then pick them here. Kinds say what a figure is: a ferry range "
        "is never compared with a typical one."
        f"<table class='figure-kinds'><thead><tr><th>Quantity</th><th>Kinds</th><th>Units</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


class SourceInline(admin.TabularInline):
    model = AircraftSource
    extra = 0
    fields = ["key", "title", "publisher", "url", "kind", "checked", "position"]
    formfield_overrides = URL_FIELDS


class FigureInline(admin.TabularInline):
    model = Figure
    extra = 0
    fields = ["quantity", "kind", "value", "unit", "condition", "source"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "source":
            kwargs["queryset"] = AircraftSource.objects.filter(aircraft_id=_edited_id(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class VariantInline(admin.TabularInline):
    model = Aircraft
    fk_name = "variant_of"
    verbose_name = "variant"
    verbose_name_plural = "variants (each inherits every figure it does not give itself)"
    fields = ["designation", "name", "status"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _edited_id(request: HttpRequest) -> int | None:
    match = request.resolver_match
    object_id = match.kwargs.get("object_id") if match else None
    return int(object_id) if object_id and str(object_id).isdigit() else None


class AircraftPhotoInline(admin.StackedInline):
    """Photos with their credits: author, licence and source are required fields
    (and database constraints), so a photo without its credit is never saved."""

    model = AircraftPhoto
    extra = 0
    formfield_overrides = URL_FIELDS
    fields = ["image", "preview", "alt_text", "caption", ("author", "licence"), "source_url", "position"]
    readonly_fields = ["preview"]

    @admin.display(description="preview")
    def preview(self, obj: AircraftPhoto) -> str:
        if not obj.pk or not obj.image:
            return "-"
        return format_html('<img src="{}" alt="" width="160">', obj.image.url)


def _make_renditions(photos) -> None:
    for photo in photos:
        if not photo_renditions_current(photo):
            photo_renditions_build(photo=photo)


@admin.register(Aircraft)
class AircraftAdmin(CatalogueAdminMedia, admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    # Short columns, so the list and both sidebars fit a 1366 px screen (checked in Chromium).
    # The name goes under the designation rather than in a column of its own.
    list_display = ["aircraft", "manufacturer", "role", "status", "year", "updated"]
    list_display_links = None  # the designation is the link (see aircraft below)
    list_filter = ["manufacturer", "role", "status", DecadeFilter]
    list_select_related = ["manufacturer"]
    search_fields = ["designation", "name", "manufacturer__name", "nato_name", "icao_type", "aliases"]
    autocomplete_fields = ["manufacturer", "variant_of"]
    prepopulated_fields = {"slug": ["designation", "name"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [SourceInline, FigureInline, VariantInline, AircraftPhotoInline]
    list_per_page = 50
    actions = ["mark_retired"]
    save_on_top = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "manufacturer",
                    "designation",
                    "name",
                    "slug",
                    "variant_of",
                    "role",
                    "status",
                    "country",
                    "description",
                    "notes",
                    "unpublished",
                ]
            },
        ),
        (
            "Names people search by",
            {"fields": [("icao_type", "wake_category"), ("military_designation", "nato_name"), "aliases"]},
        ),
        (
            "Dates (a year always, the full date when known)",
            {
                "fields": [
                    ("first_flight_year", "first_flight_date", "first_flight_source"),
                    ("entered_service_year", "entered_service_date", "entered_service_source"),
                    ("retired_year", "retired_date", "retired_source"),
                ]
            },
        ),
        (
            "Production",
            {
                "fields": [
                    ("production_first_year", "production_last_year"),
                    ("number_built", "number_built_year", "production_source"),
                ]
            },
        ),
        ("Powerplant", {"fields": [("engine_count", "engine_type"), ("engine_model", "powerplant_source")]}),
        (
            "Layout, for the drawing",
            {
                "fields": [
                    ("wing_planform", "tail_layout"),
                    ("engine_placement", "rotor_layout"),
                    "configuration_source",
                ]
            },
        ),
        ("Image", {"fields": ["image", "image_alt"], "classes": ["collapse"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        return [*super().get_fieldsets(request, obj), ("Figures", {"fields": [], "description": _kinds_help()})]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name.endswith("_source"):
            kwargs["queryset"] = AircraftSource.objects.filter(aircraft_id=_edited_id(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        aircraft_refresh_digest(aircraft=form.instance)

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is AircraftPhoto:
            for photo in formset.deleted_objects:
                photo_delete_files(photo=photo)
            _make_renditions(formset.new_objects + [obj for obj, _ in formset.changed_objects])

    @admin.display(description="Aircraft", ordering="designation")
    def aircraft(self, obj: Aircraft) -> str:
        link = format_html(
            '<a href="{}">{}</a>', reverse("admin:aircraft_aircraft_change", args=[obj.pk]), obj.designation
        )
        if not obj.name or obj.name == obj.designation:
            return link
        return format_html('{}<br><span class="aircraft-name">{}</span>', link, obj.name)

    @admin.display(description="Year", ordering="era_year")
    def year(self, obj: Aircraft):
        return obj.era_year

    @admin.display(description="Updated", ordering="updated_at")
    def updated(self, obj: Aircraft) -> str:
        return f"{obj.updated_at:%Y-%m-%d}"

    @admin.action(description="Mark selected aircraft as retired", permissions=["change"])
    def mark_retired(self, request: HttpRequest, queryset: QuerySet[Aircraft]) -> None:
        count = aircraft_retire(aircraft=queryset)
        self.message_user(request, f"{count} aircraft marked retired.", messages.SUCCESS)


@admin.register(AircraftPhoto)
class AircraftPhotoAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["aircraft", "author", "licence", "width", "height", "updated_at"]
    list_filter = ["licence"]
    list_select_related = ["aircraft__manufacturer"]
    search_fields = ["aircraft__designation", "aircraft__name", "author", "caption"]
    autocomplete_fields = ["aircraft"]
    fields = ["aircraft", "image", "alt_text", "caption", ("author", "licence"), "source_url", "position"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        _make_renditions([obj])

    def delete_model(self, request, obj) -> None:
        photo_delete_files(photo=obj)
        super().delete_model(request, obj)


@admin.register(CatalogueRelease)
class CatalogueReleaseAdmin(admin.ModelAdmin):
    list_display = ["version", "date", "title", "loaded_at"]
    readonly_fields = ["loaded_at"]


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    """The review queue: visitors' corrections, waiting ones first. Accept writes the
    figure and its source through the services (a change event like any edit)."""

    formfield_overrides = URL_FIELDS
    list_display = ["created_at", "aircraft", "figure_label", "proposed", "current", "source_link", "status"]
    list_filter = ["status", "quantity"]
    list_select_related = ["aircraft__manufacturer"]
    search_fields = ["aircraft__designation", "aircraft__name", "source_url", "note"]
    actions = ["accept", "decline"]
    readonly_fields = ["aircraft", "created_at", "status", "reviewed_at", "reviewed_by", "figure", "current"]
    fields = [
        "aircraft",
        ("quantity", "kind"),
        ("value", "unit"),
        "current",
        "source_url",
        "note",
        ("source_title", "source_publisher", "source_kind"),
        ("status", "reviewed_by", "reviewed_at"),
        "figure",
        "created_at",
    ]
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        waiting_first = Case(When(status=Correction.Status.PENDING, then=0), default=1)
        return super().get_queryset(request).order_by(waiting_first, "-created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # corrections come from visitors

    def has_change_permission(self, request: HttpRequest, obj: Correction | None = None) -> bool:
        if obj is not None and obj.status != Correction.Status.PENDING:
            return False  # a reviewed correction is a record
        return super().has_change_permission(request, obj)

    @admin.display(description="figure")
    def figure_label(self, obj: Correction) -> str:
        return obj.label

    @admin.display(description="proposed")
    def proposed(self, obj: Correction) -> str:
        return f"{obj.value} {obj.unit}" if obj.unit not in ("count", "mach") else obj.value

    @admin.display(description="in the catalogue now")
    def current(self, obj: Correction) -> str:
        if obj.pk is None:
            return "-"
        figure = Figure.objects.filter(aircraft_id=obj.aircraft_id, quantity=obj.quantity, kind=obj.kind).first()
        return f"{figure.value} {figure.unit}" if figure else "not in the catalogue"

    @admin.display(description="source")
    def source_link(self, obj: Correction) -> str:
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.source_url, obj.source_url[:60])

    @admin.action(description="Accept: write the figure and its source", permissions=["change"])
    def accept(self, request: HttpRequest, queryset: QuerySet[Correction]) -> None:
        self._review(request, queryset, correction_accept, "accepted")

    @admin.action(description="Decline", permissions=["change"])
    def decline(self, request: HttpRequest, queryset: QuerySet[Correction]) -> None:
        self._review(request, queryset, correction_decline, "declined")

    def _review(self, request, queryset, service, done: str) -> None:
        count = 0
        for correction in queryset:
            try:
                service(correction=correction, editor=request.user.get_username())
            except ValidationError as exc:
                self.message_user(
                    request, f"{correction.aircraft}, {correction.label}: {' '.join(exc.messages)}", messages.ERROR
                )
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} correction{'s' if count != 1 else ''} {done}.", messages.SUCCESS)


class FoundFilter(admin.SimpleListFilter):
    title = "last search found"
    parameter_name = "found"

    def lookups(self, request, model_admin):
        return [("yes", "something"), ("no", "nothing")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(last_result_count__gt=0)
        if self.value() == "no":
            return queryset.filter(last_result_count=0)
        return queryset


@admin.register(SearchTotal)
class SearchTotalAdmin(admin.ModelAdmin):
    """Every query visitors searched for, in its canonical form, counted by the
    analytics consumer. Hide one to keep it out of the popular searches."""

    list_display = ["query", "searches", "last_result_count", "top_aircraft", "hidden", "last_searched_at"]
    list_filter = ["hidden", FoundFilter]
    list_select_related = ["top_aircraft__manufacturer"]
    search_fields = ["query"]
    ordering = ["-searches", "query"]
    fields = ["query", "searches", "last_result_count", "top_aircraft", "last_searched_at", "hidden"]
    readonly_fields = ["query", "searches", "last_result_count", "top_aircraft", "last_searched_at"]
    actions = ["hide", "show"]
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only the consumer counts searches

    def save_model(self, request, obj, form, change) -> None:
        search_totals_hide(searches=SearchTotal.objects.filter(pk=obj.pk), hidden=obj.hidden)

    @admin.action(description="Hide from popular searches", permissions=["change"])
    def hide(self, request: HttpRequest, queryset: QuerySet[SearchTotal]) -> None:
        count = search_totals_hide(searches=queryset, hidden=True)
        self.message_user(request, f"{count} search{'es' if count != 1 else ''} hidden.", messages.SUCCESS)

    @admin.action(description="Show in popular searches again", permissions=["change"])
    def show(self, request: HttpRequest, queryset: QuerySet[SearchTotal]) -> None:
        count = search_totals_hide(searches=queryset, hidden=False)
        self.message_user(request, f"{count} search{'es' if count != 1 else ''} shown again.", messages.SUCCESS)


@admin.register(UnansweredSearch)
class UnansweredSearchAdmin(admin.ModelAdmin):
    """The searches that found nothing, most frequent first: what to add next.
    Read only; filled from the search events the analytics consumer reads."""

    list_display = ["query", "searches", "last_searched_at"]
    search_fields = ["query"]
    ordering = ["-searches", "query"]
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[UnansweredSearch]:
        return super().get_queryset(request).filter(last_result_count=0)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
