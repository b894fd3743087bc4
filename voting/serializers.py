"""API shapes of the decision stage 讨论决定. Types are checked here; the services decide whether the
input is acceptable and write it."""

from rest_framework import serializers

from cadre.models import Candidate
from cadre.thresholds import snapshot

from .models import AgendaItem, Brief, DecisionMeeting, VoteResult, VoteResultEntry
from .selectors import tally

TEXT = 5000
COUNT = {"min_value": 0, "max_value": 100000}


class BriefSerializer(serializers.ModelSerializer):
    """V7: 任职推荐材料."""

    updated_by = serializers.CharField(source="updated_by.username", read_only=True)

    class Meta:
        model = Brief
        fields = ["candidate", *Brief.FIELDS, "updated_by", "updated_at"]
        read_only_fields = ["candidate", "updated_at"]
        extra_kwargs = {f: {"max_length": TEXT} for f in Brief.FIELDS}


class AgendaItemSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="candidate.cadre.name", read_only=True)
    added_by = serializers.CharField(source="added_by.username", read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "candidate", "cadre_name", "added_by", "added_at"]
        read_only_fields = fields


class DecisionMeetingSerializer(serializers.ModelSerializer):
    agenda = AgendaItemSerializer(many=True, read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = DecisionMeeting
        fields = ["id", "title", "held_on", "entitled", "present", "opened_at", "is_open", "agenda", "created_at"]
        read_only_fields = ["present", "opened_at", "created_at"]
        extra_kwargs = {"entitled": COUNT}


class OpenMeetingSerializer(serializers.Serializer):
    present = serializers.IntegerField(**COUNT, help_text="实到会人数；会议开始后议题锁定（M4）")


class _MeetingCandidate(serializers.PrimaryKeyRelatedField):
    """A candidate id of the meeting's selection (others read as "does not exist")."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Candidate.objects.all(), **kwargs)  # the schema reads the model from it

    def get_queryset(self):
        meeting = self.context.get("meeting")
        if meeting is None:
            return Candidate.objects.none()
        return Candidate.objects.filter(selection_id=meeting.selection_id)


class AgendaInputSerializer(serializers.Serializer):
    candidate = _MeetingCandidate(help_text="列入议题的人选 id（须已酝酿）")


class VoteResultSerializer(serializers.ModelSerializer):
    """A counted result (never changed, V9) and what it means under the thresholds in force."""

    cadre_name = serializers.CharField(source="candidate.cadre.name", read_only=True)
    entered_by = serializers.CharField(source="entered_by.username", read_only=True)
    confirmed_by = serializers.CharField(
        source="confirmed_by.username",
        read_only=True,
        allow_null=True,
        help_text="核对确认的第二名承办人；网上票决为 null",
    )
    confirmed = serializers.SerializerMethodField(help_text="计入结果：纸质结果经第二名承办人核对一致，或网上计票")
    passed = serializers.SerializerMethodField(help_text="V3 赞成票超过应到会人数的规定比例")
    negative_concentrated = serializers.SerializerMethodField(help_text="V6 不赞成票集中")
    fewer_than_half = serializers.SerializerMethodField(help_text="V6 赞成票不足实到会人数的半数")

    class Meta:
        model = VoteResult
        fields = [
            "id",
            "meeting",
            "candidate",
            "cadre_name",
            "approve",
            "disapprove",
            "abstain",
            "recused",
            "entered_by",
            "entered_at",
            "confirmed_by",
            "confirmed",
            "passed",
            "negative_concentrated",
            "fewer_than_half",
        ]
        read_only_fields = fields

    def _tally(self, result):
        thresholds = self.context.get("thresholds")
        if thresholds is None:
            thresholds = self.context["thresholds"] = snapshot()
        return tally(result, thresholds)

    def get_confirmed(self, result) -> bool:
        return True

    def get_passed(self, result) -> bool:
        return self._tally(result).passed

    def get_negative_concentrated(self, result) -> bool:
        return self._tally(result).negative_concentrated

    def get_fewer_than_half(self, result) -> bool:
        return self._tally(result).fewer_than_half


class VoteResultEntrySerializer(serializers.ModelSerializer):
    """A first entry waiting for the second clerk: its numbers are not shown (the second entry is blind)."""

    cadre_name = serializers.CharField(source="candidate.cadre.name", read_only=True)
    entered_by = serializers.CharField(source="entered_by.username", read_only=True)
    confirmed = serializers.SerializerMethodField()

    class Meta:
        model = VoteResultEntry
        fields = ["meeting", "candidate", "cadre_name", "entered_by", "entered_at", "confirmed"]
        read_only_fields = fields

    def get_confirmed(self, entry) -> bool:
        return False


class CandidateInputSerializer(serializers.Serializer):
    candidate = _MeetingCandidate(help_text="本次会议议题中的人选 id")


class VoteResultInputSerializer(serializers.Serializer):
    candidate = _MeetingCandidate(help_text="本次会议议题中的人选 id")
    approve = serializers.IntegerField(**COUNT)
    disapprove = serializers.IntegerField(**COUNT)
    abstain = serializers.IntegerField(**COUNT)
    recused = serializers.IntegerField(**COUNT, default=0, help_text="V8 应回避的成员人数")
