from django.contrib import admin
from django.urls import include, path

from notifications import urls as notification_urls
from safety import urls as safety_urls

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("letters.api_urls")),
    path("api/", include(safety_urls.api_urlpatterns)),  # before defects: /api/cases/{ref}/severity/
    path("api/", include("defects.api.urls")),
    path("api/", include(notification_urls.api_urlpatterns)),
    path("print-room/", include("letters.urls")),
    path("", include("notifications.urls")),
    path("", include("clocks.urls")),
    path("", include(safety_urls.urlpatterns)),
    path("", include("defects.urls")),
]
