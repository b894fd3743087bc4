"""Sign-in limits (django-axes) and the API's expiring tokens (../shared/API.md, 401 and 429).

Axes counts failed sign-ins in the database (AccessAttempt, one row per account × address × browser;
shared by every worker process) for the login page and `POST /api/v1/auth/token/` alike: both call
`authenticate(request, …)`, where axes' backend comes first. Two limits, within the cool-off
window (settings.AXES_COOLOFF_TIME, 15 minutes by default, counted from the latest failure):

- per account: AXES_FAILURE_LIMIT (5) failures lock that account, from any address;
- per address: LOGIN_ADDRESS_FAILURE_LIMIT (50) failures lock the address, for every account.
  So one account's failures lock another account from the same address only past 50.

A locked attempt is refused even with the right password and answered 429 with Retry-After
(`lockout_response`); it counts as a failure and restarts the window. An admin lifts a lock by
deleting the rows in 管理 → 访问尝试 (axes' admin), or `python manage.py axes_reset_username NAME`.
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes compares one number with AXES_FAILURE_LIMIT; this one reports the account's failures,
    or the limit itself once the address reached its own, larger limit."""

    def get_failures(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        recent = {"attempt_time__gte": request.axes_attempt_time - get_cool_off(request)}
        by_account = 0
        if username is not None:
            by_account = self._sum(username=username, **recent)
        by_address = self._sum(ip_address=request.axes_ip_address, **recent)
        if by_address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account

    @staticmethod
    def _sum(**filters) -> int:
        from axes.models import AccessAttempt

        return AccessAttempt.objects.filter(**filters).aggregate(n=Sum("failures_since_start"))["n"] or 0


def lockout_minutes() -> int:
    return int(get_cool_off().total_seconds() // 60)


LOCKOUT_MESSAGE = "登录失败次数过多，该账号或地址已被暂时锁定。请 {minutes} 分钟后再试，或请管理员解除锁定。"


def lockout_response(request, original_response=None, credentials=None):
    """429 in Chinese with Retry-After: JSON under /api/, the lockout page elsewhere.

    The refused attempt itself restarts the window, so the wait is the whole cool-off."""
    seconds = int(get_cool_off(request).total_seconds())
    message = LOCKOUT_MESSAGE.format(minutes=lockout_minutes())
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "registration/lockout.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


# ---------------------------------------------------------------------------- API tokens


def _expired(token: Token) -> bool:
    return token.created < timezone.now() - timedelta(seconds=settings.API_TOKEN_SECONDS)


def token_issue(user) -> Token:
    """The user's token, a new one when the old one has expired (settings.API_TOKEN_SECONDS)."""
    token = Token.objects.filter(user=user).first()
    if token is not None and _expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def tokens_revoke(user) -> int:
    """Every token of `user` stops working (sign-out of the API; a password change)."""
    return Token.objects.filter(user=user).delete()[0]


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused (401) once the token is older than API_TOKEN_SECONDS."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if _expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed("登录令牌已过期，请重新获取")
        return user, token
