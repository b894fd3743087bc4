"""Template helpers of the staff workspace: links that exist only once a stage app provides them,
the stage diagram, and labels of stages and transitions."""

import json

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from cadre import diagram, roles
from cadre.models import Stage
from cadre.people import person_name
from cadre.services import TRANSITION_LABELS
from cadre.stages import RULE_PAGES, STAGE_PAGES

register = template.Library()


def optional_reverse(name: str, *args, **kwargs) -> str | None:
    """reverse() that returns None while the named page does not exist (yet)."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def stage_page_url(stage: str, candidate_id: int) -> str | None:
    name = STAGE_PAGES.get(stage)
    return optional_reverse(name, pk=candidate_id) if name else None


def rule_fix_url(rule_id: str, candidate) -> str | None:
    """Where what rule `rule_id` needs is entered, for this candidate; None if nowhere (yet)."""
    prefix = rule_id[:1]
    if prefix == "E":  # eligibility facts are edited on the cadre's page, through the services
        return optional_reverse("cadre:cadre", pk=candidate.cadre_id)
    if prefix == "M":
        return optional_reverse("cadre:selection", pk=candidate.selection_id)
    stage = RULE_PAGES.get(prefix)
    return stage_page_url(stage, candidate.pk) if stage else None


@register.simple_tag
def stage_url(stage, candidate_id):
    return stage_page_url(stage, candidate_id)


@register.simple_tag
def fix_url(rule_id, candidate):
    return rule_fix_url(rule_id, candidate)


@register.simple_tag
def stage_diagram(current=None, orientation="horizontal"):
    return diagram.stage_svg(current, orientation=orientation)


@register.filter
def stage_label(value):
    try:
        return Stage(value).label
    except ValueError:
        return value


@register.filter
def transition_label(value):
    if value == "send_back":
        return gettext("退回")
    return gettext(TRANSITION_LABELS[value]) if value in TRANSITION_LABELS else value


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def pretty_json(value):
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


@register.filter
def can_read_cadres(user) -> bool:
    """Staff, supervisors and admins: the roster 干部名册 is theirs."""
    return user.is_authenticated and roles.can_read_cadres(user)


@register.filter
def reads_everything(user) -> bool:
    """Supervisors and admins (S6): the record-integrity page is theirs."""
    return roles.reads_everything(user)


@register.filter
def rule_label(rule_id) -> str:
    """A rule id as a badge shows it; a refusal by the state machine has no rule id of DOMAIN.md."""
    return gettext("阶段") if rule_id == "stage" else rule_id


@register.filter
def person(user) -> str:
    """`{{ user|person }}`: the full name, the login name only for an account without one."""
    return person_name(user)


@register.filter
def role_name(group) -> str:
    """A group by its role's Chinese name (org_staff → 组工干部); another group by its own name."""
    name = getattr(group, "name", str(group))
    label = roles.ROLE_LABELS.get(name)
    return gettext(label) if label else name


@register.filter
def chinese_colon(label_html):
    """A rendered <label> whose suffix is Django's ASCII colon ends in the full-width ： instead."""
    html = str(label_html)
    if html.endswith(":</label>"):
        html = html[: -len(":</label>")] + "：</label>"
    return mark_safe(html)  # the label Django rendered and escaped; only its last character changes
