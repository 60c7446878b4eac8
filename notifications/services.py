"""Who is told what: one function writes the notifications of one fact, once per recipient."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from defects import roles

from .models import Kind, Notification, Preference

logger = logging.getLogger(__name__)


def email_default() -> bool:
    return getattr(settings, "HITOTSUBU_NOTIFY_EMAIL_DEFAULT", False)


def preferences(user) -> dict[str, tuple[bool, bool]]:
    """{kind: (in_app, email)} for every kind, the defaults filled in."""
    chosen = {p.kind: (p.in_app, p.email) for p in Preference.objects.filter(user=user)}
    return {kind: chosen.get(kind, (True, email_default())) for kind in Kind.values}


def set_preference(user, kind: str, *, in_app: bool, email: bool) -> Preference:
    pref, _ = Preference.objects.update_or_create(user=user, kind=kind, defaults={"in_app": in_app, "email": email})
    return pref


# --- recipients -------------------------------------------------------------------------------

def _active():
    return get_user_model().objects.filter(is_active=True)


def factory_qa(case):
    if not case.factory_id:
        return _active().none()
    return _active().filter(groups__name=roles.FACTORY_QA, staff_profile__factory_id=case.factory_id).distinct()


def with_role(role: str):
    return _active().filter(groups__name=role).distinct()


def owner_or_role(case, role: str = roles.HOTLINE):
    """The case's owner; without one, everyone in the role (its queue)."""
    if case.owner_id and case.owner.is_active:
        return _active().filter(pk=case.owner_id)
    return with_role(role)


# --- writing ------------------------------------------------------------------------------------

def notify(recipients, kind: str, case, message, dedupe_key: str) -> list[Notification]:
    """One notification per recipient for this fact (dedupe_key), never two: a second call with the
    same key writes nothing. `message` is a string or `message(user) -> str` (a factory user's text
    must not hold personal data). E-mails are sent after commit, by a task, once."""
    from . import tasks

    written = []
    users = list(recipients)
    prefs = {p.user_id: p for p in Preference.objects.filter(user__in=users, kind=kind)}
    for user in users:
        pref = prefs.get(user.pk)
        in_app, email = (pref.in_app, pref.email) if pref else (True, email_default())
        text = message(user) if callable(message) else message
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user, kind=kind, case=case, message=text, dedupe_key=dedupe_key[:120],
                    in_app=in_app, wants_email=email and bool(user.email),
                )
        except IntegrityError:
            continue  # this person has it already
        written.append(note)
        if note.wants_email:
            transaction.on_commit(lambda pk=note.pk: tasks.send_notification_email.delay(pk), robust=True)
    return written


def send_email(notification_id: int) -> bool:
    """E-mail one notification, once (the row lock and emailed_at make a second run do nothing)."""
    with transaction.atomic():
        note = (Notification.objects.select_for_update(of=("self",)).select_related("recipient", "case")
                .filter(pk=notification_id).first())
        if note is None or note.emailed_at or not note.wants_email or not note.recipient.email:
            return False
        subject = f"[Hitotsubu] {note.case.reference + ' ' if note.case_id else ''}{note.get_kind_display()}"
        send_mail(subject, note.message, settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
        note.emailed_at = timezone.now()
        note.save(update_fields=["emailed_at"])
    return True


def sweep_unsent_emails(limit: int = 500) -> int:
    """E-mails whose task was lost (broker down) are sent by the beat; safe to run twice."""
    ids = list(Notification.objects.filter(wants_email=True, emailed_at__isnull=True)
               .order_by("id").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in ids if send_email(pk))


def visible(user):
    return Notification.objects.filter(recipient=user, in_app=True)


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return visible(user).filter(read_at__isnull=True).count()


def mark_read(user, notification_id: int) -> Notification:
    note = visible(user).get(pk=notification_id)  # another person's: DoesNotExist -> 404
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
        note.refresh_from_db()
    return note
