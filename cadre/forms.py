"""Forms of the staff workspace. They parse and keep what the user typed; the services decide.

Every rule lives in the service; `apply_errors` puts a service's InvalidInput next to the fields.
"""

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from .errors import Conflict, InvalidInput, NotAllowed, TransitionRefused
from .models import FORWARD, Assessment, Cadre, Evaluation, MotionReason, Position, Sanction, Stage
from .people import person_name
from .services import IMPORTANT_CATEGORIES, TRANSITION_LABELS, TRANSITIONS, record_pending_refusal

REQUIRED = {"required": _("此项为必填项")}


def apply_errors(form: forms.Form, errors: dict) -> None:
    """Show a service's field → messages next to the fields (unknown fields at the top)."""
    for name, messages in errors.items():
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(name if name in form.fields else None, str(message))


def _refusal_text(violation) -> str:
    """A refusal on a page names the rule (a badge-like prefix), except the state machine's own."""
    return violation.message if violation.rule == "stage" else f"{violation.rule} {violation.message}"


def call_service(form: forms.Form, service, **kwargs):
    """Run a service for a valid form; on refusal put the reasons on the form.

    Returns (result, HTTP status): the status a page answers with when it re-renders the form.
    """
    try:
        return service(**kwargs), 200
    except InvalidInput as exc:
        apply_errors(form, exc.errors)
        return None, 400
    except TransitionRefused as exc:
        record_pending_refusal(exc)
        for violation in exc.violations:
            form.add_error(None, _refusal_text(violation))
        return None, 409
    except Conflict as exc:
        if exc.errors:  # a refusal that names fields (a double entry's mismatch, a duplicate)
            apply_errors(form, exc.errors)
            return None, 409
        for violation in exc.violations:
            form.add_error(None, _refusal_text(violation))
        return None, 409
    except NotAllowed as exc:
        form.add_error(None, exc.message)
        return None, 403


class Form(forms.Form):
    """The workspace's form base: labels carry no ASCII colon (Django's default suffix) after Chinese."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PositionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Position) -> str:
        values = {"unit": obj.unit.name, "title": obj.title, "level": obj.get_level_display(), "quota": obj.quota}
        if not hasattr(obj, "n_holders"):
            return _("%(unit)s %(title)s（%(level)s，职数 %(quota)s）") % values
        vacant = max(obj.quota - obj.n_holders - obj.n_pending, 0)
        return _("%(unit)s %(title)s（%(level)s，职数 %(quota)s，空缺 %(vacant)s）") % {**values, "vacant": vacant}


class SelectionForm(Form):
    title = forms.CharField(label=_("名称"), max_length=200, error_messages={"required": _("请填写选任工作名称")})
    reason = forms.ChoiceField(label=_("动议理由"), choices=MotionReason.choices, error_messages=REQUIRED)
    reason_text = forms.CharField(
        label=_("理由说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("理由为“其他”时必填")
    )
    competitive = forms.BooleanField(label=_("差额选拔"), required=False, initial=True)
    single_candidate_reason = forms.CharField(
        label=_("等额理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("等额选拔时必填")
    )
    superior_approval = forms.CharField(
        label=_("上级组织部门批复"), required=False, max_length=200, help_text=_("机构变动或书记即将调动时须填写")
    )
    positions = PositionChoice(
        label=_("职位"), queryset=Position.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, positions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["positions"].queryset = positions


class CadreChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cadre) -> str:
        return f"{obj.name}（{obj.unit.name}）"


class SinglePositionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Position) -> str:
        return f"{obj.unit.name} {obj.title}"


class CandidateAddForm(Form):
    cadre = CadreChoice(label=_("干部"), queryset=Cadre.objects.none(), error_messages=REQUIRED)
    position = SinglePositionChoice(label=_("职位"), queryset=Position.objects.none(), error_messages=REQUIRED)

    def __init__(self, *args, cadres, positions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self.fields["position"].queryset = positions


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return person_name(obj)


class AssignForm(Form):
    """Another organization staff member to work on the selection too (e.g. the second entry of R1)."""

    user = UserChoice(
        label=_("组工干部"),
        queryset=User.objects.none(),
        empty_label=_("——请选择——"),
        error_messages={**REQUIRED, "invalid_choice": _("请从列表中选择组工干部")},
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


TRANSITION_CHOICES = [(t, _(TRANSITION_LABELS[t])) for t in TRANSITIONS]


class CohortMoveForm(Form):
    candidates = forms.TypedMultipleChoiceField(
        label=_("人选"), coerce=int, error_messages={"required": _("请至少勾选一名人选")}
    )
    transition = forms.ChoiceField(label=_("操作"), choices=TRANSITION_CHOICES, error_messages=REQUIRED)
    reason = forms.CharField(label=_("理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidate_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].choices = [(pk, pk) for pk in candidate_ids]


class TransitionForm(Form):
    """One transition from the candidate page; `override_<RULE>` fields carry override reasons."""

    transition = forms.ChoiceField(choices=TRANSITION_CHOICES, error_messages=REQUIRED)
    reason = forms.CharField(required=False, max_length=2000)

    def overrides(self, data) -> list[dict]:
        return [
            {"rule": key.removeprefix("override_"), "reason": value.strip()}
            for key, value in data.items()
            if key.startswith("override_") and value.strip()
        ]


class SendBackForm(Form):
    to_stage = forms.ChoiceField(label=_("退回到"), choices=(), error_messages=REQUIRED)
    reason = forms.CharField(
        label=_("退回理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("退回必须写明理由")},
    )

    def __init__(self, *args, stage: str, **kwargs):
        super().__init__(*args, **kwargs)
        earlier = FORWARD[: FORWARD.index(stage)] if stage in FORWARD else []
        self.fields["to_stage"].choices = [(s.value, s.label) for s in map(Stage, earlier)]


class ImportantForm(Form):
    category = forms.ChoiceField(
        label=_("类别"),
        choices=[(k, _(v)) for k, v in IMPORTANT_CATEGORIES.items() if k != "override"],
        error_messages=REQUIRED,
    )
    text = forms.CharField(
        label=_("情况（时间、起因）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请写明重要情况")},
    )
    outcome = forms.CharField(
        label=_("处理结果"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


# ---------------------------------------------------------------------------- a cadre's facts


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class _ModelForm(forms.ModelForm):
    """A cadre form: field types and labels from the model; uniqueness and the rest are the service's."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def validate_unique(self):
        pass  # the service says "该年度已有…记录" in its own words

    def changes(self) -> dict:
        """The fields the user changed, as the service takes them."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


CADRE_BASIC_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "id_number",
    "birth_date",
    "native_place",
    "birthplace",
    "hometown",
    "health",
    "education",
    "professional_title",
    "specialty",
    "party_date",
    "work_start_date",
    "unit",
    "rank_since",
]
CADRE_FLAG_FIELDS = [
    "has_spouse",
    "spouse_emigrated",
    "children_emigrated",
    "canvassing_finding",
    "veto_item_year",
    "personal_report_status",
]


class CadreEditForm(_ModelForm):
    """Basic facts and the eligibility flags (E3 E4 E6 E7); the post is changed apart, with a reason."""

    class Meta:
        model = Cadre
        fields = CADRE_BASIC_FIELDS + CADRE_FLAG_FIELDS
        widgets = {name: DateInput() for name in ("birth_date", "party_date", "work_start_date", "rank_since")}

    def basic_fields(self):
        return [self[name] for name in CADRE_BASIC_FIELDS]

    def flag_fields(self):
        return [self[name] for name in CADRE_FLAG_FIELDS]


class PositionChangeForm(Form):
    """职务变动 outside a selection (M3 is checked by the service)."""

    position = SinglePositionChoice(
        label=_("新任职务"),
        queryset=Position.objects.none(),
        required=False,
        empty_label=_("——免去现职，暂无职务——"),
    )
    on = forms.DateField(label=_("变动日期"), widget=DateInput(), error_messages=REQUIRED)
    reason = forms.CharField(
        label=_("变动理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("职务变动必须写明理由")},
    )

    def __init__(self, *args, positions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = positions


class AssessmentForm(_ModelForm):
    class Meta:
        model = Assessment
        fields = ["year", "grade"]


class EvaluationForm(_ModelForm):
    class Meta:
        model = Evaluation
        fields = ["year", "excellent", "competent", "basically_competent", "incompetent"]


class SanctionForm(_ModelForm):
    class Meta:
        model = Sanction
        fields = ["kind", "starts_on", "influence_ends_on"]
        widgets = {"starts_on": DateInput(), "influence_ends_on": DateInput()}


# URL segment -> (model, form) of the facts the cadre page lists, adds, edits and deletes.
CADRE_FACT_FORMS = {
    "assessments": (Assessment, AssessmentForm),
    "evaluations": (Evaluation, EvaluationForm),
    "sanctions": (Sanction, SanctionForm),
}
