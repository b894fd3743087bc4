"""API shapes of publicity 任前公示, complaints 举报 and appointment 任职. Types are checked here; the
services decide whether the input is acceptable and write it."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .calendar_services import MAX_NOTICE
from .models import Appointment, Complaint, HolidayNotice, PreAppointmentTalk, Publicity
from .services import PUBLIC_TEXT_MAX

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
            "issuer",
            "published_at",
            "created_by",
        ]
        read_only_fields = ["working_days", "notice_text", "published_at"]
        extra_kwargs = {
            "ends_on": {"required": False, "allow_null": True, "help_text": "留空则按最少工作日自动计算（P1）"},
            "issuer": {"required": False, "help_text": "落款（发布机关）；留空则用设置 PUBLICITY_ISSUER"},
        }


class ComplaintSerializer(serializers.ModelSerializer):
    """举报 (S3, P2) registered by staff. `suspend` (input only): during publicity, suspend the candidate
    while it is investigated. `complainant_name` / `complainant_phone`: real-name complaints only."""

    suspend = serializers.BooleanField(write_only=True, default=False, help_text="仅任前公示阶段可选：暂缓任用")
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    # "" until concluded: the schema says so (an enum of the outcomes alone refused every open complaint).
    outcome = serializers.ChoiceField(choices=Complaint.Outcome.choices, allow_blank=True, read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    assigned_to = serializers.CharField(source="assigned_to.username", read_only=True, default=None, allow_null=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "received_on",
            "channel",
            "channel_label",
            "category",
            "category_label",
            "real_name",
            "complainant_name",
            "complainant_phone",
            "clear_lead",
            "text",
            "suspend",
            "status",
            "status_label",
            "assigned_to",
            "assigned_at",
            "outcome",
            "outcome_label",
            "substantiated",
            "conclusion",
            "concluded_on",
            "created_by",
            "created_at",
        ]
        read_only_fields = [
            "status",
            "assigned_at",
            "outcome",
            "substantiated",
            "conclusion",
            "concluded_on",
            "created_at",
        ]
        extra_kwargs = {
            "text": {"max_length": TEXT},
            "real_name": {"default": False},
            "category": {"default": Complaint.Category.OTHER},
            "clear_lead": {"default": False},
            "complainant_name": {"default": ""},
            "complainant_phone": {"default": ""},
        }


class ComplaintAssignSerializer(serializers.Serializer):
    investigator = serializers.IntegerField(help_text="承办人（用户 id：组工干部或纪检监督人员）")


class ConcludeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=Complaint.Outcome.choices, required=False, help_text="属实 / 部分属实 / 不属实（优先于 substantiated）"
    )
    substantiated = serializers.BooleanField(required=False, help_text="旧写法：true 属实，false 不属实")
    conclusion = serializers.CharField(max_length=TEXT)
    resume = serializers.BooleanField(default=False, help_text="不属实且人选暂缓任用时：恢复公示")


class PublicComplaintSerializer(serializers.Serializer):
    """`POST public/complaints/` (no sign-in, S3). Real-name: both `name` and `phone`; anonymous:
    neither. The API asks no challenge question (the per-address limit applies, API.md 429)."""

    candidate = serializers.IntegerField(help_text="考察或公示期间的人选 id")
    category = serializers.ChoiceField(choices=Complaint.Category.choices)
    text = serializers.CharField(
        max_length=PUBLIC_TEXT_MAX,
        help_text=f"不超过 {PUBLIC_TEXT_MAX} 个字符",
        error_messages={"max_length": f"举报内容不能超过 {PUBLIC_TEXT_MAX} 个字符"},
    )
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)
    clear_lead = serializers.BooleanField(required=False, default=False, help_text="线索清楚：写明何人、何时、何事")


class PublicNoticeSerializer(serializers.ModelSerializer):
    """`GET public/notices/`: one candidate in publicity."""

    candidate = serializers.IntegerField(source="candidate_id")
    name = serializers.CharField(source="candidate.cadre.name")
    position = serializers.CharField(source="candidate.position")

    class Meta:
        model = Publicity
        fields = ["candidate", "name", "position", "starts_on", "ends_on", "phone", "letter", "online", "issuer"]


class ReferenceSerializer(serializers.Serializer):
    reference = serializers.CharField()


class ComplaintStatusSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Complaint.Status.choices)
    status_label = serializers.CharField(source="get_status_display")


class StatsGroupSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    verified = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    target = serializers.FloatField()
    met = serializers.BooleanField()


class ComplaintStatsSerializer(serializers.Serializer):
    overall = StatsGroupSerializer()
    real_name = StatsGroupSerializer()
    clear_lead = StatsGroupSerializer()


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


class AppointmentCorrectSerializer(serializers.Serializer):
    """`POST candidates/{id}/appointment/correction/` (#11): a mistyped appointment date, with a reason."""

    new_date = serializers.DateField(help_text="更正后的任职日期（须在任前公示期满之后）")
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="更正理由（必填）"
    )
