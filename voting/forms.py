"""Forms parse what the user typed; the services decide whether it is acceptable."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cadre.forms import Form

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COUNT = {"min_value": 0, "widget": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})}


class BriefForm(Form):
    recommendation = forms.CharField(label=_("推荐情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    evaluation = forms.CharField(label=_("考察评价"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    traits = forms.CharField(label=_("主要特点"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    shortcomings = forms.CharField(label=_("主要不足"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    reasons = forms.CharField(label=_("拟任理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class MeetingForm(Form):
    title = forms.CharField(label=_("会议名称"), max_length=200, help_text=_("如：县委常委会第 12 次会议"))
    held_on = forms.DateField(label=_("会议日期"), widget=DATE)
    entitled = forms.IntegerField(label=_("应到会人数"), help_text=_("有表决权的常委（委员）人数"), **COUNT)


class AgendaForm(Form):
    candidate = forms.TypedChoiceField(label=_("列入议题的人选"), coerce=int)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].choices = [
            (c.pk, f"{c.cadre.name} → {c.position}（{c.get_stage_display()}）") for c in candidates
        ]


class OpenForm(Form):
    present = forms.IntegerField(label=_("实到会人数"), **COUNT)


class ResultForm(Form):
    candidate = forms.IntegerField(widget=forms.HiddenInput, required=False)
    approve = forms.IntegerField(label=_("赞成"), **COUNT)
    disapprove = forms.IntegerField(label=_("不赞成"), **COUNT)
    abstain = forms.IntegerField(label=_("弃权"), **COUNT)
    recused = forms.IntegerField(
        label=_("回避人数"), initial=0, help_text=_("V8 与人选有亲属关系等应回避的成员"), **COUNT
    )


class CandidateChoiceForm(Form):
    """The candidate a meeting-page button acts on (withdraw an entry, 不予通过); none for a second vote."""

    candidate = forms.IntegerField(widget=forms.HiddenInput, required=False)
