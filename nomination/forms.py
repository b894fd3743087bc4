"""Forms parse what the user typed; the services decide whether it is acceptable."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cadre.forms import Form
from cadre.models import Unit

from .models import NominationSource, RecommendationMeeting
from .selectors import second_entry_cadres

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MotionAgendaForm(Form):
    meeting_name = forms.CharField(label=_("会议名称"), max_length=200, help_text=_("如：县委常委会第 X 次会议"))
    meeting_date = forms.DateField(label=_("会议日期"), widget=DATE)
    item = forms.CharField(label=_("议题"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class NominationForm(Form):
    source = forms.ChoiceField(label=_("提名来源"), choices=NominationSource.choices)
    nominator = forms.CharField(label=_("提名人/提名单位"), max_length=100)
    reasons = forms.CharField(
        label=_("提名理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("领导干部个人提名必填"),
    )
    signed_by = forms.CharField(label=_("签名人"), required=False, max_length=50, help_text=_("领导干部个人提名必填"))
    signed_on = forms.DateField(label=_("签名日期"), required=False, widget=DATE, help_text=_("领导干部个人提名必填"))


class VotesMixin:
    """One integer field `votes_<cadre id>` per cadre on the ballot."""

    def add_vote_fields(self, cadres, *, required: bool):
        self.vote_fields = []
        for cadre in cadres:
            name = f"votes_{cadre.pk}"
            self.fields[name] = forms.IntegerField(
                label=_("%(name)s 得票") % {"name": cadre.name},
                required=required,
                min_value=0,
                widget=forms.NumberInput(attrs={"min": 0}),
            )
            self.vote_fields.append((cadre, name))

    def votes(self) -> dict[int, int]:
        return {
            cadre.pk: self.cleaned_data[name]
            for cadre, name in self.vote_fields
            if self.cleaned_data.get(name) is not None
        }

    def vote_boundfields(self):
        return [self[name] for _, name in self.vote_fields]


class RecommendationEntryForm(VotesMixin, Form):
    """First entry of a recommendation meeting; a blank vote box means the cadre was not on this ballot."""

    unit = forms.ModelChoiceField(label=_("推荐单位"), queryset=Unit.objects.all())
    kind = forms.ChoiceField(label=_("推荐方式"), choices=RecommendationMeeting.Kind.choices)
    held_on = forms.DateField(label=_("推荐日期"), widget=DATE)
    entitled = forms.IntegerField(label=_("应参加人数"), min_value=0)
    present = forms.IntegerField(label=_("实参加人数"), min_value=0)

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_vote_fields(cadres, required=False)


class TallyFileForm(Form):
    """A filled tally template (.xlsx); the service reads and checks it."""

    file = forms.FileField(label=_("填好的 Excel 文件"), help_text=_("请先下载模板，按纸质选票填写后上传"))


class RecommendationUploadForm(TallyFileForm):
    """First entry from Excel: what the sheet does not hold is chosen here, as in the typed form."""

    unit = forms.ModelChoiceField(label=_("推荐单位"), queryset=Unit.objects.all())
    kind = forms.ChoiceField(label=_("推荐方式"), choices=RecommendationMeeting.Kind.choices)
    held_on = forms.DateField(label=_("推荐日期"), widget=DATE)
    field_order = ["unit", "kind", "held_on", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="up", **kwargs)


class RecommendationConfirmForm(VotesMixin, Form):
    """Second, blind entry of the same meeting by another staff member: numbers only."""

    entitled = forms.IntegerField(label=_("应参加人数"), min_value=0)
    present = forms.IntegerField(label=_("实参加人数"), min_value=0)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, prefix=f"m{meeting.pk}", **kwargs)
        self.meeting = meeting
        self.add_vote_fields(second_entry_cadres(meeting=meeting), required=True)


class InspectionDecisionForm(Form):
    meeting_date = forms.DateField(label=_("部长办公会日期"), widget=DATE)
    reasons = forms.CharField(
        label=_("研究意见和理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("综合考虑推荐得票、年度考核和一贯表现，不简单以票取人"),
    )
    candidates = forms.ModelMultipleChoiceField(
        label=_("确定的考察对象"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].queryset = candidates
        self.fields["candidates"].label_from_instance = lambda c: f"{c.cadre.name}（{c.position}）"
