"""The domain's exceptions: services raise them, the API and the views translate them once."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    source: str
    overridable: bool

    def as_dict(self) -> dict:
        return asdict(self)


class DomainError(Exception):
    """Base of every error a service raises on purpose."""


class InvalidInput(DomainError):
    """Bad input: field -> list of Chinese messages. Nothing was written."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


class TransitionRefused(DomainError):
    """The rules refused a transition; every violation is listed.

    `pending` holds a refusal that could not be recorded yet because an outer transaction was
    open (it would roll back with it); `cadre.services.record_pending_refusal` writes it after.
    """

    def __init__(self, violations: list[Violation], *, pending: dict | None = None):
        super().__init__("; ".join(f"{v.rule} {v.message}" for v in violations))
        self.violations = violations
        self.pending = pending


class Conflict(DomainError):
    """Refused by the procedure without a failing rule function: a wrong stage (`rule="stage"`),
    a decision already taken (`V9`), a once-only fact that already exists (`S1`), or the object
    changed under the caller. The API answers it with the same 409 shape as TransitionRefused.

    `field` names the input the refusal is about, so that a page shows it next to that field
    (`errors`, as InvalidInput has them); the API's 409 body is the same either way."""

    def __init__(self, message: str, *, rule: str = "stage", source: str = "", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.source = source
        self.errors: dict[str, list[str]] = {field: [message]} if field else {}

    @property
    def violations(self) -> list[Violation]:
        return [Violation(rule=self.rule, message=self.message, source=self.source, overridable=False)]


class NotAllowed(DomainError):
    """The actor may not do this (the object itself is visible to them)."""

    def __init__(self, message: str = "您没有执行此操作的权限"):
        super().__init__(message)
        self.message = message
