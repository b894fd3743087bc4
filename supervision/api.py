"""JSON API of publicity 任前公示 (P1–P3), complaints 举报 (S3) and appointment 任职 (A1, A2)
(../shared/API.md).

Thin: find the object the user may see (404 otherwise), refuse a write the browser would refuse
(403), check the body's types (400), call a service or selector, render. The domain errors the
services raise are translated once, by cadre.api.exception_handler.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cadre import roles
from cadre.access import ensure_can_work
from cadre.api import _valid
from cadre.errors import NotAllowed
from cadre.selectors import get_candidate_for_user

from . import calendar_services, selectors, services
from .models import HolidayNotice
from .serializers import (
    AppointmentSerializer,
    ComplaintSerializer,
    ConcludeSerializer,
    HolidayNoticeSerializer,
    PreAppointmentTalkSerializer,
    PublicitySerializer,
)

ERRORS_400 = OpenApiResponse(description='{"errors": {field: [messages]}}, nothing written')
ONCE_409 = OpenApiResponse(description="人选不在相应阶段，或已经登记、不能更改")


def _candidate(request, pk, *, write=False):
    candidate = get_candidate_for_user(user=request.user, pk=pk)
    if write:
        ensure_can_work(request.user, candidate.selection)
    return candidate


# ---------------------------------------------------------------------------- publicity (P1, P3)


class PublicityDetail(APIView):
    """The candidate's latest public notice; POST publishes it (once per publicity stage)."""

    @extend_schema(responses={200: PublicitySerializer, 404: OpenApiResponse(description="尚未发布公示")})
    def get(self, request, pk):
        publicity = selectors.latest_publicity(_candidate(request, pk))
        if publicity is None:
            raise Http404("尚未发布任前公示")
        return Response(PublicitySerializer(publicity).data)

    @extend_schema(request=PublicitySerializer, responses={201: PublicitySerializer, 400: ERRORS_400, 409: ONCE_409})
    def post(self, request, pk):
        candidate = _candidate(request, pk, write=True)
        data = _valid(PublicitySerializer, request)
        publicity = services.publicity_start(actor=request.user, candidate_id=candidate.pk, **data)
        return Response(PublicitySerializer(publicity).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------- complaints (S3, P2)


class ComplaintList(generics.ListAPIView):
    """Complaints about a candidate; each is recorded as an important situation (S2)."""

    serializer_class = ComplaintSerializer

    def get_queryset(self):
        return selectors.complaints_of(_candidate(self.request, self.kwargs["pk"])).select_related("created_by")

    @extend_schema(request=ComplaintSerializer, responses={201: ComplaintSerializer, 400: ERRORS_400, 409: ONCE_409})
    def post(self, request, pk):
        candidate = _candidate(request, pk, write=True)
        data = _valid(ComplaintSerializer, request)
        complaint = services.complaint_file(actor=request.user, candidate_id=candidate.pk, **data)
        return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)


def _complaint(request, pk, complaint_pk):
    candidate = _candidate(request, pk, write=True)
    return selectors.get_complaint_for_candidate(candidate=candidate, pk=complaint_pk)


class ComplaintInvestigate(APIView):
    @extend_schema(request=None, responses={200: ComplaintSerializer, 409: ONCE_409})
    def post(self, request, pk, complaint_pk):
        """The complaint is being investigated."""
        complaint = _complaint(request, pk, complaint_pk)
        complaint = services.complaint_investigate(actor=request.user, complaint_id=complaint.pk)
        return Response(ComplaintSerializer(complaint).data)


class ComplaintConclude(APIView):
    @extend_schema(request=ConcludeSerializer, responses={200: ComplaintSerializer, 400: ERRORS_400, 409: ONCE_409})
    def post(self, request, pk, complaint_pk):
        """P2: the conclusion; an unsubstantiated one may resume a suspended candidate (`resume`)."""
        complaint = _complaint(request, pk, complaint_pk)
        data = _valid(ConcludeSerializer, request)
        complaint = services.complaint_conclude(actor=request.user, complaint_id=complaint.pk, **data)
        return Response(ComplaintSerializer(complaint).data)


# ---------------------------------------------------------------------------- appointment (A1, A2)


class AppointmentTalkList(generics.ListAPIView):
    """A1: 任前谈话 with the candidate."""

    serializer_class = PreAppointmentTalkSerializer

    def get_queryset(self):
        return selectors.talks_of(_candidate(self.request, self.kwargs["pk"])).select_related("created_by")

    @extend_schema(
        request=PreAppointmentTalkSerializer,
        responses={201: PreAppointmentTalkSerializer, 400: ERRORS_400, 409: ONCE_409},
    )
    def post(self, request, pk):
        candidate = _candidate(request, pk, write=True)
        data = _valid(PreAppointmentTalkSerializer, request)
        talk = services.talk_record(actor=request.user, candidate_id=candidate.pk, **data)
        return Response(PreAppointmentTalkSerializer(talk).data, status=status.HTTP_201_CREATED)


class AppointmentDetail(APIView):
    """The appointment document (A2); POST registers it once, during publicity."""

    @extend_schema(responses={200: AppointmentSerializer, 404: OpenApiResponse(description="尚未登记任职文件")})
    def get(self, request, pk):
        appointment = selectors.appointment_of(_candidate(request, pk))
        if appointment is None:
            raise Http404("尚未登记任职文件")
        return Response(AppointmentSerializer(appointment).data)

    @extend_schema(
        request=AppointmentSerializer, responses={201: AppointmentSerializer, 400: ERRORS_400, 409: ONCE_409}
    )
    def post(self, request, pk):
        candidate = _candidate(request, pk, write=True)
        data = _valid(AppointmentSerializer, request)
        appointment = services.appointment_record(actor=request.user, candidate_id=candidate.pk, **data)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------- working-day calendar (P1)


def _ensure_admin(user):
    if not roles.has_role(user, roles.ADMIN):
        raise NotAllowed("只有系统管理员可以维护工作日历")


class HolidayNoticeList(APIView):
    @extend_schema(
        request=HolidayNoticeSerializer,
        responses={
            201: HolidayNoticeSerializer,
            400: OpenApiResponse(description='{"errors": {"text": ["第 N 行读不懂：…"]}}, nothing written'),
            403: OpenApiResponse(description="只有系统管理员可以维护工作日历"),
        },
    )
    def post(self, request):
        """Read the State Council's holiday notice of `year`: the days it names, nothing written into the calendar."""
        _ensure_admin(request.user)
        data = _valid(HolidayNoticeSerializer, request)
        notice = calendar_services.holiday_notice_read(actor=request.user, year=data["year"], text=data["text"])
        return Response(HolidayNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class HolidayNoticeConfirm(APIView):
    @extend_schema(
        request=None,
        responses={
            200: HolidayNoticeSerializer,
            404: OpenApiResponse(description="通知不存在（只有系统管理员看得到通知）"),
            409: OpenApiResponse(description='{"violations": [{"rule": "S1", …}]}: 已经确认'),
        },
    )
    def post(self, request, pk):
        """Write the notice's days into the working-day calendar and mark its year's schedule complete (P1)."""
        if not roles.has_role(request.user, roles.ADMIN) or not HolidayNotice.objects.filter(pk=pk).exists():
            raise Http404("通知不存在")
        notice = calendar_services.holiday_notice_confirm(actor=request.user, notice_id=pk)
        return Response(HolidayNoticeSerializer(notice).data)
