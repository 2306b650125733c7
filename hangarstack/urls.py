from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .metrics import metrics_view

urlpatterns = [
    path("metrics", metrics_view, name="metrics"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("aircraft.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Uploaded logos and images in development; nginx serves /media/ in production.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "hangarstack.views.bad_request"
handler403 = "hangarstack.views.permission_denied"
handler404 = "hangarstack.views.page_not_found"
handler500 = "hangarstack.views.server_error"

admin.site.site_header = "HangarStack catalogue"
admin.site.site_title = "HangarStack admin"
admin.site.index_title = "Catalogue administration"
