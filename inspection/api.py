"""JSON API of inspection 考察 (I1–I9) and deliberation 酝酿 (D1–D3) (../shared/API.md).

Thin: find the object the user may see (404 otherwise), refuse a write the browser would refuse
(403), check the body's types (400), call a service or selector, render. The domain errors the
services raise are translated once, by cadre.api.exception_handler.

Who may see and write follows the browser pages: a candidate's inspection data is open to those who
see the candidate plus the members of the team that inspects them; procedures, talks and factor
assessments are written by assigned staff or those team members, the rest by assigned staff only.
Talk records are confidential: the list is exactly inspection.selectors.talks_for_user.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cadre.access import ensure_can_work
from cadre.api import valid_input
from cadre.errors import NotAllowed
from cadre.selectors import get_candidate_for_user, get_selection_for_user

from . import selectors, services
from .serializers import (
    AuditSerializer,
    ComparisonSerializer,
    ConsultationInputSerializer,
    ConsultationSerializer,
    FactorAssessmentSerializer,
    InspectionNoticeSerializer,
    InspectionTeamSerializer,
    OpinionSerializer,
    ProcedureSerializer,
    ReportInputSerializer,
    ReportSerializer,
    TalkSerializer,
    TeamCandidateInputSerializer,
    TeamInputSerializer,
    TeamMemberInputSerializer,
)

ERRORS_400 = OpenApiResponse(description='{"errors": {field: [messages]}}, nothing written')
STAGE_409 = OpenApiResponse(description="人选不在相应阶段")


def _ensure_can_record(user, candidate):
    if not selectors.can_record_inspection(user=user, candidate=candidate):
        raise NotAllowed("只有承办人或该人选考察组成员可以记录考察情况")


# ---------------------------------------------------------------------------- selection: I1 notice, I2 team


class InspectionNoticeList(generics.ListAPIView):
    """I1: the inspection notices of a selection (each recorded for every open candidate)."""

    serializer_class = InspectionNoticeSerializer

    def get_queryset(self):
        selection = get_selection_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.notices_for_selection(selection=selection)

    @extend_schema(request=InspectionNoticeSerializer, responses={201: InspectionNoticeSerializer, 400: ERRORS_400})
    def post(self, request, pk):
        selection = get_selection_for_user(user=request.user, pk=pk)
        ensure_can_work(request.user, selection)
        data = valid_input(InspectionNoticeSerializer, request)
        notice = services.notice_publish(actor=request.user, selection=selection, **data)
        return Response(InspectionNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


def _team_body(selection, team_pk) -> dict:
    team = selectors.teams_for_selection(selection=selection).filter(pk=team_pk).first()
    if team is None:
        raise Http404("考察组不存在")
    return InspectionTeamSerializer(team).data


class InspectionTeamList(generics.ListAPIView):
    """I2: the inspection teams of a selection, with members and the candidates each inspects."""

    serializer_class = InspectionTeamSerializer

    def get_queryset(self):
        selection = get_selection_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.teams_for_selection(selection=selection)

    @extend_schema(request=TeamInputSerializer, responses={201: InspectionTeamSerializer, 400: ERRORS_400})
    def post(self, request, pk):
        """Register a team with its leader; I9: refused when the leader is related to a candidate."""
        selection = get_selection_for_user(user=request.user, pk=pk)
        ensure_can_work(request.user, selection)
        data = valid_input(TeamInputSerializer, request, context={"selection": selection})
        team = services.team_create(actor=request.user, selection=selection, **data)
        return Response(_team_body(selection, team.pk), status=status.HTTP_201_CREATED)


def _team(request, pk, team_pk):
    selection = get_selection_for_user(user=request.user, pk=pk)
    team = selectors.teams_for_selection(selection=selection).filter(pk=team_pk).first()
    if team is None:
        raise Http404("考察组不存在")
    return selection, team


class InspectionTeamMemberAdd(APIView):
    @extend_schema(request=TeamMemberInputSerializer, responses={201: InspectionTeamSerializer, 400: ERRORS_400})
    def post(self, request, pk, team_pk):
        """Add a member; I9: refused when the member is related to a candidate the team inspects."""
        selection, team = _team(request, pk, team_pk)
        ensure_can_work(request.user, selection)
        data = valid_input(TeamMemberInputSerializer, request)
        services.team_member_add(actor=request.user, team=team, user=data["user"], cadre=data.get("cadre"))
        return Response(_team_body(selection, team.pk), status=status.HTTP_201_CREATED)


class InspectionTeamCandidateAdd(APIView):
    @extend_schema(request=TeamCandidateInputSerializer, responses={201: InspectionTeamSerializer, 400: ERRORS_400})
    def post(self, request, pk, team_pk):
        """Give the team one more inspection object; I9: refused when a member is related to them."""
        selection, team = _team(request, pk, team_pk)
        ensure_can_work(request.user, selection)
        data = valid_input(TeamCandidateInputSerializer, request, context={"selection": selection})
        services.team_candidate_add(actor=request.user, team=team, candidate=data["candidate"])
        return Response(_team_body(selection, team.pk), status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------- candidate: I3–I7


class _InspectionFactList(generics.ListAPIView):
    """GET/POST of one kind of inspection fact of one candidate."""

    who = "record"  # "record": assigned staff or the candidate's team; "work": assigned staff only
    service = None

    def _candidate(self):
        return selectors.get_inspection_candidate_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def facts(self, candidate):
        raise NotImplementedError

    def get_queryset(self):
        return self.facts(self._candidate())

    def post(self, request, pk):
        candidate = self._candidate()
        if self.who == "record":
            _ensure_can_record(request.user, candidate)
        else:
            ensure_can_work(request.user, candidate.selection)
        data = valid_input(self.serializer_class, request)
        fact = type(self).service(actor=request.user, candidate=candidate, **data)
        return Response(self.serializer_class(fact).data, status=status.HTTP_201_CREATED)


def _schema(serializer):
    # POST only: GET keeps the paged list drf-spectacular derives (a class-wide `200: many` described
    # the page as a bare array and gave GET a request body).
    return extend_schema_view(
        post=extend_schema(request=serializer, responses={201: serializer, 400: ERRORS_400, 409: STAGE_409})
    )


@_schema(ProcedureSerializer)
class ProcedureList(_InspectionFactList):
    """I3: the inspection procedures carried out for a candidate."""

    serializer_class = ProcedureSerializer
    service = services.procedure_create

    def facts(self, candidate):
        return candidate.inspection_procedures.select_related("recorded_by")


@_schema(TalkSerializer)
class TalkList(_InspectionFactList):
    """I4: individual talks. Confidential: listed only to the inspection team, assigned staff and supervisors."""

    serializer_class = TalkSerializer
    service = services.talk_create

    def facts(self, candidate):
        return selectors.talks_for_user(user=self.request.user, candidate=candidate)


@_schema(FactorAssessmentSerializer)
class FactorList(_InspectionFactList):
    """I5: the five factors; POSTing a factor again replaces its grade (the record keeps both)."""

    serializer_class = FactorAssessmentSerializer
    service = services.factor_assess

    def facts(self, candidate):
        return candidate.factor_assessments.select_related("recorded_by")


@_schema(OpinionSerializer)
class OpinionList(_InspectionFactList):
    """I6: the departments' opinions (纪检 always)."""

    serializer_class = OpinionSerializer
    service = services.opinion_create
    who = "work"

    def facts(self, candidate):
        return candidate.department_opinions.select_related("recorded_by")


@_schema(AuditSerializer)
class AuditList(_InspectionFactList):
    """I7: pre-appointment economic-responsibility audits."""

    serializer_class = AuditSerializer
    service = services.audit_create
    who = "work"

    def facts(self, candidate):
        return candidate.economic_audits.select_related("recorded_by")


# ---------------------------------------------------------------------------- selection + post: I8 report, D2


def _post(request, pk, position_pk):
    selection = get_selection_for_user(user=request.user, pk=pk)
    return selection, selectors.get_position_for_selection(selection=selection, pk=position_pk)


class ReportDetail(APIView):
    """I8: the comparative report for one post of a selection; PUT writes or amends it."""

    @extend_schema(responses={200: ReportSerializer, 404: OpenApiResponse(description="尚未形成报告")})
    def get(self, request, pk, position_pk):
        selection, position = _post(request, pk, position_pk)
        report = selectors.report_for(selection=selection, position=position)
        if report is None:
            raise Http404("尚未形成考察对比分析报告")
        return Response(ReportSerializer(report).data)

    @extend_schema(request=ReportInputSerializer, responses={200: ReportSerializer, 400: ERRORS_400})
    def put(self, request, pk, position_pk):
        selection, position = _post(request, pk, position_pk)
        ensure_can_work(request.user, selection)
        candidates = selectors.open_candidates(selection=selection, position=position)
        data = valid_input(ReportInputSerializer, request, context={"candidates": candidates})
        report = services.report_save(actor=request.user, selection=selection, position=position, **data)
        return Response(ReportSerializer(report).data)


class ComparisonDetail(APIView):
    """D2: the post's candidates compared on five qualities and against the post; PUT writes or amends it."""

    @extend_schema(responses={200: ComparisonSerializer, 404: OpenApiResponse(description="尚未形成人选比较")})
    def get(self, request, pk, position_pk):
        selection, position = _post(request, pk, position_pk)
        comparison = selectors.comparison_for(selection=selection, position=position)
        if comparison is None:
            raise Http404("尚未形成人选比较")
        return Response(ComparisonSerializer(comparison).data)

    @extend_schema(request=ComparisonSerializer, responses={200: ComparisonSerializer, 400: ERRORS_400})
    def put(self, request, pk, position_pk):
        selection, position = _post(request, pk, position_pk)
        ensure_can_work(request.user, selection)
        data = valid_input(ComparisonSerializer, request)
        comparison = services.comparison_save(actor=request.user, selection=selection, position=position, **data)
        return Response(ComparisonSerializer(comparison).data)


# ---------------------------------------------------------------------------- D1 consultations, D3


class CandidateConsultationList(generics.ListAPIView):
    """D1: the consultations a candidate was deliberated in (write them at selections/{id}/consultations/)."""

    serializer_class = ConsultationSerializer

    def get_queryset(self):
        candidate = get_candidate_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.consultations_for_candidate(candidate=candidate)


class ConsultationCreate(APIView):
    @extend_schema(request=ConsultationInputSerializer, responses={201: ConsultationSerializer, 400: ERRORS_400})
    def post(self, request, pk):
        """D1: one consultation about candidates in deliberation; D3: a serious disagreement is recorded
        as an important situation of each candidate."""
        selection = get_selection_for_user(user=request.user, pk=pk)
        ensure_can_work(request.user, selection)
        data = valid_input(ConsultationInputSerializer, request, context={"selection": selection})
        consultation = services.consultation_create(actor=request.user, selection=selection, **data)
        return Response(ConsultationSerializer(consultation).data, status=status.HTTP_201_CREATED)
