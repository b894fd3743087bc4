"""The record as people read it (S1, S4): one renderer for the candidate page, the supervisors'
screens and the archive PDF (A4).

`render_entry(entry)` turns a `RecordEntry` into plain data — a Chinese sentence (what happened, to
whom, by whom), a small table of (label, value) rows, the rules it ran with their Chinese names, the
values they saw and the thresholds in force, the time in Asia/Shanghai — and the raw JSON and hashes
for those who verify. Pure functions: no query once warm (rule names come from the registry, their
依据 from `cadre.citations`' cache, people's full names from `cadre.people`'s), no HTML (templates
escape every value; payloads hold public text).

Payload keys never reach the page: each has a Chinese label in `KEY_LABELS`; a key not listed reads
“其他信息”. Codes (stages, transitions, channels …) read as their Chinese names. cadre imports no stage
app: the few stage-app codes a payload holds without a `*_label` companion are listed here as text.
"""

import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from . import citations, people, rules
from .models import RecordKind, Stage
from .thresholds import SPECS

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNKNOWN_KEY = "其他信息"
SYSTEM = "系统"

TRANSITIONS = {
    "nominate": "提名",
    "recommend": "进入民主推荐",
    "inspect": "列为考察对象",
    "deliberate": "进入酝酿",
    "decide": "提交讨论决定",
    "publicize": "进入任前公示",
    "appoint": "任职",
    "eliminate": "未列入/落选",
    "withdraw": "撤回",
    "reject": "票决未通过",
    "suspend": "暂缓任用",
    "resume": "恢复公示",
    "send_back": "退回",
}

# Facts: what each `fact` of a FACT entry is, when its payload has no `label` (it always has one today).
FACTS = {
    "nomination": "初始提名",
    "recommendation": "民主推荐结果",
    "inspection_decision": "部长办公会确定考察对象",
    "inspection_notice": "发布考察预告",
    "inspection_team": "考察组",
    "inspection_team_member": "增加考察组成员",
    "inspection_procedure": "考察程序",
    "inspection_talk": "个别谈话",
    "factor_assessment": "考察要素评价",
    "department_opinion": "征求部门意见",
    "economic_audit": "任前经济责任审计",
    "inspection_report": "考察对比分析报告",
    "consultation": "酝酿",
    "comparison": "人选比较",
    "decision_agenda": "列入讨论决定会议议题",
    "decision_meeting_opened": "讨论决定会议召开",
    "decision_result": "讨论决定票决结果",
    "second_vote": "再次票决",
    "brief": "任职推荐材料",
    "ballot_session_created": "组织网上投票",
    "ballot_session_opened": "网上投票开始",
    "ballot_recusal": "票决回避",
    "ballot_result": "网上投票结果",
    "publicity": "发布任前公示",
    "publicity_closed": "公示期满",
    "publicity_overdue_complaint": "公示期满尚有举报未办结",
    "complaint_received": "受理举报",
    "complaint_assigned": "举报交办",
    "complaint_investigating": "举报转入调查核实",
    "complaint_concluded": "举报办结",
    "pre_appointment_talk": "任前谈话",
    "appointment_document": "登记任职文件",
    "appointment_date_corrected": "更正任职日期",
    "archive_pdf": "全程记实表归档",
}

# cadre_changed: which fact of the cadre changed.
CADRE_FACTS = {
    "cadre": "干部基本信息",
    "position": "现任职务",
    "assessment": "年度考核",
    "evaluation": "民主测评",
    "sanction": "处分/组织处理",
    "education_record": "学历学位",
    "resume_entry": "简历",
    "reward_punishment": "奖惩",
    "family_member": "家庭成员",
    "kinship": "亲属关系",
}
ACTIONS = {"create": "新增", "update": "修改", "delete": "删除"}

KEY_LABELS = {
    # who and what
    "candidate": "人选",
    "candidate_id": "人选",
    "candidates": "人选",
    "cadre": "干部",
    "cadre_name": "干部",
    "cadres": "干部",
    "selection": "选任工作",
    "selection_title": "选任工作",
    "position": "职位",
    "position_title": "拟任职务",
    "posts": "职位",
    "motion_reason": "动议理由",
    "reason": "理由",
    "reason_text": "理由说明",
    "reasons": "理由",
    "transition": "操作",
    "from": "原阶段",
    "to": "新阶段",
    "to_stage": "退回至",
    "stage": "所处阶段",
    "effects": "结果",
    "previous_position": "原任职务",
    "new_position": "新任职务",
    "appointed_candidate": "任职的人选",
    "summary": "摘要",
    "label": "事项",
    "text": "内容",
    "title": "名称",
    "name": "名称",
    "note": "备注",
    "category": "类别",
    "kind": "方式",
    "status": "状态",
    "action": "操作",
    "changes": "变更内容",
    "fact_id": "记录编号",
    "id": "编号",
    "user": "用户",
    "username": "用户",
    "role": "角色",
    "actor": "操作人",
    "actor_id": "操作人",
    # motion, nomination, recommendation
    "source": "提名来源",
    "nominator": "提名人或提名单位",
    "nominations": "提名",
    "signed_by": "签名人",
    "signed_on": "签名日期",
    "rule": "依据规则",
    "nomination": "提名编号",
    "meeting": "会议",
    "meeting_title": "会议",
    "meeting_date": "会议日期",
    "unit": "单位",
    "unit_name": "推荐单位",
    "held_on": "日期",
    "entitled": "应到人数",
    "present": "实到人数",
    "votes": "得票",
    "rank": "得票排名",
    "entered_by": "录入人",
    "confirmed_by": "核对确认人",
    "paper_evaluation": "纸质民主测评记录",
    "ballot_session": "网上投票场次",
    "bulletin_root": "计票公告根哈希",
    "approval_form_sha256": "票决时干部任免审批表的 SHA-256",
    "reserve_status": "后备干部状态",
    "decision": "决定编号",
    "decisions": "决定",
    "inspection_objects": "考察对象",
    "recommendation_dates": "推荐日期",
    "own_unit_results": "本单位推荐结果",
    "valid_since": "有效期起算",
    "reference_candidates": "参考人选",
    "ratio": "比例",
    "competitive": "差额选拔",
    "is_chief": "党政正职",
    "under_restructuring": "机构变动中",
    "secretary_transferring": "书记即将调动",
    "superior_approval": "上级组织部门批复",
    "agenda_items": "会议议题",
    "item": "议题",
    "items": "议题",
    "vacancies": "空缺",
    "quota": "职数",
    "holders": "在任人数",
    "pending": "待任人数",
    "vacant": "有空缺",
    "approvals_for_post": "批复",
    # eligibility (E1–E7) and the cadre's facts
    "assessments": "年度考核",
    "assessed": "已考核",
    "evaluation": "民主测评",
    "good": "优秀和称职票",
    "incompetent": "不称职票",
    "good_share": "优秀和称职票比例",
    "incompetent_share": "不称职票比例",
    "min_good_share": "优秀和称职票比例下限",
    "max_incompetent_share": "不称职票比例上限",
    "total": "合计",
    "active_sanctions": "影响期内的处分",
    "canvassing_finding": "有跑官要官、拉票行为",
    "veto_item_year": "一票否决年度",
    "personal_report_status": "个人有关事项报告",
    "has_spouse": "有配偶",
    "spouse_emigrated": "配偶已移居国（境）外",
    "children_emigrated": "子女均已移居国（境）外",
    "education": "学历",
    "failed_votes": "票决未通过次数",
    "since": "起始",
    "since_year": "起始年度",
    "year": "年度",
    "today": "当日",
    "date": "日期",
    "birth_date": "出生日期",
    "position_since": "任现职时间",
    "on": "日期",
    # inspection and deliberation
    "notice": "考察预告编号",
    "notices": "考察预告",
    "published_on": "发布日期",
    "published_at": "发布时间",
    "contact_phone": "联系电话",
    "team": "考察组",
    "members": "成员",
    "member": "成员",
    "leader": "组长",
    "added": "新增成员",
    "starts_on": "开始日期",
    "ends_on": "结束日期",
    "ends": "截止",
    "place": "地点",
    "scope": "范围",
    "forum_size": "座谈人数",
    "procedure": "程序编号",
    "done_on": "完成日期",
    "done": "已完成",
    "missing": "缺少",
    "missing_steps": "缺少的环节",
    "covered": "已覆盖",
    "talk": "谈话编号",
    "talked_on": "谈话日期",
    "talked_by": "谈话人",
    "factor": "考察要素",
    "politics": "思想政治素质",
    "ability": "工作能力水平",
    "integrity": "廉洁自律",
    "conduct": "群众基础和工作作风",
    "grade": "等次",
    "opinion_id": "意见编号",
    "department": "部门",
    "received_on": "收到日期",
    "opinion": "意见",
    "opinions": "意见",
    "on_file": "已存档",
    "audit": "审计编号",
    "audits": "审计",
    "requires_audit": "需任前审计",
    "auditor": "审计机关",
    "concluded_on": "结论日期",
    "conclusion": "结论",
    "report": "报告编号",
    "comparison": "比较",
    "recommended": "推荐人选",
    "heard_on": "听取汇报日期",
    "consultation": "酝酿编号",
    "level": "酝酿层次",
    "levels": "层次",
    "participants": "参加人员",
    "disagreement": "有重大分歧",
    "disagreements": "分歧记录",
    "important_records": "重要情况记录",
    "conflicted": "存在回避关系",
    "virtue_talent": "德才素质",
    "performance": "工作实绩",
    "potential": "发展潜力",
    "mass_base": "群众基础",
    "personality": "性格特点",
    "post_fit": "人岗相适",
    # decision and ballots
    "approve": "赞成票",
    "disapprove": "不赞成票",
    "abstain": "弃权票",
    "recused": "回避人数",
    "passed": "通过",
    "negative_concentrated": "反映问题集中",
    "fewer_than_half": "赞成票未过半数",
    "quorum": "到会比例要求",
    "quorum_met": "达到法定人数",
    "pass_share": "通过比例",
    "share": "得票率",
    "negative_share": "否定意见比例",
    "min_share": "得票率下限",
    "second_meeting": "再次票决会议",
    "second_session": "再次票决场次",
    "failed_vote_recorded": "已记录票决未通过",
    "session": "投票场次",
    "session_kind": "投票类别",
    "session_title": "投票名称",
    "body": "表决机构",
    "codes_issued": "发放投票码数",
    "ballots": "收回选票数",
    "results": "计票结果",
    "result": "结果",
    "brief": "任职推荐材料",
    "recommendation": "推荐情况",
    "traits": "主要特点",
    "shortcomings": "主要不足",
    "recorded_by": "记录人",
    "recorded_at": "记录时间",
    "eliminate": "未列入/落选",
    "withdraw": "撤回",
    # publicity, complaints, appointment
    "publicity": "公示编号",
    "working_days": "公示工作日数",
    "required_working_days": "规定最少工作日数",
    "required": "规定",
    "phone": "举报电话",
    "letter": "来信地址",
    "online": "网上举报",
    "notice_text": "公示内容",
    "issuer": "发布机关",
    "missing_channels": "缺少的举报渠道",
    "checked_on": "检查日期",
    "complaints_open": "未办结的举报",
    "complaints_substantiated": "经核查属实的举报",
    "complaints": "举报",
    "open": "未办结",
    "open_complaints": "未办结的举报",
    "complaint": "举报编号",
    "channel": "举报方式",
    "real_name": "实名举报",
    "clear_lead": "线索清楚",
    "public": "网上提交",
    "text_sha256": "举报内容 SHA-256",
    "investigator": "承办人编号",
    "investigator_name": "承办人",
    "outcome": "核查结果",
    "substantiated": "反映问题属实",
    "document_number": "任职文号",
    "effective_on": "任职日期",
    "promotion": "新提拔",
    "probation_days": "试用期（天）",
    "probation_ends_on": "试用期满",
    "old_effective_on": "原任职日期",
    "old_probation_ends_on": "原试用期满",
    "appointment": "任职文件",
    # the archive (A4)
    "archive": "归档编号",
    "sha256": "PDF 文件 SHA-256",
    "head_seq": "归档时末条序号",
    "head_hash": "归档时链头哈希",
    "checkpoint_root": "最近检查点根哈希",
    "checkpoint_at": "最近检查点时间",
    "size": "文件大小（字节）",
    "pages": "页数",
    # cadre_changed
    "fact": "变更项目",
}

# M1 (cadre.models.MotionReason), as text: no translation is needed to read them.
MOTION_REASONS = {
    "term_change": "换届",
    "restructuring": "机构改革",
    "vacancy": "职位空缺",
    "structure": "班子结构需要",
    "rotation": "交流轮岗/回避",
    "team_problem": "班子突出问题",
    "unfit": "不胜任/处分",
    "superior_request": "上级要求",
    "emergency": "应急处置",
    "other": "其他",
}

# Codes a payload keeps without a `*_label` companion, as their Chinese names.
CODE_LABELS = {
    "channel": {"letter": "来信来访", "phone": "电话", "online": "网络"},
    "level": {
        "minister_meeting": "部长办公会",
        "secretaries_meeting": "书记碰头会",
        "unit_leaders": "单位领导意见",
        "departments": "有关部门意见",
    },
    "body": {"standing": "常委会", "plenary": "全委会"},
    "session_kind": {"decision": "讨论决定票决", "recommendation": "会议推荐", "evaluation": "民主测评"},
    "kind": {"meeting": "会议推荐", "talk": "个别谈话推荐"},
    "outcome": {"substantiated": "属实", "partly": "部分属实", "unsubstantiated": "不属实"},
    # cadre.models.ReserveCadre.Status ("inspection" would otherwise read as the stage's code)
    "reserve_status": {"reserve": "后备", "inspection": "考察对象", "used": "已使用", "withdrawn": "已退出"},
    "motion_reason": MOTION_REASONS,
    "reason": MOTION_REASONS,
    "education": {
        "secondary": "中专及以下",
        "associate": "大专",
        "bachelor": "大学本科",
        "master": "硕士研究生",
        "doctor": "博士研究生",
    },
    "personal_report_status": {"unchecked": "未查核", "checked": "已查核无问题", "concealed": "查核发现隐瞒"},
    "grade": {
        "excellent": "优秀",
        "competent": "称职",
        "basically_competent": "基本称职",
        "incompetent": "不称职",
        "good": "良好",
        "fair": "一般",
        "poor": "较差",
    },
}
STAGE_KEYS = {"from", "to", "to_stage", "stage"}

# Posts' levels (cadre.models.Level; V10's "chief"), as keys of thresholds and as values.
LEVELS = {
    "dept_chief": "正处",
    "dept_deputy": "副处",
    "section_chief": "正科",
    "section_deputy": "副科",
    "staff": "股级",
    "chief": "党政正职",
    "*": "默认",
}
# Keys whose values are people's names (usernames): never read as codes.
PEOPLE_KEYS = {
    "entered_by",
    "confirmed_by",
    "members",
    "member",
    "leader",
    "added",
    "user",
    "username",
    "recorded_by",
    "updated_by",
    "talked_by",
    "investigator_name",
    "signed_by",
    "nominator",
    "participants",
    "cadre_name",
    "actor",
}
# Codes that mean one thing whatever key holds them (a key's own map above comes first).
VALUE_CODES = {
    **CODE_LABELS["education"],
    **CODE_LABELS["grade"],
    **CODE_LABELS["personal_report_status"],
    **CODE_LABELS["outcome"],
    **CODE_LABELS["channel"],
    **CODE_LABELS["level"],
    **{k: v for k, v in LEVELS.items() if k != "*"},
    **MOTION_REASONS,
    # N1: who may nominate (nomination.models.NominationSource)
    "plenary": "全委会",
    "standing": "常委会",
    "org_dept": "组织部门",
    "party_org": "基层党组织",
    "leader": "领导干部个人",
    "self": "个人自荐",
    # S3: complaint categories and statuses (supervision.models.Complaint)
    "canvassing_bribery": "拉票贿选",
    "buying_posts": "买官卖官",
    "seeking_posts": "跑官要官",
    "irregular_appointment": "违规用人",
    "election_interference": "干扰换届",
    "promoted_with_problems": "带病提拔",
    "rush_promotion": "突击提拔",
    "received": "已登记",
    "assigned": "已交办",
    "investigating": "调查核实中",
    "concluded": "已办结",
    # I5 factors
    "politics": "思想政治素质",
    "ability": "工作能力水平",
    "integrity": "廉洁自律",
    "conduct": "群众基础和工作作风",
}

# Keys shown elsewhere than the table (the sentence, the rules block) or never (internal markers).
HIDDEN = {"fact", "label", "rules", "thresholds", "violations", "overrides", "summary"}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


# ---------------------------------------------------------------------------- values


def stage_label(code) -> str:
    try:
        return str(Stage(code).label)
    except ValueError:
        return "未知阶段"


def transition_label(code) -> str:
    return TRANSITIONS.get(code, "操作")


def key_label(key: str) -> str:
    if key.isdigit():
        return key  # a year or a count by number, not a name
    return KEY_LABELS.get(key) or LEVELS.get(key) or UNKNOWN_KEY


def local_time(at: datetime) -> datetime:
    return at.astimezone(SHANGHAI)


def time_text(at: datetime) -> str:
    return local_time(at).strftime("%Y-%m-%d %H:%M:%S")


def date_text(value) -> str:
    if isinstance(value, datetime):
        return time_text(value)
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def value_text(value, key: str = "") -> str:
    """A payload value as a sentence would say it: 是/否, dates in Chinese, codes by their names,
    lists joined with 、, objects as “label：value” pairs. Never a payload key."""
    if _empty(value):
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in STAGE_KEYS and isinstance(value, str):
        return stage_label(value)
    if key == "transition" and isinstance(value, str):
        return transition_label(value)
    if key in CODE_LABELS and isinstance(value, str) and value in CODE_LABELS[key]:
        return CODE_LABELS[key][value]
    if key in LOGIN_KEYS and isinstance(value, str):
        return people.name_of_login(value)  # a login the record kept (also inside rules' inputs)
    if isinstance(value, str):
        if value in VALUE_CODES and key not in PEOPLE_KEYS:
            return VALUE_CODES[value]
        if DATE_RE.match(value):
            try:
                return date_text(date.fromisoformat(value))
            except ValueError:
                return value
        if DATETIME_RE.match(value):
            parsed = parse_datetime(value)
            if parsed is not None and parsed.tzinfo is not None:
                return time_text(parsed) + "（北京时间）"
        return value
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return "、".join(value_text(v, key) for v in value)
        return "；".join(value_text(v, key) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{key_label(k)}：{value_text(v, k)}" for k, v in _visible_items(value))
    return str(value)


# An id the table leaves out when the payload names the thing too.
ID_COMPANIONS = {
    "cadre": "cadre_name",
    "position": "position_title",
    "selection": "selection_title",
    "meeting": "meeting_title",
    "session": "session_title",
    "unit": "unit_name",
    "investigator": "investigator_name",
}


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _visible_items(payload: dict):
    """(key, value) pairs a table shows: `x_label` replaces `x`; an id named by its companion, empty
    values and HIDDEN keys (shown elsewhere) are left out."""
    for key, value in payload.items():
        if key in HIDDEN or key.endswith("_label") and key[: -len("_label")] in payload:
            continue
        if ID_COMPANIONS.get(key) in payload or _empty(value):
            continue
        if f"{key}_label" in payload:
            yield key, payload[f"{key}_label"]
        else:
            yield key, value


# Keys the sentence of a transition or send-back already says.
SAID = {"transition", "from", "to", "stage"}


def rows_of(payload: dict, *, kind: str = "") -> list[tuple[str, str]]:
    said = SAID if kind in (RecordKind.TRANSITION, RecordKind.SEND_BACK, RecordKind.REFUSED) else ()
    if kind == RecordKind.IMPORTANT:
        said = {"text", "category"}  # the sentence says them
    return [(key_label(key), value_text(value, key)) for key, value in _visible_items(payload) if key not in said]


# ---------------------------------------------------------------------------- rules and thresholds


def rules_of(payload: dict) -> list[dict]:
    """Each rule the entry ran: id, Chinese name, 依据, passed, the values it saw, its problems."""
    trace = payload.get("rules") or []
    if not isinstance(trace, list):
        return []
    registry = rules.registered()
    sources = citations.sources()
    problems: dict[str, list[str]] = {}
    for v in payload.get("violations") or []:
        if isinstance(v, dict):
            problems.setdefault(str(v.get("rule")), []).append(str(v.get("message", "")))
    out = []
    for ran in trace:
        if not isinstance(ran, dict):
            continue
        rule_id = str(ran.get("rule", ""))
        rule = registry.get(rule_id)
        inputs = ran.get("inputs") if isinstance(ran.get("inputs"), dict) else {}
        out.append(
            {
                "id": rule_id,
                "title": rule.title if rule else "规则",
                "source": sources.get(rule_id, ""),
                "soft": bool(rule and rule.soft),
                "passed": bool(ran.get("passed")),
                "inputs": [(key_label(k), value_text(v, k)) for k, v in inputs.items()],
                "problems": problems.get(rule_id, []),
            }
        )
    return out


def thresholds_of(payload: dict) -> list[dict]:
    thresholds = payload.get("thresholds")
    if not isinstance(thresholds, dict):
        return []
    out = []
    for key, value in thresholds.items():
        spec = SPECS.get(key)
        out.append(
            {
                "rule": spec.rule if spec else key.split(".", 1)[0],
                "label": spec.description if spec else "阈值",
                "value": _threshold_value(value),
            }
        )
    return out


def _threshold_value(value) -> str:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return value_text(json.loads(value), "education")
        except ValueError:
            return value
    return value_text(value)


def violations_of(payload: dict) -> list[dict]:
    out = []
    for v in payload.get("violations") or []:
        if isinstance(v, dict):
            rule_id = str(v.get("rule", ""))
            out.append(
                {
                    "rule": "阶段" if rule_id == "stage" else rule_id,
                    "message": str(v.get("message", "")),
                    "source": str(v.get("source", "")),
                    "overridable": bool(v.get("overridable")),
                }
            )
    return out


# ---------------------------------------------------------------------------- sentences


def actor_text(entry) -> str:
    """The actor by full name (the entry keeps the login, which its hash covers)."""
    name = entry.actor_name or ""
    if entry.actor_id is None or name == "system":
        return SYSTEM
    return people.name_of_login(name)


# Keys whose values the services write as logins (usernames); shown by the person's full name.
LOGIN_KEYS = {"entered_by", "confirmed_by", "members", "member", "leader", "added", "user", "username", "recorded_by"}


def _named(payload: dict) -> dict:
    """The payload with the logins of LOGIN_KEYS replaced by full names, for display only."""
    if not any(key in payload for key in LOGIN_KEYS):
        return payload
    out = dict(payload)
    for key in LOGIN_KEYS & payload.keys():
        value = payload[key]
        if isinstance(value, str):
            out[key] = people.name_of_login(value)
        elif isinstance(value, list):
            out[key] = [people.name_of_login(v) if isinstance(v, str) else v for v in value]
    return out


RULE_ID_SUFFIX = re.compile(r"（[A-Z][0-9]+[a-z]?(?:、[A-Z][0-9]+[a-z]?)*）$")


def fact_label(payload: dict) -> str:
    label = payload.get("label")
    if isinstance(label, str) and label.strip():
        # Entries written before #11 carry a rule id in the label ("全程记实表归档（A4）").
        return RULE_ID_SUFFIX.sub("", label.strip()) or label
    fact = payload.get("fact")
    if fact in FACTS:
        return FACTS[fact]
    if isinstance(fact, str) and fact and not fact.isascii():
        return fact  # a fact named in Chinese
    return "记实事项"


def sentence(entry, *, who: str = "") -> str:
    """What happened, to whom, by whom — one Chinese sentence."""
    p = _named(entry.payload) if isinstance(entry.payload, dict) else {}
    actor = actor_text(entry)
    whom = who or "人选"
    kind = entry.kind
    if kind == RecordKind.CREATED:
        post, selection = p.get("position_title", ""), p.get("selection_title", "")
        listed = gettext("列为%(position)s的人选（%(selection)s）") % {"position": post, "selection": selection}
        if not listed.startswith("列为"):  # the English catalog's wording (the page is in English)
            return f"{actor}: {listed}"
        return f"{actor}将{p.get('cadre_name') or whom}{listed}。"
    if kind == RecordKind.TRANSITION:
        label = transition_label(p.get("transition"))
        text = f"{actor}办理“{label}”：{whom}由“{stage_label(p.get('from'))}”进入“{stage_label(p.get('to'))}”。"
        if p.get("overrides"):
            text += f"越过柔性规则 {'、'.join(p['overrides'])}，理由已记为重要情况。"
        return text
    if kind == RecordKind.REFUSED:
        label = transition_label(p.get("transition"))
        n = len(p.get("violations") or [])
        return (
            f"{actor}申请对{whom}办理“{label}”，因 {n} 项规则未满足被拒绝（时处“{stage_label(p.get('stage'))}”阶段）。"
        )
    if kind == RecordKind.SEND_BACK:
        return f"{actor}将{whom}由“{stage_label(p.get('from'))}”退回“{stage_label(p.get('to'))}”。"
    if kind == RecordKind.IMPORTANT:
        label = p.get("category_label") or "重要情况"
        return f"{actor}记录重要情况（{label}）：{p.get('text', '')}"
    if kind == RecordKind.CADRE_CHANGED:
        summary = p.get("summary") or (
            f"{ACTIONS.get(p.get('action'), '变更')}{CADRE_FACTS.get(p.get('fact'), '干部信息')}"
        )
        return f"{actor}{summary}（{p.get('cadre_name') or whom}）。"
    if kind == RecordKind.FACT:
        return _fact_sentence(p, actor, whom)
    return f"{actor}记录了一条纪实事项。"


def _fact_sentence(p: dict, actor: str, whom: str) -> str:
    fact, label = p.get("fact"), fact_label(p)
    v = value_text
    if fact == "publicity":
        return (
            f"{actor}发布{whom}的任前公示：{v(p.get('starts_on'))}至{v(p.get('ends_on'))}，"
            f"共 {p.get('working_days')} 个工作日（规定不少于 {p.get('required_working_days')} 个）。"
        )
    if fact == "complaint_received":
        how = "实名" if p.get("real_name") else "匿名"
        channel = v(p.get("channel"), "channel")
        return f"{actor}{label}（第 {p.get('complaint')} 号，{how}，{channel}，{p.get('category_label', '')}）。"
    if fact == "complaint_assigned":
        return f"{actor}将第 {p.get('complaint')} 号举报交由{p.get('investigator_name', '')}调查核实。"
    if fact == "complaint_investigating":
        return f"第 {p.get('complaint')} 号举报转入调查核实，承办人{p.get('investigator_name', '')}（{actor}记录）。"
    if fact == "complaint_concluded":
        return (
            f"{actor}办结第 {p.get('complaint')} 号举报：{p.get('outcome_label') or v(p.get('outcome'), 'outcome')}。"
        )
    if fact == "decision_result":
        verdict = "通过" if p.get("passed") else "未通过"
        return (
            f"{actor}{label}：应到 {p.get('entitled')} 人，实到 {p.get('present')} 人，赞成 {p.get('approve')} 票、"
            f"不赞成 {p.get('disapprove')} 票、弃权 {p.get('abstain')} 票，{verdict}。"
        )
    if fact == "recommendation":
        return (
            f"{actor}记录{label}：{p.get('unit_name', '')}{p.get('kind_label', '')}，实到 {p.get('present')} 人，"
            f"{whom}得 {p.get('votes')} 票，排名第 {p.get('rank')}。"
        )
    if fact == "nomination":
        return f"{actor}记录初始提名：由{p.get('nominator', '')}（{p.get('source_label', '')}）提名{whom}。"
    if fact == "pre_appointment_talk":
        return f"{actor}记录任前谈话：{v(p.get('talked_on'))}由{p.get('talked_by', '')}谈话。"
    if fact == "appointment_document":
        return f"{actor}登记任职文件 {p.get('document_number', '')}，任职日期{v(p.get('effective_on'))}。"
    if fact == "appointment_date_corrected":
        return (
            f"{actor}更正任职文件 {p.get('document_number', '')} 的任职日期：{v(p.get('old_effective_on'))} → "
            f"{v(p.get('effective_on'))}，理由：{p.get('reason', '')}。"
        )
    if fact == "archive_pdf":
        return f"{actor}将{whom}的全程记实表归档（PDF，SHA-256 {str(p.get('sha256', ''))[:16]}…）。"
    if fact in ("publicity_closed", "publicity_overdue_complaint"):
        return f"{actor}检查：{label}。"
    return f"{actor}记录：{label}。"


# ---------------------------------------------------------------------------- the entry


def render_entry(entry, *, who: str = "") -> dict:
    """Everything a page or the PDF shows of one entry, as plain text (templates escape it)."""
    stored = entry.payload if isinstance(entry.payload, dict) else {}
    payload = _named(stored)
    at = local_time(entry.at)
    kind = entry.kind
    rows = rows_of(payload, kind=kind)
    if kind == RecordKind.CADRE_CHANGED:
        rows = _cadre_changed_rows(payload)
    return {
        "seq": entry.seq,
        "kind": kind,
        "kind_label": str(RecordKind(kind).label) if kind in RecordKind.values else "记实事项",
        "fact_label": fact_label(payload) if kind == RecordKind.FACT else "",
        "actor": actor_text(entry),
        "at": at,
        "at_iso": at.isoformat(),
        "at_text": at.strftime("%Y-%m-%d %H:%M:%S"),
        "sentence": sentence(entry, who=who),
        "rows": rows,
        "rules": rules_of(payload),
        "thresholds": thresholds_of(payload),
        "violations": violations_of(payload),
        "overrides": [(str(rule), str(why)) for rule, why in (payload.get("overrides") or {}).items()]
        if isinstance(payload.get("overrides"), dict)
        else [],
        "important": kind == RecordKind.IMPORTANT or bool(payload.get("overrides")),
        "refused": kind == RecordKind.REFUSED,
        "raw": json.dumps(stored, ensure_ascii=False, indent=2, sort_keys=True, default=str),
        "hash": entry.hash,
        "prev_hash": entry.prev_hash,
    }


def _cadre_changed_rows(payload: dict) -> list[tuple[str, str]]:
    """A change of the cadre's facts: each field by its Chinese name, old → new."""
    rows = [
        ("干部", str(payload.get("cadre_name") or "")),
        ("变更项目", CADRE_FACTS.get(payload.get("fact"), "干部信息")),
        ("操作", ACTIONS.get(payload.get("action"), "变更")),
    ]
    changes = payload.get("changes")
    if isinstance(changes, dict):
        for field, pair in changes.items():
            label = _field_label(payload.get("fact"), field)
            if isinstance(pair, list) and len(pair) == 2:
                rows.append((label, f"{value_text(pair[0], field)} → {value_text(pair[1], field)}"))
            else:
                rows.append((label, value_text(pair, field)))
    for key in ("reason", "on"):
        if payload.get(key):
            rows.append((key_label(key), value_text(payload[key], key)))
    return rows


def _field_label(fact, field: str) -> str:
    """The verbose name of a cadre's field (in Chinese), else the label map."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist
    from django.utils import translation

    model_names = {
        "cadre": "Cadre",
        "position": "Cadre",
        "assessment": "Assessment",
        "evaluation": "Evaluation",
        "sanction": "Sanction",
        "education_record": "EducationRecord",
        "resume_entry": "ResumeEntry",
        "reward_punishment": "RewardPunishment",
        "family_member": "FamilyMember",
        "kinship": "Kinship",
    }
    name = model_names.get(fact)
    if name:
        try:
            with translation.override("zh-hans"):
                return str(apps.get_model("cadre", name)._meta.get_field(field).verbose_name)
        except (LookupError, FieldDoesNotExist):
            pass
    return key_label(field)


def what_label(entry) -> str:
    """The entry's kind in a word or two: the transition (提名), the fact (初始提名), else its kind."""
    p = entry.payload if isinstance(entry.payload, dict) else {}
    if entry.kind in (RecordKind.TRANSITION, RecordKind.REFUSED) and p.get("transition"):
        label = transition_label(p["transition"])
        return label if entry.kind == RecordKind.TRANSITION else f"{label}（被拒绝）"
    if entry.kind == RecordKind.FACT:
        return fact_label(p)
    return str(RecordKind(entry.kind).label) if entry.kind in RecordKind.values else "记实事项"


def entry_title(entry, *, cadre_name: str = "") -> str:
    """第2号选任 · 人选张三 · 第3条 · 提名 — how the admin and lists name one entry."""
    candidate = entry.candidate
    name = cadre_name or candidate.cadre.name
    return f"第{candidate.selection_id}号选任 · 人选{name} · 第{entry.seq}条 · {what_label(entry)}"


def render_entries(entries, *, who: str = "") -> list[dict]:
    """`entries`: RecordEntry objects, or the candidate page's timeline items ({"entry": …})."""
    out = []
    for item in entries:
        entry = item["entry"] if isinstance(item, dict) else item
        out.append(render_entry(entry, who=who))
    return out
