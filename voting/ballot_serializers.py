"""API shapes of the online secret ballots (../shared/API.md, Ballots). Types are checked here; the
services decide whether the input is acceptable and write it."""

from rest_framework import serializers

from cadre.models import Kinship

from .models import BallotSession
from .selectors import ballot_items


def _ids(help_text: str):
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=5000, help_text=help_text
    )


class BallotSessionListSerializer(serializers.ModelSerializer):
    cast = serializers.SerializerMethodField(help_text="已投票数（不含谁投了什么）")

    class Meta:
        model = BallotSession
        fields = ["id", "kind", "title", "status", "selection", "meeting", "body", "opened_at", "closed_at", "cast"]
        read_only_fields = fields

    def get_cast(self, session) -> int:
        annotated = getattr(session, "cast_count", None)  # the list annotates it: one query for the page
        return session.ballots.count() if annotated is None else annotated


class BallotSessionSerializer(BallotSessionListSerializer):
    entitled = serializers.SerializerMethodField()
    present = serializers.SerializerMethodField()
    codes_used = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    positions = serializers.SerializerMethodField()

    class Meta:
        model = BallotSession
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "selection",
            "meeting",
            "positions",
            "body",
            "entitled",
            "present",
            "codes_issued",
            "codes_used",
            "cast",
            "items",
            "opened_at",
            "closed_at",
            "bulletin_root",
            "second_vote_of",
        ]
        read_only_fields = fields

    def get_entitled(self, session) -> list[int]:
        return sorted(session.entitled.values_list("pk", flat=True))

    def get_present(self, session) -> list[int]:
        return sorted(session.present.values_list("pk", flat=True))

    def get_codes_used(self, session) -> int:
        return session.codes.filter(used=True).count()

    def get_positions(self, session) -> list[int]:
        return sorted(session.positions.values_list("pk", flat=True))

    def get_items(self, session) -> list[dict]:
        return ballot_items(session=session)


class BallotSessionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BallotSession.Kind.choices)
    title = serializers.CharField(max_length=200)
    meeting = serializers.IntegerField(min_value=1, required=False, help_text="票决：讨论决定会议 id")
    selection = serializers.IntegerField(min_value=1, required=False, help_text="会议推荐（测评可选）：选任工作 id")
    positions = _ids("会议推荐：职位 id")
    cadres = _ids("民主测评：测评对象（干部 id）")
    body = serializers.ChoiceField(
        choices=BallotSession.Body.choices, required=False, help_text="V10：默认党政正职全委会，其余常委会"
    )
    entitled = _ids("票决：应到会成员的用户 id（V10 的表决机构）")
    codes = serializers.IntegerField(min_value=1, max_value=5000, required=False, help_text="发放投票码数量")
    unit = serializers.IntegerField(
        min_value=1, required=False, help_text="会议推荐：召开推荐会议的单位 id（R3 的本单位；默认为职位所在单位）"
    )
    year = serializers.IntegerField(min_value=1, required=False, help_text="民主测评：测评年度（E2；默认今年）")


class OpenSessionSerializer(serializers.Serializer):
    present = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, help_text="票决：实到会成员的用户 id"
    )


class CastSerializer(serializers.Serializer):
    choices = serializers.JSONField(help_text="{事项 id: 选择}；会议推荐：{事项 id: [干部 id]}")
    code = serializers.CharField(required=False, max_length=64, help_text="无账号的参与者：投票码")


class RecusalSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)
    user = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=200)


class ReceiptSerializer(serializers.Serializer):
    receipt = serializers.CharField()


class MemberCadreSerializer(serializers.Serializer):
    cadre = serializers.IntegerField(min_value=1, allow_null=True, help_text="用户本人的干部信息 id（V8）")


class KinshipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kinship
        fields = ["id", "cadre", "relative", "relation"]
        read_only_fields = ["id", "cadre"]
        extra_kwargs = {"relation": {"max_length": 50}}
