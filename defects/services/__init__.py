"""One function per action on a case. Each owns its transaction.

Views, the API, the admin, commands and tasks call these; nothing else changes a case's state.
A service locks the case row, checks the caller's role, runs the transition, saves, writes the
timeline row in the same transaction, and hands slow work (letters) to tasks after commit.

Errors: `PermissionDenied` (role may not run it: 403), `TransitionConflict` (not possible in the
current state: 409), `ValidationError` (bad payload or incomplete report: 400).

The package: _base (the shared machinery), transitions (the ten actions), intake, investigation,
parcels. Import from `defects.services`; the modules are an implementation detail.
"""

from ._base import TransitionConflict, role_may_run, available_transitions, validate_payload
from .transitions import (
    perform, request_return, default_return_carrier, return_expected_by, receive_sample, find_return,
    start_investigation, investigate_without_sample, submit_report, reject_report, approve_report,
    ship_replacement, close, blockers, withdraw, adopt_report, ACTIONS,
)
from .intake import open_case, log_contact, FOLLOW_UP_ROLES, complete_follow_up
from .investigation import (
    EDITABLE_REPORT_STATES, MAX_PHOTOS_PER_REPORT, save_investigation, add_photo, remove_photo,
    REASSIGNABLE_STATES, assign_factory,
)
from .parcels import (
    PARCEL_LETTER_KINDS, prepare_replacement, set_replacement_items, SHIPMENT_EVENT_ROLES,
    record_shipment_event, lookup_address, CONSUMER_FIELDS, LETTER_FIELDS, change_consumer_address,
    REDIRECT_ROLES, complete_redirect,
)
from .owner import OWNER_ROLES, assign, eligible_owners, may_assign

__all__ = [
    'TransitionConflict', 'role_may_run', 'available_transitions', 'validate_payload', 'perform',
    'request_return', 'default_return_carrier', 'return_expected_by', 'receive_sample', 'find_return',
    'start_investigation', 'investigate_without_sample', 'submit_report', 'reject_report',
    'approve_report', 'adopt_report', 'ship_replacement', 'close', 'blockers', 'withdraw', 'ACTIONS', 'open_case',
    'log_contact', 'FOLLOW_UP_ROLES', 'complete_follow_up', 'EDITABLE_REPORT_STATES',
    'MAX_PHOTOS_PER_REPORT', 'save_investigation', 'add_photo', 'remove_photo', 'REASSIGNABLE_STATES',
    'assign_factory', 'PARCEL_LETTER_KINDS', 'prepare_replacement', 'set_replacement_items',
    'SHIPMENT_EVENT_ROLES', 'record_shipment_event', 'lookup_address', 'CONSUMER_FIELDS',
    'LETTER_FIELDS', 'change_consumer_address', 'REDIRECT_ROLES', 'complete_redirect',
    'OWNER_ROLES', 'assign', 'eligible_owners', 'may_assign',
]
