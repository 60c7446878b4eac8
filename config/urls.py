from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("letters.api_urls")),
    path("api/audit/", include("privacy.urls")),
    path("api/", include("defects.api.urls")),
    path("print-room/", include("letters.urls")),
    path("", include("defects.urls")),
]
