"""Forms of the inspection and deliberation pages. They parse and keep what the user typed;
the services decide, and `apply_errors` puts a service's InvalidInput next to the fields."""

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadre import roles
from cadre.forms import Form
from cadre.models import Cadre, Candidate
from cadre.people import person_name

from . import selectors
from .models import Comparison, ConsultationLevel, Factor, FactorGrade

REQUIRED = {"required": _("此项为必填项")}
DATE = {"required": _("此项为必填项"), "invalid": _("请输入有效的日期（YYYY-MM-DD）")}


def _date(label, required=True, **kwargs):
    return forms.DateField(
        label=label,
        required=required,
        error_messages=DATE,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


def _text(label, rows=3, required=True, **kwargs):
    return forms.CharField(
        label=label, required=required, error_messages=REQUIRED, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


def _choices(values):
    return [("", _("——请选择——"))] + [(v, v) for v in values]


class UserChoice(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, empty_label=_("——请选择——"), **kwargs)

    def label_from_instance(self, obj: User) -> str:
        return person_name(obj)  # people by name, not by login (#11)


class CadreChoice(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, empty_label=_("——不填——"), **kwargs)

    def label_from_instance(self, obj: Cadre) -> str:
        return f"{obj.name}（{obj.unit.name}）"


class CandidateChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Candidate) -> str:
        return f"{obj.cadre.name} → {obj.position}（{obj.get_stage_display()}）"


class CandidateChoice(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, empty_label=_("——请选择——"), **kwargs)

    def label_from_instance(self, obj: Candidate) -> str:
        return f"{obj.cadre.name}"


def member_users():
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=roles.INSPECTOR) | Q(groups__name=roles.ORG_STAFF))
        .distinct()
        .order_by("username")
    )


def cadre_queryset():
    return Cadre.objects.select_related("unit").order_by("name", "id")


# ---------------------------------------------------------------------------- selection-level


class NoticeForm(Form):
    published_on = _date(_("发布日期"))
    team_text = forms.CharField(
        label=_("考察组人员名单"), max_length=500, error_messages=REQUIRED, help_text=_("公开考察组组长和成员姓名")
    )
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, error_messages=REQUIRED)
    text = _text(_("预告内容"), rows=5, help_text=_("含考察对象基本情况、考察时间和反映情况的方式"))


class TeamForm(Form):
    name = forms.CharField(label=_("考察组名称"), max_length=100, error_messages=REQUIRED)
    leader = UserChoice(label=_("组长"), queryset=User.objects.none(), error_messages=REQUIRED)
    leader_cadre = CadreChoice(
        label=_("组长对应干部"),
        queryset=Cadre.objects.none(),
        required=False,
        help_text=_("用于回避审查（I9），可不填"),
    )
    starts_on = _date(_("考察开始日期"))
    ends_on = _date(_("考察结束日期"))
    place = forms.CharField(label=_("考察地点"), max_length=200, error_messages=REQUIRED)
    scope = forms.CharField(label=_("座谈范围"), max_length=500, error_messages=REQUIRED)
    forum_size = forms.IntegerField(
        label=_("座谈人数"),
        min_value=1,
        error_messages={**REQUIRED, "invalid": _("请输入整数"), "min_value": _("座谈人数须大于 0")},
    )
    candidates = CandidateChoices(
        label=_("考察对象"),
        queryset=Candidate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("至少选择一名考察对象"), "invalid_choice": _("所选人选无效")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = member_users()
        self.fields["leader_cadre"].queryset = cadre_queryset()
        self.fields["candidates"].queryset = candidates

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("结束日期不能早于开始日期"))
        return data


class MemberForm(Form):
    user = UserChoice(label=_("成员"), queryset=User.objects.none(), error_messages=REQUIRED)
    cadre = CadreChoice(
        label=_("对应干部"), queryset=Cadre.objects.none(), required=False, help_text=_("用于回避审查（I9），可不填")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = member_users()
        self.fields["cadre"].queryset = cadre_queryset()


class TeamCandidateForm(Form):
    candidate = CandidateChoice(label=_("考察对象"), queryset=Candidate.objects.none(), error_messages=REQUIRED)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = candidates


class ReportForm(Form):
    comparison = _text(_("对比分析"), rows=6, help_text=_("对该职位各考察对象进行对比分析"))
    recommendation = _text(_("使用建议"))
    recommended = CandidateChoice(label=_("建议人选"), queryset=Candidate.objects.none(), required=False)
    heard_on = _date(_("部长办公会听取汇报日期"), required=False)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommended"].queryset = candidates


class ComparisonForm(Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Comparison.ASPECTS:
            self.fields[name] = _text(str(Comparison._meta.get_field(name).verbose_name), rows=3)


# ---------------------------------------------------------------------------- candidate-level


class ProcedureForm(Form):
    name = forms.ChoiceField(label=_("程序"), error_messages={**REQUIRED, "invalid_choice": _("请从列表中选择")})
    done_on = _date(_("日期"))
    note = _text(_("情况说明"), rows=2, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].choices = _choices(selectors.procedure_choices())


class TalkForm(Form):
    interviewee = forms.CharField(label=_("谈话对象"), max_length=50, error_messages=REQUIRED)
    category = forms.ChoiceField(
        label=_("谈话对象类别"), error_messages={**REQUIRED, "invalid_choice": _("请从列表中选择")}
    )
    talked_on = _date(_("谈话日期"))
    summary = _text(_("谈话要点"), rows=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices(selectors.category_choices())


class FactorForm(Form):
    factor = forms.ChoiceField(
        label=_("要素"),
        choices=[("", _("——请选择——")), *Factor.choices],
        error_messages={**REQUIRED, "invalid_choice": _("请从列表中选择")},
    )
    grade = forms.ChoiceField(
        label=_("评价等次"),
        choices=[("", _("——请选择——")), *FactorGrade.choices],
        error_messages={**REQUIRED, "invalid_choice": _("请从列表中选择")},
    )
    text = _text(_("评价"), rows=3)


class FactorRowForm(FactorForm):
    """One factor's row of the inspection page: the factor is fixed by the row, grade and text are typed."""

    def __init__(self, *args, factor: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The row names the factor (the view passes it to the service); the field only echoes it.
        self.fields["factor"].widget = forms.HiddenInput()
        self.fields["factor"].required = False
        self.fields["factor"].initial = factor
        self.fields["text"].widget.attrs["rows"] = 2


class OpinionForm(Form):
    department = forms.ChoiceField(label=_("部门"), error_messages={**REQUIRED, "invalid_choice": _("请从列表中选择")})
    received_on = _date(_("回复日期"))
    opinion = _text(_("意见"), rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _choices(selectors.department_choices())


class AuditForm(Form):
    auditor = forms.CharField(label=_("审计机关"), max_length=100, error_messages=REQUIRED)
    concluded_on = _date(_("审计结论日期"))
    conclusion = _text(_("审计结论"), rows=3)


class ConsultationForm(Form):
    level = forms.ChoiceField(
        label=_("酝酿层面"),
        choices=[("", _("——请选择——")), *ConsultationLevel.choices],
        error_messages={**REQUIRED, "invalid_choice": _("请从列表中选择")},
    )
    held_on = _date(_("日期"))
    participants = forms.CharField(label=_("参加人员"), max_length=500, error_messages=REQUIRED)
    opinions = _text(_("酝酿意见"), rows=4)
    candidates = CandidateChoices(
        label=_("涉及人选"),
        queryset=Candidate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("至少选择一名人选"), "invalid_choice": _("所选人选无效")},
    )
    disagreement = forms.BooleanField(
        label=_("意见不一致或有重大分歧"), required=False, help_text=_("勾选后将作为重要情况记实（D3）")
    )
    disagreement_text = _text(_("分歧情况"), rows=3, required=False)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].queryset = candidates

    def clean(self):
        data = super().clean()
        if data.get("disagreement") and not (data.get("disagreement_text") or "").strip():
            self.add_error("disagreement_text", _("有重大分歧时须写明分歧情况"))
        return data
