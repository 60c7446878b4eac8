"""The five roles (Django groups made by a migration) and the questions asked of them.

Every rule about who may do what to a case lives here or in the state machine's `permission=`,
never in views.
"""

from django.utils.translation import gettext_lazy as _

HOTLINE = "hotline"
FACTORY_QA = "factory_qa"
QA_MANAGER = "qa_manager"
MAILROOM = "mailroom"
ADMIN = "admin"

ALL_ROLES = (HOTLINE, FACTORY_QA, QA_MANAGER, MAILROOM, ADMIN)
ROLE_LABELS = {
    HOTLINE: _("Hotline"),
    FACTORY_QA: _("Factory QA"),
    QA_MANAGER: _("QA manager"),
    MAILROOM: _("Print and mail room"),
    ADMIN: _("Administrator"),
}

# Roles that may see the consumer's name, address, phone and e-mail. Factory QA never do.
PERSONAL_DATA_ROLES = frozenset({HOTLINE, QA_MANAGER, MAILROOM, ADMIN})


def roles_of(user) -> frozenset[str]:
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_hitotsubu_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {ADMIN}
        user._hitotsubu_roles = cached
    return cached


def remember(user, group_names) -> None:
    """The user's group names read with something else (accounts.auth reads them with the API token,
    in the same query): roles_of() then asks the database nothing."""
    cached = frozenset(group_names or ())
    if user.is_superuser:
        cached |= {ADMIN}
    user._hitotsubu_roles = cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def factory_id_of(user):
    """The factory a factory-QA user belongs to, or None."""
    if user is None or not user.is_authenticated:
        return None
    profile = getattr(user, "staff_profile", None) if hasattr(user, "staff_profile") else None
    return profile.factory_id if profile else None


def sees_personal_data(user) -> bool:
    return bool(roles_of(user) & PERSONAL_DATA_ROLES)


def is_factory_only(user) -> bool:
    """A factory-QA user without any role that sees beyond their own factory."""
    roles = roles_of(user)
    return FACTORY_QA in roles and not (roles & PERSONAL_DATA_ROLES)


# --- permission callables for the state machine: (case, user) -> bool -------------------------

def hotline(case, user) -> bool:
    return has_role(user, HOTLINE)


def qa_manager(case, user) -> bool:
    return has_role(user, QA_MANAGER)


def mailroom(case, user) -> bool:
    return has_role(user, MAILROOM)


def factory_qa_of_case(case, user) -> bool:
    return has_role(user, FACTORY_QA) and case.factory_id is not None and factory_id_of(user) == case.factory_id


def factory_qa_of_case_or_mailroom(case, user) -> bool:
    return factory_qa_of_case(case, user) or mailroom(case, user)


def hotline_or_qa_manager(case, user) -> bool:
    return hotline(case, user) or qa_manager(case, user)


def hotline_or_mailroom(case, user) -> bool:
    return hotline(case, user) or mailroom(case, user)
