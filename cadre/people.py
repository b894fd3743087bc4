"""People as users see them: by their full name, never by their login (issue #11).

Chinese names are kept as 姓 (`last_name`) + 名 (`first_name`) and read without a space; a name kept
whole in one of the two fields reads as it is. The login name is the fallback for an account that
has no name yet. Every page, sentence and document that names a user goes through `person_name`
(templates: `{{ user|person }}` from `cadre_tags`)."""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save


def full_name(first: str, last: str) -> str:
    first, last = (first or "").strip(), (last or "").strip()
    if not first or not last:
        return first or last
    if first.isascii() and last.isascii():
        return f"{first} {last}"  # a Western name: given name first
    return f"{last}{first}"  # 姓 then 名, no space


def person_name(user) -> str:
    """The full name of `user`, else the login name; "" for no user (anonymous or None)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return full_name(user.first_name, user.last_name) or user.get_username()


def _key(name: str) -> str:
    # Per database: the test database and the working one may share a Redis.
    return f"cadre:people:{connection.settings_dict['NAME']}:{name}"


def names() -> dict[str, str]:
    """{login: full name} of every account, through Django's cache (as `cadre.citations`): the
    record keeps logins (S1, its hashes cannot change), pages show names, and a page of entries
    costs no query once warm. Any save or delete of a user starts a new generation."""
    generation = cache.get(_key("generation"), 0)
    key = _key(f"names:{generation}")
    found = cache.get(key)
    if found is None:
        rows = get_user_model().objects.values_list("username", "first_name", "last_name")
        found = {username: full_name(first, last) or username for username, first, last in rows}
        cache.set(key, found, timeout=None)
    return found


def name_of_login(login: str) -> str:
    """The full name behind a login the record kept; the login itself for an unknown account."""
    return names().get(login, login) if login else ""


def forget() -> None:
    key = _key("generation")
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)


def _changed(**kwargs):
    # Now, for this process's next read; and at commit, so no process keeps a name read before it.
    forget()
    transaction.on_commit(forget)


def connect() -> None:
    """Called from `CadreConfig.ready()`."""
    user_model = get_user_model()
    post_save.connect(_changed, sender=user_model, dispatch_uid="cadre.people.saved")
    post_delete.connect(_changed, sender=user_model, dispatch_uid="cadre.people.deleted")
