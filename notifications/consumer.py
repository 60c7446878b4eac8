"""E-mail updates to consumers who asked for them at intake: a short templated message at sample
arrival and when the replacement is sent, in their language, logged as an outbound contact (through
defects.services.log_contact, so it is on the timeline like any other contact)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from defects import outbox, services
from defects.models import Event

from .models import ConsumerEmail

TRIGGERS = ("receive_sample", "ship_replacement")


def _message(case, transition: str) -> tuple[str, str]:
    ref = {"reference": case.reference, "product": case.product.name}
    subject = _("About your report %(reference)s") % ref
    if transition == "receive_sample":
        body = _("Thank you for sending us the product (%(product)s, case %(reference)s). It has arrived, and the "
                 "factory that made it will now examine it to find the cause. We will write to you with the result.")
    else:
        body = _("Your replacement for %(product)s and the factory's letter about case %(reference)s were sent "
                 "today. Thank you for your patience.")
    footer = _("%(sender)s, phone %(phone)s (%(hours)s). This is a message you asked for; we will send no others.")
    sender = {"sender": settings.HITOTSUBU_SENDER_NAME, "phone": settings.HITOTSUBU_SENDER_PHONE,
              "hours": settings.HITOTSUBU_SENDER_HOURS}
    return subject, f"{body % ref}\n\n{footer % sender}"


@outbox.subscribe("notifications.consumer_updates", kinds=[Event.Kind.TRANSITION])
def on_event(event: Event) -> None:
    from . import tasks

    if event.transition not in TRIGGERS:
        return
    consumer = getattr(event.case, "consumer", None)
    if consumer is None or not consumer.email_updates or not consumer.email or event.actor is None:
        return
    with translation.override(consumer.language or "ja"):
        subject, body = _message(event.case, event.transition)
    contact = services.log_contact(event.case, event.actor, {
        "channel": "email", "direction": "outbound", "summary": f"{subject}\n{body}"})
    mail = ConsumerEmail.objects.create(contact=contact, subject=subject, body=body)
    transaction.on_commit(lambda: tasks.send_consumer_email.delay(mail.pk), robust=True)


def send(mail_id: int) -> bool:
    with transaction.atomic():
        mail = (ConsumerEmail.objects.select_for_update(of=("self",)).select_related("contact__case__consumer")
                .filter(pk=mail_id).first())
        if mail is None or mail.sent_at:
            return False
        send_mail(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.contact.case.consumer.email])
        mail.sent_at = timezone.now()
        mail.save(update_fields=["sent_at"])
    return True


def sweep_unsent(limit: int = 200) -> int:
    ids = list(ConsumerEmail.objects.filter(sent_at__isnull=True).order_by("id").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in ids if send(pk))
