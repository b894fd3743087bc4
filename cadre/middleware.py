"""Small middleware of our own: the absolute session limit, Permissions-Policy, the acting user for the security log."""

import time

from django.conf import settings
from django.contrib.auth import logout

from . import security_log

LOGIN_AT = "cadre_login_at"  # the session key holding the sign-in time (seconds since the epoch)


SEEN_AT = "cadre_seen_at"  # the last time the session was renewed (seconds since the epoch)


class SessionLimitMiddleware:
    """Two limits on a signed-in session (等保 2.0 三级: 登录连接超时自动退出):

    - idle: SESSION_COOKIE_AGE without a request ends it. Rather than saving the session on every
      request (SESSION_SAVE_EVERY_REQUEST: a database write per request), it is renewed — cookie and
      database expiry both — at most once every SESSION_RENEW_SECONDS, so the idle limit holds to
      within that much;
    - absolute: SESSION_ABSOLUTE_SECONDS after sign-in however active it was. The sign-in time is put
      in the session by cadre.security_log on user_logged_in; a session without one starts counting now.

    Also makes the request's user the actor of the security log's entries written meanwhile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            self._limit(request)
        token = security_log.set_actor(request)
        try:
            return self.get_response(request)
        finally:
            security_log.reset_actor(token)

    @staticmethod
    def _limit(request):
        session, now = request.session, time.time()
        login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
        if login_at is None:
            session[LOGIN_AT] = login_at = now
        if seen_at is None:
            session[SEEN_AT] = seen_at = now
        if now - login_at > settings.SESSION_ABSOLUTE_SECONDS or now - seen_at > settings.SESSION_COOKIE_AGE:
            logout(request)  # the view then answers as to anyone not signed in
        elif now - seen_at >= settings.SESSION_RENEW_SECONDS:
            session[SEEN_AT] = now  # modified: saved, and the cookie and expiry renewed


PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "interest-cohort",
    )
)


class PermissionsPolicyMiddleware:
    """No page of this system needs a camera, a microphone, the location or payments: deny them all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class NulQueryMiddleware:
    """A NUL character in a query parameter never reaches a filter (PostgreSQL text cannot hold one:
    the query would fail with 500). The API refuses it with 400 (../shared/API.md: bad filter values
    are 400); pages drop the character (a search box typed into is not worth an error page). Form
    fields and the API's serializers refuse NUL in bodies themselves (ProhibitNullCharactersValidator)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            bad = sorted({k for k, values in request.GET.lists() if "\x00" in k or any("\x00" in v for v in values)})
            if bad and request.path.startswith("/api/"):
                return self._refuse([k.replace("\x00", "") or "non_field_errors" for k in bad])
            if bad:
                request.GET = self._without_nul(request.GET)
        return self.get_response(request)

    @staticmethod
    def _without_nul(query):
        from django.http import QueryDict

        cleaned = QueryDict(mutable=True)
        for key, values in query.lists():
            cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
        cleaned._mutable = False
        return cleaned

    @staticmethod
    def _refuse(keys):
        from django.http import JsonResponse

        message = "查询参数不能包含空字符（NUL）"
        return JsonResponse(
            {"errors": {key: [message] for key in keys}}, status=400, json_dumps_params={"ensure_ascii": False}
        )
