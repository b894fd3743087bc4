"""Input cleaning shared by every service: text, dates, counts and choices.

A service checks every field before it writes anything and reports all bad fields at once:

    clean = Cleaner()
    title = clean.text(title, "title", max_length=200, label="会议名称")
    held_on = clean.date(held_on, "held_on", label="会议日期")
    present = clean.count(present, "present", label="实到会人数")
    clean.done()  # raises InvalidInput({field: [messages]}) when anything was wrong

`clean_text` checks one text on its own. Messages are Chinese; `label` names the field in them.
"""

from datetime import date

from django.utils import timezone

from .errors import InvalidInput

MAX_TEXT = 2000  # a reason, a note, an opinion; reports and summaries pass a larger max_length


class Cleaner:
    """Collects every bad field of one input so the user sees them all at once."""

    def __init__(self, *, max_length: int = MAX_TEXT):
        self.errors: dict[str, list[str]] = {}
        self.max_length = max_length  # texts' default

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def text(self, value, field: str, *, required: bool = True, max_length: int | None = None, label: str = "") -> str:
        """Stripped text ('' when missing); required, and at most `max_length` characters."""
        max_length = max_length or self.max_length
        if value is not None and not isinstance(value, str):
            self.add(field, "必须是文本")
            return ""
        text = (value or "").strip()
        if required and not text:
            self.add(field, f"请填写{label}" if label else "此项为必填项")
        elif len(text) > max_length:
            self.add(field, f"不能超过 {max_length} 个字符")
        return text

    def date(self, value, field: str, *, required: bool = True, not_future: bool = False, label: str = ""):
        """A date (or an ISO 8601 string); None when missing. `not_future`: not after today."""
        name = label or "日期"
        if value in (None, ""):
            if required:
                self.add(field, f"请填写{label}" if label else "此项为必填项")
            return None
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                self.add(field, f"{name}格式不正确，应为 YYYY-MM-DD")
                return None
        if not isinstance(value, date):
            self.add(field, f"{name}不是有效日期")
            return None
        if not_future and value > timezone.localdate():
            self.add(field, f"{name}不能晚于今天")
            return None
        return value

    def count(self, value, field: str, *, positive: bool = False, label: str = ""):
        """A whole number ≥ 0 (`positive`: > 0); None when it is not one."""
        name = label or "此项"
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(field, f"{name}必须是整数")
            return None
        if value < 0:
            self.add(field, f"{name}不能为负数")
            return None
        if positive and value == 0:
            self.add(field, f"{name}必须大于 0")
            return None
        return value

    def choice(self, value, field: str, allowed, *, message: str = "请从列表中选择"):
        if value not in allowed:
            self.add(field, message)
        return value

    def done(self) -> None:
        """Raise InvalidInput with every bad field, if any."""
        if self.errors:
            raise InvalidInput(self.errors)


def clean_text(value, *, field: str, required: bool = True, max_length: int = MAX_TEXT, label: str = "") -> str:
    """One text checked on its own: the stripped text, or InvalidInput naming `field`."""
    clean = Cleaner()
    text = clean.text(value, field, required=required, max_length=max_length, label=label)
    clean.done()
    return text
