"""Signed webhooks: each timeline event of a subscribed kind is POSTed as JSON to the receiver.

Body: {"event", "reference", "kind", "transition", "from_state", "to_state", "at"}: never personal
data (no note, no event data). Header X-Hitotsubu-Signature: sha256=<hex HMAC-SHA256 of the body
with the webhook's secret>. A receiver that does not answer 2xx is tried again with a growing delay
(the Celery task retries; the beat sweep picks up anything a lost task left). Only http(s) URLs, and
no loopback, link-local or private address unless its host is in HITOTSUBU_WEBHOOK_ALLOWED_HOSTS,
checked when the webhook is saved and again, after resolving the name, at each send.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from defects import outbox
from defects.models import Event

from .models import Webhook, WebhookDelivery

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
TIMEOUT = 10


def allowed_hosts() -> set[str]:
    return {h.strip().lower() for h in getattr(settings, "HITOTSUBU_WEBHOOK_ALLOWED_HOSTS", []) if h.strip()}


def check_url(url: str) -> None:
    """Raise ValidationError({"url": ...}) for a URL a webhook must not call."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": [_("Only http and https URLs are allowed.")]})
    host = parts.hostname.lower()
    if host in allowed_hosts():
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)}
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError({"url": [_("The host name does not resolve.")]}) from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if (ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_reserved or ip.is_multicast
                or ip.is_unspecified):
            raise ValidationError({"url": [_("Loopback, link-local and private addresses are not allowed.")]})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would lead the POST past the address check: it counts as a failed attempt."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def payload(event: Event) -> bytes:
    return json.dumps({
        "event": event.pk, "reference": event.case.reference, "kind": event.kind, "transition": event.transition,
        "from_state": event.from_state, "to_state": event.to_state, "at": event.at.isoformat(),
    }, ensure_ascii=False, sort_keys=True).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@outbox.subscribe("notifications.webhooks")
def on_event(event: Event) -> None:
    """One delivery row per subscribed webhook; the POST goes after commit, in a task."""
    from . import tasks

    for webhook in Webhook.objects.filter(active=True):
        if event.kind not in (webhook.events or []):
            continue
        delivery, created = WebhookDelivery.objects.get_or_create(webhook=webhook, event=event)
        if created:
            transaction.on_commit(lambda pk=delivery.pk: tasks.deliver_webhook.delay(pk), robust=True)


def send(delivery_id: int) -> bool | None:
    """POST one delivery. True: delivered (now or before); False: failed, try again later;
    None: given up (or refused)."""
    delivery = WebhookDelivery.objects.select_related("webhook", "event__case").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == WebhookDelivery.Status.DELIVERED:
        return True
    if delivery.status == WebhookDelivery.Status.FAILED:
        return None
    body = payload(delivery.event)
    code, error = None, ""
    try:
        check_url(delivery.webhook.url)  # again at send time: the name may resolve elsewhere now
        request = urllib.request.Request(delivery.webhook.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "User-Agent": "Hitotsubu-Webhook/1",
            "X-Hitotsubu-Signature": signature(delivery.webhook.secret, body),
        })
        with _opener.open(request, timeout=TIMEOUT) as answer:  # noqa: S310 - scheme and address checked above
            code = answer.status
    except urllib.error.HTTPError as failure:
        code, error = failure.code, f"HTTP {failure.code}"
    except ValidationError as refused:
        error = "; ".join(m for ms in refused.message_dict.values() for m in ms)
    except Exception as failure:  # noqa: BLE001 - any network failure is a failed attempt
        error = repr(failure)[:500]
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status == WebhookDelivery.Status.DELIVERED:
            return True  # a concurrent attempt got there first
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_status_code = code
        if code is not None and 200 <= code < 300:
            delivery.status, delivery.delivered_at, delivery.last_error = WebhookDelivery.Status.DELIVERED, now, ""
            delivery.save()
            return True
        delivery.last_error = error
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save()
        return None if delivery.status == WebhookDelivery.Status.FAILED else False


def backoff(attempts: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min, ... at most 6 hours."""
    return datetime.timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


def sweep(now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Send pending deliveries whose time has come (a task that was lost, a broker that was down)."""
    # A grace past the planned attempt: the task's own retry normally comes first, and the receiver
    # should not get the same event from both (it may still, rarely: the body's "event" id dedupes).
    now = (now or timezone.now()) - datetime.timedelta(minutes=10)
    ids = list(WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for pk in ids:
        send(pk)
    return len(ids)
