from django import template

from .. import record_text
from ..jobs_views import can_see_jobs as _can_see_jobs

register = template.Library()


@register.filter
def can_see_jobs(user) -> bool:
    """The navigation's link to /jobs/ (cadre.jobs_views)."""
    return _can_see_jobs(user)


@register.filter
def job_args(args) -> str:
    """A job's arguments as people read them (人选：10；年度：2026), never a Python dict; unset ones left out."""
    if not isinstance(args, dict):
        return ""
    shown = [
        f"{record_text.key_label(key)}：{record_text.value_text(value, key)}"
        for key, value in args.items()
        if value not in (None, "", [], {})
    ]
    return "；".join(shown)
