"""Rule sources (依据) are data: users see the documents' titles (DOMAIN.md's as defaults), an
administrator's edit shows in the next violation, the record keeps what was said at the time, and no
page or API answer shows a developer's file number."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from cadre import citations, rules, services
from cadre.errors import TransitionRefused
from cadre.models import RecordKind, RuleCitation, RuleDocument

pytestmark = pytest.mark.django_db

M4_SOURCE = "《中共县委关于规范县委书记选人用人行为办法（试行）》第十条（三）"
# A developer's citation: a seed file number followed by an annex, a section or an item.
FILE_NUMBER = re.compile(r"\b00[0-4] ?(附件|[一二三四五六七八九十]|\(|（|#)")


@pytest.fixture(autouse=True)
def _fresh_citations():
    """An edit inside a test rolls back with it; the cached citations must not outlive it."""
    citations.forget()
    yield
    citations.forget()


def _m4(candidate):
    evaluation = services.candidate_check(candidate=candidate, transition="nominate")
    return next(v for v in evaluation.violations if v.rule == "M4")


def _admin(admin_user):
    from django.test import Client

    client = Client()
    client.force_login(admin_user)
    return client


def test_a_violation_cites_the_document_by_its_title(candidate):
    assert _m4(candidate).source == M4_SOURCE
    for rule in rules.registered().values():
        assert rule.source, rule.id
        assert not FILE_NUMBER.search(rule.source), (rule.id, rule.source)


def test_every_catalog_rule_has_a_default_citation():
    sources = citations.sources()
    assert set(rules.CATALOG) <= set(sources)
    assert sources["P3"] == "《创公信度示范县落实办法》三（三）1、三（五）1"  # one title for two articles
    assert sources["V1"] == f"《党政领导干部选拔任用工作条例》；{M4_SOURCE.replace('（三）', '（四）')}"


def test_an_admin_edit_of_a_citation_changes_the_next_violation(admin_user, candidate):
    citation = RuleCitation.objects.get(rule="M4")
    url = reverse("admin:cadre_rulecitation_change", args=[citation.pk])
    response = _admin(admin_user).post(
        url, {"rule": "M4", "document": citation.document_id, "article": "第十一条", "order": 1}
    )
    assert response.status_code == 302, response.content.decode()
    assert _m4(candidate).source == "《中共县委关于规范县委书记选人用人行为办法（试行）》第十一条"


def test_an_admin_edit_of_a_document_title_changes_every_rule_citing_it(admin_user, candidate):
    document = RuleDocument.objects.get(code="001-2")
    rows = list(document.citations.all())
    data = {
        "code": document.code,
        "title": "《中共某某县委关于规范县委书记选人用人行为的办法》",
        "citations-TOTAL_FORMS": len(rows),
        "citations-INITIAL_FORMS": len(rows),
        "citations-MIN_NUM_FORMS": 0,
        "citations-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data |= {
            f"citations-{i}-id": row.pk,
            f"citations-{i}-document": document.pk,
            f"citations-{i}-rule": row.rule,
            f"citations-{i}-article": row.article,
            f"citations-{i}-order": row.order,
        }
    response = _admin(admin_user).post(reverse("admin:cadre_ruledocument_change", args=[document.pk]), data)
    assert response.status_code == 302, response.content.decode()
    assert _m4(candidate).source == "《中共某某县委关于规范县委书记选人用人行为的办法》第十条（三）"
    assert rules.registered()["I9"].source == "《中共某某县委关于规范县委书记选人用人行为的办法》第十条（五）"


def test_the_admin_refuses_a_rule_id_outside_the_catalog(admin_user):
    document = RuleDocument.objects.get(code="001-2")
    response = _admin(admin_user).post(
        reverse("admin:cadre_rulecitation_add"), {"rule": "X9", "document": document.pk, "article": "", "order": 1}
    )
    assert response.status_code == 200 and not RuleCitation.objects.filter(rule="X9").exists()
    assert _admin(admin_user).get(reverse("admin:cadre_rulecitation_changelist")).status_code == 200
    assert _admin(admin_user).get(reverse("admin:cadre_ruledocument_changelist")).status_code == 200


def test_the_record_keeps_what_the_rule_said_at_the_time(staff, candidate):
    with pytest.raises(TransitionRefused):
        services.candidate_transition(actor=staff, candidate_id=candidate.pk, transition="nominate")
    first = candidate.record.filter(kind=RecordKind.REFUSED).get()
    RuleCitation.objects.filter(rule="M4").update(article="第十一条")
    citations.forget()  # `update` sends no signal; the admin's save does (tested above)
    with pytest.raises(TransitionRefused):
        services.candidate_transition(actor=staff, candidate_id=candidate.pk, transition="nominate")
    first.refresh_from_db()
    second = candidate.record.filter(kind=RecordKind.REFUSED).order_by("-seq").first()
    said = {e.pk: next(v["source"] for v in e.payload["violations"] if v["rule"] == "M4") for e in (first, second)}
    assert said == {first.pk: M4_SOURCE, second.pk: M4_SOURCE.replace("第十条（三）", "第十一条")}


def test_no_page_or_api_answer_shows_a_file_number(client, staff, candidate):
    client.force_login(staff)
    api = APIClient()
    api.force_login(staff)
    bodies = {
        "help": client.get(reverse("cadre:help")),
        "candidate": client.get(reverse("cadre:candidate", args=[candidate.pk])),
        "nomination": client.get(reverse("nomination:nomination", args=[candidate.pk])),
        "check": api.get(f"/api/v1/candidates/{candidate.pk}/check/nominate/"),
        "refused": api.post(f"/api/v1/candidates/{candidate.pk}/transitions/nominate/", {}, format="json"),
        "record": api.get(f"/api/v1/candidates/{candidate.pk}/record/"),
    }
    for name, response in bodies.items():
        assert response.status_code in (200, 409), name
        text = response.content.decode()
        assert not FILE_NUMBER.search(text), (name, FILE_NUMBER.search(text))
    assert M4_SOURCE in bodies["candidate"].content.decode()
    assert bodies["refused"].json()["violations"][0]["source"]


def test_no_template_cites_a_file_number():
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not FILE_NUMBER.search(text), (path, FILE_NUMBER.search(text))


def test_citations_cost_no_query_once_warm(django_assert_num_queries):
    with django_assert_num_queries(1):
        citations.sources()
    with django_assert_num_queries(0):
        assert citations.source_for("M4") == M4_SOURCE
