"""The defect case, its state machine, its timeline (stage log), contacts (case.py) and its
parcels (parcels.py). Import from `defects.models`."""

from .case import (
    TRANSITION_NAMES, AppendOnlyQuerySet, Carrier, Category, Channel, Consumer, ConsumerAddressHistory, Contact,
    ContactSummary, DefectCase, Event, ForeignMatterKind, Hazard, Language, LotDateKind, ReferenceCounter, Severity,
    State,
)
from .outbox import Delivery, PendingDispatch
from .parcels import RedirectRequest, ReplacementItem, Shipment, ShipmentEvent, ShippingCarrier

__all__ = [
    "TRANSITION_NAMES", "AppendOnlyQuerySet", "Carrier", "Category", "Channel", "Consumer", "ConsumerAddressHistory",
    "Contact", "ContactSummary", "DefectCase", "Delivery", "PendingDispatch",
    "Event", "Language", "LotDateKind", "RedirectRequest", "ReferenceCounter", "ReplacementItem", "Shipment",
    "ShipmentEvent", "ShippingCarrier", "State", "ForeignMatterKind", "Hazard", "Severity",
]
