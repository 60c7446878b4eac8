"""Routes under /api/ (config/urls.py includes this module with namespace-free prefix "api/")."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts import api as accounts_api

from . import views
from .views import countermeasures

app_name = "api"

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("auth/logout/", accounts_api.LogoutView.as_view(), name="logout"),
    path("factories/", views.FactoryList.as_view(), name="factory-list"),
    path("products/", views.ProductList.as_view(), name="product-list"),
    path("photos/<int:photo_id>/", views.PhotoFileView.as_view(), name="photo-file"),
    path("returns/scan/", views.ReturnScanView.as_view(), name="return-scan"),
    path("parcels/match/", views.ParcelMatchView.as_view(), name="parcel-match"),
    path("shipments/<int:shipment_id>/events/", views.ShipmentEventView.as_view(), name="shipment-events"),
    path("redirects/", views.RedirectListView.as_view(), name="redirect-list"),
    path("redirects/<int:redirect_id>/done/", views.RedirectDoneView.as_view(), name="redirect-done"),
    path("address/lookup/", views.AddressLookupView.as_view(), name="address-lookup"),
    path("countermeasures/", countermeasures.CountermeasureList.as_view(), name="countermeasure-list"),
    path("countermeasures/<int:pk>/", countermeasures.CountermeasureDetail.as_view(), name="countermeasure-detail"),
    path("", include(router.urls)),
    # Schema and docs are public (SERVE_PERMISSIONS default): they describe the API, hold no data,
    # and the docs load their assets from /static/ (sidecar), never from a CDN. No ReDoc page: its
    # stock template pulls fonts from fonts.googleapis.com.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from a URL, not inline: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
