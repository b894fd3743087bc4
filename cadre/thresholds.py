"""Thresholds are data: defaults from the seeds, overridden by Threshold rows an admin edits.

Each key has a type that parses and validates the stored text. `snapshot()` reads every row in
one query so a transition evaluates all its rules against one consistent set of values, and the
record stores exactly that set.
"""

import json
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError


def _fraction(text: str) -> Fraction:
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise ValidationError(f"“{text}”不是有效的比例，请写成 2/3 或 0.5 的形式") from exc
    if not 0 <= value <= 1:
        raise ValidationError("比例必须在 0 到 1 之间")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError as exc:
        raise ValidationError(f"“{text}”不是整数") from exc
    if value < 0:
        raise ValidationError("取值不能为负数")
    return value


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError("不是有效的 JSON") from exc
    if not isinstance(value, dict):
        raise ValidationError("必须是 JSON 对象")
    return value


def _json_list(text: str) -> list:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError("不是有效的 JSON") from exc
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("必须是字符串组成的 JSON 数组")
    return value


def _education(text: str) -> dict:
    from .models import Education

    value = _json_object(text)
    bad = [v for v in value.values() if v not in Education.values]
    if bad:
        raise ValidationError(f"未知学历：{', '.join(map(str, bad))}")
    return value


@dataclass(frozen=True)
class Spec:
    rule: str
    default: str
    parse: object
    description: str


SPECS: dict[str, Spec] = {
    "N2.reference_ratio": Spec("N2", "3", _positive_int, "党政正职参考人选与职位之比（1:N）"),
    "N3.min_education": Spec(
        "N3",
        json.dumps({"*": "associate"}),
        _education,
        "新提拔干部最低学历（按职级，* 为默认）",
    ),
    "N4.failed_votes": Spec("N4", "2", _positive_int, "票决未通过达到此次数后不得再提名同一职位"),
    "N4.bar_days": Spec("N4", "365", _positive_int, "两次票决未通过后不得提名同一职位的期限（天）"),
    "R2.valid_days": Spec("R2", "365", _positive_int, "民主推荐结果有效期（天）"),
    "R3.min_share": Spec("R3", "1/2", _fraction, "本单位推荐得票率下限"),
    "E1.years": Spec("E1", "3", _positive_int, "年度考核回看年数"),
    "E2.min_good_share": Spec("E2", "2/3", _fraction, "民主测评优秀+称职票比例下限"),
    "E2.max_incompetent_share": Spec("E2", "1/3", _fraction, "民主测评不称职票比例上限"),
    "E7.years": Spec("E7", "1", _positive_int, "一票否决影响年数"),
    "V1.quorum": Spec("V1", "2/3", _fraction, "到会人数占应到会人数比例下限"),
    "V3.pass_share": Spec("V3", "1/2", _fraction, "赞成票须超过应到会人数的比例"),
    "V6.negative_share": Spec("V6", "1/3", _fraction, "反映问题集中的否定意见比例"),
    "V10.plenary_levels": Spec(
        "V10",
        json.dumps(["chief"]),
        _json_list,
        "由全委会表决的职位（chief 为党政正职，或职级代码如 section_chief），其余由常委会表决",
    ),
    "P1.working_days": Spec("P1", "5", _positive_int, "任前公示最少工作日"),
    "A2.probation_days": Spec("A2", "365", _positive_int, "试用期（天）"),
    # C1 (`004` 三(二); `002` #20): rotation 交流轮岗 by years in post, and its age exemption.
    "C1.key_post_years": Spec("C1", "5", _positive_int, "同一重点岗位任职满此年数须交流"),
    "C1.should_rotate_years": Spec("C1", "8", _positive_int, "同一职位任职满此年数应交流"),
    "C1.must_rotate_years": Spec("C1", "10", _positive_int, "同一职位任职满此年数必须交流"),
    "C1.exempt_age_male": Spec("C1", "58", _positive_int, "男性年满此岁数可不交流"),
    "C1.exempt_age_female": Spec("C1", "53", _positive_int, "女性年满此岁数可不交流"),
    # S3 (`001` 三(三)2): verification targets of complaints (supervision/0004 writes the rows).
    "S3.verified_share": Spec("S3", "0.95", _fraction, "举报查核率下限"),
    "S3.real_name_verified_share": Spec("S3", "1", _fraction, "实名举报查核率下限"),
    "S3.clear_lead_verified_share": Spec("S3", "1", _fraction, "线索清楚举报查核率下限"),
    # C2 (`004` 二(一)): structure targets of a unit's leadership team (supervision/annual.py reads
    # them; rows by cadre/0011). Ages are full years 周岁; "40周岁以下" includes 40 (以下含本数).
    "C2.chief_young_age": Spec("C2", "40", _positive_int, "正科职干部“40周岁以下”的年龄上限（周岁，含本数）"),
    "C2.chief_young_share": Spec("C2", "0.2", _fraction, "正科职干部中40周岁以下人员比例下限"),
    "C2.chief_around_age": Spec("C2", "35", _positive_int, "正科职干部“35周岁左右”的年龄"),
    "C2.chief_around_count": Spec("C2", "3", _positive_int, "正科职干部中35周岁左右人员最少人数"),
    "C2.deputy_around_age": Spec("C2", "30", _positive_int, "副科职干部“30周岁左右”的年龄"),
    "C2.deputy_around_share": Spec("C2", "0.3", _fraction, "副科职干部中30周岁左右人员比例下限"),
    "C2.around_years": Spec("C2", "2", _positive_int, "“左右”指上下相差不超过此岁数"),
    "C2.postgraduate_share": Spec("C2", "0.18", _fraction, "研究生以上学历比例下限（“18%左右”）"),
    "C2.bachelor_share": Spec("C2", "0.85", _fraction, "本科以上学历比例下限"),
    "C2.female_share": Spec("C2", "0", _fraction, "女干部比例下限（文件未定比例，0 为不设量化目标）"),
    "I3.procedures": Spec(
        "I3",
        json.dumps(["民主测评", "个别谈话", "查阅档案资料", "实地查看"], ensure_ascii=False),
        _json_list,
        "考察必经程序",
    ),
    "I4.categories": Spec(
        "I4",
        json.dumps(["单位领导班子成员", "中层干部", "代表/委员等相关人员", "考察对象本人"], ensure_ascii=False),
        _json_list,
        "必须覆盖的谈话对象类别",
    ),
    "I6.opinions": Spec("I6", json.dumps(["纪检"], ensure_ascii=False), _json_list, "必须征求意见的部门"),
}


def validate_value(key: str, text: str):
    spec = SPECS.get(key)
    if spec is None:
        raise ValidationError(f"未知的阈值：{key}")
    spec.parse(text)


class Snapshot:
    """The thresholds in force at one moment: parsed values plus their raw text for the record."""

    def __init__(self, raw: dict[str, str]):
        self.raw = {key: raw.get(key, spec.default) for key, spec in SPECS.items()}

    def __getitem__(self, key: str):
        return SPECS[key].parse(self.raw[key])

    def for_rules(self, rule_ids) -> dict[str, str]:
        wanted = set(rule_ids)
        return {key: value for key, value in self.raw.items() if SPECS[key].rule in wanted}


def snapshot() -> Snapshot:
    from .models import Threshold

    return Snapshot(dict(Threshold.objects.values_list("key", "value")))
