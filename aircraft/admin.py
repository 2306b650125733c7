from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import Aircraft, CatalogueRelease, Manufacturer
from .services import aircraft_retire


class DecadeFilter(admin.SimpleListFilter):
    title = "decade introduced"
    parameter_name = "decade"

    def lookups(self, request, model_admin):
        years = Aircraft.objects.exclude(introduced=None).order_by().values_list("introduced", flat=True).distinct()
        return [(str(d), f"{d}s") for d in sorted({y // 10 * 10 for y in years})]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.in_decade(int(value))
        return queryset


# Links typed without a scheme are https, as Django 6 will assume.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Manufacturer)
class ManufacturerAdmin(admin.ModelAdmin):
    ordering = ["name"]
    formfield_overrides = URL_FIELDS
    list_display = ["name", "country", "founded", "aircraft_count", "updated_at"]
    list_filter = ["country"]
    search_fields = ["name", "country"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "country", "founded", "description"]}),
        ("Links and logo", {"fields": ["website", "logo"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(aircraft_total=Count("aircraft"))

    @admin.display(description="aircraft", ordering="aircraft_total")
    def aircraft_count(self, obj: Manufacturer) -> int:
        return obj.aircraft_total


@admin.register(Aircraft)
class AircraftAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = [
        "designation",
        "name",
        "manufacturer",
        "role",
        "status",
        "introduced",
        "source_verified",
        "updated_at",
    ]
    list_display_links = ["designation", "name"]
    list_filter = ["manufacturer", "role", "status", DecadeFilter, "source_kind"]
    list_select_related = ["manufacturer"]
    search_fields = ["designation", "name", "manufacturer__name"]
    autocomplete_fields = ["manufacturer"]
    prepopulated_fields = {"slug": ["designation", "name"]}
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50
    actions = ["mark_retired"]
    save_on_top = True
    fieldsets = [
        (
            None,
            {"fields": ["manufacturer", "designation", "name", "slug", "role", "status", "introduced", "description"]},
        ),
        ("Dimensions (metric; imperial is derived)", {"fields": [("length_m", "wingspan_m", "height_m")]}),
        ("Weights", {"fields": [("empty_weight_kg", "max_takeoff_weight_kg")]}),
        ("Performance", {"fields": [("max_speed_kn", "max_speed_mach"), ("range_km", "service_ceiling_m")]}),
        ("Crew and engines", {"fields": ["crew", "engines"]}),
        ("Source", {"fields": ["source_name", "source_url", "source_kind", "source_verified"]}),
        ("Image", {"fields": ["image", "image_alt"], "classes": ["collapse"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.action(description="Mark selected aircraft as retired", permissions=["change"])
    def mark_retired(self, request: HttpRequest, queryset: QuerySet[Aircraft]) -> None:
        count = aircraft_retire(aircraft=queryset)
        self.message_user(request, f"{count} aircraft marked retired.", messages.SUCCESS)


@admin.register(CatalogueRelease)
class CatalogueReleaseAdmin(admin.ModelAdmin):
    list_display = ["version", "date", "title", "loaded_at"]
    readonly_fields = ["loaded_at"]
