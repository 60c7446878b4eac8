"""The REST API. Views only translate HTTP: scope comes from defects.selectors, rules from
defects.forms, factories.forms and defects.roles, every change from defects.services; errors from
errors.py.

cases.py: the case viewset (list, detail, intake, transitions, timeline, contacts, routing), with
the actions of investigation.py (report, photos, versions) and parcels.py (shipments, consumer,
replacement) mixed in; parcels.py also holds the views that span cases (scan, match, parcel events,
redirects, address lookup).
"""

from .cases import CaseViewSet, FactoryList, ProductList
from .investigation import PhotoFileView
from .parcels import (
    AddressLookupView, ParcelMatchView, RedirectDoneView, RedirectListView, ReturnScanView, ShipmentEventView,
)

__all__ = ["AddressLookupView", "CaseViewSet", "FactoryList", "ParcelMatchView", "PhotoFileView", "ProductList",
           "RedirectDoneView", "RedirectListView", "ReturnScanView", "ShipmentEventView"]
