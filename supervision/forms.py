"""Forms parse what the user typed; the services decide whether it is acceptable."""

import secrets

from django import forms
from django.contrib.auth.models import User
from django.core import signing
from django.utils.translation import gettext_lazy as _

from cadre import roles
from cadre.forms import Form
from cadre.people import person_name

from .models import Complaint
from .services import PUBLIC_TEXT_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PublicityForm(Form):
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
    issuer = forms.CharField(
        label=_("发布机关（落款）"), max_length=100, required=False, help_text=_("留空则用系统设置的发布机关")
    )


class ComplaintForm(Form):
    received_on = forms.DateField(label=_("受理日期"), widget=DATE)
    channel = forms.ChoiceField(label=_("举报方式"), choices=Complaint.Channel.choices)
    category = forms.ChoiceField(
        label=_("反映问题类别"), choices=Complaint.Category.choices, initial="other", required=False
    )
    real_name = forms.BooleanField(label=_("实名举报"), required=False)
    complainant_name = forms.CharField(label=_("举报人姓名"), max_length=50, required=False)
    complainant_phone = forms.CharField(label=_("举报人电话"), max_length=30, required=False)
    clear_lead = forms.BooleanField(label=_("线索清楚（写明了何人、何时、何事）"), required=False)
    text = forms.CharField(label=_("举报内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=PUBLIC_TEXT_MAX)
    suspend = forms.BooleanField(
        label=_("调查核实期间暂缓任用"), required=False, help_text=_("仅任前公示阶段可选；将记入全程纪实")
    )

    def clean_category(self):
        return self.cleaned_data["category"] or Complaint.Category.OTHER


class ComplaintActionForm(Form):
    complaint = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(ComplaintActionForm):
    investigator = forms.ModelChoiceField(label=_("承办人"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigator"].queryset = (
            User.objects.filter(is_active=True, groups__name__in=[roles.ORG_STAFF, roles.SUPERVISOR])
            .distinct()
            .order_by("username")
        )
        self.fields["investigator"].label_from_instance = person_name


class ConcludeForm(ComplaintActionForm):
    outcome = forms.ChoiceField(label=_("核查结果"), choices=Complaint.Outcome.choices, widget=forms.RadioSelect)
    conclusion = forms.CharField(label=_("核查结论"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    resume = forms.BooleanField(label=_("不属实，恢复公示"), required=False, help_text=_("人选处于暂缓状态时可选"))


class TalkForm(Form):
    talked_on = forms.DateField(label=_("谈话日期"), widget=DATE)
    talked_by = forms.CharField(label=_("谈话人"), max_length=200, help_text=_("如：县委组织部部长 某某"))
    summary = forms.CharField(label=_("谈话要点"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class AppointmentForm(Form):
    document_number = forms.CharField(label=_("任职文号"), max_length=100, help_text=_("如：县委干〔2026〕12号"))
    effective_on = forms.DateField(label=_("任职日期"), widget=DATE)


class AppointmentCorrectForm(forms.Form):
    """#11: a mistyped appointment date is corrected with a reason, recorded (old → new)."""

    new_date = forms.DateField(label=_("更正后的任职日期"), widget=DATE)
    reason = forms.CharField(
        label=_("更正理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,  # the service says what is missing (请填写更正理由), as the API does
        help_text=_("如：录入时误将任职文件的日期填错，以任职文件为准"),
    )


# ---------------------------------------------------------------------------- the public complaint form

CHALLENGE_SALT = "supervision.public-complaint.challenge"
CHALLENGE_MAX_AGE = 30 * 60  # seconds a question stays answerable


def new_challenge() -> tuple[str, str]:
    """A server-rendered sum (works without JavaScript, no CDN): the question and a signed,
    time-limited token holding the answer."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"answer": a + b, "nonce": secrets.token_hex(4)}, salt=CHALLENGE_SALT)
    return f"{a} + {b} = ?", token


def challenge_passed(token: str, answer) -> bool:
    try:
        data = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
        return int(str(answer).strip()) == data["answer"]
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        return False


class PublicComplaintForm(Form):
    """Anyone, no sign-in (S3). Real-name: both name and phone; anonymous: both blank."""

    category = forms.ChoiceField(label=_("反映问题类别"), choices=[("", "——请选择——"), *Complaint.Category.choices])
    text = forms.CharField(
        label=_("反映的问题"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": PUBLIC_TEXT_MAX}),
        max_length=PUBLIC_TEXT_MAX,
        help_text=_("请写明何人、何时、何地、何事，不超过 %(n)s 字") % {"n": PUBLIC_TEXT_MAX},
        error_messages={"max_length": _("举报内容不能超过 %(limit_value)s 个字符")},
    )
    clear_lead = forms.BooleanField(label=_("我反映的问题线索清楚（写明了何人、何时、何事）"), required=False)
    name = forms.CharField(label=_("姓名（实名举报时填写）"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话（实名举报时填写）"), max_length=30, required=False)
    answer = forms.CharField(label=_("验证题"), max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    token = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(  # a honeypot: hidden from people, filled by bots
        required=False,
        label=_("请勿填写此项"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("提交未通过校验，请刷新页面后重试"))
        if "answer" in data and not challenge_passed(data.get("token", ""), data["answer"]):
            self.add_error("answer", _("验证题答案不正确或已过期，请重新计算"))
        if bool((data.get("name") or "").strip()) != bool((data.get("phone") or "").strip()):
            self.add_error("phone", _("实名举报请同时填写姓名和联系电话；匿名举报两项都不填"))
        return data
