"""The security log (cadre.models.SecurityEvent), written from signals; connected in CadreConfig.ready().

Who signed in, failed, was locked out (axes' user_locked_out) or unlocked (an admin deleting axes'
AccessAttempt rows), signed out, changed a password (any path: a User saved after set_password), a
role (the groups of a user), an object permission (guardian's rows), a threshold, the calendar.
The actor is the signed-in user of the current request (cadre.middleware.SessionLimitMiddleware
sets it), or the management command / task that ran it (blank).

Signals are used here, not explicit calls (../shared/STYLE.md), because these changes come from
Django's and guardian's own code (the admin, auth views, axes) as much as from ours.
"""

import contextvars
import logging

from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save

log = logging.getLogger(__name__)

_request: contextvars.ContextVar = contextvars.ContextVar("cadre_security_request", default=None)


def set_actor(request):
    return _request.set(request)


def reset_actor(token) -> None:
    _request.reset(token)


def _address(request) -> str:
    return (request.META.get("REMOTE_ADDR", "") if request is not None else "")[:45]


def _actor(request=None) -> str:
    request = request if request is not None else _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user.get_username() if user is not None and user.is_authenticated else ""


def record(kind, *, summary: str, username: str = "", request=None, actor: str | None = None, **detail):
    from .models import SecurityEvent

    request = request if request is not None else _request.get()
    SecurityEvent.objects.create(
        kind=kind,
        summary=summary[:300],
        username=(username or "")[:150],
        actor=(actor if actor is not None else _actor(request))[:150],
        address=_address(request),
        detail=detail,
    )


# ---------------------------------------------------------------------------- receivers


def on_logged_in(sender, request, user, **kwargs):
    import time

    from .middleware import LOGIN_AT, SEEN_AT

    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = request.session[SEEN_AT] = time.time()
    record("login", summary=f"{user.get_username()} 登录", username=user.get_username(), request=request, actor="")


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        name = user.get_username()
        record("logout", summary=f"{name} 退出登录", username=name, request=request, actor=name)


def on_login_failed(sender, credentials, request=None, **kwargs):
    name = str(credentials.get("username", ""))
    if getattr(request, "axes_locked_out", False):
        return  # a refused attempt while locked: on_locked_out wrote the entry
    record("login_failed", summary=f"{name} 登录失败", username=name, request=request, actor="")


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    name = username or ""
    record(
        "locked_out",
        summary=f"{name or ip_address} 因多次登录失败被锁定",
        username=name,
        request=request,
        actor="",
        ip_address=ip_address or "",
    )


def on_attempt_deleted(sender, instance, **kwargs):
    """An admin lifting a lock (axes' admin or `axes_reset`); the cool-off's own clean-up is no lift."""
    from axes.helpers import get_cool_off
    from django.utils import timezone

    actor = _actor()
    if actor and instance.attempt_time >= timezone.now() - get_cool_off():
        record(
            "lock_lifted",
            summary=f"解除 {instance.username or instance.ip_address} 的登录锁定",
            username=instance.username or "",
            ip_address=instance.ip_address or "",
        )


def on_user_saved(sender, instance, created, **kwargs):
    # AbstractBaseUser keeps the new raw password in _password from set_password() until save() ends.
    if created or getattr(instance, "_password", None) is None:
        return
    from .auth import tokens_revoke

    revoked = tokens_revoke(instance)
    name = instance.get_username()
    record("password_changed", summary=f"{name} 的密码已修改", username=name, tokens_revoked=revoked)


def on_groups_changed(sender, instance, action, pk_set, model, reverse, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from django.contrib.auth.models import Group

    users = [instance] if not reverse else list(get_user_model().objects.filter(pk__in=pk_set or ()))
    if reverse:  # group.user_set changed
        groups = [instance.name]
    else:
        groups = list(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
    verb = {"post_add": "授予", "post_remove": "撤销", "post_clear": "清除"}[action]
    for user in users:
        name = user.get_username()
        now = sorted(user.groups.values_list("name", flat=True))
        record(
            "roles_changed",
            summary=f"{verb} {name} 的角色 {'、'.join(groups) or '（全部）'}",
            username=name,
            action=action,
            groups=groups,
            roles=now,
        )


def _permission_event(instance, verb: str):
    who = getattr(instance, "user", None) or getattr(instance, "group", None)
    name = who.get_username() if hasattr(who, "get_username") else getattr(who, "name", "")
    perm = instance.permission.codename
    target = f"{instance.content_type.app_label}.{instance.content_type.model}#{instance.object_pk}"
    record(
        "permission_changed",
        summary=f"{verb} {name} 对 {target} 的权限 {perm}",
        username=name if hasattr(who, "get_username") else "",
        permission=perm,
        object=target,
        group=name if not hasattr(who, "get_username") else "",
    )


def on_object_permission_saved(sender, instance, created, **kwargs):
    _permission_event(instance, "授予" if created else "修改")


def on_object_permission_deleted(sender, instance, **kwargs):
    _permission_event(instance, "撤销")


def on_threshold_saved(sender, instance, created, **kwargs):
    record(
        "threshold_changed",
        summary=f"规则阈值 {instance.rule} {instance.key} = {instance.value}",
        key=instance.key,
        rule=instance.rule,
        value=instance.value,
        created=created,
    )


def _calendar_event(instance, *, deleted: bool):
    record(
        "calendar_changed",
        summary=f"{'删除' if deleted else '保存'}工作日历 {instance}",
        model=type(instance).__name__,
        object=str(instance),
        deleted=deleted,
    )


def on_calendar_saved(sender, instance, **kwargs):
    _calendar_event(instance, deleted=False)


def on_calendar_deleted(sender, instance, **kwargs):
    _calendar_event(instance, deleted=True)


def connect() -> None:
    from axes.models import AccessAttempt
    from axes.signals import user_locked_out
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from .models import CalendarDay, CalendarYear, Threshold

    user_model = get_user_model()
    uid = "cadre.security_log"
    user_logged_in.connect(on_logged_in, dispatch_uid=uid)
    user_logged_out.connect(on_logged_out, dispatch_uid=uid)
    user_login_failed.connect(on_login_failed, dispatch_uid=uid)
    user_locked_out.connect(on_locked_out, dispatch_uid=uid)
    post_delete.connect(on_attempt_deleted, sender=AccessAttempt, dispatch_uid=uid)
    post_save.connect(on_user_saved, sender=user_model, dispatch_uid=uid)
    m2m_changed.connect(on_groups_changed, sender=user_model.groups.through, dispatch_uid=uid)
    for model in (UserObjectPermission, GroupObjectPermission):
        post_save.connect(on_object_permission_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(on_object_permission_deleted, sender=model, dispatch_uid=uid)
    post_save.connect(on_threshold_saved, sender=Threshold, dispatch_uid=uid)
    for model in (CalendarYear, CalendarDay):
        post_save.connect(on_calendar_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(on_calendar_deleted, sender=model, dispatch_uid=uid)
