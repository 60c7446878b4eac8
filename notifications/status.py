"""The consumer's own status page: the case reference and the last four digits of the phone number
show the stage in plain words with its dates, and nothing personal.

Every wrong pair gets the same answer whether or not the reference exists; an address that made
HITOTSUBU_STATUS_MAX_FAILURES wrong tries within an hour is refused (429) until the hour is over.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from defects.models import DefectCase, State

WINDOW_SECONDS = 3600

STAGE_WORDS = {
    State.RECEIVED: _("We have received your report."),
    State.AWAITING_RETURN: _("We are waiting for the product you are sending us."),
    State.SAMPLE_RECEIVED: _("The product has arrived; the factory is examining it."),
    State.INVESTIGATING: _("The factory is examining the product to find the cause."),
    State.REPORT_REVIEW: _("The factory is examining the product to find the cause."),
    State.APPROVED: _("The factory's report is ready; your replacement is being prepared."),
    State.REPLACEMENT_SHIPPED: _("Your replacement and the factory's letter have been sent."),
    State.CLOSED: _("Your case is complete. Thank you for telling us."),
    State.WITHDRAWN: _("Your case is closed."),
}
DATE_LABELS = {
    "received": _("Received"),
    "sample_arrived": _("Product arrived"),
    "report_ready": _("Report ready"),
    "replacement_sent": _("Replacement sent"),
}


def max_failures() -> int:
    return getattr(settings, "HITOTSUBU_STATUS_MAX_FAILURES", 10)


def _key(address: str) -> str:
    return f"status-failures:{address}"


def blocked(address: str) -> bool:
    return (cache.get(_key(address)) or 0) >= max_failures()


def _failed(address: str) -> None:
    if not cache.add(_key(address), 1, WINDOW_SECONDS):
        try:
            cache.incr(_key(address))
        except ValueError:  # expired between add and incr
            cache.add(_key(address), 1, WINDOW_SECONDS)


def _digits(text: str) -> str:
    return "".join(c for c in (text or "") if c.isdigit())


def lookup(reference: str, phone_last4: str, address: str):
    """The case for a right pair, or None for any wrong one (counted against the address)."""
    reference = (reference or "").strip().upper()
    last4 = _digits(phone_last4)
    case = None
    if len(last4) == 4 and 0 < len(reference) <= 20:
        case = DefectCase.objects.select_related("consumer").filter(reference=reference).first()
    phone = _digits(getattr(getattr(case, "consumer", None), "phone", "")) if case else ""
    if case is None or len(phone) < 4 or phone[-4:] != last4:
        _failed(address)
        return None
    return case


def _date(value):
    return timezone.localtime(value).date().isoformat() if value else None


def status_of(case) -> dict:
    dates = {
        "received": _date(case.received_at),
        "sample_arrived": _date(case.sample_received_at),
        "report_ready": _date(case.approved_at),
        "replacement_sent": _date(case.replacement_shipped_at),
    }
    return {"state": case.state, "state_label": str(STAGE_WORDS.get(case.state, "")), "dates": dates}


def client_address(request) -> str:
    # REMOTE_ADDR only: a forwarded header is set by whoever calls, so it would let anyone reset
    # their counter. Behind a proxy, the proxy must set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "") or "unknown"
