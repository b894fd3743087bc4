"""API shapes of inspection 考察 and deliberation 酝酿. Types are checked here; the services decide
whether the input is acceptable and write it."""

from django.contrib.auth.models import User
from rest_framework import serializers

from cadre.models import Cadre, Candidate

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
from .services import MEMBER_REFUSED, MEMBER_ROLES

TEXT = 5000


def _username(field: str):
    return serializers.CharField(source=f"{field}.username", read_only=True)


class _SelectionCandidates(serializers.PrimaryKeyRelatedField):
    """A candidate id of the selection in the serializer's context (others read as "does not exist")."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Candidate.objects.all(), **kwargs)  # the schema reads the model from it

    def get_queryset(self):
        selection = self.context.get("selection")
        if selection is None:
            return Candidate.objects.none()
        return Candidate.objects.filter(selection=selection).select_related("cadre")


# ---------------------------------------------------------------------------- I1 notice


class InspectionNoticeSerializer(serializers.ModelSerializer):
    published_by = _username("published_by")

    class Meta:
        model = InspectionNotice
        fields = ["id", "published_on", "team_text", "contact_phone", "text", "published_by", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"text": {"max_length": TEXT}}


# ---------------------------------------------------------------------------- I2 team, I9 recusal


class TeamMemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = InspectionTeamMember
        fields = ["user", "username", "cadre", "is_leader"]
        read_only_fields = fields


class InspectionTeamSerializer(serializers.ModelSerializer):
    members = TeamMemberSerializer(many=True, read_only=True)
    candidates = serializers.SerializerMethodField()
    created_by = _username("created_by")

    class Meta:
        model = InspectionTeam
        fields = [
            "id",
            "name",
            "starts_on",
            "ends_on",
            "place",
            "scope",
            "forum_size",
            "members",
            "candidates",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_candidates(self, team) -> list[int]:
        return [a.candidate_id for a in team.assignments.all()]


class _TeamUser(serializers.PrimaryKeyRelatedField):
    """A user who may be on a team. An unknown id, an inactive account and one without the role get
    the same message (inspection.services.MEMBER_REFUSED): nobody learns other users' ids or roles."""

    default_error_messages = {
        "does_not_exist": MEMBER_REFUSED,
        "incorrect_type": "用户 id 必须是整数",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", User.objects.filter(is_active=True, groups__name__in=MEMBER_ROLES).distinct())
        super().__init__(**kwargs)


class TeamInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    leader = _TeamUser(help_text="组长的用户 id（考察组成员或组工干部角色）")
    leader_cadre = serializers.PrimaryKeyRelatedField(
        queryset=Cadre.objects.all(), required=False, allow_null=True, help_text="组长对应的干部 id，用于回避审查（I9）"
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    place = serializers.CharField(max_length=200)
    scope = serializers.CharField(max_length=500)
    forum_size = serializers.IntegerField(min_value=1, max_value=100000)
    candidates = _SelectionCandidates(many=True, allow_empty=False, help_text="考察对象的人选 id")


class TeamMemberInputSerializer(serializers.Serializer):
    user = _TeamUser(help_text="成员的用户 id（考察组成员或组工干部角色）")
    cadre = serializers.PrimaryKeyRelatedField(
        queryset=Cadre.objects.all(), required=False, allow_null=True, help_text="成员对应的干部 id，用于回避审查（I9）"
    )


class TeamCandidateInputSerializer(serializers.Serializer):
    candidate = _SelectionCandidates()


# ---------------------------------------------------------------------------- I3 procedures, I4 talks, I5 factors


class ProcedureSerializer(serializers.ModelSerializer):
    recorded_by = _username("recorded_by")

    class Meta:
        model = InspectionProcedure
        fields = ["id", "name", "done_on", "note", "recorded_by", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "name": {"help_text": "考察程序名称，须是规定的程序之一（如“民主测评”“个别谈话”）"},
            "note": {"max_length": TEXT},
        }


class TalkSerializer(serializers.ModelSerializer):
    recorded_by = _username("recorded_by")

    class Meta:
        model = Talk
        fields = ["id", "interviewee", "category", "talked_on", "summary", "recorded_by", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "category": {"help_text": "谈话对象类别，须是规定的类别之一"},
            "summary": {"max_length": TEXT},
        }


class FactorAssessmentSerializer(serializers.ModelSerializer):
    factor_label = serializers.CharField(source="get_factor_display", read_only=True)
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)
    recorded_by = _username("recorded_by")

    class Meta:
        model = FactorAssessment
        fields = ["id", "factor", "factor_label", "grade", "grade_label", "text", "recorded_by", "updated_at"]
        read_only_fields = ["updated_at"]
        extra_kwargs = {"text": {"max_length": TEXT}}
        # Assessing a factor again replaces its grade: the service does that, not a uniqueness error.
        validators: list = []


# ---------------------------------------------------------------------------- I6 opinions, I7 audit, I8 report


class OpinionSerializer(serializers.ModelSerializer):
    recorded_by = _username("recorded_by")

    class Meta:
        model = DepartmentOpinion
        fields = ["id", "department", "received_on", "opinion", "recorded_by", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "department": {"help_text": "部门，须是规定的部门之一（纪检必须征求）"},
            "opinion": {"max_length": TEXT},
        }


class AuditSerializer(serializers.ModelSerializer):
    recorded_by = _username("recorded_by")

    class Meta:
        model = EconomicAudit
        fields = ["id", "auditor", "concluded_on", "conclusion", "recorded_by", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"conclusion": {"max_length": TEXT}}


class ReportSerializer(serializers.ModelSerializer):
    recorded_by = _username("recorded_by")

    class Meta:
        model = InspectionReport
        fields = [
            "id",
            "position",
            "comparison",
            "recommendation",
            "recommended",
            "heard_on",
            "recorded_by",
            "updated_at",
        ]
        read_only_fields = fields


class ReportInputSerializer(serializers.Serializer):
    comparison = serializers.CharField(max_length=TEXT)
    recommendation = serializers.CharField(max_length=TEXT)
    recommended = serializers.PrimaryKeyRelatedField(
        queryset=Candidate.objects.none(), required=False, allow_null=True, help_text="建议人选 id（该职位的人选）"
    )
    heard_on = serializers.DateField(required=False, allow_null=True, help_text="部长办公会听取汇报日期")

    def get_fields(self):
        fields = super().get_fields()
        candidates = self.context.get("candidates")
        if candidates is not None:
            fields["recommended"].queryset = candidates
        return fields


# ---------------------------------------------------------------------------- D1 consultations, D2 comparison


class ConsultationSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    candidates = serializers.SerializerMethodField()
    recorded_by = _username("recorded_by")

    class Meta:
        model = Consultation
        fields = [
            "id",
            "level",
            "level_label",
            "held_on",
            "participants",
            "opinions",
            "disagreement",
            "disagreement_text",
            "candidates",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_candidates(self, consultation) -> list[int]:
        return [c.pk for c in consultation.candidates.all()]


class ConsultationInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Consultation._meta.get_field("level").choices)
    held_on = serializers.DateField()
    participants = serializers.CharField(max_length=500)
    opinions = serializers.CharField(max_length=TEXT)
    candidates = _SelectionCandidates(many=True, allow_empty=False, help_text="涉及人选 id（须处于酝酿阶段）")
    disagreement = serializers.BooleanField(default=False, help_text="意见不一致或有重大分歧（D3 记为重要情况）")
    disagreement_text = serializers.CharField(max_length=TEXT, required=False, allow_blank=True, default="")


class ComparisonSerializer(serializers.ModelSerializer):
    recorded_by = _username("recorded_by")

    class Meta:
        model = Comparison
        fields = ["id", "position", *Comparison.ASPECTS, "recorded_by", "updated_at"]
        read_only_fields = ["id", "position", "updated_at"]
        extra_kwargs = {a: {"max_length": TEXT} for a in Comparison.ASPECTS}
        validators: list = []
