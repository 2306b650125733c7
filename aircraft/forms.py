from django import forms
from django.http import QueryDict

from . import quantities
from .models import Aircraft, Manufacturer
from .pictures import EXPLORE_AXES
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


def filled_query(query: QueryDict) -> QueryDict:
    """A mutable copy of the query without the empty fields a submitted filter form leaves (role=&decade=)."""
    query = query.copy()
    for key in [key for key, values in query.lists() if not any(values)]:
        del query[key]
    return query


def manufacturer_choices():
    return Manufacturer.objects.only("slug", "name").order_by("name_order")


def _figure_choices() -> list[tuple[str, str]]:
    """Every figure a visitor can correct, as "quantity:kind" with the label pages use."""
    return [
        (f"{spec.code}:{kind}", quantities.label(spec.code, kind))
        for spec in quantities.QUANTITIES.values()
        for kind, _ in spec.kinds
    ]


class CorrectionForm(forms.Form):
    """ "Suggest a correction" on an aircraft page: no account, nothing beyond what is typed.

    `website` is a honeypot: hidden from people (and from screen readers), filled by
    bots that fill every field; a submission with it is dropped without a word.
    """

    figure = forms.ChoiceField(label="Figure", choices=[("", "Choose a figure"), *_figure_choices()])
    value = forms.CharField(
        label="Correct value", max_length=40, help_text='As the source prints it, e.g. "62.1" or "83,500".'
    )
    unit = forms.ChoiceField(label="Unit", choices=[("", "Choose a unit"), *quantities.UNIT_CHOICES])
    source_url = forms.URLField(
        label="Source (web address)",
        max_length=500,
        assume_scheme="https",
        help_text="The page or document that gives this value. Required.",
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=1000, widget=forms.Textarea)
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args, aircraft=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.aircraft = aircraft
        slug = aircraft.slug if aircraft is not None else "x"
        self.auto_id = f"correction-{slug}-%s"
        self.fields["value"].widget.attrs.update(autocomplete="off", inputmode="decimal")
        self.fields["note"].widget.attrs.update(rows=3)
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self):
        data = super().clean()
        figure, value, unit = data.get("figure"), data.get("value"), data.get("unit")
        if figure and value and unit:
            quantity, _ = figure.split(":", 1)
            try:
                quantities.parse(quantity, value, unit)
            except quantities.FigureError as exc:
                field = "unit" if "cannot be given in" in str(exc) else "value"
                self.add_error(field, quantities.sentence(exc))
        return data

    def submission(self) -> dict:
        quantity, kind = self.cleaned_data["figure"].split(":", 1)
        return {
            "quantity": quantity,
            "kind": kind,
            "value": self.cleaned_data["value"].strip(),
            "unit": self.cleaned_data["unit"],
            "source_url": self.cleaned_data["source_url"],
            "note": self.cleaned_data["note"].strip(),
        }


class ExploreForm(CatalogueFilterForm):
    """The explore page's query string: two axes, log scales and the catalogue's filters."""

    x = forms.ChoiceField(required=False, label="Across (x)")
    y = forms.ChoiceField(required=False, label="Up (y)")
    log_x = forms.BooleanField(required=False, label="Log scale across")
    log_y = forms.BooleanField(required=False, label="Log scale up")

    DEFAULTS = {"x": "length", "y": "max_takeoff_weight", "log_y": "on"}

    def __init__(self, data=None, *, manufacturers=None, decades=None, **kwargs):
        if data is not None and not any(key in data for key in ("x", "y")):
            merged = data.copy()
            for key, value in self.DEFAULTS.items():
                merged.setdefault(key, value)
            data = merged
        super().__init__(data, manufacturers=manufacturers, **kwargs)
        del self.fields["sort"], self.fields["page"]
        axes = [(axis.key, axis.label) for axis in EXPLORE_AXES.values()]
        self.fields["x"].choices = axes
        self.fields["y"].choices = axes
        if decades is not None:
            self.fields["decade"] = forms.TypedChoiceField(
                required=False,
                coerce=int,
                empty_value=None,
                label="Era",
                choices=[("", "Any era"), *((d, f"{d}s") for d in decades)],
            )

    def clean(self):
        data = super().clean()
        data["x"] = data.get("x") or self.DEFAULTS["x"]
        data["y"] = data.get("y") or self.DEFAULTS["y"]
        return data
