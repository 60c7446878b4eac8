"""Signed webhooks: a receiver gets each subscribed event once with a valid signature, also after it
answered 500 the first time; bad URLs are refused; nothing personal is sent."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from defects import services
from defects.models import Event, State
from notifications import webhooks
from notifications.models import WebhookDelivery
from tests.api.conftest import token_client
from tests.conftest import DISTINCTIVE_CONSUMER
from tests.notifications.test_notifications import flush

SECRET = "a-long-shared-secret-0123456789"


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread that answers 500 to the first request, then 200."""

    def __init__(self):
        self.received = []
        self.answers = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.answers += 1
                if receiver.answers == 1:
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.received.append((body, self.headers["X-Hitotsubu-Signature"]))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.HITOTSUBU_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    r = Receiver()
    yield r
    r.close()


def test_a_receiver_gets_each_subscribed_event_once_signed_also_after_a_500(make_case, cast, receiver,
                                                                            django_capture_on_commit_callbacks):
    answer = token_client(cast["admin"]).post("/api/webhooks/", {
        "url": receiver.url, "secret": SECRET, "events": ["transition"]}, format="json")
    assert answer.status_code == 201, answer.content
    assert "secret" not in answer.json()
    case = make_case(State.AWAITING_RETURN)
    with django_capture_on_commit_callbacks(execute=True):
        flush()  # the first POST meets the 500
    assert webhooks.sweep() == 0  # not yet: the retry waits its backoff
    later = timezone.now() + datetime.timedelta(hours=1)
    assert webhooks.sweep(later) == 1  # the retry (the task's own, or this sweep after a lost task)
    with django_capture_on_commit_callbacks(execute=True):
        flush()  # a second dispatch sends nothing again
    assert webhooks.sweep(later) == 0
    bodies = [json.loads(body) for body, _sig in receiver.received]
    transitions = list(Event.objects.filter(case=case, kind="transition").values_list("pk", flat=True))
    assert sorted(b["event"] for b in bodies) == sorted(transitions)
    for body, sig in receiver.received:
        assert sig == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        text = body.decode()
        for value in DISTINCTIVE_CONSUMER.values():
            assert value not in text
    first = next(b for b in bodies if b["transition"] == "request_return")
    assert set(first) == {"event", "reference", "kind", "transition", "from_state", "to_state", "at"}
    assert first["reference"] == case.reference and first["to_state"] == "awaiting_return"
    assert receiver.answers == len(transitions) + 1  # one 500, then each event once
    delivery = WebhookDelivery.objects.get(event__transition="request_return", event__case=case)
    assert delivery.status == "delivered"
    assert WebhookDelivery.objects.filter(attempts=2).count() == 1  # the one that met the 500


@pytest.mark.parametrize("url", [
    "ftp://example.com/hook", "file:///etc/passwd", "http://127.0.0.1:8000/hook", "http://localhost/hook",
    "http://169.254.169.254/latest/meta-data", "http://10.0.0.5/hook", "http://192.168.1.2/hook", "http://[::1]/hook",
])
def test_non_http_and_internal_addresses_are_refused(cast, url):
    answer = token_client(cast["admin"]).post("/api/webhooks/", {"url": url, "secret": SECRET,
                                                                  "events": ["transition"]}, format="json")
    assert answer.status_code == 400 and "url" in json.dumps(answer.json())


def test_only_administrators_register_webhooks(cast):
    answer = token_client(cast["hotline"]).post("/api/webhooks/", {
        "url": "https://example.com/hook", "secret": SECRET, "events": ["transition"]}, format="json")
    assert answer.status_code == 403


def test_an_allowed_host_is_still_checked_for_its_scheme(settings):
    settings.HITOTSUBU_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    webhooks.check_url("http://127.0.0.1:9/hook")
    with pytest.raises(ValidationError):
        webhooks.check_url("gopher://127.0.0.1/hook")


def test_send_time_check_refuses_a_host_that_now_resolves_inside(make_case, cast, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    from notifications.models import Webhook

    Webhook.objects.create(url="https://hooks.example.com/x", secret=SECRET, events=["transition"])
    monkeypatch.setattr(webhooks.socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("127.0.0.1", 443))])
    make_case(State.AWAITING_RETURN)
    with django_capture_on_commit_callbacks(execute=True):
        flush()
    delivery = WebhookDelivery.objects.first()
    assert delivery.status != "delivered" and "not allowed" in delivery.last_error


def test_a_redirect_is_not_followed(make_case, cast, settings, django_capture_on_commit_callbacks):
    from notifications.models import Webhook

    settings.HITOTSUBU_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    hits = []

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        Webhook.objects.create(url=f"http://127.0.0.1:{server.server_port}/hook", secret=SECRET, events=["transition"])
        make_case(State.AWAITING_RETURN)
        with django_capture_on_commit_callbacks(execute=True):
            flush()
        delivery = WebhookDelivery.objects.get()
        assert hits == ["/hook"] and delivery.status == "pending" and delivery.last_status_code == 302
    finally:
        server.shutdown()
        server.server_close()
