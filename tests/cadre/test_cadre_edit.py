"""A cadre's facts change only through the services, with the record: the services themselves, the
post change (M3), the admin's Cadre page and the workspace's cadre page."""

import json
from datetime import date, timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from cadre import roles, services
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import (
    Assessment,
    Cadre,
    Candidate,
    Evaluation,
    Kinship,
    MotionReason,
    RecordEntry,
    RecordKind,
    Sanction,
    Stage,
)
from cadre.record import verify

from ..conftest import advance
from ..factories import AssessmentFactory, CadreFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1


def _entries(candidate) -> list[RecordEntry]:
    return list(RecordEntry.objects.filter(candidate=candidate, kind=RecordKind.CADRE_CHANGED).order_by("seq"))


def _last(candidate) -> dict:
    return _entries(candidate)[-1].payload


@pytest.fixture
def cadre(candidate) -> Cadre:
    return candidate.cadre


@pytest.fixture
def second(other_staff, cadre) -> Candidate:
    """The same cadre, a candidate in a second open selection run by another staff member."""
    position = PositionFactory()
    selection = services.selection_create(
        actor=other_staff, title="县审计局副局长选任", reason=MotionReason.VACANCY, positions=[position]
    )
    return services.candidate_create(actor=other_staff, selection=selection, position=position, cadre=cadre)


@pytest.fixture
def closed(staff, cadre) -> Candidate:
    """The same cadre in a third selection, withdrawn: its chain is not written to."""
    position = PositionFactory()
    selection = services.selection_create(
        actor=staff, title="县水利局副局长选任", reason=MotionReason.VACANCY, positions=[position]
    )
    candidate = services.candidate_create(actor=staff, selection=selection, position=position, cadre=cadre)
    return advance(candidate, staff, "withdraw", prepared=False, reason="本人申请")


def _json_safe(value):
    """Only str, int, bool, None, lists and dicts (no floats, no dates)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_safe(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_safe(v) for v in value)
    return value is None or isinstance(value, str | int | bool) and not isinstance(value, float)


# ---------------------------------------------------------------------------- the permission rule


def test_can_edit_cadre_rule(staff, other_staff, supervisor, admin_user, cadre, second):
    from cadre.selectors import can_edit_cadre

    free = CadreFactory()
    nobody = UserFactory(roles=[roles.ORG_STAFF])
    inspector = UserFactory(roles=[roles.INSPECTOR])
    committee = UserFactory(roles=[roles.COMMITTEE_MEMBER])
    assert can_edit_cadre(user=staff, cadre=cadre) and can_edit_cadre(user=other_staff, cadre=cadre)
    assert not can_edit_cadre(user=nobody, cadre=cadre) and can_edit_cadre(user=nobody, cadre=free)
    assert can_edit_cadre(user=admin_user, cadre=cadre) and can_edit_cadre(user=admin_user, cadre=free)
    for user in (supervisor, inspector, committee):
        assert not can_edit_cadre(user=user, cadre=cadre) and not can_edit_cadre(user=user, cadre=free)


def test_a_closed_candidacy_does_not_restrict(staff, closed):
    from cadre.selectors import can_edit_cadre

    withdrawn_only = CadreFactory()
    candidate = services.candidate_create(
        actor=staff, selection=closed.selection, position=closed.position, cadre=withdrawn_only
    )
    advance(candidate, staff, "withdraw", prepared=False, reason="本人申请")
    assert can_edit_cadre(user=UserFactory(roles=[roles.ORG_STAFF]), cadre=withdrawn_only)


# ---------------------------------------------------------------------------- cadre_update


def test_update_records_on_each_open_candidacy(staff, cadre, candidate, second, closed):
    services.cadre_update(actor=staff, cadre=cadre, education="master", canvassing_finding=True, hometown="本县")
    for c in (candidate, second):
        payload = _last(c)
        assert payload["cadre"] == cadre.pk and payload["cadre_name"] == cadre.name
        assert (payload["fact"], payload["action"]) == ("cadre", "update")
        assert payload["changes"] == {
            "education": ["bachelor", "master"],
            "canvassing_finding": [False, True],
            "hometown": ["", "本县"],
        }
        assert "学历 大学本科 → 硕士研究生" in payload["summary"]
        assert "有跑官要官、拉票行为 否 → 是" in payload["summary"]
        assert _json_safe(payload)
        assert _entries(c)[-1].actor == staff
    assert _entries(closed) == []
    cadre.refresh_from_db()
    assert cadre.education == "master" and cadre.canvassing_finding
    assert verify().ok


@pytest.mark.parametrize(
    "fields,changes",
    [
        ({"veto_item_year": LAST_YEAR}, {"veto_item_year": [None, LAST_YEAR]}),
        ({"personal_report_status": "unchecked"}, {"personal_report_status": ["checked", "unchecked"]}),
        ({"spouse_emigrated": True}, {"spouse_emigrated": [False, True]}),
        (
            {"has_spouse": False, "children_emigrated": True},
            {"has_spouse": [True, False], "children_emigrated": [False, True]},
        ),
        ({"birth_date": date(1986, 2, 3)}, {"birth_date": ["1985-05-01", "1986-02-03"]}),
        ({"rank_since": date(2020, 1, 1)}, {"rank_since": [None, "2020-01-01"]}),
    ],
)
def test_flag_facts_are_recorded(staff, cadre, candidate, fields, changes):
    services.cadre_update(actor=staff, cadre=cadre, **fields)
    assert _last(candidate)["changes"] == changes


def test_update_of_the_unit_records_ids(staff, cadre, candidate):
    from ..factories import UnitFactory

    old, new = cadre.unit, UnitFactory(name="县审计局")
    services.cadre_update(actor=staff, cadre=cadre, unit=new)
    payload = _last(candidate)
    assert payload["changes"] == {"unit": [old.pk, new.pk]}
    assert f"单位 {old.name} → 县审计局" in payload["summary"]


def test_nothing_changed_writes_nothing(staff, cadre, candidate):
    services.cadre_update(actor=staff, cadre=cadre, education=cadre.education, name=cadre.name)
    assert _entries(candidate) == []


def test_a_cadre_in_no_selection_is_updated_without_record(other_staff):
    free = CadreFactory()
    services.cadre_update(actor=UserFactory(roles=[roles.ORG_STAFF]), cadre=free, ethnicity="回族")
    assert Cadre.objects.get(pk=free.pk).ethnicity == "回族" and not RecordEntry.objects.exists()


@pytest.mark.parametrize("role", [roles.ORG_STAFF, roles.SUPERVISOR, roles.INSPECTOR, roles.COMMITTEE_MEMBER])
def test_update_refused_for_who_the_rule_refuses(cadre, candidate, role):
    before = RecordEntry.objects.count()
    with pytest.raises(NotAllowed):
        services.cadre_update(actor=UserFactory(roles=[role]), cadre=cadre, ethnicity="回族")
    assert Cadre.objects.get(pk=cadre.pk).ethnicity == "汉族" and RecordEntry.objects.count() == before


def test_admin_may_update_and_is_recorded(admin_user, cadre, candidate):
    services.cadre_update(actor=admin_user, cadre=cadre, ethnicity="回族")
    assert _entries(candidate)[-1].actor == admin_user


@pytest.mark.parametrize(
    "fields,field,message",
    [
        ({"birth_date": TODAY + timedelta(days=1)}, "birth_date", "出生日期不能晚于今天"),
        ({"work_start_date": date(1980, 1, 1)}, "work_start_date", "参加工作时间必须晚于出生日期"),
        ({"party_date": TODAY + timedelta(days=3)}, "party_date", "入党时间不能晚于今天"),
        ({"veto_item_year": TODAY.year + 1}, "veto_item_year", "一票否决年度不合理"),
        ({"position": None}, "position", services.POST_READ_ONLY),
        ({"position_since": TODAY}, "position_since", services.POST_READ_ONLY),
    ],
)
def test_update_invalid_writes_nothing(staff, cadre, candidate, fields, field, message):
    before = Cadre.objects.filter(pk=cadre.pk).values().get()
    with pytest.raises(InvalidInput) as exc:
        services.cadre_update(actor=staff, cadre=cadre, ethnicity="回族", **fields)
    assert exc.value.errors[field] == [message]
    assert Cadre.objects.filter(pk=cadre.pk).values().get() == before
    assert _entries(candidate) == []


def test_create_refuses_a_post(staff, position):
    with pytest.raises(InvalidInput) as exc:
        services.cadre_create(
            actor=staff,
            name="新人",
            gender="F",
            education="bachelor",
            birth_date=date(1990, 1, 1),
            work_start_date=date(2012, 7, 1),
            unit=position.unit,
            position=position,
        )
    assert exc.value.errors == {"position": [services.POST_READ_ONLY]}


# ---------------------------------------------------------------------------- facts


def test_assessment_create_update_delete(staff, cadre, candidate, second, closed):
    fact = services.cadre_fact_create(actor=staff, cadre=cadre, model=Assessment, year=LAST_YEAR, grade="competent")
    for c in (candidate, second):
        payload = _last(c)
        assert (payload["fact"], payload["action"], payload["fact_id"]) == ("assessment", "create", fact.pk)
        assert payload["changes"] == {"year": [None, LAST_YEAR], "grade": [None, "competent"]}
        assert payload["summary"] == f"新增年度考核：年度 {LAST_YEAR}；等次 称职"
    services.cadre_fact_update(actor=staff, cadre=cadre, model=Assessment, fact_id=fact.pk, grade="basically_competent")
    assert Assessment.objects.get(pk=fact.pk).grade == "basically_competent"
    for c in (candidate, second):
        payload = _last(c)
        assert (payload["action"], payload["changes"]) == ("update", {"grade": ["competent", "basically_competent"]})
        assert payload["summary"] == "修改年度考核：等次 称职 → 基本称职"
    services.cadre_fact_delete(actor=staff, cadre=cadre, model=Assessment, fact_id=fact.pk)
    assert not Assessment.objects.filter(pk=fact.pk).exists()
    for c in (candidate, second):
        payload = _last(c)
        assert (payload["action"], payload["fact_id"]) == ("delete", fact.pk)
        assert payload["changes"] == {"year": [LAST_YEAR, None], "grade": ["basically_competent", None]}
        assert len(_entries(c)) == 3
    assert _entries(closed) == []
    assert verify().ok


def test_evaluation_create_and_update(staff, cadre, candidate):
    fact = services.cadre_fact_create(
        actor=staff, cadre=cadre, model=Evaluation, year=LAST_YEAR, excellent=20, competent=10
    )
    assert _last(candidate)["changes"] == {
        "year": [None, LAST_YEAR],
        "excellent": [None, 20],
        "competent": [None, 10],
        "basically_competent": [None, 0],
        "incompetent": [None, 0],
    }
    services.cadre_fact_update(actor=staff, cadre=cadre, model=Evaluation, fact_id=fact.pk, incompetent=12)
    assert _last(candidate)["changes"] == {"incompetent": [0, 12]}


def test_sanction_create_update_delete_dates_as_iso(staff, cadre, candidate):
    fact = services.cadre_fact_create(
        actor=staff,
        cadre=cadre,
        model=Sanction,
        kind="诫勉",
        starts_on=date(2024, 1, 10),
        influence_ends_on=date(2024, 7, 10),
    )
    assert _last(candidate)["changes"]["influence_ends_on"] == [None, "2024-07-10"]
    services.cadre_fact_update(
        actor=staff, cadre=cadre, model=Sanction, fact_id=fact.pk, influence_ends_on=date(2025, 1, 10)
    )
    assert _last(candidate)["changes"] == {"influence_ends_on": ["2024-07-10", "2025-01-10"]}
    services.cadre_fact_delete(actor=staff, cadre=cadre, model=Sanction, fact_id=fact.pk)
    assert _last(candidate)["changes"]["kind"] == ["诫勉", None]
    assert all(_json_safe(e.payload) for e in _entries(candidate))
    assert json.dumps([e.payload for e in _entries(candidate)])


@pytest.mark.parametrize(
    "model,fields,field,message",
    [
        (Assessment, {"year": LAST_YEAR - 1, "grade": "excellent"}, "year", f"{LAST_YEAR - 1} 年度已有年度考核记录"),
        (Assessment, {"year": TODAY.year + 1, "grade": "excellent"}, "year", "年度不能晚于今年"),
        (Assessment, {"year": 1900, "grade": "excellent"}, "year", "年度不合理"),
        (Evaluation, {"year": LAST_YEAR, "excellent": 200001}, "excellent", "票数不能超过 100000"),
        (
            Sanction,
            {"kind": "警告", "starts_on": date(2024, 5, 1), "influence_ends_on": date(2024, 4, 30)},
            "influence_ends_on",
            "影响期截止日期不能早于开始日期",
        ),
        (
            Sanction,
            {"kind": "警告", "starts_on": TODAY + timedelta(days=2), "influence_ends_on": TODAY + timedelta(days=200)},
            "starts_on",
            "处分开始日期不能晚于今天",
        ),
    ],
)
def test_invalid_facts_write_nothing(staff, cadre, candidate, model, fields, field, message):
    AssessmentFactory(cadre=cadre, year=LAST_YEAR - 1)
    before = model.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.cadre_fact_create(actor=staff, cadre=cadre, model=model, **fields)
    assert exc.value.errors[field] == [message]
    assert model.objects.count() == before and _entries(candidate) == []


def test_fact_of_another_cadre_is_refused(staff, cadre, candidate):
    foreign = AssessmentFactory(cadre=CadreFactory())
    with pytest.raises(InvalidInput):
        services.cadre_fact_update(actor=staff, cadre=cadre, model=Assessment, fact_id=foreign.pk, grade="excellent")
    with pytest.raises(InvalidInput):
        services.cadre_fact_delete(actor=staff, cadre=cadre, model=Assessment, fact_id=foreign.pk)
    assert Assessment.objects.get(pk=foreign.pk).grade == "competent"


def test_fact_refused_for_unassigned_staff(cadre, candidate):
    fact = AssessmentFactory(cadre=cadre)
    nobody = UserFactory(roles=[roles.ORG_STAFF])
    with pytest.raises(NotAllowed):
        services.cadre_fact_create(
            actor=nobody,
            cadre=cadre,
            model=Sanction,
            kind="诫勉",
            starts_on=date(2024, 1, 1),
            influence_ends_on=date(2024, 2, 1),
        )
    with pytest.raises(NotAllowed):
        services.cadre_fact_delete(actor=nobody, cadre=cadre, model=Assessment, fact_id=fact.pk)
    assert Assessment.objects.filter(pk=fact.pk).exists() and not Sanction.objects.exists()


def test_kinship_is_recorded_on_both_cadres(staff, other_staff, cadre, candidate):
    relative_candidate = services.candidate_create(
        actor=staff, selection=candidate.selection, position=candidate.position, cadre=CadreFactory()
    )
    relative = relative_candidate.cadre
    kinship = services.cadre_fact_create(actor=staff, cadre=cadre, model=Kinship, relative=relative, relation="配偶")
    for c in (candidate, relative_candidate):
        payload = _last(c)
        assert (payload["fact"], payload["action"]) == ("kinship", "create")
        assert payload["changes"] == {"relative": [None, relative.pk], "relation": [None, "配偶"]}
    # another staff member, not assigned to the relative's selection, may not relate them
    with pytest.raises(NotAllowed):
        services.cadre_fact_delete(actor=other_staff, cadre=cadre, model=Kinship, fact_id=kinship.pk)
    with pytest.raises(InvalidInput) as exc:
        services.cadre_fact_create(actor=staff, cadre=cadre, model=Kinship, relative=cadre, relation="本人")
    assert "relative" in exc.value.errors


# ---------------------------------------------------------------------------- the post (M3)


def test_post_change_into_a_vacant_post_is_recorded(staff, cadre, candidate, second, closed):
    post = PositionFactory(quota=2)
    CadreFactory(position=post)
    services.cadre_change_position(
        actor=staff, cadre_id=cadre.pk, position_id=post.pk, reason="交流任职", on=date(2025, 3, 1)
    )
    cadre.refresh_from_db()
    assert cadre.position == post and cadre.position_since == date(2025, 3, 1)
    for c in (candidate, second):
        payload = _last(c)
        assert (payload["fact"], payload["action"]) == ("position", "update")
        assert payload["changes"] == {"position": [None, post.pk], "position_since": [None, "2025-03-01"]}
        assert payload["reason"] == "交流任职" and payload["on"] == "2025-03-01"
        assert f"现任职务 无 → {post}" in payload["summary"]
    assert _entries(closed) == []
    # and out of it again
    services.cadre_change_position(actor=staff, cadre_id=cadre.pk, position_id=None, reason="退休", on=TODAY)
    assert Cadre.objects.get(pk=cadre.pk).position_id is None
    assert _last(candidate)["changes"] == {"position": [post.pk, None], "position_since": ["2025-03-01", None]}


def test_post_change_into_a_full_post_is_refused_by_m3(staff, cadre, candidate):
    post = PositionFactory(quota=1)
    holder = CadreFactory(position=post)
    with pytest.raises(Conflict) as exc:
        services.cadre_change_position(actor=staff, cadre_id=cadre.pk, position_id=post.pk, reason="调整", on=TODAY)
    assert exc.value.rule == "M3" and "没有空缺" in exc.value.message
    assert exc.value.violations[0].source
    assert Cadre.objects.get(pk=cadre.pk).position_id is None and _entries(candidate) == []
    assert Cadre.objects.get(pk=holder.pk).position == post


def test_a_pending_appointment_fills_the_post(staff, candidate):
    """M3 counts candidates in publicity: the post they are about to take is not vacant."""
    post = candidate.position
    Candidate.objects.filter(pk=candidate.pk).update(stage=Stage.PUBLICITY)  # as if walked there
    other = CadreFactory()
    with pytest.raises(Conflict) as exc:
        services.cadre_change_position(actor=staff, cadre_id=other.pk, position_id=post.pk, reason="调整", on=TODAY)
    assert exc.value.rule == "M3"
    # nor may the candidate be put in it directly: only appointment (A3) does that
    with pytest.raises(Conflict):
        services.cadre_change_position(
            actor=staff, cadre_id=candidate.cadre_id, position_id=post.pk, reason="直接任命", on=TODAY
        )


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"reason": ""}, "reason"),
        ({"on": TODAY + timedelta(days=1)}, "on"),
        ({"on": date(1980, 1, 1)}, "on"),
        ({"position_id": 987654}, "position"),
    ],
)
def test_post_change_bad_input(staff, cadre, candidate, kwargs, field):
    post = PositionFactory()
    call = {"actor": staff, "cadre_id": cadre.pk, "position_id": post.pk, "reason": "调整", "on": TODAY, **kwargs}
    with pytest.raises(InvalidInput) as exc:
        services.cadre_change_position(**call)
    assert field in exc.value.errors
    assert Cadre.objects.get(pk=cadre.pk).position_id is None and _entries(candidate) == []


def test_post_change_refused_for_unassigned_staff_and_supervisors(supervisor, cadre, candidate):
    post = PositionFactory()
    for user in (UserFactory(roles=[roles.ORG_STAFF]), supervisor):
        with pytest.raises(NotAllowed):
            services.cadre_change_position(actor=user, cadre_id=cadre.pk, position_id=post.pk, reason="x", on=TODAY)
    assert Cadre.objects.get(pk=cadre.pk).position_id is None


# ---------------------------------------------------------------------------- admin


def _admin_post_data(response) -> dict:
    """The change form's data as the browser would send it back, inlines and management forms included."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or isinstance(field, forms.FileField):
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value.isoformat() if isinstance(value, date) else value
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        for key, value in fs.management_form.initial.items():
            data[f"{fs.prefix}-{key}"] = value
        for row in fs.forms:
            for name in row.fields:
                value = row[name].value()
                if value is not None and not isinstance(value, bool):
                    data[row.add_prefix(name)] = value.isoformat() if isinstance(value, date) else value
    return data


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_save_goes_through_the_services(admin_client, admin_user, cadre, candidate, second):
    fact = AssessmentFactory(cadre=cadre, year=LAST_YEAR - 1)
    url = reverse("admin:cadre_cadre_change", args=[cadre.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "position" not in response.context["adminform"].form.fields
    data = _admin_post_data(response)
    data.update({"education": "master", "position": PositionFactory().pk, "position_since": "2020-01-01"})
    data.update({"assessments-0-grade": "excellent", "assessments-TOTAL_FORMS": "2"})
    data.update(
        {"assessments-1-year": str(LAST_YEAR), "assessments-1-grade": "competent", "assessments-1-cadre": cadre.pk}
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    cadre.refresh_from_db()
    assert cadre.education == "master" and cadre.position_id is None and cadre.position_since is None
    assert Assessment.objects.get(pk=fact.pk).grade == "excellent"
    assert Assessment.objects.filter(cadre=cadre, year=LAST_YEAR, grade="competent").exists()
    for c in (candidate, second):
        payloads = [e.payload for e in _entries(c)]
        assert [(p["fact"], p["action"]) for p in payloads] == [
            ("cadre", "update"),
            ("assessment", "update"),
            ("assessment", "create"),
        ]
        assert payloads[0]["changes"] == {"education": ["bachelor", "master"]}
        assert all(e.actor == admin_user for e in _entries(c))
    assert verify().ok


def test_admin_delete_of_a_fact_is_recorded(admin_client, cadre, candidate):
    fact = AssessmentFactory(cadre=cadre)
    url = reverse("admin:cadre_cadre_change", args=[cadre.pk])
    data = _admin_post_data(admin_client.get(url))
    data["assessments-0-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert not Assessment.objects.filter(pk=fact.pk).exists()
    assert (_last(candidate)["fact"], _last(candidate)["action"]) == ("assessment", "delete")


def test_admin_invalid_input_is_shown_and_nothing_saved(admin_client, cadre, candidate):
    url = reverse("admin:cadre_cadre_change", args=[cadre.pk])
    data = _admin_post_data(admin_client.get(url))
    data["work_start_date"] = "1980-01-01"
    data.update({"sanctions-TOTAL_FORMS": "1", "sanctions-0-kind": "警告", "sanctions-0-starts_on": "2024-05-01"})
    data["sanctions-0-influence_ends_on"] = "2024-04-01"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "参加工作时间必须晚于出生日期" in html and "影响期截止日期不能早于开始日期" in html
    assert not Sanction.objects.exists() and _entries(candidate) == []


def test_admin_add_cadre_through_the_service(admin_client, position):
    url = reverse("admin:cadre_cadre_add")
    data = _admin_post_data(admin_client.get(url))
    data.update(
        {
            "name": "新干部",
            "gender": "F",
            "education": "bachelor",
            "birth_date": "1990-01-01",
            "work_start_date": "2012-07-01",
            "unit": position.unit_id,
            "assessments-TOTAL_FORMS": "1",
            "assessments-0-year": str(LAST_YEAR),
            "assessments-0-grade": "excellent",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302
    created = Cadre.objects.get(name="新干部")
    assert created.position_id is None and created.assessments.get().grade == "excellent"


# ---------------------------------------------------------------------------- the workspace's cadre page


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_candidate_page_links_to_the_cadre_page(staff_client, candidate):
    html = staff_client.get(reverse("cadre:candidate", args=[candidate.pk])).content.decode()
    assert f'href="{reverse("cadre:cadre", args=[candidate.cadre_id])}"' in html
    assert "/admin/" not in html.split('id="facts-h"')[1].split("</h2>")[0]


def test_cadre_page_for_an_editor(staff_client, cadre, candidate):
    AssessmentFactory(cadre=cadre)
    response = staff_client.get(reverse("cadre:cadre", args=[cadre.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="cadre-form"' in html and 'id="position-form"' in html
    assert "年度考核" in html and "民主测评" in html and "处分/组织处理" in html
    assert "修改将记入" in html and candidate.selection.title in html
    assert response.context["can_edit"] is True


@pytest.mark.parametrize(
    "role,status,editable",
    [
        (roles.ORG_STAFF, 200, False),
        (roles.SUPERVISOR, 200, False),
        (roles.ADMIN, 200, True),
        (roles.INSPECTOR, 404, False),
        (roles.COMMITTEE_MEMBER, 404, False),
    ],
)
def test_cadre_page_by_role(client, cadre, candidate, role, status, editable):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("cadre:cadre", args=[cadre.pk]))
    assert response.status_code == status
    if status == 200:
        assert ('id="cadre-form"' in response.content.decode()) is editable


def test_cadre_page_needs_login(client, cadre):
    response = client.get(reverse("cadre:cadre", args=[cadre.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _edit_data(cadre, **changes):
    data = {
        "name": cadre.name,
        "gender": cadre.gender,
        "ethnicity": cadre.ethnicity,
        "education": cadre.education,
        "birth_date": cadre.birth_date.isoformat(),
        "party_date": cadre.party_date.isoformat() if cadre.party_date else "",
        "work_start_date": cadre.work_start_date.isoformat(),
        "unit": cadre.unit_id,
        "health": cadre.health,
        "personal_report_status": cadre.personal_report_status,
        "has_spouse": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_on_the_page_is_recorded(staff_client, staff, cadre, candidate):
    response = staff_client.post(
        reverse("cadre:cadre_edit", args=[cadre.pk]),
        _edit_data(cadre, education="master", canvassing_finding="on", veto_item_year=str(LAST_YEAR)),
    )
    assert response.status_code == 302 and response["Location"] == reverse("cadre:cadre", args=[cadre.pk])
    assert _last(candidate)["changes"] == {
        "education": ["bachelor", "master"],
        "canvassing_finding": [False, True],
        "veto_item_year": [None, LAST_YEAR],
    }
    # the candidate page shows the entry
    html = staff_client.get(reverse("cadre:candidate", args=[candidate.pk])).content.decode()
    assert "修改干部信息：" in html and "学历 大学本科 → 硕士研究生" in html


def test_edit_errors_are_shown_in_chinese_and_keep_the_input(staff_client, cadre, candidate):
    future = (TODAY + timedelta(days=5)).isoformat()
    response = staff_client.post(
        reverse("cadre:cadre_edit", args=[cadre.pk]), _edit_data(cadre, birth_date=future, ethnicity="回族")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "出生日期不能晚于今天" in html and 'value="回族"' in html
    assert Cadre.objects.get(pk=cadre.pk).ethnicity == "汉族" and _entries(candidate) == []


def test_edit_refused_by_the_rule(client, supervisor, cadre, candidate):
    client.force_login(UserFactory(roles=[roles.ORG_STAFF]))
    url = reverse("cadre:cadre_edit", args=[cadre.pk])
    assert client.post(url, _edit_data(cadre, ethnicity="回族")).status_code == 404
    client.force_login(supervisor)
    assert client.post(url, _edit_data(cadre, ethnicity="回族")).status_code == 403
    assert Cadre.objects.get(pk=cadre.pk).ethnicity == "汉族" and _entries(candidate) == []


def test_facts_added_edited_and_deleted_on_the_page(staff_client, cadre, candidate):
    add = reverse("cadre:cadre_fact_add", args=[cadre.pk, "sanctions"])
    body = {"sanctions-kind": "诫勉", "sanctions-starts_on": "2024-01-10", "sanctions-influence_ends_on": "2024-07-10"}
    assert staff_client.post(add, body).status_code == 302
    fact = Sanction.objects.get(cadre=cadre)
    edit = reverse("cadre:cadre_fact", args=[cadre.pk, "sanctions", fact.pk])
    page = staff_client.get(edit)
    assert page.status_code == 200 and 'value="2024-07-10"' in page.content.decode()
    data = {"kind": "诫勉", "starts_on": "2024-01-10", "influence_ends_on": "2025-01-10"}
    assert staff_client.post(edit, data).status_code == 302
    assert _last(candidate)["changes"] == {"influence_ends_on": ["2024-07-10", "2025-01-10"]}
    delete = reverse("cadre:cadre_fact_delete", args=[cadre.pk, "sanctions", fact.pk])
    assert staff_client.post(delete).status_code == 302
    assert not Sanction.objects.exists()
    assert [(e.payload["fact"], e.payload["action"]) for e in _entries(candidate)] == [
        ("sanction", "create"),
        ("sanction", "update"),
        ("sanction", "delete"),
    ]


def test_fact_errors_on_the_page(staff_client, cadre, candidate):
    AssessmentFactory(cadre=cadre, year=LAST_YEAR)
    add = reverse("cadre:cadre_fact_add", args=[cadre.pk, "assessments"])
    response = staff_client.post(add, {"assessments-year": str(LAST_YEAR), "assessments-grade": "excellent"})
    assert response.status_code == 400
    assert f"{LAST_YEAR} 年度已有年度考核记录" in response.content.decode()
    assert staff_client.post(reverse("cadre:cadre_fact_add", args=[cadre.pk, "nonsense"]), {}).status_code == 404
    foreign = AssessmentFactory(cadre=CadreFactory())
    assert staff_client.get(reverse("cadre:cadre_fact", args=[cadre.pk, "assessments", foreign.pk])).status_code == 404


def test_post_change_on_the_page(staff_client, cadre, candidate):
    url = reverse("cadre:cadre_position", args=[cadre.pk])
    full = PositionFactory()
    CadreFactory(position=full)
    response = staff_client.post(url, {"position": full.pk, "on": TODAY.isoformat(), "reason": "调整"})
    assert response.status_code == 409 and "没有空缺" in response.content.decode()
    vacant = PositionFactory()
    response = staff_client.post(url, {"position": vacant.pk, "on": TODAY.isoformat(), "reason": "调整"})
    assert response.status_code == 302
    assert Cadre.objects.get(pk=cadre.pk).position == vacant
    assert _last(candidate)["changes"]["position"] == [None, vacant.pk]
    response = staff_client.post(url, {"position": "", "on": TODAY.isoformat(), "reason": ""})
    assert response.status_code == 400 and "职务变动必须写明理由" in response.content.decode()


def test_cadre_page_in_english(staff_client, cadre, candidate):
    from django.conf import settings

    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = staff_client.get(reverse("cadre:cadre", args=[cadre.pk])).content.decode()
    assert "Record a change of post" in html and "记录职务变动" not in html


def test_cadre_page_query_count_does_not_grow_with_the_facts(staff_client, cadre, candidate):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("cadre:cadre", args=[cadre.pk])

    def queries():
        assert staff_client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    AssessmentFactory(cadre=cadre, year=LAST_YEAR)
    few = queries()
    Assessment.objects.bulk_create(Assessment(cadre=cadre, year=y, grade="competent") for y in range(1990, 2020))
    Sanction.objects.bulk_create(
        Sanction(cadre=cadre, kind="诫勉", starts_on=date(y, 1, 1), influence_ends_on=date(y, 6, 1))
        for y in range(1990, 2020)
    )
    assert queries() == few <= 16  # measured: 14
