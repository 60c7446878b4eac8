"""The defect case, its state machine and its timeline (case.py), the consumer and contacts
(people.py), its parcels (parcels.py). Import from `defects.models`."""

from .case import (
    TRANSITION_NAMES, AppendOnlyQuerySet, Carrier, Category, Channel, DefectCase, Event, ForeignMatterKind, Hazard,
    LotDateKind, ReferenceCounter, Severity, State,
)
from .outbox import Delivery, PendingDispatch
from .people import Consumer, ConsumerAddressHistory, Contact, ContactSummary, Language
from .parcels import RedirectRequest, ReplacementItem, Shipment, ShipmentEvent, ShippingCarrier

__all__ = [
    "TRANSITION_NAMES", "AppendOnlyQuerySet", "Carrier", "Category", "Channel", "Consumer", "ConsumerAddressHistory",
    "Contact", "ContactSummary", "DefectCase", "Delivery", "PendingDispatch",
    "Event", "Language", "LotDateKind", "RedirectRequest", "ReferenceCounter", "ReplacementItem", "Shipment",
    "ShipmentEvent", "ShippingCarrier", "State", "ForeignMatterKind", "Hazard", "Severity",
]
