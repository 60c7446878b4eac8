from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages without our <link rel="icon"> (admin, PDFs): the same icon."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


from insights import urls as insight_urls
from knowledge import urls as knowledge_urls
from notifications import urls as notification_urls
from safety import urls as safety_urls

urlpatterns = [
    path("favicon.ico", FaviconView.as_view()),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("letters.api_urls")),
    # Before defects.api.urls: cases/suggestions/ and cases/export.csv are not case references.
    path("api/", include(knowledge_urls.api_urlpatterns)),
    path("api/", include(insight_urls.api_urlpatterns)),
    path("api/audit/", include("privacy.urls")),
    path("api/", include(safety_urls.api_urlpatterns)),  # before defects: /api/cases/{ref}/severity/
    path("api/", include("defects.api.urls")),
    path("api/", include(notification_urls.api_urlpatterns)),
    path("print-room/", include("letters.urls")),
    path("", include("notifications.urls")),
    path("", include("clocks.urls")),
    path("", include(safety_urls.urlpatterns)),
    path("", include(insight_urls.urlpatterns)),
    # Before defects.urls: cases/<ref>/knowledge/ is a knowledge page.
    path("", include(knowledge_urls.urlpatterns)),
    path("", include("defects.urls")),
]

if settings.HITOTSUBU_BENCH:
    from .bench import NoopView

    urlpatterns.insert(0, path("api/_bench/noop/", NoopView.as_view(), name="bench_noop"))
