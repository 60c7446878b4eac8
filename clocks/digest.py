"""A daily e-mail per person: the running clocks due today or overdue on the cases they own (or, for
cases nobody owns, in their role's queue), and their promised follow-ups that are due."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from defects.models import Contact

from .escalation import QUEUES
from .models import Clock, State


def digest_lines(now: datetime.datetime | None = None) -> dict[int, list[str]]:
    now = now or timezone.now()
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    lines = defaultdict(list)
    users = get_user_model().objects.filter(is_active=True)
    queue_members = {}
    for clock in (Clock.objects.filter(outcome=State.RUNNING, stopped_at__isnull=True, due_at__lte=end_of_day)
                  .select_related("case").order_by("due_at")):
        late = clock.due_at < now
        text = (_("%(reference)s: %(clock)s overdue since %(due)s") if late
                else _("%(reference)s: %(clock)s due %(due)s")) % {
            "reference": clock.case.reference, "clock": clock.get_name_display(),
            "due": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M")}
        if clock.case.owner_id:
            lines[clock.case.owner_id].append(text)
            continue
        role = QUEUES[clock.name]
        if role not in queue_members:
            members = users.filter(groups__name=role)
            queue_members[role] = list(members.values_list("pk", "staff_profile__factory_id"))
        for pk, factory_id in queue_members[role]:
            if role == "factory_qa" and factory_id != clock.case.factory_id:
                continue
            lines[pk].append(text)
    for contact in (Contact.objects.filter(follow_up_due__lte=end_of_day, follow_up_done_at__isnull=True,
                                           follow_up_owner__isnull=False).select_related("case")):
        lines[contact.follow_up_owner_id].append(_("%(reference)s: promised follow-up due %(due)s") % {
            "reference": contact.case.reference,
            "due": timezone.localtime(contact.follow_up_due).strftime("%Y-%m-%d %H:%M")})
    return lines


def send_digests(now: datetime.datetime | None = None) -> int:
    sent = 0
    lines = digest_lines(now)
    for user in get_user_model().objects.filter(pk__in=list(lines), is_active=True).exclude(email=""):
        send_mail(_("Hitotsubu: your due and overdue work"), "\n".join(lines[user.pk]),
                  settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    return sent
