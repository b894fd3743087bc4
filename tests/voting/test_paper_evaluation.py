"""纸质民主测评 (E2, #9): first entry, blind second entry by another clerk (equal → the cadres'
Evaluation; different → 409 naming what differs; same clerk → 403), from Excel with per-cell errors
and nothing written on any error; the templates and the export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from cadre import roles
from cadre.errors import Conflict, InvalidInput, NotAllowed
from cadre.models import Evaluation, RecordEntry
from voting import services
from voting.models import PaperEvaluation, PaperEvaluationRow

from ..factories import CadreFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
URL = "voting:paper_evaluations"


@pytest.fixture
def unit():
    return UnitFactory(name="县农业农村局")


@pytest.fixture
def a(unit):
    return CadreFactory(name="张一", unit=unit)


@pytest.fixture
def b(unit):
    return CadreFactory(name="王二", unit=unit)


def counts(e, c, bc, i):
    return {"excellent": e, "competent": c, "basically_competent": bc, "incompetent": i}


def first(staff, a, b, **over):
    args = {
        "title": "年度民主测评",
        "year": YEAR,
        "ballots": 30,
        "rows": {a.pk: counts(10, 15, 3, 2), b.pk: counts(5, 10, 10, 5)},
    }
    args.update(over)
    return services.paper_evaluation_enter(actor=staff, **args)


def sheet(ballots=30, rows=()):
    book = Workbook()
    ws = book.active
    ws.append(["说明"])
    ws.append(["项目", "票数"])
    ws.append(["收回测评票数", ballots])
    ws.append([])
    ws.append(["编号", "姓名", "单位", "优秀", "称职", "基本称职", "不称职"])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rows_for(a, b, first_row=(10, 15, 3, 2), second_row=(5, 10, 10, 5)):
    return [(a.pk, a.name, "", *first_row), (b.pk, b.name, "", *second_row)]


# ---------------------------------------------------------------------------- the double entry


def test_first_entry_counts_for_nothing_until_confirmed(staff, other_staff, a, b):
    evaluation = first(staff, a, b)
    assert not evaluation.confirmed and not Evaluation.objects.exists()
    services.paper_evaluation_confirm(
        actor=other_staff,
        evaluation_id=evaluation.pk,
        ballots=30,
        rows={a.pk: counts(10, 15, 3, 2), b.pk: counts(5, 10, 10, 5)},
    )
    evaluation.refresh_from_db()
    assert evaluation.confirmed_by == other_staff and evaluation.confirmed_at is not None
    got = {
        e.cadre_id: (e.year, e.excellent, e.competent, e.basically_competent, e.incompetent)
        for e in Evaluation.objects.all()
    }
    assert got == {a.pk: (YEAR, 10, 15, 3, 2), b.pk: (YEAR, 5, 10, 10, 5)}


def test_the_same_clerk_cannot_confirm(staff, a, b):
    evaluation = first(staff, a, b)
    with pytest.raises(NotAllowed):
        services.paper_evaluation_confirm(
            actor=staff,
            evaluation_id=evaluation.pk,
            ballots=30,
            rows={a.pk: counts(10, 15, 3, 2), b.pk: counts(5, 10, 10, 5)},
        )
    assert not Evaluation.objects.exists()


def test_different_numbers_are_refused_naming_each(staff, other_staff, a, b):
    evaluation = first(staff, a, b)
    with pytest.raises(Conflict) as refused:
        services.paper_evaluation_confirm(
            actor=other_staff,
            evaluation_id=evaluation.pk,
            ballots=31,
            rows={a.pk: counts(10, 15, 3, 2), b.pk: counts(6, 9, 10, 5)},
        )
    assert refused.value.rule == "E2"
    assert refused.value.message.endswith("（不一致：收回测评票数；王二的优秀票、称职票）")
    evaluation.refresh_from_db()
    assert not evaluation.confirmed and not Evaluation.objects.exists()


def test_a_cadre_missing_from_the_second_entry_is_a_mismatch(staff, other_staff, a, b):
    evaluation = first(staff, a, b)
    with pytest.raises(Conflict) as refused:
        services.paper_evaluation_confirm(
            actor=other_staff, evaluation_id=evaluation.pk, ballots=30, rows={a.pk: counts(10, 15, 3, 2)}
        )
    assert "王二的优秀票、称职票、基本称职票、不称职票" in refused.value.message


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"ballots": 0}, "ballots"),
        ({"ballots": -3}, "ballots"),
        ({"rows": {}}, "__all__"),
        ({"year": YEAR + 1}, "year"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_first_entries_write_nothing(staff, a, b, over, field):
    with pytest.raises(InvalidInput) as refused:
        first(staff, a, b, **over)
    assert field in refused.value.errors
    assert not PaperEvaluation.objects.exists() and not PaperEvaluationRow.objects.exists()


def test_four_counts_at_most_the_ballots(staff, a, b):
    with pytest.raises(InvalidInput) as refused:
        first(staff, a, b, rows={a.pk: counts(10, 15, 3, 3)})  # 31 of 30
    assert refused.value.errors == {f"total_{a.pk}": ["四项票数合计（31）不能多于收回测评票数（30）"]}
    assert first(staff, a, b, rows={a.pk: counts(10, 15, 3, 2)}).rows.get().incompetent == 2  # 30 of 30


def test_one_evaluation_a_year(staff, other_staff, a, b):
    Evaluation.objects.create(cadre=a, year=YEAR, excellent=1)
    with pytest.raises(InvalidInput) as refused:
        first(staff, a, b)
    assert refused.value.errors == {f"total_{a.pk}": [f"张一已有 {YEAR} 年度的民主测评结果"]}


def test_only_cadre_keepers_enter(a, b):
    for role in (roles.SUPERVISOR, roles.INSPECTOR, roles.COMMITTEE_MEMBER):
        with pytest.raises(NotAllowed):
            first(UserFactory(roles=[role]), a, b)
    assert not PaperEvaluation.objects.exists()


def test_confirmed_entry_cannot_be_discarded_or_confirmed_again(staff, other_staff, admin_user, a, b):
    evaluation = first(staff, a, b)
    rows = {a.pk: counts(10, 15, 3, 2), b.pk: counts(5, 10, 10, 5)}
    services.paper_evaluation_confirm(actor=other_staff, evaluation_id=evaluation.pk, ballots=30, rows=rows)
    with pytest.raises(Conflict) as refused:
        services.paper_evaluation_confirm(actor=admin_user, evaluation_id=evaluation.pk, ballots=30, rows=rows)
    assert refused.value.rule == "S1"
    with pytest.raises(Conflict):
        services.paper_evaluation_discard(actor=staff, evaluation_id=evaluation.pk)
    assert Evaluation.objects.count() == 2


# ---------------------------------------------------------------------------- from Excel, through the page


def page_upload(client, data, title="年度民主测评", year=YEAR):
    return client.post(
        reverse(URL),
        {"action": "upload", "up-title": title, "up-year": year, "up-file": SimpleUploadedFile("测评.xlsx", data)},
    )


def page_confirm(client, evaluation, data):
    return client.post(
        reverse(URL),
        {"action": "upload_confirm", "evaluation": evaluation.pk, "file": SimpleUploadedFile("测评.xlsx", data)},
    )


def test_excel_double_entry_through_the_page(client, staff, other_staff, a, b):
    client.force_login(staff)
    assert page_upload(client, sheet(rows=rows_for(a, b))).status_code == 302
    evaluation = PaperEvaluation.objects.get()
    assert evaluation.entered_by == staff and evaluation.ballots == 30

    assert page_confirm(client, evaluation, sheet(rows=rows_for(a, b))).status_code == 403  # the same clerk
    assert not Evaluation.objects.exists()

    client.force_login(other_staff)
    html = client.get(reverse(URL)).content.decode()
    assert "待第二人核对" in html and '<td class="num">15</td>' not in html  # blind: no first-entry numbers
    response = page_confirm(client, evaluation, sheet(rows=rows_for(a, b, second_row=(5, 10, 9, 5))))
    assert response.status_code == 409 and "王二的基本称职票" in response.content.decode()
    assert not Evaluation.objects.exists()

    assert page_confirm(client, evaluation, sheet(rows=rows_for(a, b))).status_code == 302
    assert Evaluation.objects.get(cadre=a).competent == 15
    assert '<td class="num">15</td>' in client.get(reverse(URL)).content.decode()


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda a, b: sheet(rows=rows_for(a, b, first_row=("十", 15, 3, 2))), ["第 6 行“优秀”：“十”不是整数"]),
        (lambda a, b: sheet(rows=rows_for(a, b, first_row=(10, -1, 3, 2))), ["第 6 行“称职”：不能为负数"]),
        (
            lambda a, b: sheet(rows=rows_for(a, b, first_row=(10, 15, 3, 3))),
            ["第 6 行：四项票数合计（31）不能多于收回测评票数（30）"],
        ),
        (lambda a, b: sheet(ballots="三十", rows=rows_for(a, b)), ["第 3 行“收回测评票数”：“三十”不是整数"]),
        (
            lambda a, b: sheet(rows=[*rows_for(a, b), (999999, "某人", "", 1, 1, 1, 1)]),
            ["第 8 行“编号”：编号 999999 不是可测评的干部"],
        ),
        (
            lambda a, b: sheet(rows=[*rows_for(a, b), (a.pk, a.name, "", 1, 1, 1, 1)]),
            ["第 8 行“编号”：与第 6 行是同一名干部"],
        ),
        (
            lambda a, b: sheet(rows=[(a.pk, a.name, "", 1, None, 1, 1)]),
            ["第 6 行“称职”：未填写"],
        ),
        (lambda a, b: sheet(rows=[(a.pk, a.name, "", None, None, None, None)]), ["请至少填写一名干部的测评票数"]),
    ],
)
def test_excel_errors_named_and_nothing_written(staff, a, b, build, expected):
    before = RecordEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.paper_evaluation_enter_xlsx(actor=staff, title="测评", year=YEAR, data=build(a, b))
    assert refused.value.errors == {"file": expected}
    assert not PaperEvaluation.objects.exists() and RecordEntry.objects.count() == before


def test_second_entry_from_excel_needs_every_row_and_number(staff, other_staff, a, b):
    evaluation = services.paper_evaluation_enter_xlsx(
        actor=staff, title="测评", year=YEAR, data=sheet(rows=rows_for(a, b))
    )
    with pytest.raises(InvalidInput) as refused:
        services.paper_evaluation_confirm_xlsx(
            actor=other_staff, evaluation_id=evaluation.pk, data=sheet(rows=rows_for(a, b)[:1])
        )
    assert refused.value.errors == {"file": [f"缺少王二（编号 {b.pk}）的一行：第一次录入的每名干部都应有一行"]}
    with pytest.raises(InvalidInput):
        services.paper_evaluation_confirm_xlsx(
            actor=other_staff,
            evaluation_id=evaluation.pk,
            data=sheet(rows=[rows_for(a, b)[0], (b.pk, b.name, "", None, None, None, None)]),
        )
    assert not Evaluation.objects.exists()


def test_not_an_excel_file(client, staff):
    client.force_login(staff)
    response = page_upload(client, b"\x00\x01 not a workbook")
    assert response.status_code == 400 and "不是 Excel 文件" in response.content.decode()
    assert not PaperEvaluation.objects.exists()


def test_templates_and_export(client, staff, other_staff, unit, a, b):
    client.force_login(staff)
    response = client.get(reverse(URL), {"format": "template", "unit": unit.pk})
    assert response.status_code == 200
    values = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert values[2][:2] == ["收回测评票数", None]
    assert values[4] == ["编号", "姓名", "单位", "优秀", "称职", "基本称职", "不称职"]
    assert sorted(v[1] for v in values[5:]) == ["张一", "王二"] and all(v[3:] == [None] * 4 for v in values[5:])

    evaluation = services.paper_evaluation_enter_xlsx(
        actor=staff, title="测评", year=YEAR, data=sheet(rows=rows_for(a, b))
    )
    client.force_login(other_staff)
    blind = client.get(reverse(URL), {"format": "template", "evaluation": evaluation.pk})
    values = [list(r) for r in load_workbook(io.BytesIO(blind.content)).active.iter_rows(values_only=True)]
    assert [v[0] for v in values[5:]] == [a.pk, b.pk]
    assert {x for row in values[5:] for x in row[3:]} == {None}
    assert 30 not in values[2]
    exported = client.get(reverse(URL), {"format": "xlsx"})
    assert len(list(load_workbook(io.BytesIO(exported.content)).active.iter_rows())) == 2  # nothing confirmed yet

    services.paper_evaluation_confirm_xlsx(
        actor=other_staff, evaluation_id=evaluation.pk, data=sheet(rows=rows_for(a, b))
    )
    exported = client.get(reverse(URL), {"format": "xlsx"})
    values = [list(r) for r in load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True)]
    assert values[1][:9] == [
        "测评年度",
        "测评名称",
        "收回测评票数",
        "干部",
        "单位",
        "优秀",
        "称职",
        "基本称职",
        "不称职",
    ]
    assert values[2][:9] == [YEAR, "测评", 30, "张一", "县农业农村局", 10, 15, 3, 2]
    assert client.get(reverse(URL), {"format": "template", "evaluation": evaluation.pk}).status_code == 404


def test_page_roles(client, supervisor, a, b):
    client.force_login(UserFactory(roles=[roles.INSPECTOR]))
    assert client.get(reverse(URL)).status_code == 403
    assert client.get(reverse(URL), {"format": "xlsx"}).status_code == 403
    client.force_login(supervisor)
    assert client.get(reverse(URL)).status_code == 200
    assert page_upload(client, sheet(rows=rows_for(a, b))).status_code == 403
    assert not PaperEvaluation.objects.exists()


def test_confirmation_enters_open_candidacies_records_naming_both_clerks(staff, other_staff, candidate, b):
    evaluation = first(staff, candidate.cadre, b)
    before = candidate.record.count()
    services.paper_evaluation_confirm(
        actor=other_staff,
        evaluation_id=evaluation.pk,
        ballots=30,
        rows={candidate.cadre_id: counts(10, 15, 3, 2), b.pk: counts(5, 10, 10, 5)},
    )
    entry = candidate.record.order_by("seq").last()
    assert candidate.record.count() == before + 1
    assert entry.payload["paper_evaluation"] == evaluation.pk
    assert entry.payload["entered_by"] == staff.username and entry.payload["confirmed_by"] == other_staff.username


def test_page_query_count_does_not_grow(
    client, staff, other_staff, django_assert_num_queries, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            x, y = CadreFactory(), CadreFactory()
            e = first(staff, x, y)
            rows = {x.pk: counts(10, 15, 3, 2), y.pk: counts(5, 10, 10, 5)}
            services.paper_evaluation_confirm(actor=other_staff, evaluation_id=e.pk, ballots=30, rows=rows)
            first(staff, CadreFactory(), CadreFactory())  # and one pending

    client.force_login(other_staff)
    add(1)
    client.get(reverse(URL))  # warm the session and the user's groups
    with django_assert_max_num_queries(50) as one:
        assert client.get(reverse(URL)).status_code == 200
    add(4)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(reverse(URL)).status_code == 200


def typed_first(unit, a, b, **over):
    data = {"action": "enter", "unit": unit.pk, "t-title": "年度民主测评", "t-year": YEAR, "t-ballots": 30}
    for cadre, row in ((a, (10, 15, 3, 2)), (b, (5, 10, 10, 5))):
        for grade, n in zip(("excellent", "competent", "basically_competent", "incompetent"), row, strict=True):
            data[f"t-{grade}_{cadre.pk}"] = n
    data.update(over)
    return data


def typed_second(evaluation, a, b, **over):
    p = f"e{evaluation.pk}-"
    data = {"action": "confirm", "evaluation": evaluation.pk, f"{p}ballots": 30}
    for cadre, row in ((a, (10, 15, 3, 2)), (b, (5, 10, 10, 5))):
        for grade, n in zip(("excellent", "competent", "basically_competent", "incompetent"), row, strict=True):
            data[f"{p}{grade}_{cadre.pk}"] = n
    data.update(over)
    return data


def test_typed_double_entry_through_the_page(client, staff, other_staff, unit, a, b):
    client.force_login(staff)
    html = client.get(reverse(URL), {"unit": unit.pk}).content.decode()
    assert f'name="t-excellent_{a.pk}"' in html and f'name="t-incompetent_{b.pk}"' in html
    bad = client.post(reverse(URL), typed_first(unit, a, b, **{f"t-incompetent_{a.pk}": 3}))
    assert bad.status_code == 400 and "四项票数合计（31）不能多于收回测评票数（30）" in bad.content.decode()
    assert not PaperEvaluation.objects.exists()
    assert client.post(reverse(URL), typed_first(unit, a, b)).status_code == 302
    evaluation = PaperEvaluation.objects.get()
    assert client.post(reverse(URL), typed_second(evaluation, a, b)).status_code == 403  # the same clerk
    assert not Evaluation.objects.exists()

    client.force_login(other_staff)
    page = client.get(reverse(URL)).content.decode()
    assert f'name="e{evaluation.pk}-excellent_{a.pk}"' in page and 'value="15"' not in page  # blind
    response = client.post(reverse(URL), typed_second(evaluation, a, b, **{f"e{evaluation.pk}-competent_{b.pk}": 9}))
    assert response.status_code == 409 and "王二的称职票" in response.content.decode()
    assert not Evaluation.objects.exists()
    missing = typed_second(evaluation, a, b)
    del missing[f"e{evaluation.pk}-competent_{b.pk}"]
    assert client.post(reverse(URL), missing).status_code == 400  # every box required at the second entry
    assert client.post(reverse(URL), typed_second(evaluation, a, b)).status_code == 302
    assert Evaluation.objects.get(cadre=b).basically_competent == 10
