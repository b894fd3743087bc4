"""API shapes. Validation of field types lives here; every write goes through a service."""

from datetime import date

import orjson
from django.utils import timezone
from rest_framework import serializers

from .labels import choice_label, stage_transitions
from .models import (
    Assessment,
    Cadre,
    Candidate,
    Evaluation,
    Position,
    RecordEntry,
    Sanction,
    Selection,
    Stage,
    Unit,
)
from .services import POST_READ_ONLY, TRANSITIONS

MIN_YEAR = 1950


def _not_future(value: date, field_label: str):
    if value and value > timezone.localdate():
        raise serializers.ValidationError(f"{field_label}不能晚于今天")
    return value


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "parent", "under_restructuring", "secretary_transferring"]


class PositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "unit", "title", "level", "is_chief", "is_key_post", "requires_audit", "quota"]
        extra_kwargs = {"quota": {"min_value": 1, "max_value": 99}}


class CadreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cadre
        fields = [
            "id",
            "name",
            "gender",
            "ethnicity",
            "hometown",
            "native_place",
            "birthplace",
            "health",
            "professional_title",
            "specialty",
            "education",
            "birth_date",
            "party_date",
            "work_start_date",
            "unit",
            "position",
            "rank_since",
            "position_since",
            "has_spouse",
            "spouse_emigrated",
            "children_emigrated",
            "canvassing_finding",
            "veto_item_year",
            "personal_report_status",
        ]
        # The current post changes only by appointment (A3) or a recorded post change
        # (cadre.services.cadre_change_position); a body that tries to change it is a 400.
        read_only_fields = ["position", "position_since"]

    def validate_birth_date(self, value):
        _not_future(value, "出生日期")
        if value.year < 1930:
            raise serializers.ValidationError("出生日期不合理")
        return value

    def validate_party_date(self, value):
        return _not_future(value, "入党时间")

    def validate_work_start_date(self, value):
        return _not_future(value, "参加工作时间")

    def validate_rank_since(self, value):
        return _not_future(value, "任现职级时间")

    def validate_veto_item_year(self, value):
        if value is not None and not (MIN_YEAR <= value <= timezone.localdate().year):
            raise serializers.ValidationError("年度不合理")
        return value

    def _post_unchanged(self, field: str) -> bool:
        sent = self.initial_data.get(field)
        current = getattr(self.instance, Cadre._meta.get_field(field).attname, None) if self.instance else None
        if sent in (None, ""):
            return current is None
        return current is not None and str(sent) == (current.isoformat() if field == "position_since" else str(current))

    def validate(self, attrs):
        post = {f: [POST_READ_ONLY] for f in ("position", "position_since") if f in self.initial_data}
        post = {f: messages for f, messages in post.items() if not self._post_unchanged(f)}
        if post:
            raise serializers.ValidationError(post)
        dated = ("birth_date", "party_date", "work_start_date", "rank_since", "position_since")
        merged = {f: getattr(self.instance, f, None) for f in dated}
        merged.update({k: v for k, v in attrs.items() if k in merged})
        birth = merged["birth_date"]
        errors = {}
        for field, label in (
            ("party_date", "入党时间"),
            ("work_start_date", "参加工作时间"),
            ("rank_since", "任现职级时间"),
            ("position_since", "任现职时间"),
        ):
            if birth and merged[field] and merged[field] <= birth:
                errors[field] = [f"{label}必须晚于出生日期"]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def _not_future_year(value):
    # Checked at validation time: a bound computed at import would go stale in a long-running server.
    if value > timezone.localdate().year:
        raise serializers.ValidationError("年度不能晚于今年")


def _year_field():
    return serializers.IntegerField(min_value=MIN_YEAR, validators=[_not_future_year])


class AssessmentSerializer(serializers.ModelSerializer):
    year = _year_field()

    class Meta:
        model = Assessment
        fields = ["id", "year", "grade"]


class EvaluationSerializer(serializers.ModelSerializer):
    year = _year_field()

    class Meta:
        model = Evaluation
        fields = ["id", "year", "excellent", "competent", "basically_competent", "incompetent"]
        extra_kwargs = {
            f: {"max_value": 100000} for f in ("excellent", "competent", "basically_competent", "incompetent")
        }


class SanctionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sanction
        fields = ["id", "kind", "starts_on", "influence_ends_on"]

    def validate_starts_on(self, value):
        return _not_future(value, "处分开始日期")

    def validate(self, attrs):
        if attrs["influence_ends_on"] < attrs["starts_on"]:
            raise serializers.ValidationError({"influence_ends_on": ["影响期截止日期不能早于开始日期"]})
        return attrs


class SelectionSerializer(serializers.ModelSerializer):
    positions = serializers.PrimaryKeyRelatedField(many=True, queryset=Position.objects.all())

    class Meta:
        model = Selection
        fields = [
            "id",
            "title",
            "reason",
            "reason_text",
            "positions",
            "competitive",
            "single_candidate_reason",
            "superior_approval",
            "created_at",
        ]
        extra_kwargs = {"reason_text": {"max_length": 2000}, "single_candidate_reason": {"max_length": 2000}}


class CandidateSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    position_title = serializers.CharField(source="position.__str__", read_only=True)
    stage_label = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Candidate
        fields = [
            "id",
            "selection",
            "position",
            "cadre",
            "cadre_name",
            "position_title",
            "stage",
            "stage_label",
            "stage_changed_at",
            "available_transitions",
        ]
        read_only_fields = ["stage", "stage_changed_at"]
        # candidate_create reports a duplicate on the `cadre` field, in Chinese.
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            from .selectors import selections_for_user

            fields["selection"].queryset = selections_for_user(user=request.user)
        return fields

    # Both looked up once per stage and language (cadre.labels), not resolved per row: issue #10.
    def get_stage_label(self, obj) -> str:
        return choice_label(Stage, obj.stage)

    def get_available_transitions(self, obj) -> list[str]:
        return list(stage_transitions(obj.stage))


class ViolationSerializer(serializers.Serializer):
    rule = serializers.CharField()
    message = serializers.CharField()
    source = serializers.CharField()
    overridable = serializers.BooleanField()


class CheckSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    violations = ViolationSerializer(many=True)


class OverrideSerializer(serializers.Serializer):
    rule = serializers.CharField(max_length=10)
    reason = serializers.CharField(max_length=2000)


class TransitionVerbSerializer(serializers.Serializer):
    """The `{transition}` of `candidates/{id}/check/…` and `…/transitions/…`: one of the verbs of the
    Candidate state machine (services.TRANSITIONS; send_back has its own endpoint). The views validate
    the path with it and the schema's enum is its choices, so the two cannot disagree."""

    transition = serializers.ChoiceField(
        choices=list(TRANSITIONS),
        error_messages={"invalid_choice": "未知的操作：{input}"},
    )


class TransitionSerializer(serializers.Serializer):
    override = OverrideSerializer(required=False)
    overrides = OverrideSerializer(many=True, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class SendBackSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=[s for s in Candidate._meta.get_field("stage").choices])
    reason = serializers.CharField(max_length=2000)


class RecordEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = RecordEntry
        fields = ["seq", "at", "actor", "kind", "payload", "prev_hash", "hash"]

    def get_actor(self, entry) -> str | None:
        """The acting user's username; null for the system (a task, a command)."""
        return entry.actor_name if entry.actor_id is not None else None


PROBLEMS = ["edited", "removed", "missing_tail", "missing_chain", "not_in_checkpoint"]


class BrokenSerializer(serializers.Serializer):
    candidate = serializers.IntegerField()
    seq = serializers.IntegerField(allow_null=True)
    problem = serializers.ChoiceField(choices=PROBLEMS)


class CheckpointCheckSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.CharField()
    chains = serializers.IntegerField()
    root = serializers.CharField()
    fingerprint = serializers.CharField(allow_null=True)
    signature_ok = serializers.BooleanField()
    root_ok = serializers.BooleanField()
    key_ok = serializers.BooleanField()
    ok = serializers.BooleanField()


class VerifySerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    entries = serializers.IntegerField()
    checkpoint = CheckpointCheckSerializer(allow_null=True)
    broken = BrokenSerializer(many=True)


class StatementSerializer(serializers.Serializer):
    at = serializers.CharField()
    chains = serializers.IntegerField()
    entries = serializers.IntegerField()
    root = serializers.CharField()


class HeadSerializer(serializers.Serializer):
    candidate = serializers.IntegerField()
    seq = serializers.IntegerField()
    hash = serializers.CharField()


class CheckpointSerializer(serializers.Serializer):
    """A signed checkpoint: the statement exactly as signed (canonical JSON), base64 signature and key."""

    id = serializers.IntegerField(source="pk")
    statement = serializers.SerializerMethodField()
    signature = serializers.CharField()
    public_key = serializers.CharField()

    def get_statement(self, checkpoint) -> StatementSerializer:
        return orjson.loads(checkpoint.statement)


class CheckpointHeadsSerializer(serializers.Serializer):
    heads = HeadSerializer(many=True)


class CheckpointExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    statement = StatementSerializer()
    signature = serializers.CharField()
    public_key = serializers.CharField()
    fingerprint = serializers.CharField()
    heads = HeadSerializer(many=True)


class ImportantSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=["disagreement", "complaint", "other"])
    text = serializers.CharField(max_length=2000)
    outcome = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AssignSerializer(serializers.Serializer):
    user = serializers.IntegerField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
