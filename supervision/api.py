"""JSON API of publicity 任前公示 (P1–P3), complaints 举报 (S3) and appointment 任职 (A1, A2)
(../shared/API.md).

Thin: find the object the user may see (404 otherwise), refuse a write the browser would refuse
(403), check the body's types (400), call a service or selector, render. The domain errors the
services raise are translated once, by cadre.api.exception_handler.
"""

from datetime import date

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cadre import roles
from cadre.access import ensure_can_work
from cadre.api import valid_input
from cadre.errors import InvalidInput, NotAllowed
from cadre.models import Stage
from cadre.ratelimit import client_address
from cadre.selectors import get_candidate_for_user

from . import calendar_services, selectors, services
from .models import HolidayNotice
from .serializers import (
    AppointmentCorrectSerializer,
    AppointmentSerializer,
    ComplaintAssignSerializer,
    ComplaintSerializer,
    ComplaintStatsSerializer,
    ComplaintStatusSerializer,
    ConcludeSerializer,
    HolidayNoticeSerializer,
    PreAppointmentTalkSerializer,
    PublicComplaintSerializer,
    PublicitySerializer,
    PublicNoticeSerializer,
    ReferenceSerializer,
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
        data = valid_input(PublicitySerializer, request)
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
        data = valid_input(ComplaintSerializer, request)
        complaint = services.complaint_file(actor=request.user, candidate_id=candidate.pk, **data)
        return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)


def _complaint(request, pk, complaint_pk):
    candidate = _candidate(request, pk, write=True)
    return selectors.get_complaint_for_candidate(candidate=candidate, pk=complaint_pk)


class ComplaintAssign(APIView):
    @extend_schema(
        request=ComplaintAssignSerializer, responses={200: ComplaintSerializer, 400: ERRORS_400, 409: ONCE_409}
    )
    def post(self, request, pk, complaint_pk):
        """交办: name the investigator (a user id: org_staff or supervisor)."""
        complaint = _complaint(request, pk, complaint_pk)
        data = valid_input(ComplaintAssignSerializer, request)
        complaint = services.complaint_assign(
            actor=request.user, complaint_id=complaint.pk, investigator_id=data["investigator"]
        )
        return Response(ComplaintSerializer(complaint).data)


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
        data = valid_input(ConcludeSerializer, request)
        complaint = services.complaint_conclude(actor=request.user, complaint_id=complaint.pk, **data)
        return Response(ComplaintSerializer(complaint).data)


# ---------------------------------------------------------------------------- public complaints (S3), no sign-in

TOO_MANY_429 = OpenApiResponse(description='{"detail": "…"} 同一地址一小时内超过 50 件，带 Retry-After')


class PublicNoticeList(generics.ListAPIView):
    """Candidates in publicity (P3), no sign-in."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = PublicNoticeSerializer

    def get_queryset(self):
        return selectors.public_notices().filter(candidate__stage=Stage.PUBLICITY)


class PublicComplaintCreate(APIView):
    """Anyone files a complaint about a candidate in inspection or publicity (S3). No challenge
    question here (the page has one); more than 50 from one address within an hour → 429."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        request=PublicComplaintSerializer,
        responses={
            201: ReferenceSerializer,
            400: OpenApiResponse(description="输入有误，或人选不存在或不在考察、公示期间；未写入任何内容"),
            429: TOO_MANY_429,
        },
    )
    def post(self, request):
        address = client_address(request)
        wait = services.PUBLIC_COMPLAINTS.retry_after(address)
        if wait:
            return Response(
                {"detail": services.too_many_message(wait)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(wait)},
            )
        data = valid_input(PublicComplaintSerializer, request)
        complaint = services.complaint_submit(
            candidate_id=data["candidate"],
            category=data["category"],
            text=data["text"],
            name=data["name"],
            phone=data["phone"],
            clear_lead=data["clear_lead"],
        )
        services.PUBLIC_COMPLAINTS.hit(address)
        return Response({"reference": complaint.reference}, status=status.HTTP_201_CREATED)


class PublicComplaintStatus(APIView):
    """A complaint's status by its reference: exactly reference, status, status_label — never its content."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: ComplaintStatusSerializer, 404: OpenApiResponse(description="查询编号不存在")})
    def get(self, request, reference):
        complaint = selectors.get_complaint_by_reference(reference=reference)
        return Response(ComplaintStatusSerializer(complaint).data)


def _date_param(request, name):
    text = request.query_params.get(name)
    if not text:
        raise InvalidInput({name: ["请填写日期（YYYY-MM-DD）"]})
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput({name: ["日期格式不正确，应为 YYYY-MM-DD"]}) from exc


class ComplaintStats(APIView):
    """S3: complaints received from `from` to `to` (inclusive); verified = concluded."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", date, required=True, description="起始日期（含）"),
            OpenApiParameter("to", date, required=True, description="截止日期（含）"),
        ],
        responses={
            200: ComplaintStatsSerializer,
            400: ERRORS_400,
            403: OpenApiResponse(description="只有监督人员和系统管理员可以查看"),
        },
    )
    def get(self, request):
        if not roles.has_role(request.user, roles.SUPERVISOR, roles.ADMIN):
            raise NotAllowed("只有监督人员和系统管理员可以查看举报查核统计")
        errors = {}
        values = {}
        for name in ("from", "to"):
            try:
                values[name] = _date_param(request, name)
            except InvalidInput as exc:
                errors.update(exc.errors)
        if not errors and values["from"] > values["to"]:
            errors["to"] = ["截止日期不能早于起始日期"]
        if errors:
            raise InvalidInput(errors)
        return Response(selectors.complaint_stats(date_from=values["from"], date_to=values["to"]))


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
        data = valid_input(PreAppointmentTalkSerializer, request)
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
        data = valid_input(AppointmentSerializer, request)
        appointment = services.appointment_record(actor=request.user, candidate_id=candidate.pk, **data)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentCorrection(APIView):
    """#11: correct the appointment date; the record keeps old → new and the reason."""

    @extend_schema(
        request=AppointmentCorrectSerializer,
        responses={200: AppointmentSerializer, 400: ERRORS_400, 409: ONCE_409},
    )
    def post(self, request, pk):
        candidate = _candidate(request, pk, write=True)
        data = valid_input(AppointmentCorrectSerializer, request)
        appointment = services.appointment_correct(actor=request.user, candidate_id=candidate.pk, **data)
        return Response(AppointmentSerializer(appointment).data)


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
        data = valid_input(HolidayNoticeSerializer, request)
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
