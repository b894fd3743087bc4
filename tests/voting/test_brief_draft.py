"""V7 draft (issue #11): the brief's five texts drafted from the recommendation results and rank,
the inspection's factor assessments, talks and opinions, and the cadre's facts; the clerk edits it
and saves it through brief_save. Drafting writes nothing, and replaces an existing brief in the
form only once confirmed."""

import pytest
from django.urls import reverse

from cadre.models import RecordEntry
from inspection.models import FactorAssessment, FactorGrade, Talk
from nomination.models import RecommendationResult
from voting import services
from voting.brief_draft import brief_draft
from voting.models import Brief

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(deliberating):
    """The demo graded every factor 良好; one is 优秀 (a trait) and one 一般 (a shortcoming)."""
    FactorAssessment.objects.filter(candidate=deliberating, factor="politics").update(
        grade=FactorGrade.EXCELLENT, text="政治立场坚定，大局意识强。"
    )
    FactorAssessment.objects.filter(candidate=deliberating, factor="conduct").update(
        grade=FactorGrade.FAIR, text="深入基层调研不够。"
    )
    return deliberating


def test_draft_holds_the_recommendation_figures_and_the_inspection(graded, staff):
    result = RecommendationResult.objects.select_related("meeting__unit").get(cadre=graded.cadre)
    meeting = result.meeting
    draft = brief_draft(candidate=graded)
    assert set(draft) == set(Brief.FIELDS)
    rec = draft["recommendation"]
    assert f"应参加{meeting.entitled}人、实参加{meeting.present}人，得{result.votes}票" in rec
    assert f"占实参加人数的{result.votes / meeting.present * 100:.1f}%" in rec  # 30 of 36: 83.3%
    assert f"排第{result.rank}名" in rec and meeting.unit.name in rec
    assert "部长办公会研究确定为考察对象" in rec
    ev = draft["evaluation"]
    assert graded.cadre.name in ev and f"{graded.cadre.birth_date.year}年{graded.cadre.birth_date.month}月生" in ev
    assert "思想政治素质（优秀）：政治立场坚定，大局意识强。" in ev
    assert "工作能力水平（良好）：表现较好。" in ev
    assert "群众基础和工作作风（一般）：深入基层调研不够。" in ev
    talks = Talk.objects.filter(candidate=graded).count()
    assert talks > 0 and f"个别谈话{talks}人次" in ev
    assert "纪检意见" in ev and "未发现影响使用的问题。" in ev
    assert draft["traits"] == "思想政治素质：政治立场坚定，大局意识强。"
    assert draft["shortcomings"] == "群众基础和工作作风：深入基层调研不够。"
    assert f"拟任{graded.position}" in draft["reasons"]
    assert "考察组建议：" in draft["reasons"]  # the demo's report recommends this candidate


def test_draft_names_what_is_still_missing(graded):
    FactorAssessment.objects.filter(candidate=graded, factor="integrity").delete()
    FactorAssessment.objects.filter(candidate=graded, factor="politics").update(grade=FactorGrade.GOOD)
    FactorAssessment.objects.filter(candidate=graded, factor="conduct").update(grade=FactorGrade.GOOD)
    draft = brief_draft(candidate=graded)
    assert "尚未评价：廉洁自律。（请根据考察情况补充）" in draft["evaluation"]
    assert draft["traits"] == draft["shortcomings"] == "（请根据考察情况补充）"


def url(candidate):
    return reverse("voting:decision", args=[candidate.pk])


def test_draft_button_fills_the_form_and_writes_nothing(client, staff, graded):
    client.force_login(staff)
    page = client.get(url(graded)).content.decode()
    assert "从已有材料生成草稿" in page
    entries = RecordEntry.objects.filter(candidate=graded).count()
    response = client.post(url(graded), {"action": "draft"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "已根据推荐结果、考察情况和干部基本情况生成草稿" in html
    assert "政治立场坚定，大局意识强。</textarea>" in html  # the traits field
    assert "得30票" in html
    assert not Brief.objects.exists()
    assert RecordEntry.objects.filter(candidate=graded).count() == entries
    # the clerk edits and saves: through brief_save, into the record
    draft = brief_draft(candidate=graded)
    assert client.post(url(graded), {**draft, "traits": "善于统筹协调。"}).status_code == 302
    assert Brief.objects.get(candidate=graded).traits == "善于统筹协调。"
    assert Brief.objects.get(candidate=graded).recommendation == draft["recommendation"]


def test_an_edited_brief_is_replaced_in_the_form_only_after_a_confirm(client, staff, graded):
    services.brief_save(
        actor=staff,
        candidate_id=graded.pk,
        recommendation="手写的推荐情况",
        evaluation="手写的考察评价",
        traits="手写的特点",
        shortcomings="手写的不足",
        reasons="手写的理由",
    )
    saved = Brief.objects.values(*Brief.FIELDS).get()
    client.force_login(staff)
    html = client.post(url(graded), {"action": "draft"}).content.decode()
    assert "确认生成草稿" in html and 'name="confirm" value="1"' in html
    assert "手写的特点</textarea>" in html and "政治立场坚定" not in html
    html = client.post(url(graded), {"action": "draft", "confirm": "1"}).content.decode()
    assert "政治立场坚定，大局意识强。</textarea>" in html and "手写的特点</textarea>" not in html
    assert Brief.objects.values(*Brief.FIELDS).get() == saved  # the saved brief is untouched


def test_only_assigned_staff_draft(client, supervisor, other_staff, graded):
    client.force_login(supervisor)
    assert client.post(url(graded), {"action": "draft"}).status_code == 403
    client.force_login(other_staff)
    assert client.post(url(graded), {"action": "draft"}).status_code == 404
    assert not Brief.objects.exists()
