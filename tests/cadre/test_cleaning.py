"""The spine's one way to check input (cadre.cleaning) and to check who may work (cadre.access)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cadre.access import NotAssigned, ensure_can_work
from cadre.cleaning import Cleaner, clean_text
from cadre.errors import InvalidInput, NotAllowed


def test_every_bad_field_is_reported_at_once():
    clean = Cleaner()
    assert clean.text("  县委常委会  ", "title", label="会议名称") == "县委常委会"
    assert clean.text("", "place", label="地点") == ""
    assert clean.text(3, "note", required=False) == ""
    assert clean.text("长" * 11, "short", max_length=10) == "长" * 11
    assert clean.date("2025-09-01", "held_on") == date(2025, 9, 1)
    assert clean.date("2025-13-01", "bad_on") is None
    assert clean.date(timezone.localdate() + timedelta(days=1), "talked_on", not_future=True, label="谈话日期") is None
    assert clean.count(True, "present", label="实到会人数") is None
    assert clean.count(0, "entitled", positive=True, label="应到会人数") is None
    assert clean.count(-1, "votes") is None
    assert clean.count(7, "approve") == 7
    clean.choice("fax", "channel", ["letter", "phone"])
    with pytest.raises(InvalidInput) as exc:
        clean.done()
    assert exc.value.errors == {
        "place": ["请填写地点"],
        "note": ["必须是文本"],
        "short": ["不能超过 10 个字符"],
        "bad_on": ["日期格式不正确，应为 YYYY-MM-DD"],
        "talked_on": ["谈话日期不能晚于今天"],
        "present": ["实到会人数必须是整数"],
        "entitled": ["应到会人数必须大于 0"],
        "votes": ["此项不能为负数"],
        "channel": ["请从列表中选择"],
    }


def test_a_cleaner_with_nothing_wrong_passes_and_keeps_its_default_length():
    clean = Cleaner(max_length=5000)
    assert clean.text("长" * 4000, "report") == "长" * 4000
    assert clean.date(None, "heard_on", required=False) is None
    clean.done()


def test_clean_text_checks_one_text():
    assert clean_text(" 理由 ", field="reason") == "理由"
    assert clean_text(None, field="outcome", required=False) == ""
    with pytest.raises(InvalidInput) as exc:
        clean_text("  ", field="reason")
    assert exc.value.errors == {"reason": ["此项为必填项"]}
    with pytest.raises(InvalidInput):
        clean_text("长" * 2001, field="reason")


@pytest.mark.django_db
def test_ensure_can_work_refuses_who_is_not_assigned(staff, other_staff, selection):
    ensure_can_work(staff, selection)
    with pytest.raises(NotAssigned) as exc:
        ensure_can_work(other_staff, selection)
    # services and the API see a NotAllowed (403 with the message), pages a PermissionDenied (403)
    assert isinstance(exc.value, NotAllowed) and isinstance(exc.value, PermissionDenied)
    assert exc.value.message == "您未被分配承办此选任工作"
