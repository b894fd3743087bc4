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
    """The rules refused a transition; every violation is listed."""

    def __init__(self, violations: list[Violation]):
        super().__init__("; ".join(f"{v.rule} {v.message}" for v in violations))
        self.violations = violations


class Conflict(DomainError):
    """The object changed under the caller (another user moved it first)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The actor may not do this (the object itself is visible to them)."""

    def __init__(self, message: str = "您没有执行此操作的权限"):
        super().__init__(message)
        self.message = message
