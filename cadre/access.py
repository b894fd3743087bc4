"""Who may change a selection's work: the one check every service, API endpoint and page makes
before a write. (Reads go through cadre.selectors: `get_<thing>_for_user` answers 404.)"""

from django.core.exceptions import PermissionDenied

from .errors import NotAllowed
from .selectors import can_work_on

NOT_ASSIGNED = "您未被分配承办此选任工作"


class NotAssigned(NotAllowed, PermissionDenied):
    """The actor is not assigned to the selection. A NotAllowed for services, forms and the API
    (403 with the message) and a PermissionDenied for pages (Django's 403)."""


def ensure_can_work(actor, selection) -> None:
    """An assigned organization staff member (cadre.selectors.can_work_on), or NotAssigned."""
    if not can_work_on(user=actor, selection=selection):
        raise NotAssigned(NOT_ASSIGNED)
