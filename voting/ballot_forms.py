"""Forms of the online ballot pages (issue 7). They parse what the user typed; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cadre import roles
from cadre.people import person_name

from .models import BallotSession

CODES = {
    "label": _("投票码数量"),
    "min_value": 1,
    "max_value": 5000,
    "help_text": _("每名参加人一个，一次有效"),
    "widget": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
}


def _member_label(user) -> str:
    return person_name(user)


def committee_members():
    return (
        get_user_model()
        .objects.filter(groups__name=roles.COMMITTEE_MEMBER, is_active=True)
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DecisionSessionForm(_Form):
    title = forms.CharField(label=_("投票名称"), max_length=200)
    meeting = forms.TypedChoiceField(label=_("讨论决定会议"), coerce=int)
    body = forms.ChoiceField(
        label=_("表决机构"),
        required=False,
        choices=[("", _("按职位自动确定（V10）")), *BallotSession.Body.choices],
    )
    entitled = forms.TypedMultipleChoiceField(
        label=_("应到会成员"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("人数须与会议登记的应到会人数一致"),
    )

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [(m.pk, f"{m.held_on:%Y-%m-%d} {m.title}") for m in meetings]
        self.fields["entitled"].choices = [(u.pk, _member_label(u)) for u in committee_members()]


class RecommendationSessionForm(_Form):
    title = forms.CharField(label=_("投票名称"), max_length=200)
    positions = forms.TypedMultipleChoiceField(label=_("推荐职位"), coerce=int, widget=forms.CheckboxSelectMultiple)
    unit = forms.TypedChoiceField(
        label=_("推荐单位"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("召开推荐会议的单位，民主推荐结果记为该单位的推荐；不选则为所选职位所在单位"),
    )
    codes = forms.IntegerField(**CODES)

    def __init__(self, *args, positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["positions"].choices = [(p.pk, str(p)) for p in positions]
        units = {p.unit_id: p.unit for p in positions}
        self.fields["unit"].choices = [("", _("职位所在单位"))] + [(u.pk, u.name) for u in units.values()]


class EvaluationSessionForm(_Form):
    title = forms.CharField(label=_("投票名称"), max_length=200)
    cadres = forms.TypedMultipleChoiceField(label=_("测评对象"), coerce=int, widget=forms.CheckboxSelectMultiple)
    year = forms.IntegerField(label=_("测评年度"), min_value=2000, required=False, help_text=_("不填则为今年"))
    codes = forms.IntegerField(**CODES)

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].choices = [(c.pk, c.name) for c in cadres]


SESSION_FORMS = {
    BallotSession.Kind.DECISION: DecisionSessionForm,
    BallotSession.Kind.RECOMMENDATION: RecommendationSessionForm,
    BallotSession.Kind.EVALUATION: EvaluationSessionForm,
}


class PresentForm(_Form):
    present = forms.TypedMultipleChoiceField(
        label=_("实到会成员"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(u.pk, _member_label(u)) for u in members]


class CodeForm(_Form):
    code = forms.CharField(
        label=_("投票码"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "inputmode": "text"}
        ),
    )


class RecusalForm(_Form):
    """V8: staff record that a member recuses from one candidate's vote (kinships recuse by themselves)."""

    item = forms.TypedChoiceField(label=_("人选"), coerce=int)
    user = forms.TypedChoiceField(label=_("回避成员"), coerce=int)
    reason = forms.CharField(label=_("回避理由"), max_length=200)

    def __init__(self, *args, items=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.pk, f"{i.candidate.cadre.name}（{i.candidate.position}）") for i in items]
        self.fields["user"].choices = [(u.pk, _member_label(u)) for u in members]
