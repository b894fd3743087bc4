"""The administrator's form for one threshold (admin → 规则阈值): a widget per kind of value, never
raw JSON (issue #11).

A threshold is stored as text (`Threshold.value`) and parsed by its `cadre.thresholds.SPECS` entry;
this module only decides how a person types it and turns what they chose back into that text, which
the spec's own parser then validates (the one check, shared with `Threshold.clean`):

- a count (`_positive_int`) → a number field, 0 or more;
- a share (`_fraction`) → a text field taking 2/3, 0.95 or 95%, kept as written (exact fractions);
- the minimum education per level (N3) → one choice of 学历 per level, 默认 required;
- the levels the plenary decides (V10) → check boxes of 党政正职 and the levels;
- a list of names (I3, I4, I6) → one name per line;
- a parser this module does not know → its text as stored.
"""

import json
from fractions import Fraction

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import thresholds
from .models import Education, Level, Threshold

COUNT, SHARE, EDUCATION, LEVELS, NAMES, TEXT = "count", "share", "education", "levels", "names", "text"

# V10: who decides which post; "chief" is the 党政正职 marker the rule reads besides the level codes.
CHIEF = "chief"
LEVEL_CHOICES = [(CHIEF, _("党政正职")), *Level.choices]
DEFAULT_LEVEL = "*"

# What the list shows instead of a description naming codes (the rows keep the migration's text).
DESCRIPTIONS = {
    "N3.min_education": _("新提拔干部最低学历（按职级，未单列的职级按默认）"),
    "V10.plenary_levels": _("由全委会表决的职位，其余由常委会表决"),
}


def kind_of(key: str) -> str:
    spec = thresholds.SPECS[key]
    if key == "V10.plenary_levels":
        return LEVELS
    return {
        thresholds._positive_int: COUNT,
        thresholds._fraction: SHARE,
        thresholds._education: EDUCATION,
        thresholds._json_list: NAMES,
    }.get(spec.parse, TEXT)  # a parser this form does not know: its text, checked by that parser


def description(threshold: Threshold) -> str:
    return str(DESCRIPTIONS.get(threshold.key, threshold.description))


def value_text(key: str, stored: str) -> str:
    """The stored value as a person reads it: 2/3, 大专（正科：大学本科）, 党政正职、正科 …"""
    try:
        value = thresholds.SPECS[key].parse(stored)
    except (KeyError, ValidationError):
        return stored
    kind = kind_of(key)
    if kind == EDUCATION:
        labels = dict(Education.choices)
        default = value.get(DEFAULT_LEVEL)
        parts = [str(_("默认：%(e)s") % {"e": labels.get(default, default)})] if default else []
        parts += [f"{Level(level).label}：{labels.get(e, e)}" for level, e in value.items() if level in Level.values]
        return "；".join(parts)
    if kind == LEVELS:
        labels = dict(LEVEL_CHOICES)
        return "、".join(str(labels.get(v, v)) for v in value) or str(_("无"))
    if kind == NAMES:
        return "、".join(value) or str(_("无"))
    return stored


def _share_text(text: str) -> str:
    """2/3, 0.95, 95% → the text the spec parses (a percentage becomes its exact fraction)."""
    text = text.strip().replace("％", "%").replace("／", "/")
    if text.endswith("%"):
        try:
            share = Fraction(text[:-1].strip()) / 100
        except (ValueError, ZeroDivisionError) as exc:
            raise ValidationError(_("“%(t)s”不是有效的百分比") % {"t": text}) from exc
        return str(share)
    return text


class EducationWidget(forms.MultiWidget):
    template_name = "cadre/widgets/threshold_education.html"  # in cadre/templates: the form renderer reads app dirs

    def __init__(self, attrs=None):
        choices = [("", _("（按默认）"))] + list(Education.choices)
        default_choices = list(Education.choices)
        widgets = {DEFAULT_LEVEL: forms.Select(choices=default_choices)}
        widgets.update({level: forms.Select(choices=choices) for level in Level.values})
        super().__init__(widgets, attrs)

    def decompress(self, value):
        value = value or {}
        return [value.get(DEFAULT_LEVEL, ""), *(value.get(level, "") for level in Level.values)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        labels = [_("默认（各职级）"), *(label for _v, label in Level.choices)]
        context["rows"] = list(zip(labels, context["widget"]["subwidgets"], strict=True))
        return context


class EducationField(forms.MultiValueField):
    widget = EducationWidget

    def __init__(self, **kwargs):
        fields = [forms.ChoiceField(choices=Education.choices)]
        fields += [forms.ChoiceField(choices=Education.choices, required=False) for _ in Level.values]
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return {}
        default, *per_level = data_list
        out = {DEFAULT_LEVEL: default} if default else {}
        out.update({level: e for level, e in zip(Level.values, per_level, strict=True) if e})
        return out


class ThresholdForm(forms.ModelForm):
    """One threshold's value; the field fits the kind of value (see the module's docstring)."""

    class Meta:
        model = Threshold
        fields = ["value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        key = self.instance.key
        if key not in thresholds.SPECS:
            return  # an unknown key keeps the text field; clean_value refuses it
        self.kind = kind_of(key)
        stored = self.instance.value or thresholds.SPECS[key].default
        try:
            parsed = thresholds.SPECS[key].parse(stored)
        except ValidationError:
            parsed = None
        label = description(self.instance)
        required = {"required": _("请填写取值")}
        if self.kind == COUNT:
            field = forms.IntegerField(
                label=label,
                min_value=0,
                error_messages={**required, "invalid": _("请填写整数"), "min_value": _("取值不能为负数")},
            )
            initial = parsed
        elif self.kind == SHARE:
            field = forms.CharField(
                label=label,
                max_length=50,
                error_messages=required,
                help_text=_("0 到 1 之间的比例，可写成 2/3、0.95 或 95%"),
            )
            initial = stored
        elif self.kind == EDUCATION:
            field = EducationField(label=label, error_messages={**required, "incomplete": _("请选择默认学历")})
            initial = parsed
        elif self.kind == LEVELS:
            field = forms.MultipleChoiceField(
                label=label,
                choices=LEVEL_CHOICES,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": _("“%(value)s”不是可选的职位类别")},
            )
            initial = parsed
        elif self.kind == NAMES:
            field = forms.CharField(
                label=label,
                widget=forms.Textarea(attrs={"rows": 5}),
                error_messages=required,
                help_text=_("每行一项"),
            )
            initial = "\n".join(parsed or [])
        else:
            field = forms.CharField(label=label, max_length=200, error_messages=required)
            initial = stored
        self.fields["value"] = field
        self.initial["value"] = initial

    def clean_value(self):
        key = self.instance.key
        value = self.cleaned_data["value"]
        kind = getattr(self, "kind", None)
        if kind == COUNT:
            text = str(value)
        elif kind == SHARE:
            text = _share_text(value)
        elif kind in (EDUCATION, LEVELS):
            text = json.dumps(value, ensure_ascii=False)
        elif kind == NAMES:
            names = [line.strip() for line in value.splitlines() if line.strip()]
            if len(set(names)) != len(names):
                raise ValidationError(_("有重复的项"))
            text = json.dumps(names, ensure_ascii=False)
        else:
            text = value
        if len(text) > Threshold._meta.get_field("value").max_length:
            raise ValidationError(_("取值太长"))
        thresholds.validate_value(key, text)  # the spec's own parser: the one check
        return text
