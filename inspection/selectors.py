"""Reads for inspection and deliberation. `get_*_for_user` return the object or raise Http404."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse

from cadre import roles
from cadre import rules as rules_registry
from cadre.models import OPEN_STAGES, Candidate, Position, Selection, Stage
from cadre.selectors import can_work_on, candidates_for_user
from cadre.thresholds import snapshot

from .models import (
    Comparison,
    Consultation,
    DepartmentOpinion,
    EconomicAudit,
    FactorAssessment,
    InspectionNotice,
    InspectionProcedure,
    InspectionReport,
    InspectionTeam,
    InspectionTeamMember,
    Talk,
)

INSPECTION_RULES = ("I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "I9")
DELIBERATION_RULES = ("D1", "D2", "D3")

# Procedures, interviewee categories and departments named in the seeds besides the mandatory
# ones of the thresholds (000 二 lists five of each); they may be recorded but are not required.
PROCEDURE_EXTRAS = ("民主推荐", "民主测评", "个别谈话", "座谈会", "直接面谈", "查阅档案资料", "实地查看")
CATEGORY_EXTRAS = ("分管领导", "同级领导", "部门干部群众", "上下级业务单位", "纪检监察和审计部门", "其他相关人员")
DEPARTMENT_EXTRAS = ("纪检", "计生", "审计", "信访")


def _merge(required, extras) -> list[str]:
    return list(dict.fromkeys([*required, *extras]))


def procedure_choices() -> list[str]:
    return _merge(snapshot()["I3.procedures"], PROCEDURE_EXTRAS)


def category_choices() -> list[str]:
    return _merge(snapshot()["I4.categories"], CATEGORY_EXTRAS)


def department_choices() -> list[str]:
    return _merge(snapshot()["I6.opinions"], DEPARTMENT_EXTRAS)


# ---------------------------------------------------------------------------- who may do what


def is_team_member(*, user, candidate: Candidate) -> bool:
    """The user sits on the team that inspects this candidate."""
    if not user or not user.is_authenticated:
        return False
    return InspectionTeamMember.objects.filter(user=user, team__assignments__candidate=candidate).exists()


def can_record_inspection(*, user, candidate: Candidate) -> bool:
    """Talks, procedures, factor assessments: assigned staff, or inspectors on the candidate's team."""
    if can_work_on(user=user, selection=candidate.selection):
        return True
    return roles.has_role(user, roles.INSPECTOR, roles.ORG_STAFF) and is_team_member(user=user, candidate=candidate)


def can_read_talks(*, user, candidate: Candidate) -> bool:
    """Talk records are confidential: the inspection team, assigned staff and supervisors only."""
    return (
        roles.has_role(user, roles.SUPERVISOR)
        or can_work_on(user=user, selection=candidate.selection)
        or is_team_member(user=user, candidate=candidate)
    )


def talks_for_user(*, user, candidate: Candidate) -> QuerySet[Talk]:
    if not can_read_talks(user=user, candidate=candidate):
        return Talk.objects.none()
    return Talk.objects.filter(candidate=candidate).select_related("recorded_by")


# ---------------------------------------------------------------------------- candidates and selections


def inspection_candidates_for_user(*, user) -> QuerySet[Candidate]:
    """Candidates whose inspection page the user may open: those of cadre's selectors, plus their team's."""
    visible = candidates_for_user(user=user)
    if roles.reads_everything(user):
        return visible
    own_team = Q(inspection_assignment__team__members__user=user) if user.is_authenticated else Q(pk__in=[])
    return (
        Candidate.objects.select_related("cadre", "position__unit", "selection")
        .filter(Q(pk__in=visible.values("pk")) | own_team)
        .distinct()
    )


def get_inspection_candidate_for_user(*, user, pk) -> Candidate:
    try:
        return inspection_candidates_for_user(user=user).get(pk=pk)
    except (Candidate.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("人选不存在") from exc


def get_position_for_selection(*, selection: Selection, pk) -> Position:
    try:
        return selection.positions.select_related("unit").get(pk=pk)
    except (Position.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("职位不存在") from exc


def open_candidates(*, selection: Selection, position: Position | None = None) -> QuerySet[Candidate]:
    qs = Candidate.objects.filter(selection=selection, stage__in=OPEN_STAGES).select_related("cadre", "position__unit")
    if position is not None:
        qs = qs.filter(position=position)
    return qs


def notices_for_selection(*, selection: Selection) -> QuerySet[InspectionNotice]:
    return selection.inspection_notices.select_related("published_by")


def teams_for_selection(*, selection: Selection) -> QuerySet[InspectionTeam]:
    return selection.inspection_teams.prefetch_related(
        "members__user", "members__cadre", "assignments__candidate__cadre"
    )


def team_for_candidate(*, candidate: Candidate) -> InspectionTeam | None:
    return (
        InspectionTeam.objects.filter(assignments__candidate=candidate)
        .prefetch_related("members__user", "members__cadre")
        .first()
    )


def report_for(*, selection: Selection, position: Position) -> InspectionReport | None:
    return (
        InspectionReport.objects.filter(selection=selection, position=position)
        .select_related("recommended__cadre")
        .first()
    )


def comparison_for(*, selection: Selection, position: Position) -> Comparison | None:
    return Comparison.objects.filter(selection=selection, position=position).first()


def inspection_data(*, user, candidate: Candidate) -> dict:
    """Everything the inspection page lists for one candidate (talks only when the user may read them)."""
    return {
        "notices": list(notices_for_selection(selection=candidate.selection)),
        "team": team_for_candidate(candidate=candidate),
        "procedures": list(InspectionProcedure.objects.filter(candidate=candidate)),
        "talks_visible": can_read_talks(user=user, candidate=candidate),
        "talks": list(talks_for_user(user=user, candidate=candidate)),
        "factors": list(FactorAssessment.objects.filter(candidate=candidate)),
        "opinions": list(DepartmentOpinion.objects.filter(candidate=candidate)),
        "audits": list(EconomicAudit.objects.filter(candidate=candidate)),
        "report": report_for(selection=candidate.selection, position=candidate.position),
    }


def consultations_for_candidate(*, candidate: Candidate) -> QuerySet[Consultation]:
    return candidate.consultations.prefetch_related("candidates__cadre").select_related("recorded_by")


# ---------------------------------------------------------------------------- checklists


def checklist(*, evaluation: rules_registry.Evaluation, rule_ids) -> list[dict]:
    """Each rule's verdict in the page's own check (cadre.services.candidate_check of the transition
    they guard): the registry says it, nothing here re-checks a rule."""
    registered = rules_registry.registered()
    items = []
    for rule_id in rule_ids:
        result = evaluation.result(rule_id)
        if result is None:
            continue
        rule = registered[rule_id]
        items.append(
            {
                "id": rule.id,
                "title": rule.title,
                "soft": rule.soft,
                "done": result["passed"],
                "problems": result["problems"],
            }
        )
    return items


def inspection_tasks(*, user) -> list[dict]:
    """The dashboard's list for an inspector: candidates in inspection whose team they sit on."""
    if not user.is_authenticated:
        return []
    candidates = (
        Candidate.objects.filter(stage=Stage.INSPECTION, inspection_assignment__team__members__user=user)
        .select_related("cadre", "position__unit")
        .distinct()
        .order_by("stage_changed_at", "pk")
    )
    return [
        {
            "label": f"{c.cadre.name}（{c.position}）",
            "url": reverse("inspection:inspection", kwargs={"pk": c.pk}),
            "stage": c.get_stage_display(),
        }
        for c in candidates
    ]
