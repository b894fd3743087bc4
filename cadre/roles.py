"""Roles are Django groups, created by migration 0002. One place asks who may do what."""

from django.utils.translation import gettext_noop

ORG_STAFF = "org_staff"
INSPECTOR = "inspector"
COMMITTEE_MEMBER = "committee_member"
SUPERVISOR = "supervisor"
ADMIN = "admin"
ROLES = (ORG_STAFF, INSPECTOR, COMMITTEE_MEMBER, SUPERVISOR, ADMIN)

ROLE_LABELS = {
    ORG_STAFF: gettext_noop("组工干部"),
    INSPECTOR: gettext_noop("考察组成员"),
    COMMITTEE_MEMBER: gettext_noop("常委/委员"),
    SUPERVISOR: gettext_noop("监督人员"),
    ADMIN: gettext_noop("系统管理员"),
}

# Selection permission given by assignment (django-guardian object permission).
WORK_ON_SELECTION = "cadre.work_on_selection"


def roles_of(user) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMIN)
        user._role_names = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def reads_everything(user) -> bool:
    """Supervisors (S6) and administrators read every selection and record."""
    return has_role(user, SUPERVISOR, ADMIN)


def can_write_cadres(user) -> bool:
    return has_role(user, ORG_STAFF, ADMIN)


def can_read_cadres(user) -> bool:
    return has_role(user, ORG_STAFF, ADMIN, SUPERVISOR)
