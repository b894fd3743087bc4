"""The reserve pool as .xlsx (#9): the page's rows and structure, the page's permission."""

import io
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cadre import reserve, roles
from cadre.models import ReserveCadre

from ..factories import CadreFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")


def test_reserve_pool_export(client, staff):
    cadre, post = CadreFactory(name="钱七", birth_date=date(1990, 6, 1)), PositionFactory()
    kept = reserve.reserve_add(
        actor=staff, cadre_id=cadre.pk, source="2026年度民主推荐", since=date(2026, 3, 1), position_ids=[post.pk]
    )
    gone = reserve.reserve_add(actor=staff, cadre_id=CadreFactory().pk, source="推荐", since=date(2026, 3, 2))
    reserve.reserve_set_status(actor=staff, reserve_id=gone.pk, status=ReserveCadre.Status.WITHDRAWN, reason="调离")
    client.force_login(staff)
    url = reverse("cadre:reserve")
    response = client.get(url, {"format": "xlsx", "status": "reserve"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["后备干部", "结构"]
    rows = [list(r) for r in wb["后备干部"].iter_rows(values_only=True)]
    assert rows[1] == [
        "姓名",
        "单位",
        "现任职务",
        "年龄",
        "学历",
        "推荐来源",
        "入库日期",
        "拟考虑职位",
        "状态",
        "状态变化",
    ]
    assert len(rows) == 3  # the filter applies: the withdrawn one is not listed
    row = rows[2]
    assert row[0] == "钱七" and row[1] == cadre.unit.name and row[3] == reserve.age(cadre.birth_date, date.today())
    assert row[5] == "2026年度民主推荐" and row[6].date() == date(2026, 3, 1)
    assert row[7] == f"{post.unit.name}{post.title}" and row[8] == "后备"
    change = kept.changes.get()
    assert row[9] == f"{change.at.astimezone(ZONE):%Y-%m-%d} 后备：{change.reason}"
    shape = [list(r) for r in wb["结构"].iter_rows(values_only=True)]
    assert shape[1] == ["项目", "人数", "基数", "比例", "目标"]
    assert all(r[2] == 1 for r in shape[2:])  # the pool without the withdrawn one
    assert "format" in client.get(url).content.decode()


def test_reserve_export_refused_to_other_roles(client):
    client.force_login(UserFactory(roles=[roles.INSPECTOR]))
    assert client.get(reverse("cadre:reserve"), {"format": "xlsx"}).status_code == 403
