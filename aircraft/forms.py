from django import forms

from .models import Aircraft, Manufacturer
from .selectors import CatalogueFilters

SORT_LABELS = {
    "manufacturer": "Manufacturer",
    "designation": "Designation",
    "name": "Name",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "fastest": "Fastest (Mach, or speed at altitude)",
    "heaviest": "Heaviest (max take-off weight)",
    "range": "Longest typical range",
    "popular": "Most viewed",
}


class CatalogueFilterForm(forms.Form):
    """Validates the catalogue's query string; bad values mean a 400, not a 500."""

    manufacturer = forms.SlugField(required=False, max_length=140)
    role = forms.ChoiceField(required=False, choices=[("", "Any role"), *Aircraft.Role.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Aircraft.Status.choices])
    decade = forms.IntegerField(required=False, min_value=1900, max_value=2100)
    sort = forms.ChoiceField(required=False, initial="manufacturer", choices=list(SORT_LABELS.items()))
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)

    def __init__(self, *args, manufacturers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if manufacturers is not None:
            self.fields["manufacturer"] = forms.ChoiceField(
                required=False, choices=[("", "Any manufacturer"), *((m.slug, m.name) for m in manufacturers)]
            )

    def clean_decade(self):
        decade = self.cleaned_data["decade"]
        if decade is not None and decade % 10:
            raise forms.ValidationError("A decade is a year ending in 0, such as 1960.")
        return decade

    def filters(self) -> CatalogueFilters:
        data = self.cleaned_data
        return CatalogueFilters(
            manufacturer=data.get("manufacturer") or "",
            role=data.get("role") or "",
            status=data.get("status") or "",
            decade=data.get("decade"),
            sort=data.get("sort") or "manufacturer",
        )


def manufacturer_choices():
    return Manufacturer.objects.only("slug", "name").order_by("name")
