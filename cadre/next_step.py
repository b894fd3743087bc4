"""The "next step" of a candidate or a selection, shown on every stage page (issue #11).

For a candidate the next step is the forward transition of its stage: when every rule of it is met
and the user works on the selection, the transition itself (a button posting to the candidate
page's move); otherwise the page where what the first unmet rule needs is entered. A selection's
next step is that of its least advanced open candidate. Reads only: the rules are evaluated by
`cadre.services.candidate_check`, never re-checked here.

cadre imports no stage app: stage pages are URL names, resolved when the step is computed.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from . import rules, selectors, services
from .models import FORWARD, Candidate, Selection, Stage
from .templatetags.cadre_tags import optional_reverse, rule_fix_url

# Stage -> the transition that moves a candidate forward out of it.
FORWARD_TRANSITION = {
    Stage.MOTION: "nominate",
    Stage.NOMINATION: "recommend",
    Stage.RECOMMENDATION: "inspect",
    Stage.INSPECTION: "deliberate",
    Stage.DELIBERATION: "decide",
    Stage.DECISION: "publicize",
    Stage.PUBLICITY: "appoint",
    Stage.SUSPENDED: "resume",
}

# Rules whose data is entered on a page of the whole selection (or of one post of it) rather than
# on the candidate's stage page: (URL name, takes the post too).
SELECTION_RULE_PAGES = {
    "M4": ("nomination:motion", False),
    "R2": ("nomination:recommendation_entry", False),
    "R3": ("nomination:recommendation_entry", False),
    "R5": ("nomination:recommendation_entry", False),
    "I1": ("inspection:notice", False),
    "I2": ("inspection:team", False),
    "I8": ("inspection:report", True),
    "D2": ("inspection:comparison", True),
    "V1": ("voting:meetings", False),
    "V3": ("voting:meetings", False),
    "V4": ("voting:meetings", False),
    "V5": ("voting:meetings", False),
}


@dataclass
class Missing:
    rule: str
    title: str
    message: str
    url: str | None


@dataclass
class NextStep:
    """kind: "transition" (a button: POST `transition` to `url`), "page" (a link to `url`), "done"."""

    kind: str
    label: str
    url: str | None
    candidate: Candidate | None = None
    transition: str = ""
    note: str = ""
    missing: list[Missing] = field(default_factory=list)


def fix_url(rule_id: str, candidate: Candidate) -> str | None:
    """Where what `rule_id` needs is entered for `candidate` (a selection page where it belongs there)."""
    page = SELECTION_RULE_PAGES.get(rule_id)
    if page:
        name, with_post = page
        args = (candidate.selection_id, candidate.position_id) if with_post else (candidate.selection_id,)
        url = optional_reverse(name, *args)
        if url:
            return url
    return rule_fix_url(rule_id, candidate)


def for_candidate(
    *, user, candidate: Candidate, evaluation: rules.Evaluation | None = None, thresholds=None
) -> NextStep:
    """The next action on `candidate` for `user`. `evaluation`: the page's own check of the forward
    transition, when it has one (so the rules run once per page)."""
    candidate_url = reverse("cadre:candidate", args=[candidate.pk])
    transition = FORWARD_TRANSITION.get(candidate.stage)
    if transition is None:
        return NextStep(
            "done",
            _("该人选的选任程序已结束（%(stage)s）") % {"stage": Stage(candidate.stage).label},
            candidate_url,
            candidate,
        )
    if evaluation is None or evaluation.transition != transition:
        evaluation = services.candidate_check(candidate=candidate, transition=transition, thresholds=thresholds)
    registered = rules.registered()
    missing = [
        Missing(
            v.rule,
            registered[v.rule].title if v.rule in registered else _("阶段"),
            v.message,
            fix_url(v.rule, candidate) if v.rule in registered else None,
        )
        for v in evaluation.violations
    ]
    label = _(services.TRANSITION_LABELS[transition])
    hard = [m for m, v in zip(missing, evaluation.violations, strict=True) if not v.overridable]
    can_work = selectors.can_work_on(user=user, selection=candidate.selection)
    if hard:
        first = hard[0]
        return NextStep(
            "page",
            _("补充“%(title)s”（%(rule)s），然后%(label)s")
            % {"title": first.title, "rule": first.rule, "label": label},
            first.url or candidate_url,
            candidate,
            transition,
            note=first.message,
            missing=missing,
        )
    if missing:  # only soft rules unmet: overriding them needs written reasons, on the candidate page
        return NextStep(
            "page",
            _("写明越过柔性规则的理由后%(label)s") % {"label": label},
            candidate_url + "#next-h",
            candidate,
            transition,
            missing=missing,
        )
    if not can_work:
        return NextStep(
            "page",
            _("规则均已满足，待承办人%(label)s") % {"label": label},
            candidate_url,
            candidate,
            transition,
        )
    return NextStep("transition", label, reverse("cadre:candidate_move", args=[candidate.pk]), candidate, transition)


def for_selection(*, user, selection: Selection, thresholds=None) -> NextStep:
    """The next step of the least advanced open candidate of `selection` (the motion page's, the
    selection-wide pages'); adding candidates when there is none."""
    order = {stage: i for i, stage in enumerate([*FORWARD, Stage.SUSPENDED])}
    open_ones = sorted(
        Candidate.objects.filter(selection=selection, stage__in=list(FORWARD_TRANSITION)).select_related(
            "cadre", "position__unit", "selection"
        ),
        key=lambda c: (order[c.stage], c.pk),
    )
    if not open_ones:
        return NextStep(
            "page", _("为本次选任添加人选"), reverse("cadre:selection", args=[selection.pk]) + "#add-candidate"
        )
    step = for_candidate(user=user, candidate=open_ones[0], thresholds=thresholds)
    if step.kind == "transition":
        # A selection page moves its candidates together from the selection page (cohort move).
        same = sum(1 for c in open_ones if c.stage == open_ones[0].stage)
        step.kind, step.url = "page", reverse("cadre:selection", args=[selection.pk]) + "#cand-h"
        step.note = _("%(n)s 名人选处于“%(stage)s”阶段，可在选任工作页一并办理") % {
            "n": same,
            "stage": Stage(open_ones[0].stage).label,
        }
    return step
