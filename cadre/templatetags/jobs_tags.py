from django import template

from .. import record_text
from ..jobs_views import can_see_jobs as _can_see_jobs

register = template.Library()


@register.filter
def can_see_jobs(user) -> bool:
    """The navigation's link to /jobs/ (cadre.jobs_views)."""
    return _can_see_jobs(user)


# The arguments the registered jobs take, as people name them; others (actor, batch) are left out.
JOB_ARGS = {
    "candidate": "人选",
    "selection": "选任工作",
    "selections": "选任工作",
    "year": "年度",
    "ids": "编号",
    "kind": "对象",
}
JOB_ARG_VALUES = {"kind": {"cadre": "干部", "candidate": "人选"}}


@register.filter
def job_args(args) -> str:
    """A job's arguments as people read them (人选：10；年度：2026), never a Python dict; unset ones,
    and those that mean nothing to a reader (the starter, a batch token), left out."""
    if not isinstance(args, dict):
        return ""
    shown = []
    for key, value in args.items():
        if key not in JOB_ARGS or value in (None, "", [], {}):
            continue
        text = JOB_ARG_VALUES.get(key, {}).get(value) if isinstance(value, str) else None
        shown.append(f"{JOB_ARGS[key]}：{text or record_text.value_text(value, key)}")
    return "；".join(shown)
