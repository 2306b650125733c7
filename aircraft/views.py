"""Public pages. Thin: validate input, call selectors, render."""

import functools
import re

from django.conf import settings
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import pages
from core.errors import json_error

from . import downloads, pictures, selectors, services, sharing, signals, units
from .compare import MAX_COMPARED, MIN_COMPARED, comparison_rows
from .context_processors import UNITS_COOKIE, preferred_units
from .datasheet import datasheet
from .forms import CatalogueFilterForm, CorrectionForm, ExploreForm, filled_query, manufacturer_choices
from .models import Aircraft, Manufacturer
from .search import MAX_QUERY_LENGTH, normalise
from .stamps import cached_page, live_view_count, shows_popularity

ONE_YEAR = 365 * 24 * 3600
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,140}")


class PastTheEnd(Exception):
    """A page number beyond the last page (a stale link, a shorter filtered list)."""

    def __init__(self, last: int):
        super().__init__(f"The last page is {last}.")
        self.last = last


class _CountedPaginator(Paginator):
    """A paginator for results already counted (a search counts its results to
    know whether to correct the query), so the count is not queried again."""

    def __init__(self, object_list, per_page, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def paginate(queryset, page_number: object, per_page: int, count: int | None = None):
    """A bad page number is the client's error (400); one past the end raises PastTheEnd."""
    paginator = Paginator(queryset, per_page) if count is None else _CountedPaginator(queryset, per_page, count)
    try:
        return paginator.page(page_number or 1)
    except PageNotAnInteger as exc:
        raise BadRequest("The page number must be a whole number.") from exc
    except EmptyPage as exc:
        if int(page_number) < 1:
            raise BadRequest("Pages are numbered from 1.") from exc
        raise PastTheEnd(paginator.num_pages) from exc


def to_last_page(request: HttpRequest, last: int) -> HttpResponse:
    """The same list, filters and all, at its last page (a temporary redirect:
    the list may grow back). Page 1 is the address without a page number."""
    query = request.GET.copy()
    if last > 1:
        query["page"] = str(last)
    else:
        query.pop("page", None)
    return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def past_the_end_to_last_page(view):
    """For a view that paginates: a page past the end redirects to the last page.
    One wrapper rather than a try in each list (the credits page once lacked it: a 500)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PastTheEnd as end:
            return to_last_page(request, end.last)

    return wrapped


@require_safe
@cached_page(shows_popularity=True)
def home(request: HttpRequest) -> HttpResponse:
    most_viewed = list(selectors.most_viewed())
    return render(
        request,
        "aircraft/home.html",
        {
            "counts": selectors.catalogue_counts(),
            "release": selectors.latest_release(),
            "manufacturers": selectors.manufacturers_with_counts(),
            "recent": selectors.recently_updated(),
            "most_viewed": most_viewed,
            "trending": selectors.trending(exclude=[row.aircraft_id for row in most_viewed]),
            "popular_searches": selectors.popular_searches(),
        },
    )


@require_safe
@cached_page
def manufacturer_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "aircraft/manufacturer_list.html",
        {
            "manufacturers": selectors.manufacturers_with_counts(),
        },
    )


@require_safe
@cached_page
def manufacturer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    manufacturer = get_object_or_404(Manufacturer, slug=slug)
    aircraft = list(selectors.manufacturer_aircraft(manufacturer))
    counts = {status: sum(1 for a in aircraft if a.status == status) for status in Aircraft.Status.values}
    return render(
        request,
        "aircraft/manufacturer_detail.html",
        {
            "manufacturer": manufacturer,
            "aircraft_list": aircraft,
            "status_counts": counts,
            "timeline": pictures.manufacturer_timeline(aircraft, timezone.localdate().year),
        },
    )


@require_safe
@cached_page
@past_the_end_to_last_page
def aircraft_list(request: HttpRequest) -> HttpResponse:
    manufacturers = list(manufacturer_choices())
    form = CatalogueFilterForm(request.GET, manufacturers=manufacturers)
    context = {"form": form, "decades": selectors.decades(), "manufacturers": manufacturers}
    if not form.is_valid():
        return render(request, "aircraft/aircraft_list.html", context, status=400)
    filters = form.filters()
    if filters.sort == "popular":
        shows_popularity()
    page = paginate(selectors.aircraft_list(filters), form.cleaned_data["page"], selectors.page_size())
    context.update(
        {
            "page": page,
            "filters": filters,
            "sort_measure": selectors.sort_measure(filters),
            "active_filters": active_filters(request, form, manufacturers),
            "download_query": downloads.query_without_page(request),
            "data_terms": downloads.TERMS,
            "download_max": settings.DOWNLOAD_MAX_AIRCRAFT,
        }
    )
    return render(request, "aircraft/aircraft_list.html", context)


FILTER_NAMES = {"manufacturer": "Manufacturer", "role": "Role", "status": "Status", "decade": "Decade"}


def active_filters(request: HttpRequest, form: CatalogueFilterForm, manufacturers) -> list[dict]:
    """Each filter in force, said in words, with the address of the list without it."""
    data = form.cleaned_data
    shown = {
        "manufacturer": {m.slug: m.name for m in manufacturers}.get(data.get("manufacturer") or ""),
        "role": Aircraft.Role(data["role"]).label if data.get("role") else None,
        "status": Aircraft.Status(data["status"]).label if data.get("status") else None,
        "decade": f"{data['decade']}s" if data.get("decade") is not None else None,
    }
    chips = []
    for name, value in shown.items():
        if not value:
            continue
        query = filled_query(request.GET)
        query.pop(name, None)
        query.pop("page", None)  # the wider list starts at its first page
        chips.append(
            {
                "name": FILTER_NAMES[name],
                "value": value,
                "remove_url": f"{request.path}?{query.urlencode()}" if query else request.path,
            }
        )
    return chips


def _aircraft_or_404(slug: str) -> Aircraft:
    aircraft = selectors.aircraft_detail(slug)
    if aircraft is None:
        raise Http404("No aircraft has this address.")
    return aircraft


@require_safe
@cached_page
def aircraft_detail(request: HttpRequest, slug: str) -> HttpResponse:
    aircraft = _aircraft_or_404(slug)
    signals.send_viewed(request, aircraft, via="page")
    views = getattr(getattr(aircraft, "view_total", None), "views", 0)
    live_view_count(aircraft.pk, views)
    sheet = datasheet(aircraft)
    return render(
        request,
        "aircraft/aircraft_detail.html",
        {
            "aircraft": aircraft,
            "sheet": sheet,
            "share": sharing.share_context(request, aircraft, sheet),
            "siblings": selectors.aircraft_siblings(aircraft),
            "photos": list(aircraft.photos.all()),
            "drawing": pictures.drawing(aircraft, preferred_units(request)),
            "views": views,
            "staff_edit_url": staff_edit_url(request, aircraft),
            "correction_form": CorrectionForm(aircraft=aircraft),
            # Arrived straight from a search with one clear match: the way back.
            "searched_for": normalise(request.GET.get("q", "")),
        },
    )


def staff_edit_url(request: HttpRequest, aircraft: Aircraft) -> str:
    """The admin page that fills a gap, for staff who may edit; "" for everyone else.

    Only a request with a session can be staff, and the page cache never stores
    or serves those; the page is also marked private so no other cache keeps it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return ""
    if not user.has_perm("aircraft.change_aircraft"):
        return ""
    pages.private()
    return reverse("admin:aircraft_aircraft_change", args=[aircraft.pk])


@require_safe
@cached_page
def aircraft_drawing(request: HttpRequest, slug: str) -> HttpResponse:
    """The aircraft's to-scale drawing on its own (the API links here), cached like a page."""
    aircraft = _aircraft_or_404(slug)
    svg = pictures.drawing(aircraft, preferred_units(request), width=640)
    response = HttpResponse('<?xml version="1.0" encoding="utf-8"?>\n' + svg, content_type="image/svg+xml")
    response["Vary"] = "Cookie"  # the units preference
    return response


@require_safe
@cached_page
def compare(request: HttpRequest) -> HttpResponse:
    slugs = [slug.strip() for slug in request.GET.getlist("a") if slug.strip()][: MAX_COMPARED + 1]
    slugs = [slug if SLUG.fullmatch(slug) else "-" for slug in slugs]  # never a valid slug: "not found"
    aircraft = selectors.aircraft_by_slugs(slugs)
    error = ""
    if len(slugs) > MAX_COMPARED:
        error = f"Compare at most {MAX_COMPARED} aircraft at a time."
        aircraft = aircraft[:MAX_COMPARED]
    elif len(aircraft) < len(dict.fromkeys(slugs)):
        error = "Some of the aircraft asked for are not in the catalogue."
    if len(aircraft) >= MIN_COMPARED:
        pages.send(request, signals.aircraft_compared, slugs=[a.slug for a in aircraft])
    rows = comparison_rows(aircraft) if len(aircraft) >= MIN_COMPARED else []
    return render(
        request,
        "aircraft/compare.html",
        {
            "aircraft_list": aircraft,
            "rows": rows,
            "pictures": pictures.compare_pictures(aircraft, rows, preferred_units(request)) if rows else None,
            "error": error,
            "all_aircraft": selectors.compare_choices(selected=aircraft),
            "selected": [a.slug for a in aircraft],
        },
        status=400 if error and len(aircraft) < MIN_COMPARED and slugs else 200,
    )


@require_safe
@cached_page
def explore(request: HttpRequest) -> HttpResponse:
    """The whole catalogue on two axes of the visitor's choice; the URL is the state."""
    manufacturers = list(manufacturer_choices())
    form = ExploreForm(request.GET, manufacturers=manufacturers, decades=selectors.decades())
    if not form.is_valid():
        return render(request, "aircraft/explore.html", {"form": form}, status=400)
    data = form.cleaned_data
    x, y = pictures.EXPLORE_AXES[data["x"]], pictures.EXPLORE_AXES[data["y"]]
    planes = list(selectors.explore_aircraft(form.filters()))
    system = preferred_units(request)
    chart, rows, left_out = pictures.explore_chart(planes, x, y, system, log_x=data["log_x"], log_y=data["log_y"])
    return render(
        request,
        "aircraft/explore.html",
        {
            "form": form,
            "chart": chart,
            "rows": rows,
            "left_out": left_out,
            "x_axis": x.title(system),
            "y_axis": y.title(system),
            "heading": f"{y.title(system)} against {x.title(system)[0].lower()}{x.title(system)[1:]}",
            "total": len(planes),
        },
    )


@require_safe
@cached_page
@past_the_end_to_last_page
def search(request: HttpRequest) -> HttpResponse:
    result = selectors.aircraft_search(request.GET.get("q", ""))
    page = (
        paginate(result.results, request.GET.get("page"), selectors.page_size(), count=result.count)
        if result.query
        else None
    )
    if page is not None and page.number == 1:
        top = page.object_list[0] if page.object_list else None
        pages.send(
            request,
            signals.search_performed,
            query=result.query,
            result_count=page.paginator.count,
            top_result=top.pk if top else None,
        )
        # One clear match: straight to it (not cached: the search is still counted
        # each time), with "all results" on its page to come back.
        wants_list = request.GET.get("all") or request.GET.get("page")
        clear = None if wants_list else selectors.clear_match(result, list(page.object_list[:2]))
        if clear is not None:
            return HttpResponseRedirect(f"{clear.get_absolute_url()}?{urlencode({'q': result.query})}")
    return render(
        request,
        "aircraft/search.html",
        {
            "result": result,
            "page": page,
            "popular_searches": selectors.popular_searches(),
        },
    )


# The form sits on cached pages shared by everyone, which carry no CSRF token; no
# account or session is at stake, and the rate limit (RATELIMIT_CORRECTIONS, in
# hangarstack.ratelimits) holds back floods, forged or not.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def suggest_correction(request: HttpRequest, slug: str) -> HttpResponse:
    """The correction form on its own (never cached), and where the aircraft page's form posts."""
    aircraft = _aircraft_or_404(slug)
    status = 200
    if request.method == "POST":
        form = CorrectionForm(request.POST, aircraft=aircraft)
        if form.is_valid():
            if not form.is_bot:
                try:
                    services.correction_submit(aircraft=aircraft, **form.submission())
                except ValidationError as exc:
                    form.add_error(None, exc)
            if form.is_valid():
                sent = HttpResponseRedirect(f"{reverse('aircraft:suggest-correction', args=[aircraft.slug])}?sent=1")
                sent.status_code = 303  # See Other: the thank-you page, by GET
                return sent
        status = 400
    else:
        form = CorrectionForm(aircraft=aircraft)
    response = render(
        request,
        "aircraft/correction.html",
        {"aircraft": aircraft, "correction_form": form, "sent": request.GET.get("sent") == "1" and status == 200},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@cached_page
@past_the_end_to_last_page
def credits(request: HttpRequest) -> HttpResponse:
    """Every photo on the site with its author, licence and source."""
    page = paginate(selectors.photo_credits(), request.GET.get("page"), 48)
    return render(request, "aircraft/credits.html", {"page": page})


@require_safe
def search_suggestions(request: HttpRequest) -> JsonResponse:
    """Suggestions as you type: the first few aircraft the search would show.
    Not counted as searches (a half-typed word is nobody's query)."""
    query = request.GET.get("q", "")
    if len(query) > MAX_QUERY_LENGTH * 4:
        return json_error(400, f"q is longer than {MAX_QUERY_LENGTH * 4} characters")
    result, found = selectors.search_suggestions(query)
    return JsonResponse(
        {
            "query": result.query,
            "corrected": result.corrected,
            "partial": result.partial,
            "results": [
                {
                    "label": plane.full_name,
                    "designation": plane.designation,
                    "name": plane.name,
                    "manufacturer": plane.manufacturer.name,
                    "url": plane.get_absolute_url(),
                }
                for plane in found
            ],
            "search_url": f"{reverse('aircraft:search')}?{urlencode({'q': result.query, 'all': 1})}",
        }
    )


# A display preference: a forged request could only flip units, and leaving
# CSRF tokens off public pages lets them be cached and shared.
@csrf_exempt
@require_POST
def set_units(request: HttpRequest) -> HttpResponse:
    system = request.POST.get("units", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if system in units.SYSTEMS:
        response.set_cookie(UNITS_COOKIE, system, max_age=ONE_YEAR, samesite="Lax", secure=request.is_secure())
    return response


# --- The prototype's URLs, kept alive as permanent redirects -------------------


@require_safe
def legacy_home(request: HttpRequest) -> HttpResponse:
    return redirect("aircraft:home", permanent=True)


@require_safe
def legacy_manufacturer(request: HttpRequest, name: str) -> HttpResponse:
    if "\x00" in name:
        raise Http404("No such manufacturer.")
    manufacturer = get_object_or_404(Manufacturer, name__iexact=name)
    return redirect(manufacturer, permanent=True)


@require_safe
def legacy_aircraft(request: HttpRequest, name: str, designation: str) -> HttpResponse:
    if "\x00" in name + designation:  # PostgreSQL text cannot hold NUL
        raise Http404("No such aircraft.")
    aircraft = get_object_or_404(
        Aircraft.objects.only("slug"), manufacturer__name__iexact=name, designation__iexact=designation
    )
    return redirect(aircraft, permanent=True)
