"""The server-rendered pages. Each module stays small; urls.py imports from here."""

from .case import case_contact, case_detail, case_transition
from .countermeasures import countermeasure_follow_through
from .consumer import consumer_edit, follow_up_done, postal_lookup
from .intake import case_new, intake_duplicates
from .investigation import case_investigation, investigation_versions, photo_file, photo_remove, photo_upload
from .pages import case_list
from .parcels import redirect_done, redirects, replacement_items, scan, shipment_event
from .routing import assign_factory, unrouted
from .owner import case_assign
from .queues import home, queue_page

__all__ = [
    "assign_factory", "case_assign", "case_contact", "case_detail", "case_investigation", "case_list", "case_new",
    "case_transition", "consumer_edit", "countermeasure_follow_through", "follow_up_done", "home", "intake_duplicates", "investigation_versions",
    "photo_file",
    "photo_remove", "photo_upload", "postal_lookup", "redirect_done", "redirects", "replacement_items", "scan",
    "queue_page", "shipment_event", "unrouted",
]
