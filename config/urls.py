from django.contrib import admin
from django.urls import include, path

from insights import urls as insight_urls
from knowledge import urls as knowledge_urls
from notifications import urls as notification_urls

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("letters.api_urls")),
    # Before defects.api.urls: cases/suggestions/ and cases/export.csv are not case references.
    path("api/", include(knowledge_urls.api_urlpatterns)),
    path("api/", include(insight_urls.api_urlpatterns)),
    path("api/", include("defects.api.urls")),
    path("api/", include(notification_urls.api_urlpatterns)),
    path("print-room/", include("letters.urls")),
    path("", include("notifications.urls")),
    path("", include("clocks.urls")),
    path("", include(insight_urls.urlpatterns)),
    # Before defects.urls: cases/<ref>/knowledge/ is a knowledge page.
    path("", include(knowledge_urls.urlpatterns)),
    path("", include("defects.urls")),
]
