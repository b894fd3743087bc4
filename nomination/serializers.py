"""API shapes of the motion, nomination and recommendation stages. Types are checked here; the
services decide whether the input is acceptable and write it."""

from rest_framework import serializers

from .models import InspectionDecision, MotionAgenda, Nomination, RecommendationMeeting

# ---------------------------------------------------------------------------- motion agenda (M4)


class MotionAgendaSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = MotionAgenda
        fields = ["id", "meeting_name", "meeting_date", "item", "recorded_by", "recorded_at"]
        read_only_fields = ["recorded_at"]
        extra_kwargs = {"item": {"max_length": 2000}}


# ---------------------------------------------------------------------------- nomination (N1)


class NominationSerializer(serializers.ModelSerializer):
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    problems = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "source",
            "source_label",
            "nominator",
            "reasons",
            "signed_by",
            "signed_on",
            "recorded_by",
            "recorded_at",
            "problems",
        ]
        read_only_fields = ["recorded_at"]
        extra_kwargs = {"reasons": {"max_length": 2000}}
        # The model's check constraint (a leader's nomination signed with reasons) is the service's to
        # report, field by field, in Chinese.
        validators: list = []


# ---------------------------------------------------------------------------- recommendation (R1)


class VoteSerializer(serializers.Serializer):
    cadre = serializers.IntegerField(help_text="干部 id（须是本次选任工作的人选）")
    votes = serializers.IntegerField(min_value=0, max_value=1000000)


def _votes(items) -> dict[int, int]:
    votes: dict[int, int] = {}
    for item in items:
        if item["cadre"] in votes:
            raise serializers.ValidationError({"votes": [f"干部 {item['cadre']} 的得票数填写了两次"]})
        votes[item["cadre"]] = item["votes"]
    return votes


class RecommendationConfirmSerializer(serializers.Serializer):
    """R1, second entry: the numbers only, typed in again blind from the paper ballots."""

    entitled = serializers.IntegerField(min_value=0, max_value=1000000)
    present = serializers.IntegerField(min_value=0, max_value=1000000)
    votes = VoteSerializer(many=True, help_text="每名人选的得票数；错误按 votes_<干部 id> 返回")

    def validate(self, attrs):
        return {**attrs, "votes": _votes(attrs["votes"])}


class RecommendationEntrySerializer(RecommendationConfirmSerializer):
    """R1, first entry."""

    unit = serializers.IntegerField(help_text="推荐单位 id")
    kind = serializers.ChoiceField(choices=RecommendationMeeting.Kind.choices)
    held_on = serializers.DateField()


class ResultSerializer(serializers.Serializer):
    cadre = serializers.IntegerField(source="cadre_id")
    cadre_name = serializers.CharField(source="cadre.name")
    votes = serializers.IntegerField()
    rank = serializers.IntegerField()


class RecommendationMeetingSerializer(serializers.ModelSerializer):
    """A recommendation. Until it is confirmed, its numbers are shown only to the person who entered
    them: the second entry is blind (R1)."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    entered_by = serializers.CharField(source="entered_by.username", read_only=True)
    confirmed_by = serializers.CharField(source="confirmed_by.username", read_only=True, allow_null=True)
    confirmed = serializers.BooleanField(read_only=True)
    results = ResultSerializer(many=True, read_only=True, allow_null=True)

    class Meta:
        model = RecommendationMeeting
        fields = [
            "id",
            "unit",
            "unit_name",
            "kind",
            "held_on",
            "entitled",
            "present",
            "results",
            "entered_by",
            "created_at",
            "confirmed",
            "confirmed_by",
            "confirmed_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"entitled": {"allow_null": True}, "present": {"allow_null": True}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        if not instance.confirmed and getattr(viewer, "pk", None) != instance.entered_by_id:
            data.update(entitled=None, present=None, results=None)
        return data


class ResultRowSerializer(serializers.Serializer):
    """One confirmed result of the candidate, with what R2 (validity) and R3 (majority) make of it."""

    meeting = serializers.IntegerField(source="meeting.pk")
    unit = serializers.IntegerField(source="meeting.unit_id")
    unit_name = serializers.CharField(source="meeting.unit.name")
    kind = serializers.CharField(source="meeting.kind")
    held_on = serializers.DateField(source="meeting.held_on")
    entitled = serializers.IntegerField(source="meeting.entitled")
    present = serializers.IntegerField(source="meeting.present")
    votes = serializers.IntegerField(source="result.votes")
    rank = serializers.IntegerField(source="result.rank")
    share = serializers.SerializerMethodField(help_text="得票数 / 实参加人数")
    percent = serializers.CharField()
    valid = serializers.BooleanField(help_text="R2 在有效期内")
    majority = serializers.BooleanField(help_text="R3 达到规定比例")
    own_unit = serializers.BooleanField(help_text="在本人所在单位的推荐（R3 适用）")
    entered_by = serializers.CharField(source="meeting.entered_by.username")
    confirmed_by = serializers.CharField(source="meeting.confirmed_by.username")

    def get_share(self, row) -> float:
        return float(row.share)


class CandidateResultsSerializer(serializers.Serializer):
    results = ResultRowSerializer(many=True, source="rows")
    pending = serializers.IntegerField(help_text="已录入但尚未第二人核对确认的推荐数")
    min_share = serializers.SerializerMethodField(help_text="R3 的最低得票比例")
    valid_since = serializers.DateField(help_text="R2：此日期及以后的推荐有效")

    def get_min_share(self, data) -> float:
        return float(data["min_share"])


# ---------------------------------------------------------------------------- inspection objects (R5)


class DecisionCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    cadre_name = serializers.CharField(source="cadre.name")
    position_title = serializers.CharField(source="position.__str__")


class InspectionDecisionSerializer(serializers.ModelSerializer):
    candidates = DecisionCandidateSerializer(many=True, read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = InspectionDecision
        fields = ["id", "meeting_date", "reasons", "candidates", "recorded_by", "recorded_at"]
        read_only_fields = fields


class InspectionDecisionInputSerializer(serializers.Serializer):
    meeting_date = serializers.DateField()
    reasons = serializers.CharField(max_length=2000)
    candidates = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=False, max_length=500, help_text="人选 id（须处于民主推荐阶段）"
    )
