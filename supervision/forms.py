"""Forms parse what the user typed; the services decide whether it is acceptable."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Complaint

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PublicityForm(forms.Form):
    starts_on = forms.DateField(label=_("公示开始日期"), widget=DATE)
    ends_on = forms.DateField(
        label=_("公示结束日期"),
        widget=DATE,
        required=False,
        help_text=_("留空则按最少工作日自动计算；可以更长，不能更短（P1）"),
    )
    phone = forms.CharField(label=_("举报电话"), max_length=100)
    letter = forms.CharField(label=_("来信地址"), max_length=300)
    online = forms.CharField(label=_("网上举报地址"), max_length=300)


class ComplaintForm(forms.Form):
    received_on = forms.DateField(label=_("受理日期"), widget=DATE)
    channel = forms.ChoiceField(label=_("举报方式"), choices=Complaint.Channel.choices)
    real_name = forms.BooleanField(label=_("实名举报"), required=False)
    text = forms.CharField(label=_("举报内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    suspend = forms.BooleanField(
        label=_("调查核实期间暂缓任用"), required=False, help_text=_("仅任前公示阶段可选；将记入全程纪实")
    )


class ComplaintActionForm(forms.Form):
    complaint = forms.IntegerField(widget=forms.HiddenInput)


class ConcludeForm(ComplaintActionForm):
    substantiated = forms.BooleanField(label=_("反映问题属实"), required=False)
    conclusion = forms.CharField(label=_("核查结论"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    resume = forms.BooleanField(label=_("不属实，恢复公示"), required=False, help_text=_("人选处于暂缓状态时可选"))


class TalkForm(forms.Form):
    talked_on = forms.DateField(label=_("谈话日期"), widget=DATE)
    talked_by = forms.CharField(label=_("谈话人"), max_length=200, help_text=_("如：县委组织部部长 某某"))
    summary = forms.CharField(label=_("谈话要点"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class AppointmentForm(forms.Form):
    document_number = forms.CharField(label=_("任职文号"), max_length=100, help_text=_("如：县委干〔2026〕12号"))
    effective_on = forms.DateField(label=_("任职日期"), widget=DATE)
