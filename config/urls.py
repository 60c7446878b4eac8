from django.conf import settings
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

if settings.HITOTSUBU_BENCH:
    from .bench import NoopView

    urlpatterns.insert(0, path("api/_bench/noop/", NoopView.as_view(), name="bench_noop"))
