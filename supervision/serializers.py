"""API shapes of publicity 任前公示, complaints 举报 and appointment 任职. Types are checked here; the
services decide whether the input is acceptable and write it."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .calendar_services import MAX_NOTICE
from .models import Appointment, Complaint, HolidayNotice, PreAppointmentTalk, Publicity

TEXT = 5000


def _username(field: str):
    return serializers.CharField(source=f"{field}.username", read_only=True)


class PublicitySerializer(serializers.ModelSerializer):
    """P1, P3: the public notice. Written once; `ends_on` left out means the shortest period allowed."""

    created_by = _username("created_by")

    class Meta:
        model = Publicity
        fields = [
            "id",
            "starts_on",
            "ends_on",
            "working_days",
            "phone",
            "letter",
            "online",
            "notice_text",
            "published_at",
            "created_by",
        ]
        read_only_fields = ["working_days", "notice_text", "published_at"]
        extra_kwargs = {
            "ends_on": {"required": False, "allow_null": True, "help_text": "留空则按最少工作日自动计算（P1）"}
        }


class ComplaintSerializer(serializers.ModelSerializer):
    """举报 (S3, P2). `suspend` (input only): during publicity, suspend the candidate while it is investigated."""

    suspend = serializers.BooleanField(write_only=True, default=False, help_text="仅任前公示阶段可选：暂缓任用")
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    created_by = _username("created_by")

    class Meta:
        model = Complaint
        fields = [
            "id",
            "received_on",
            "channel",
            "channel_label",
            "real_name",
            "text",
            "suspend",
            "status",
            "status_label",
            "substantiated",
            "conclusion",
            "concluded_on",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["status", "substantiated", "conclusion", "concluded_on", "created_at"]
        extra_kwargs = {"text": {"max_length": TEXT}, "real_name": {"default": False}}


class ConcludeSerializer(serializers.Serializer):
    substantiated = serializers.BooleanField(help_text="反映问题属实")
    conclusion = serializers.CharField(max_length=TEXT)
    resume = serializers.BooleanField(default=False, help_text="不属实且人选暂缓任用时：恢复公示")


class PreAppointmentTalkSerializer(serializers.ModelSerializer):
    """A1: 任前谈话."""

    created_by = _username("created_by")

    class Meta:
        model = PreAppointmentTalk
        fields = ["id", "talked_on", "talked_by", "summary", "created_by", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"summary": {"max_length": TEXT}}


class AppointmentSerializer(serializers.ModelSerializer):
    """The appointment document; a newly promoted cadre's probation end is computed (A2)."""

    created_by = _username("created_by")

    class Meta:
        model = Appointment
        fields = [
            "id",
            "document_number",
            "effective_on",
            "promotion",
            "probation_ends_on",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["promotion", "probation_ends_on", "created_at"]


DATES = serializers.ListField(child=serializers.DateField())


class HolidayNoticeSerializer(serializers.ModelSerializer):
    """P1: the State Council's holiday notice of `year` as published (`text`, input only) and the days
    read from it. Reading writes nothing into the calendar; confirming does."""

    holidays = serializers.SerializerMethodField(help_text="放假日期")
    workdays = serializers.SerializerMethodField(help_text="调休上班日期")
    created_by = _username("created_by")
    confirmed_by = serializers.CharField(source="confirmed_by.username", read_only=True, default=None)

    class Meta:
        model = HolidayNotice
        fields = ["id", "year", "title", "text", "holidays", "workdays", "created_by", "confirmed_by", "confirmed_at"]
        read_only_fields = ["title", "confirmed_at"]
        extra_kwargs = {"text": {"write_only": True, "max_length": MAX_NOTICE}}

    @extend_schema_field(DATES)
    def get_holidays(self, obj) -> list[str]:
        return [entry["day"] for entry in obj.holidays]

    @extend_schema_field(DATES)
    def get_workdays(self, obj) -> list[str]:
        return [entry["day"] for entry in obj.workdays]
