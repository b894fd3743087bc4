"""Writes. Every state change of the spine is one function here: keyword-only, one transaction,
the permission check, and its record entry in the same transaction."""

import time

from django.contrib.auth.models import Group, User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_fsm import ConcurrentTransition, can_proceed
from guardian.shortcuts import assign_perm

from . import roles, rules
from .errors import Conflict, InvalidInput, NotAllowed, TransitionRefused, Violation
from .models import (
    FORWARD,
    Cadre,
    Candidate,
    FailedVote,
    MotionReason,
    Position,
    RecordKind,
    RecordVerification,
    Selection,
    Stage,
)
from .record import record_append, verify
from .selectors import can_work_on
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
MAX_TEXT = 2000


def _ensure_can_work(actor, selection: Selection):
    if not can_work_on(user=actor, selection=selection):
        raise NotAllowed("您未被分配承办此选任工作")


def _clean_text(value, *, field: str, required: bool = True, max_length: int = MAX_TEXT) -> str:
    if value is not None and not isinstance(value, str):
        raise InvalidInput({field: ["必须是文本"]})
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput({field: ["此项为必填项，请写明理由"]})
    if len(text) > max_length:
        raise InvalidInput({field: [f"不能超过 {max_length} 个字符"]})
    return text


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
    selection = Selection.objects.create(
        title=_clean_text(title, field="title", max_length=200),
        reason=reason,
        reason_text=_clean_text(reason_text, field="reason_text", required=False),
        competitive=competitive,
        single_candidate_reason=_clean_text(single_candidate_reason, field="single_candidate_reason", required=False),
        superior_approval=_clean_text(superior_approval, field="superior_approval", required=False, max_length=200),
        created_by=actor,
    )
    selection.positions.set(positions)
    assign_perm(roles.WORK_ON_SELECTION, actor, selection)
    return selection


@transaction.atomic
def selection_assign(*, actor: User, selection: Selection, user: User) -> None:
    """An admin or an assigned staff member assigns another staff member to a selection."""
    if not (roles.has_role(actor, roles.ADMIN) or can_work_on(user=actor, selection=selection)):
        raise NotAllowed("只有管理员或承办人可以分配承办人")
    if not roles.has_role(user, roles.ORG_STAFF):
        raise InvalidInput({"user": ["只能分配给组工干部"]})
    assign_perm(roles.WORK_ON_SELECTION, user, selection)


@transaction.atomic
def candidate_create(*, actor: User, selection: Selection, position: Position, cadre: Cadre) -> Candidate:
    _ensure_can_work(actor, selection)
    if not selection.positions.filter(pk=position.pk).exists():
        raise InvalidInput({"position": ["该职位不在此选任工作的职位中"]})
    try:
        with transaction.atomic():
            candidate = Candidate.objects.create(selection=selection, position=position, cadre=cadre)
    except IntegrityError as exc:
        raise InvalidInput({"cadre": ["该干部已是此职位的人选"]}) from exc
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
        reason = _clean_text(override.get("reason") if isinstance(override, dict) else None, field="override")
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
        stage = Stage(candidate.stage).label
        evaluation.violations.insert(
            0, Violation("S1", f"人选当前处于“{stage}”阶段，不能{TRANSITION_LABELS[transition]}", "状态机", False)
        )
    return evaluation


def _after_transition(candidate: Candidate, transition: str) -> dict:
    """Effects that belong to the spine; returns what the record should say about them."""
    if transition == "inspect":
        candidate.inspected_at = timezone.now()
    if transition == "reject":
        FailedVote.objects.create(
            cadre=candidate.cadre, position=candidate.position, candidate=candidate, voted_on=timezone.localdate()
        )
    if transition == "appoint":
        # A3: the cadre now holds the post; M3 was checked under the row lock just before.
        cadre = candidate.cadre
        previous = cadre.position_id
        cadre.position = candidate.position
        cadre.position_since = timezone.localdate()
        cadre.save(update_fields=["position", "position_since"])
        return {"previous_position": previous, "new_position": candidate.position_id}
    return {}


def candidate_transition(
    *,
    actor: User,
    candidate_id: int,
    transition: str,
    overrides: list[dict] | None = None,
    reason: str = "",
) -> Candidate:
    """Move a candidate. Checks permission and every registered rule; records the outcome.

    A refusal is recorded too (who tried what, which rules refused), so the refusal entry commits
    and TransitionRefused is raised after the transaction.
    """
    if transition not in TRANSITIONS:
        raise InvalidInput({"transition": [f"未知的操作：{transition}"]})
    if not isinstance(overrides, list | type(None)):
        raise InvalidInput({"override": ["格式错误"]})
    refused: list[Violation] = []
    with transaction.atomic():
        try:
            candidate = _lock_candidate(candidate_id)
        except Candidate.DoesNotExist as exc:
            raise InvalidInput({"candidate": ["人选不存在"]}) from exc
        _ensure_can_work(actor, candidate.selection)
        reason = _clean_text(reason, field="reason", required=transition in NEEDS_REASON)
        if not can_proceed(getattr(candidate, transition)):
            raise Conflict(
                f"人选当前处于“{Stage(candidate.stage).label}”阶段，不能{TRANSITION_LABELS[transition]}"
                "（可能已被他人处理，请刷新后重试）"
            )
        evaluation = rules.evaluate(candidate, transition, thresholds=snapshot())
        accepted = _check_overrides(overrides or [], evaluation)
        refused = [v for v in evaluation.violations if v.rule not in accepted]
        grounds = {"rules": evaluation.trace, "thresholds": evaluation.thresholds}
        if refused:
            record_append(
                candidate=candidate,
                actor=actor,
                kind=RecordKind.REFUSED,
                payload={
                    "transition": transition,
                    "stage": candidate.stage,
                    "violations": [v.as_dict() for v in refused],
                    **grounds,
                },
            )
        else:
            from_stage = candidate.stage
            getattr(candidate, transition)()
            candidate.stage_changed_at = timezone.now()
            effects = _after_transition(candidate, transition)
            try:
                candidate.save()
            except ConcurrentTransition as exc:
                raise Conflict("人选已被他人处理，请刷新后重试") from exc
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
                    "effects": effects,
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
        raise TransitionRefused(refused)
    return candidate


def candidate_send_back(*, actor: User, candidate_id: int, to_stage: str, reason: str) -> Candidate:
    """退回: back to an earlier stage with a written reason; the way forward re-checks every rule."""
    with transaction.atomic():
        try:
            candidate = _lock_candidate(candidate_id)
        except Candidate.DoesNotExist as exc:
            raise InvalidInput({"candidate": ["人选不存在"]}) from exc
        _ensure_can_work(actor, candidate.selection)
        reason = _clean_text(reason, field="reason")
        if candidate.stage not in FORWARD[1:-1]:
            raise Conflict(f"人选当前处于“{Stage(candidate.stage).label}”阶段，不能退回")
        if to_stage not in FORWARD or FORWARD.index(to_stage) >= FORWARD.index(candidate.stage):
            raise InvalidInput({"to_stage": ["只能退回到更早的阶段"]})
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
            payload={"transition": "send_back", "from": from_stage, "to": to_stage, "reason": reason},
        )
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
            "text": _clean_text(text, field="text"),
            "outcome": _clean_text(outcome, field="outcome", required=False),
        },
    )


@transaction.atomic
def candidate_record_important(*, actor: User, candidate_id: int, category: str, text: str, outcome: str = ""):
    candidate = _lock_candidate(candidate_id)
    _ensure_can_work(actor, candidate.selection)
    return record_important(actor=actor, candidate=candidate, category=category, text=text, outcome=outcome)


# ---------------------------------------------------------------------------- users


@transaction.atomic
def user_create(*, username: str, password: str, role_names: list[str], email: str = "") -> User:
    unknown = [r for r in role_names if r not in roles.ROLES]
    if unknown:
        raise InvalidInput({"role": [f"未知角色：{', '.join(unknown)}（可选：{', '.join(roles.ROLES)}）"]})
    if User.objects.filter(username=username).exists():
        raise InvalidInput({"username": [f"用户名 {username} 已存在"]})
    user = User.objects.create_user(username=username, password=password, email=email)
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


def _ensure_cadre_writer(actor):
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


@transaction.atomic
def cadre_create(*, actor: User, **fields) -> Cadre:
    _ensure_cadre_writer(actor)
    return _save(Cadre(**fields))


@transaction.atomic
def cadre_update(*, actor: User, cadre: Cadre, **fields) -> Cadre:
    _ensure_cadre_writer(actor)
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    for name, value in fields.items():
        setattr(cadre, name, value)
    return _save(cadre, fields=list(fields))


@transaction.atomic
def cadre_fact_create(*, actor: User, cadre: Cadre, model, **fields):
    """An assessment, evaluation or sanction of a cadre."""
    _ensure_cadre_writer(actor)
    return _save(model(cadre=cadre, **fields))


# ---------------------------------------------------------------------------- record integrity


def record_verification_run():
    """Verify every chain and store the result; supervisors read the latest on their pages."""
    started = time.monotonic()
    result = verify()
    return RecordVerification.objects.create(
        ok=result.ok, entries=result.entries, broken=result.broken, seconds=round(time.monotonic() - started, 3)
    )
