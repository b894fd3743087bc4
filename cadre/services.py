"""Writes. Every state change of the spine is one function here: keyword-only, one transaction,
the permission check, and its record entry in the same transaction."""

import copy
import dataclasses
import functools
import time
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from django_fsm import ConcurrentTransition, can_proceed
from guardian.shortcuts import assign_perm

from . import effects, reserve, roles, rules
from .access import ensure_can_work
from .checkpoint import checkpoint_sign
from .cleaning import clean_text
from .errors import Conflict, InvalidInput, NotAllowed, TransitionRefused, Violation
from .models import (
    FORWARD,
    OPEN_STAGES,
    Assessment,
    Cadre,
    Candidate,
    EducationRecord,
    Evaluation,
    FailedVote,
    FamilyMember,
    Kinship,
    MotionReason,
    Position,
    RecordCheckpoint,
    RecordKind,
    RecordVerification,
    ResumeEntry,
    RewardPunishment,
    Sanction,
    Selection,
    Stage,
)
from .record import record_append, verify
from .selectors import can_edit_cadre, can_work_on, position_occupancy
from .thresholds import snapshot

TRANSITIONS = (
    "nominate",
    "recommend",
    "inspect",
    "deliberate",
    "decide",
    "publicize",
    "appoint",
    "eliminate",
    "withdraw",
    "reject",
    "suspend",
    "resume",
)
# Transitions that end or pause a candidacy need a written reason in the record.
NEEDS_REASON = {"eliminate", "withdraw", "reject", "suspend", "resume"}
TRANSITION_LABELS = {
    "nominate": gettext_noop("提名"),
    "recommend": gettext_noop("进入民主推荐"),
    "inspect": gettext_noop("列为考察对象"),
    "deliberate": gettext_noop("进入酝酿"),
    "decide": gettext_noop("提交讨论决定"),
    "publicize": gettext_noop("进入任前公示"),
    "appoint": gettext_noop("任职"),
    "eliminate": gettext_noop("未列入/落选"),
    "withdraw": gettext_noop("撤回"),
    "reject": gettext_noop("票决未通过"),
    "suspend": gettext_noop("暂缓任用"),
    "resume": gettext_noop("恢复公示"),
}


# ---------------------------------------------------------------------------- selections


@transaction.atomic
def selection_create(
    *,
    actor: User,
    title: str,
    reason: str,
    reason_text: str = "",
    positions: list[Position],
    competitive: bool = True,
    single_candidate_reason: str = "",
    superior_approval: str = "",
) -> Selection:
    if not roles.has_role(actor, roles.ORG_STAFF):
        raise NotAllowed("只有组工干部可以发起选任工作")
    errors: dict[str, list[str]] = {}
    if reason not in MotionReason.values:
        errors["reason"] = ["M1 动议理由必须是规定的理由之一"]
    elif reason == MotionReason.OTHER and not (reason_text or "").strip():
        errors["reason_text"] = ["M1 动议理由为“其他”时必须写明具体理由"]
    if not positions:
        errors["positions"] = ["至少选择一个职位"]
    if not competitive and not (single_candidate_reason or "").strip():
        errors["single_candidate_reason"] = ["等额选拔须写明只有一名合适人选的理由"]
    if errors:
        raise InvalidInput(errors)
    full = [(p, position_occupancy(position=p)) for p in positions]
    full = [(p, o) for p, o in full if not o["vacant"]]
    if full:
        posts = "；".join(
            f"{p}（职数 {o['quota']} 名，在任 {o['holders']} 名，待任 {o['pending']} 名）" for p, o in full
        )
        raise rules.refusal("M3", "以下职位没有空缺，不能动议（不得超职数配备）：" + posts)
    selection = Selection.objects.create(
        title=clean_text(title, field="title", max_length=200),
        reason=reason,
        reason_text=clean_text(reason_text, field="reason_text", required=False),
        competitive=competitive,
        single_candidate_reason=clean_text(single_candidate_reason, field="single_candidate_reason", required=False),
        superior_approval=clean_text(superior_approval, field="superior_approval", required=False, max_length=200),
        created_by=actor,
    )
    selection.positions.set(positions)
    assign_perm(roles.WORK_ON_SELECTION, actor, selection)
    return selection


# One answer for an id that does not exist, an inactive account and one without the role (issue
# #10): the caller learns nothing about other users' ids or roles. `GET users/` is where those who
# may assign learn them.
ASSIGN_REFUSED = "用户不存在或不能被指派为承办人（须为启用的组工干部账号）"


@transaction.atomic
def selection_assign(*, actor: User, selection: Selection, user: User | None) -> None:
    """An admin or an assigned staff member assigns another staff member to a selection."""
    if not (roles.has_role(actor, roles.ADMIN) or can_work_on(user=actor, selection=selection)):
        raise NotAllowed("只有管理员或承办人可以分配承办人")
    if user is None or not user.is_active or not roles.has_role(user, roles.ORG_STAFF):
        raise InvalidInput({"user": [ASSIGN_REFUSED]})
    assign_perm(roles.WORK_ON_SELECTION, user, selection)


@transaction.atomic
def candidate_create(*, actor: User, selection: Selection, position: Position, cadre: Cadre) -> Candidate:
    ensure_can_work(actor, selection)
    if not selection.positions.filter(pk=position.pk).exists():
        raise InvalidInput({"position": ["该职位不在此选任工作的职位中"]})
    if cadre.position_id == position.pk:  # the post's own holder: nothing to select (a lateral move is warned)
        raise InvalidInput({"cadre": [f"{cadre.name}现任{position}，不能作为该职位的人选"]})
    try:
        with transaction.atomic():
            candidate = Candidate.objects.create(selection=selection, position=position, cadre=cadre)
    except IntegrityError as exc:
        # A once-only fact that exists (一人一表): the procedure's 409 S1, shown next to the cadre field.
        raise rules.refusal("S1", "该干部已是此职位的人选", field="cadre") from exc
    record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.CREATED,
        payload={
            "selection": selection.pk,
            "selection_title": selection.title,
            "motion_reason": selection.reason,
            "position": position.pk,
            "position_title": str(position),
            "cadre": cadre.pk,
            "cadre_name": cadre.name,
        },
    )
    return candidate


# ---------------------------------------------------------------------------- transitions


def _lock_candidate(candidate_id) -> Candidate:
    """Lock the candidate's row, then its position's, always in this order: two candidates for one
    post moving at once (M3 counts the post's holders and pending appointments) take turns."""
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("selection", "position", "cadre")
        .get(pk=candidate_id)
    )
    list(Position.objects.select_for_update().filter(pk=candidate.position_id).values_list("pk"))
    return candidate


def _check_overrides(overrides: list[dict], evaluation: rules.Evaluation) -> dict[str, str]:
    """Overrides name soft rules that actually failed, each with a written reason."""
    violated = {v.rule: v for v in evaluation.violations}
    accepted: dict[str, str] = {}
    for override in overrides:
        rule_id = override.get("rule") if isinstance(override, dict) else None
        reason = clean_text(override.get("reason") if isinstance(override, dict) else None, field="override")
        violation = violated.get(rule_id)
        if violation is None:
            raise InvalidInput({"override": [f"规则 {rule_id} 此次并未违反，无需越过"]})
        if not violation.overridable:
            raise InvalidInput({"override": [f"规则 {rule_id} 是刚性规则，不能越过"]})
        accepted[rule_id] = reason
    return accepted


def candidate_check(*, candidate: Candidate, transition: str, thresholds=None) -> rules.Evaluation:
    """What `candidate_transition` would say now, writing nothing.

    A page checking several transitions passes one `thresholds` snapshot to all of them.
    """
    if transition not in TRANSITIONS:
        raise InvalidInput({"transition": [f"未知的操作：{transition}"]})
    evaluation = rules.evaluate(candidate, transition, thresholds=thresholds or snapshot())
    if not can_proceed(getattr(candidate, transition)):
        evaluation.violations.insert(0, _wrong_stage(candidate, transition))
    return evaluation


def _wrong_stage(candidate: Candidate, transition: str) -> Violation:
    stage = Stage(candidate.stage).label
    return Violation("stage", f"人选当前处于“{stage}”阶段，不能{TRANSITION_LABELS[transition]}", "状态机", False)


def _outermost() -> bool:
    """Whether no transaction of the caller's is open (a test case's own transaction aside): a
    refusal recorded inside the caller's transaction would roll back with it."""
    return all(getattr(block, "_from_testcase", False) for block in transaction.get_connection().atomic_blocks)


def _append_refusal(*, candidate: Candidate, actor: User, payload: dict) -> None:
    record_append(candidate=candidate, actor=actor, kind=RecordKind.REFUSED, payload=payload)


def record_pending_refusal(exc: TransitionRefused) -> None:
    """Write a refusal that a transition inside another service's transaction could not write
    (that transaction rolled back). Call after the transaction has ended; twice does nothing."""
    pending, exc.pending = exc.pending, None
    if pending is None or not _outermost():
        exc.pending = pending
        return
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update(of=("self",)).get(pk=pending["candidate_id"])
        actor = User.objects.filter(pk=pending["actor_id"]).first()
        _append_refusal(candidate=candidate, actor=actor, payload=pending["payload"])


def records_refusals(service):
    """For a service that runs `candidate_transition` inside its own transaction: the service's
    writes roll back on a refusal, and the refusal entry is written after, in its own transaction."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return service(*args, **kwargs)
        except TransitionRefused as exc:
            record_pending_refusal(exc)
            raise

    return wrapper


def _after_transition(candidate: Candidate, transition: str, actor: User) -> dict:
    """Effects that belong to the spine; returns what the record should say about them."""
    said = {}
    moved = reserve.follow_transition(
        cadre_id=candidate.cadre_id, transition=transition, actor=actor, candidate_label=f"{candidate.selection}"
    )
    if moved:
        said["reserve_status"] = moved
    if transition == "inspect":
        candidate.inspected_at = timezone.now()
    if transition == "reject":
        FailedVote.objects.create(
            cadre=candidate.cadre, position=candidate.position, candidate=candidate, voted_on=timezone.localdate()
        )
    if transition == "appoint":
        # A3: the cadre now holds the post; M3 was checked under the row lock just before.
        cadre = candidate.cadre
        before = copy.copy(cadre)
        previous = cadre.position_id
        cadre.position = candidate.position
        cadre.position_since = timezone.localdate()
        cadre.save(update_fields=["position", "position_since"])
        _record_appointment_elsewhere(actor=actor, candidate=candidate, before=before)
        return {**said, "previous_position": previous, "new_position": candidate.position_id}
    return said


def _record_appointment_elsewhere(*, actor: User, candidate: Candidate, before: Cadre) -> None:
    """A3 changes the cadre's post: the cadre's other open candidacies record it too. Their rows
    are locked without waiting (this transaction already holds the appointed candidate's row, and
    a cadre edit locks all of them in pk order): someone busy with one of them means try again."""
    cadre = candidate.cadre
    try:
        others = list(
            Candidate.objects.select_for_update(of=("self",), nowait=True)
            .filter(cadre_id=cadre.pk, stage__in=OPEN_STAGES)
            .exclude(pk=candidate.pk)
            .order_by("pk")
        )
    except DatabaseError as exc:
        raise Conflict("该干部的其他人选正被他人处理，请稍后重试") from exc
    changes, words = _diff(before, cadre, POST_FIELDS)
    _record_change(
        actor=actor,
        candidates=others,
        cadre=cadre,
        fact="position",
        action="update",
        changes=changes,
        summary=f"任职（A3）：{'；'.join(words)}（{candidate.selection.title}）",
        appointed_candidate=candidate.pk,
    )


def candidate_transition(
    *,
    actor: User,
    candidate_id: int,
    transition: str,
    overrides: list[dict] | None = None,
    reason: str = "",
) -> Candidate:
    """Move a candidate. Checks permission and every registered rule; records the outcome.

    A refusal (a failing rule or a wrong stage) is recorded too: who tried what, which rules
    refused. Called on its own, the refusal entry commits and TransitionRefused is raised after;
    inside another service's transaction it would roll back with that transaction, so it travels
    on the exception (`pending`) and `records_refusals` / `record_pending_refusal` write it after.
    """
    if transition not in TRANSITIONS:
        raise InvalidInput({"transition": [f"未知的操作：{transition}"]})
    if not isinstance(overrides, list | type(None)):
        raise InvalidInput({"override": ["格式错误"]})
    outermost = _outermost()
    refused: list[Violation] = []
    pending = None
    with transaction.atomic():
        try:
            candidate = _lock_candidate(candidate_id)
        except (Candidate.DoesNotExist, ValueError, TypeError) as exc:
            raise InvalidInput({"candidate": ["人选不存在"]}) from exc
        ensure_can_work(actor, candidate.selection)
        reason = clean_text(reason, field="reason", required=transition in NEEDS_REASON)
        if not can_proceed(getattr(candidate, transition)):
            # Often someone else moved the candidate first: the refusal says so, and is recorded.
            wrong = _wrong_stage(candidate, transition)
            refused = [dataclasses.replace(wrong, message=wrong.message + "（可能已被他人处理，请刷新后重试）")]
            grounds = {}
        else:
            evaluation = rules.evaluate(candidate, transition, thresholds=snapshot())
            accepted = _check_overrides(overrides or [], evaluation)
            refused = [v for v in evaluation.violations if v.rule not in accepted]
            grounds = {"rules": evaluation.trace, "thresholds": evaluation.thresholds}
        if refused:
            payload = {
                "transition": transition,
                "stage": candidate.stage,
                "violations": [v.as_dict() for v in refused],
                **grounds,
            }
            if outermost:
                _append_refusal(candidate=candidate, actor=actor, payload=payload)
            else:
                pending = {"candidate_id": candidate.pk, "actor_id": actor.pk, "payload": payload}
        else:
            from_stage = candidate.stage
            getattr(candidate, transition)()
            candidate.stage_changed_at = timezone.now()
            said = _after_transition(candidate, transition, actor)
            try:
                candidate.save()
            except ConcurrentTransition as exc:
                raise Conflict("人选已被他人处理，请刷新后重试") from exc
            effects.run(transition=transition, candidate=candidate, actor=actor)
            record_append(
                candidate=candidate,
                actor=actor,
                kind=RecordKind.TRANSITION,
                payload={
                    "transition": transition,
                    "from": from_stage,
                    "to": candidate.stage,
                    "reason": reason,
                    "overrides": accepted,
                    "effects": said,
                    **grounds,
                },
            )
            for rule_id, why in accepted.items():
                violation = next(v for v in evaluation.violations if v.rule == rule_id)
                record_important(
                    actor=actor,
                    candidate=candidate,
                    category="override",
                    text=f"越过规则 {rule_id}（{violation.message}）：{why}",
                )
    if refused:
        raise TransitionRefused(refused, pending=pending)
    return candidate


def candidate_send_back(*, actor: User, candidate_id: int, to_stage: str, reason: str) -> Candidate:
    """退回: back to an earlier stage with a written reason; the way forward re-checks every rule.

    The rules registered for "send_back" run first (V9: a decision of the committee is not undone
    by sending the candidate back); a refusal is recorded like a refused transition.
    """
    outermost = _outermost()
    refused: list[Violation] = []
    pending = None
    with transaction.atomic():
        try:
            candidate = _lock_candidate(candidate_id)
        except (Candidate.DoesNotExist, ValueError, TypeError) as exc:
            raise InvalidInput({"candidate": ["人选不存在"]}) from exc
        ensure_can_work(actor, candidate.selection)
        reason = clean_text(reason, field="reason")
        if candidate.stage not in FORWARD[1:-1]:
            raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，不能退回")
        if to_stage not in FORWARD or FORWARD.index(to_stage) >= FORWARD.index(candidate.stage):
            raise InvalidInput({"to_stage": ["只能退回到更早的阶段"]})
        evaluation = rules.evaluate(candidate, "send_back", thresholds=snapshot())
        refused = evaluation.violations
        if refused:
            payload = {
                "transition": "send_back",
                "stage": candidate.stage,
                "to": to_stage,
                "reason": reason,
                "violations": [v.as_dict() for v in refused],
                "rules": evaluation.trace,
                "thresholds": evaluation.thresholds,
            }
            if outermost:
                _append_refusal(candidate=candidate, actor=actor, payload=payload)
            else:
                pending = {"candidate_id": candidate.pk, "actor_id": actor.pk, "payload": payload}
        else:
            from_stage = candidate.stage
            candidate.send_back(to_stage)
            candidate.stage_changed_at = timezone.now()
            if FORWARD.index(to_stage) < FORWARD.index(Stage.INSPECTION):
                candidate.inspected_at = None
            try:
                candidate.save()
            except ConcurrentTransition as exc:
                raise Conflict("人选已被他人处理，请刷新后重试") from exc
            record_append(
                candidate=candidate,
                actor=actor,
                kind=RecordKind.SEND_BACK,
                payload={
                    "transition": "send_back",
                    "from": from_stage,
                    "to": to_stage,
                    "reason": reason,
                    "rules": evaluation.trace,
                    "thresholds": evaluation.thresholds,
                },
            )
    if refused:
        raise TransitionRefused(refused, pending=pending)
    return candidate


# ---------------------------------------------------------------------------- important situations


IMPORTANT_CATEGORIES = {
    "override": gettext_noop("越过柔性规则"),
    "disagreement": gettext_noop("酝酿中有较大分歧"),
    "complaint": gettext_noop("收到举报"),
    "other": gettext_noop("其他重要情况"),
}


def record_important(*, actor: User, candidate: Candidate, category: str, text: str, outcome: str = ""):
    """S2: an important situation with time, cause and outcome. Call inside the caller's transaction."""
    if category not in IMPORTANT_CATEGORIES:
        raise InvalidInput({"category": ["未知的重要情况类别"]})
    return record_append(
        candidate=candidate,
        actor=actor,
        kind=RecordKind.IMPORTANT,
        payload={
            "category": category,
            "category_label": IMPORTANT_CATEGORIES[category],
            "text": clean_text(text, field="text"),
            "outcome": clean_text(outcome, field="outcome", required=False),
        },
    )


@transaction.atomic
def candidate_record_important(*, actor: User, candidate_id: int, category: str, text: str, outcome: str = ""):
    candidate = _lock_candidate(candidate_id)
    ensure_can_work(actor, candidate.selection)
    return record_important(actor=actor, candidate=candidate, category=category, text=text, outcome=outcome)


# ---------------------------------------------------------------------------- users


@transaction.atomic
def user_create(
    *, username: str, password: str, role_names: list[str], email: str = "", last_name: str = "", first_name: str = ""
) -> User:
    """`last_name` 姓 and `first_name` 名: pages show people by them (`cadre.people.person_name`)."""
    unknown = [r for r in role_names if r not in roles.ROLES]
    if unknown:
        raise InvalidInput({"role": [f"未知角色：{', '.join(unknown)}（可选：{', '.join(roles.ROLES)}）"]})
    if User.objects.filter(username=username).exists():
        raise InvalidInput({"username": [f"用户名 {username} 已存在"]})
    user = User.objects.create_user(
        username=username, password=password, email=email, last_name=last_name, first_name=first_name
    )
    if roles.ADMIN in role_names:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.set(Group.objects.filter(name__in=role_names))
    return user


# ---------------------------------------------------------------------------- master data


def _ensure_admin(actor):
    if not roles.has_role(actor, roles.ADMIN):
        raise NotAllowed("只有管理员可以维护单位和职位")


def ensure_cadre_writer(actor):
    if not roles.can_write_cadres(actor):
        raise NotAllowed("只有组工干部和管理员可以维护干部信息")


def _save(instance, fields=None):
    """full_clean then save, translating model validation into InvalidInput."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidInput(exc.message_dict) from exc
    instance.save(update_fields=fields or None)
    return instance


@transaction.atomic
def unit_create(*, actor: User, **fields):
    from .models import Unit

    _ensure_admin(actor)
    return _save(Unit(**fields))


@transaction.atomic
def position_create(*, actor: User, **fields) -> Position:
    _ensure_admin(actor)
    return _save(Position(**fields))


# Cadre facts change only through the services below. Each checks `can_edit_cadre`, validates, and
# when the cadre is a candidate in an open selection appends a `cadre_changed` entry, saying what
# changed from what to what, to the record of EACH such candidate (locked first, in pk order).

# The current post changes only by appointment (A3, candidate_transition) or cadre_change_position.
POST_FIELDS = ("position", "position_since")
POST_READ_ONLY = "现任职务只能通过任职（A3）或记录在案的职务变动变更，不能直接修改"
CADRE_FIELDS = tuple(
    f.name for f in Cadre._meta.concrete_fields if f.editable and not f.primary_key and f.name not in POST_FIELDS
)
# The facts of a cadre kept in their own rows: model -> (record name, the fields a service may set).
CADRE_FACTS = {
    Assessment: ("assessment", ("year", "grade")),
    Evaluation: ("evaluation", ("year", "excellent", "competent", "basically_competent", "incompetent")),
    Sanction: ("sanction", ("kind", "starts_on", "influence_ends_on")),
    EducationRecord: ("education_record", ("full_time", "degree_level", "degree", "school")),
    ResumeEntry: ("resume_entry", ("starts", "ends", "description")),
    RewardPunishment: ("reward_punishment", ("on", "text")),
    FamilyMember: ("family_member", ("relation", "name", "birth_date", "political_status", "work")),
    Kinship: ("kinship", ("relative", "relation")),
}
# The fields cadre_errors checks.
CADRE_DATE_FIELDS = ("birth_date", "party_date", "work_start_date", "rank_since", "position_since", "veto_item_year")
MIN_YEAR = 1950
MAX_VOTES = 100000
ACTION_LABELS = {"create": "新增", "update": "修改", "delete": "删除"}


def _ensure_can_edit(actor, cadre: Cadre):
    ensure_cadre_writer(actor)
    if not can_edit_cadre(user=actor, cadre=cadre):
        raise NotAllowed("该干部是正在进行的选任工作的人选，只有承办该选任工作的组工干部和管理员可以修改其信息")


def _lock_open_candidates(cadre_ids) -> list[Candidate]:
    """Lock the open candidacies of these cadres, in pk order (transitions lock a candidate first too)."""
    ids = Candidate.objects.filter(cadre_id__in=cadre_ids, stage__in=OPEN_STAGES).values_list("pk", flat=True)
    locked = Candidate.objects.select_for_update(of=("self",)).filter(pk__in=sorted(set(ids))).order_by("pk")
    return [c for c in locked if c.stage in OPEN_STAGES]


def _plain(value):
    """A field value as the record holds it: str, int, bool or None (dates as ISO text, files by name)."""
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        raise TypeError("纪实记录不保存浮点数")
    return value


def _value(instance, name):
    return _plain(instance._meta.get_field(name).value_from_object(instance))


def _shown(instance, name) -> str:
    """A field value as a person reads it (in Chinese, whatever the request's language)."""
    field = instance._meta.get_field(name)
    value = field.value_from_object(instance)
    if value is None or value == "":
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return str(getattr(instance, name))
    return str(_plain(value))


def _label(model, name) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _diff(before, after, names) -> tuple[dict, list[str]]:
    """{field: [old, new]} of the fields that changed, and the same in words."""
    changes, words = {}, []
    with translation.override("zh-hans"):
        for name in names:
            old = _value(before, name) if before is not None else None
            new = _value(after, name) if after is not None else None
            if old == new:
                continue
            changes[name] = [old, new]
            model = type(after if after is not None else before)
            if before is None or after is None:
                words.append(f"{_label(model, name)} {_shown(after if before is None else before, name)}")
            else:
                words.append(f"{_label(model, name)} {_shown(before, name)} → {_shown(after, name)}")
    return changes, words


def _record_change(*, actor, candidates, cadre, fact: str, action: str, changes: dict, summary: str, **extra):
    payload = {
        "cadre": cadre.pk,
        "cadre_name": cadre.name,
        "fact": fact,
        "action": action,
        "changes": changes,
        "summary": summary,
        **extra,
    }
    for candidate in candidates:
        record_append(candidate=candidate, actor=actor, kind=RecordKind.CADRE_CHANGED, payload=payload)


def cadre_errors(values: dict) -> dict[str, list[str]]:
    """What is wrong with a cadre's dates and years (`values`: field -> value); writes nothing.

    The services refuse with these; the admin's form shows them before anything is saved.
    """
    today = timezone.localdate()
    birth = values.get("birth_date")
    errors: dict[str, list[str]] = {}
    if birth and birth > today:
        errors["birth_date"] = ["出生日期不能晚于今天"]
    elif birth and birth.year < 1930:
        errors["birth_date"] = ["出生日期不合理"]
    for field, label in (
        ("party_date", "入党时间"),
        ("work_start_date", "参加工作时间"),
        ("rank_since", "任现职级时间"),
        ("position_since", "任现职时间"),
    ):
        value = values.get(field)
        if value and value > today:
            errors[field] = [f"{label}不能晚于今天"]
        elif value and birth and value <= birth:
            errors[field] = [f"{label}必须晚于出生日期"]
    veto = values.get("veto_item_year")
    if veto is not None and not (MIN_YEAR <= veto <= today.year):
        errors["veto_item_year"] = ["一票否决年度不合理"]
    return errors


def _check_fields(fields: dict, allowed) -> None:
    if any(name in fields for name in POST_FIELDS):
        raise InvalidInput({name: [POST_READ_ONLY] for name in POST_FIELDS if name in fields})
    unknown = [name for name in fields if name not in allowed]
    if unknown:
        raise InvalidInput({name: ["不能修改此项"] for name in unknown})


def _validate_cadre(cadre: Cadre) -> None:
    errors = cadre_errors({name: getattr(cadre, name) for name in CADRE_DATE_FIELDS})
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def cadre_create(*, actor: User, **fields) -> Cadre:
    """A new cadre (no post: that is cadre_change_position's, recorded). No record yet: no candidacy."""
    ensure_cadre_writer(actor)
    _check_fields(fields, CADRE_FIELDS)
    cadre = Cadre(**fields)
    _validate_cadre(cadre)
    return _save(cadre)


@transaction.atomic
def cadre_update(*, actor: User, cadre: Cadre, **fields) -> Cadre:
    """Basic facts and the eligibility flags (canvassing_finding, veto_item_year,
    personal_report_status, has_spouse, spouse/children emigrated) of one cadre."""
    ensure_cadre_writer(actor)
    _check_fields(fields, CADRE_FIELDS)
    candidates = _lock_open_candidates([cadre.pk])
    cadre = Cadre.objects.select_for_update(of=("self",)).get(pk=cadre.pk)
    _ensure_can_edit(actor, cadre)
    before = copy.copy(cadre)
    for name, value in fields.items():
        setattr(cadre, name, value)
    changes, words = _diff(before, cadre, fields)
    if not changes:
        return cadre
    _validate_cadre(cadre)
    _save(cadre, fields=list(changes))
    _record_change(
        actor=actor,
        candidates=candidates,
        cadre=cadre,
        fact="cadre",
        action="update",
        changes=changes,
        summary="修改干部信息：" + "；".join(words),
    )
    return cadre


@transaction.atomic
def cadre_change_position(*, actor: User, cadre_id: int, position_id: int | None, reason: str, on: date) -> Cadre:
    """职务变动 outside a selection: the cadre takes post `position_id` (None: leaves the current
    one) on date `on`, for a written reason. M3: the new post needs a vacancy (holders plus
    pending appointments below the quota); refused with Conflict(rule="M3"), nothing written."""
    ensure_cadre_writer(actor)
    candidates = _lock_open_candidates([cadre_id])
    position = None
    if position_id is not None:
        position = (
            Position.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=position_id).first()
        )
        if position is None:
            raise InvalidInput({"position": ["职位不存在"]})
    cadre = Cadre.objects.select_for_update(of=("self",)).filter(pk=cadre_id).first()
    if cadre is None:
        raise InvalidInput({"cadre": ["干部不存在"]})
    _ensure_can_edit(actor, cadre)
    reason = clean_text(reason, field="reason")
    if not isinstance(on, date):
        raise InvalidInput({"on": ["请填写任职日期"]})
    if position_id == cadre.position_id:
        raise InvalidInput({"position": ["该干部已任此职务" if position else "该干部目前没有职务"]})
    errors = cadre_errors({"birth_date": cadre.birth_date, "position_since": on})
    if errors:
        raise InvalidInput({"on": errors["position_since"]})
    if position is not None:
        occupancy = position_occupancy(position=position)
        if not occupancy["vacant"]:
            raise rules.refusal(
                "M3",
                f"{position}职数 {occupancy['quota']} 名，现有 {occupancy['holders']} 名在任、"
                f"{occupancy['pending']} 名待任，没有空缺，不得超职数配备",
            )
    before = copy.copy(cadre)
    cadre.position = position
    cadre.position_since = on if position is not None else None
    changes, words = _diff(before, cadre, POST_FIELDS)
    cadre.save(update_fields=list(POST_FIELDS))
    _record_change(
        actor=actor,
        candidates=candidates,
        cadre=cadre,
        fact="position",
        action="update",
        changes=changes,
        summary=f"职务变动：{'；'.join(words)}（理由：{reason}）",
        reason=reason,
        on=on.isoformat(),
    )
    return cadre


def cadre_fact_errors(fact) -> dict[str, list[str]]:
    """What is wrong with one fact row (years, dates, one a year); writes nothing."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if isinstance(fact, Assessment | Evaluation):
        with translation.override("zh-hans"):
            label = str(fact._meta.verbose_name)
        if fact.year is not None and fact.year > today.year:
            errors["year"] = ["年度不能晚于今年"]
        elif fact.year is not None and fact.year < MIN_YEAR:
            errors["year"] = ["年度不合理"]
        elif (
            fact.year is not None
            and type(fact).objects.filter(cadre_id=fact.cadre_id, year=fact.year).exclude(pk=fact.pk).exists()
        ):
            errors["year"] = [f"{fact.year} 年度已有{label}记录"]
    if isinstance(fact, Evaluation):
        for name in CADRE_FACTS[Evaluation][1][1:]:
            if (getattr(fact, name) or 0) > MAX_VOTES:
                errors[name] = [f"票数不能超过 {MAX_VOTES}"]
    if isinstance(fact, Sanction):
        if fact.starts_on and fact.starts_on > today:
            errors["starts_on"] = ["处分开始日期不能晚于今天"]
        if fact.starts_on and fact.influence_ends_on and fact.influence_ends_on < fact.starts_on:
            errors["influence_ends_on"] = ["影响期截止日期不能早于开始日期"]
    if isinstance(fact, ResumeEntry) and fact.starts and fact.ends and fact.ends < fact.starts:
        errors["ends"] = ["截止日期不能早于起始日期"]
    if isinstance(fact, Kinship) and fact.relative_id is not None and fact.relative_id == fact.cadre_id:
        errors["relative"] = ["亲属不能是干部本人"]
    return errors


def _fact_kind(model):
    if model not in CADRE_FACTS:
        raise InvalidInput({"fact": ["未知的干部信息类别"]})
    return CADRE_FACTS[model]


def _cadres_of(fact) -> list[int]:
    """The cadres a fact concerns: its cadre, and for a kinship the relative too (recusal, I9/V8)."""
    ids = [fact.cadre_id]
    if isinstance(fact, Kinship) and fact.relative_id:
        ids.append(fact.relative_id)
    return ids


def _lock_for_fact(actor, fact, *also, check: bool = True) -> list[Candidate]:
    """Lock the open candidacies of every cadre the fact concerns, then check the actor may edit each."""
    cadre_ids = sorted({*_cadres_of(fact), *also})
    candidates = _lock_open_candidates(cadre_ids)
    if check:
        for cadre in Cadre.objects.filter(pk__in=cadre_ids).order_by("pk"):
            _ensure_can_edit(actor, cadre)
    return candidates


def _save_fact(fact, fields=None):
    errors = cadre_fact_errors(fact)
    if errors:
        raise InvalidInput(errors)
    try:
        with transaction.atomic():
            return _save(fact, fields)
    except IntegrityError as exc:
        raise InvalidInput({"non_field_errors": ["与已有记录冲突，请刷新后重试"]}) from exc


def _fact_summary(action: str, fact, words: list[str]) -> str:
    with translation.override("zh-hans"):
        label = str(fact._meta.verbose_name)
    return f"{ACTION_LABELS[action]}{label}：" + "；".join(words)


@transaction.atomic
def cadre_fact_create(*, actor: User, cadre: Cadre, model, **fields):
    """A new assessment, evaluation, sanction (or education record, résumé entry, reward, family
    member, kinship) of a cadre."""
    ensure_cadre_writer(actor)
    return _fact_create(actor=actor, cadre=cadre, model=model, fields=fields)


@transaction.atomic
def cadre_evaluation_counted(*, actor: User, cadre: Cadre, year: int, counts: dict, source: dict) -> Evaluation:
    """E2's democratic evaluation as counted by an online secret ballot that `actor` closed: the numbers
    are the bulletin's, not an edit of the cadre, so the edit permission of cadre facts does not apply;
    `source` (the session and bulletin root) goes into the record entry."""
    return _fact_create(
        actor=actor, cadre=cadre, model=Evaluation, fields={"year": year, **counts}, check=False, extra=source
    )


def _fact_create(*, actor: User, cadre: Cadre, model, fields: dict, check: bool = True, extra=None):
    name, allowed = _fact_kind(model)
    _check_fields(fields, allowed)
    fact = model(cadre_id=cadre.pk, **fields)
    candidates = _lock_for_fact(actor, fact, check=check)
    _save_fact(fact)
    changes, words = _diff(None, fact, allowed)
    _record_change(
        actor=actor,
        candidates=candidates,
        cadre=cadre,
        fact=name,
        action="create",
        changes=changes,
        summary=_fact_summary("create", fact, words),
        fact_id=fact.pk,
        **(extra or {}),
    )
    return fact


def _lock_fact(model, cadre, fact_id):
    fact = model.objects.select_for_update(of=("self",)).filter(cadre_id=cadre.pk, pk=fact_id).first()
    if fact is None:
        raise InvalidInput({"fact": ["记录不存在"]})
    return fact


@transaction.atomic
def cadre_fact_update(*, actor: User, cadre: Cadre, model, fact_id: int, **fields):
    name, allowed = _fact_kind(model)
    ensure_cadre_writer(actor)
    _check_fields(fields, allowed)
    current = model.objects.filter(cadre_id=cadre.pk, pk=fact_id).first()
    if current is None:
        raise InvalidInput({"fact": ["记录不存在"]})
    new_relative = [getattr(fields["relative"], "pk", fields["relative"])] if "relative" in fields else []
    candidates = _lock_for_fact(actor, current, *new_relative)
    fact = _lock_fact(model, cadre, fact_id)
    before = copy.copy(fact)
    for field, value in fields.items():
        setattr(fact, field, value)
    changes, words = _diff(before, fact, allowed)
    if not changes:
        return fact
    _save_fact(fact, fields=list(changes))
    _record_change(
        actor=actor,
        candidates=candidates,
        cadre=cadre,
        fact=name,
        action="update",
        changes=changes,
        summary=_fact_summary("update", fact, words),
        fact_id=fact.pk,
    )
    return fact


@transaction.atomic
def cadre_fact_delete(*, actor: User, cadre: Cadre, model, fact_id: int) -> None:
    name, allowed = _fact_kind(model)
    ensure_cadre_writer(actor)
    current = model.objects.filter(cadre_id=cadre.pk, pk=fact_id).first()
    if current is None:
        raise InvalidInput({"fact": ["记录不存在"]})
    candidates = _lock_for_fact(actor, current)
    fact = _lock_fact(model, cadre, fact_id)
    changes, words = _diff(fact, None, allowed)
    fact.delete()
    _record_change(
        actor=actor,
        candidates=candidates,
        cadre=cadre,
        fact=name,
        action="delete",
        changes=changes,
        summary=_fact_summary("delete", fact, words),
        fact_id=fact_id,
    )


@transaction.atomic
def cadre_facts_replace(*, actor: User, cadre: Cadre, model, rows: list[dict], delete=()) -> list:
    """Bulk change of one kind of a cadre's facts (the .lrmx import): the rows `delete` names go in
    one delete, `rows` are added in one bulk_create, each checked as cadre_fact_create checks it;
    every open candidacy of the cadre gets one record entry listing what went and what came."""
    from django.core.exceptions import ValidationError

    name, allowed = _fact_kind(model)
    ensure_cadre_writer(actor)
    if not rows and not delete:
        return []
    facts = []
    for fields in rows:
        _check_fields(fields, allowed)
        fact = model(cadre_id=cadre.pk, **fields)
        errors = cadre_fact_errors(fact)
        if errors:
            raise InvalidInput(errors)
        try:
            fact.full_clean(validate_unique=False, validate_constraints=False)  # the database checks those
        except ValidationError as exc:
            raise InvalidInput(exc.message_dict) from exc
        facts.append(fact)
    candidates = _lock_open_candidates([cadre.pk])
    _ensure_can_edit(actor, cadre)
    gone = []
    if delete:
        gone = list(model.objects.select_for_update(of=("self",)).filter(cadre_id=cadre.pk, pk__in=list(delete)))
        if len(gone) != len(set(delete)):
            raise InvalidInput({"fact": ["记录不存在，请刷新后重试"]})
        model.objects.filter(pk__in=[fact.pk for fact in gone]).delete()
    try:
        with transaction.atomic():
            created = model.objects.bulk_create(facts)
    except IntegrityError as exc:
        raise InvalidInput({"non_field_errors": ["与已有记录冲突，请刷新后重试"]}) from exc
    if candidates:
        removed = [_diff(fact, None, allowed) for fact in gone]
        added = [_diff(None, fact, allowed) for fact in created]
        summary = "；".join(
            [_fact_summary("delete", fact, words) for fact, (_c, words) in zip(gone, removed, strict=True)]
            + [_fact_summary("create", fact, words) for fact, (_c, words) in zip(created, added, strict=True)]
        )
        _record_change(
            actor=actor,
            candidates=candidates,
            cadre=cadre,
            fact=name,
            action="replace",
            changes={"deleted": [c for c, _w in removed], "created": [c for c, _w in added]},
            summary=summary,
            fact_ids={"deleted": [fact.pk for fact in gone], "created": [fact.pk for fact in created]},
        )
    return created


# ---------------------------------------------------------------------------- record integrity


def record_checkpoint_sign(*, actor: User | None = None) -> RecordCheckpoint:
    """S1: sign every chain's head now (an admin on demand, or the daily beat task)."""
    if actor is not None and not roles.has_role(actor, roles.ADMIN):
        raise NotAllowed("只有管理员可以立即签署检查点")
    return checkpoint_sign()


def record_verification_run():
    """Verify every chain and store the result; supervisors read the latest on their pages."""
    started = time.monotonic()
    result = verify()
    return RecordVerification.objects.create(
        ok=result.ok, entries=result.entries, broken=result.broken, seconds=round(time.monotonic() - started, 3)
    )
