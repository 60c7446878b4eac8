from . import extensions
from . import roles as role_rules


def roles(request):
    user_roles = role_rules.roles_of(getattr(request, "user", None))
    return {
        "user_roles": user_roles,
        "sees_personal_data": bool(user_roles & role_rules.PERSONAL_DATA_ROLES),
        # Panels other apps add to the case page (defects.extensions), e.g. the clocks.
        "case_panels": extensions.CASE_PANELS,
        "role_labels": [role_rules.ROLE_LABELS[r] for r in role_rules.ALL_ROLES if r in user_roles],
    }


def clock(request):
    """The zone every page shows times in (settings.TIME_ZONE), named where a time could be doubted,
    and today's date there (queues compare due dates with it)."""
    from django.utils import timezone

    now = timezone.localtime()
    return {"TIME_ZONE_NAME": f"{timezone.get_current_timezone_name()} ({now.tzname()})",
            "today": now.date()}
