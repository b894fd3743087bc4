from django import template

from ..jobs_views import can_see_jobs as _can_see_jobs

register = template.Library()


@register.filter
def can_see_jobs(user) -> bool:
    """The navigation's link to /jobs/ (cadre.jobs_views)."""
    return _can_see_jobs(user)
