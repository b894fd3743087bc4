"""`{% next_step candidate %}` / `{% next_step selection=selection %}`: the prominent "next step"
box of every stage page (templates/_next_step.html), fed by `cadre.next_step`."""

from django import template

from cadre import next_step as steps

register = template.Library()


@register.inclusion_tag("_next_step.html", takes_context=True)
def next_step(context, candidate=None, selection=None, check=None, oob=False):
    """`check`: the page's own evaluation of the forward transition, reused when it is that one."""
    user = context["request"].user
    if candidate is not None:
        step = steps.for_candidate(user=user, candidate=candidate, evaluation=check)
    else:
        step = steps.for_selection(user=user, selection=selection)
    return {"step": step, "csrf_token": context.get("csrf_token"), "here": context["request"].path, "oob": oob}
