from django.urls import path

from . import api, downloads, sharing, views

app_name = "aircraft"

urlpatterns = [
    path("", views.home, name="home"),
    path("manufacturers/", views.manufacturer_list, name="manufacturer-list"),
    path("manufacturers/<slug:slug>/", views.manufacturer_detail, name="manufacturer-detail"),
    path("aircraft/", views.aircraft_list, name="aircraft-list"),
    path("aircraft/catalogue.csv", downloads.catalogue_csv, name="download-csv"),
    path("aircraft/catalogue.json", downloads.catalogue_json, name="download-json"),
    path("aircraft/<slug:slug>/", views.aircraft_detail, name="aircraft-detail"),
    path("aircraft/<slug:slug>/card.png", sharing.aircraft_card, name="aircraft-card"),
    path("aircraft/<slug:slug>/corrections/", views.suggest_correction, name="suggest-correction"),
    path("aircraft/<slug:slug>/drawing.svg", views.aircraft_drawing, name="aircraft-drawing"),
    path("compare/", views.compare, name="compare"),
    path("explore/", views.explore, name="explore"),
    path("search/", views.search, name="search"),
    path("credits/", views.credits, name="credits"),
    path("search/suggest", views.search_suggestions, name="search-suggestions"),
    path("preferences/units/", views.set_units, name="set-units"),
    path("sitemap.xml", sharing.sitemap_index, name="sitemap-index"),
    path("sitemap-<slug:section>.xml", sharing.sitemap_section, name="sitemap-section"),
    path("robots.txt", sharing.robots_txt, name="robots"),
    # The prototype's addresses, as permanent redirects.
    path("home", views.legacy_home),
    path("manufacturer/<str:name>", views.legacy_manufacturer),
    path("aircraft/<str:name>/<path:designation>", views.legacy_aircraft),
    # JSON API
    path("api/", api.api_index, name="api-index"),
    path("api/openapi.json", api.openapi_json, name="api-openapi"),
    path("api/docs/", api.api_docs, name="api-docs"),
    path("api/manufacturers/", api.manufacturer_list, name="api-manufacturer-list"),
    path("api/manufacturers/<slug:slug>/", api.manufacturer_detail, name="api-manufacturer-detail"),
    path("api/aircraft/", api.aircraft_list, name="api-aircraft-list"),
    path("api/aircraft/<slug:slug>/", api.aircraft_detail, name="api-aircraft-detail"),
    path("api/aircraft/<slug:slug>/view", api.aircraft_view_beacon, name="api-aircraft-view"),
    path("api/aircraft/<str:name>", api.legacy_manufacturer_aircraft),
]
