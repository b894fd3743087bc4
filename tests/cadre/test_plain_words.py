"""Issue #11: people by their full names, no developer words, an admin in Chinese.

The person filter, the threshold admin form (each kind of value: valid, invalid, what is saved), the
record entry's admin title and local time, guardian's assignment pages in Chinese, Django's model
permissions under Chinese names, the demo's users by name, and the scanner the browser tests run.
"""

import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.template import Context, Template
from guardian.shortcuts import get_perms

from cadre import people, record_text
from cadre.forms import TRANSITION_CHOICES
from cadre.management.commands.load_demo import DEMO_USERS
from cadre.models import RecordEntry, Threshold
from cadre.threshold_forms import ThresholdForm, value_text

from ..factories import UserFactory
from ..page_text import developer_words

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------- people


def render_person(user) -> str:
    return Template("{% load cadre_tags %}{{ u|person }}").render(Context({"u": user}))


@pytest.mark.parametrize(
    ("last", "first", "shown"),
    [
        ("王", "建国", "王建国"),  # 姓 + 名, no space
        ("", "张承办", "张承办"),  # a whole name in one field
        ("欧阳", "", "欧阳"),
        ("Smith", "John", "John Smith"),  # a Western name: given name first
    ],
)
def test_person_filter_shows_the_full_name(last, first, shown):
    user = UserFactory(username="login1", last_name=last, first_name=first)
    assert render_person(user) == shown
    assert people.person_name(user) == shown


def test_person_filter_falls_back_to_the_login_only_without_a_name():
    assert render_person(UserFactory(username="zhangsan")) == "zhangsan"
    assert render_person(None) == ""
    assert render_person(AnonymousUser()) == ""


def test_record_shows_the_actor_by_name_and_follows_a_renamed_account(candidate):
    entry = RecordEntry.objects.filter(candidate=candidate).order_by("seq").first()
    actor = entry.actor
    assert record_text.render_entry(entry)["actor"] == entry.actor_name  # no name yet: the login
    actor.last_name, actor.first_name = "李", "晓梅"
    actor.save()
    shown = record_text.render_entry(entry)
    assert shown["actor"] == "李晓梅"
    assert shown["sentence"].startswith("李晓梅将")
    assert entry.actor_name not in shown["sentence"]
    # The entry itself keeps the login its hash covers.
    assert RecordEntry.objects.get(pk=entry.pk).actor_name == actor.username


def test_record_payload_logins_read_as_names():
    UserFactory(username="inspector7", last_name="赵", first_name="志强")
    payload = {"members": ["inspector7", "nobody"], "leader": "inspector7", "team": 3}
    named = record_text._named(payload)
    assert named == {"members": ["赵志强", "nobody"], "leader": "赵志强", "team": 3}
    assert payload["leader"] == "inspector7"  # the stored payload is untouched


def test_transition_choices_carry_no_codes():
    assert all(not str(label).isascii() for _, label in TRANSITION_CHOICES)
    assert dict(TRANSITION_CHOICES)["nominate"] == "提名"
    assert all("（" not in str(label) for _, label in TRANSITION_CHOICES)


def test_demo_users_have_chinese_full_names():
    names = [last + first for _, _, last, first in DEMO_USERS]
    assert len(set(names)) == len(DEMO_USERS)
    assert all(name and not name.isascii() for name in names)


def test_load_demo_gives_its_users_their_names():
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction

    class Rollback(Exception):
        pass

    out = StringIO()
    try:
        with transaction.atomic():
            call_command("load_demo", stdout=out)
            from django.contrib.auth.models import User

            shown = {u.username: people.person_name(u) for u in User.objects.filter(username__in=["staff1", "admin"])}
            raise Rollback
    except Rollback:
        pass
    assert shown == {"staff1": "王建国", "admin": "周立新"}
    assert "王建国" in out.getvalue()  # the table of demo users names them


# ---------------------------------------------------------------------------- thresholds


def threshold(key: str) -> Threshold:
    return Threshold.objects.get(key=key)


def post_threshold(client, key: str, data: dict):
    row = threshold(key)
    return client.post(f"/admin/cadre/threshold/{row.pk}/change/", data)


@pytest.fixture
def admin_client_(admin_user, client):
    client.force_login(admin_user)
    return client


def test_threshold_page_shows_widgets_not_json(admin_client_):
    row = threshold("N3.min_education")
    page = admin_client_.get(f"/admin/cadre/threshold/{row.pk}/change/").content.decode()
    assert '{"*"' not in page and "&quot;*&quot;" not in page
    assert 'name="value_*"' in page and 'name="value_section_chief"' in page  # one choice per level
    assert "默认（各职级）" in page and "正科" in page and "大专" in page
    assert "规则：</label>" in page and ":</label>" not in page  # no ASCII colon after a Chinese label
    row = threshold("V10.plenary_levels")
    page = admin_client_.get(f"/admin/cadre/threshold/{row.pk}/change/").content.decode()
    assert 'type="checkbox" name="value" value="chief"' in page and "党政正职" in page
    assert "section_chief）" not in page  # the description without codes


@pytest.mark.parametrize(
    ("key", "data", "saved"),
    [
        ("P1.working_days", {"value": "7"}, "7"),
        ("P1.working_days", {"value": "0"}, "0"),  # the boundary
        ("S3.verified_share", {"value": "90%"}, "9/10"),
        ("V1.quorum", {"value": "3/4"}, "3/4"),
        ("E2.min_good_share", {"value": "1"}, "1"),
        (
            "N3.min_education",
            {"value_*": "associate", "value_section_chief": "bachelor"},
            json.dumps({"*": "associate", "section_chief": "bachelor"}),
        ),
        ("V10.plenary_levels", {"value": ["chief", "section_chief"]}, json.dumps(["chief", "section_chief"])),
        ("V10.plenary_levels", {}, "[]"),  # none: the standing committee decides every post
        ("I6.opinions", {"value": "纪检\r\n审计\r\n"}, json.dumps(["纪检", "审计"], ensure_ascii=False)),
    ],
)
def test_threshold_saved_from_the_form(admin_client_, key, data, saved):
    response = post_threshold(admin_client_, key, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert threshold(key).value == saved


@pytest.mark.parametrize(
    ("key", "data", "message"),
    [
        ("P1.working_days", {"value": "-1"}, "取值不能为负数"),
        ("P1.working_days", {"value": "五"}, "请填写整数"),
        ("P1.working_days", {"value": ""}, "请填写取值"),
        ("V1.quorum", {"value": "3/2"}, "比例必须在 0 到 1 之间"),
        ("V1.quorum", {"value": "101%"}, "比例必须在 0 到 1 之间"),
        ("V1.quorum", {"value": "三分之二"}, "不是有效的比例"),
        ("N3.min_education", {"value_*": "", "value_section_chief": "bachelor"}, "请选择默认学历"),
        ("N3.min_education", {"value_*": "phd", "value_section_chief": ""}, "选择一个有效的选项"),
        ("V10.plenary_levels", {"value": ["mayor"]}, "不是可选的职位类别"),
        ("I6.opinions", {"value": "纪检\n纪检"}, "有重复的项"),
        ("I6.opinions", {"value": "  \n"}, "请填写取值"),
    ],
)
def test_threshold_refused_with_a_chinese_message_and_nothing_saved(admin_client_, key, data, message):
    before = threshold(key).value
    response = post_threshold(admin_client_, key, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert threshold(key).value == before


def test_threshold_list_reads_values_as_words(admin_client_):
    page = admin_client_.get("/admin/cadre/threshold/").content.decode()
    assert "默认：大专" in page
    assert "民主测评、个别谈话、查阅档案资料、实地查看" in page
    assert "[&quot;" not in page and '{"' not in page


def test_threshold_form_unbound_initial_values():
    form = ThresholdForm(instance=threshold("I3.procedures"))
    assert form.initial["value"] == "民主测评\n个别谈话\n查阅档案资料\n实地查看"
    assert value_text("V10.plenary_levels", '["chief", "staff"]') == "党政正职、股级"


# ---------------------------------------------------------------------------- record entries in the admin


def test_record_entry_admin_title_and_local_time(admin_client_, candidate):
    entry = RecordEntry.objects.filter(candidate=candidate).order_by("seq").first()
    entry_at = datetime(2026, 12, 6, 20, 46, 33, tzinfo=UTC)
    # The time is shown as stored, converted: 20:46 UTC is 04:46 the next morning in Beijing.
    entry.at = entry_at  # not saved (the record refuses updates); str() and the columns read it
    title = str(entry)
    assert title == f"第{candidate.selection_id}号选任 · 人选{candidate.cadre.name} · 第1条 · 列为人选"
    from cadre.admin import RecordEntryAdmin

    assert RecordEntryAdmin.at_(None, entry) == "2026-12-07 04:46:33"
    page = admin_client_.get(f"/admin/cadre/recordentry/{entry.pk}/change/").content.decode()
    stored = RecordEntry.objects.get(pk=entry.pk)
    assert str(stored) in page
    assert record_text.time_text(stored.at) in page
    assert "+00:00" not in page
    assert " created" not in page


# ---------------------------------------------------------------------------- guardian's pages


def test_assignment_pages_in_chinese(admin_client_, selection, staff, other_staff):
    staff.last_name, staff.first_name = "王", "建国"
    staff.save()
    page = admin_client_.get(f"/admin/cadre/selection/{selection.pk}/permissions/").content.decode()
    assert "承办人" in page and "承办选任工作" in page and "王建国" in page
    for english in ("Can add", "CAN ADD", "Can change", "Group:", "USERNAME_FIELD", "User identification", "Users"):
        assert english not in page
    page = admin_client_.get(f"/admin/cadre/selection/{selection.pk}/permissions/user-manage/{staff.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "王建国是否承办此项选任工作" in text and "Manage user" not in text and "Object permissions" not in text


def test_assigning_by_picking_a_name(admin_client_, selection, other_staff):
    other_staff.last_name, other_staff.first_name = "李", "晓梅"
    other_staff.save()
    url = f"/admin/cadre/selection/{selection.pk}/permissions/"
    page = admin_client_.get(url).content.decode()
    assert f'<option value="{other_staff.pk}">李晓梅</option>' in page
    response = admin_client_.post(url, {"user": str(other_staff.pk), "submit_manage_user": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"user-manage/{other_staff.pk}/")


def test_only_organization_staff_can_be_picked(admin_client_, selection, supervisor):
    url = f"/admin/cadre/selection/{selection.pk}/permissions/"
    response = admin_client_.post(url, {"user": str(supervisor.pk), "submit_manage_user": "1"})
    assert response.status_code == 200
    assert "请从列表中选择组工干部" in response.content.decode()
    assert "work_on_selection" not in get_perms(supervisor, selection)


def test_model_permissions_have_chinese_names():
    assert Permission.objects.get(codename="add_selection").name == "可增加选任工作"
    assert Permission.objects.get(codename="view_recordentry").name == "可查看纪实记录"
    assert Permission.objects.get(codename="change_user").name == "可修改用户"
    assert not Permission.objects.filter(content_type__app_label="cadre", name__startswith="Can ").exists()


def test_admin_looks_like_the_workspace(admin_client_, admin_user):
    admin_user.last_name, admin_user.first_name = "周", "立新"
    admin_user.save()
    page = admin_client_.get("/admin/").content.decode()
    assert "css/admin.css" in page and "dark_mode.css" not in page
    assert "干部选任全程纪实 系统管理" in page and "周立新" in page
    assert "Model name" not in page and "Add link" not in page


# ---------------------------------------------------------------------------- the browser tests' scanner


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("后备干部状态：inspection", "inspection"),
        ("角色 组工干部 org_staff", "org_staff"),
        ("提名（nominate）", "nominate"),
        ("依据：001 附件2 第十条(三)", "001 附件"),
        ("依据：002 #24", "002 #"),
        ("提名理由:", "由:"),
        ("已签名：None", "None"),
        ("是否正职：True", "True"),
        ("操作 reason_text", "reason_text"),
    ],
)
def test_scanner_finds_developer_words(text, word):
    assert [w for _, w, _ in developer_words(text)] == [word]


@pytest.mark.parametrize(
    "text",
    [
        "M1 动议理由为“其他”时必须写明具体理由",
        "V10 由全委会表决",
        "2026-12-07 04:46:33",
        "张三（组长）",
        "《中共县委关于规范县委书记选人用人行为办法（试行）》第十条（二）",
        "English",
        "哈希 9d98acbf0d05",
        "第 2 号举报",
    ],
)
def test_scanner_leaves_words_people_read(text):
    assert developer_words(text) == []


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        ({"candidate": 10, "actor": None}, "人选：10"),
        ({"kind": "candidate", "ids": [1, 2], "actor": 3, "batch": "ab12"}, "对象：人选；编号：1、2"),
        ({"selections": [3], "selection": None, "year": 2026}, "选任工作：3；年度：2026"),
        ({}, ""),
    ],
)
def test_job_arguments_in_words(args, shown):
    from cadre.templatetags.jobs_tags import job_args

    assert job_args(args) == shown
