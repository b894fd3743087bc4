"""The supervisors' section 监督 (issue 8; DOMAIN.md S1, S2, S4, S6): every selection and candidate
read-only, important situations with filters, responsibility per stage, the integrity check."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadre import roles, services
from cadre.models import MotionReason, RecordVerification, Stage
from supervision import oversight_selectors as oversight
from supervision import services as supervision_services

from ..conftest import advance, prepare
from ..factories import CadreFactory, PositionFactory, UserFactory

STAGE_ACTIONS = ("/move/", "/send-back/", "/important/", "/publicity/", "/appointment/")


def _selection(actor, title="县教育局副局长选任"):
    position = PositionFactory()
    selection = services.selection_create(
        actor=actor, title=title, reason=MotionReason.VACANCY, positions=[position], competitive=True
    )
    return selection, position


def _candidate(actor, selection, position, **cadre):
    return services.candidate_create(actor=actor, selection=selection, position=position, cadre=CadreFactory(**cadre))


def _post_forms(html: str) -> list[str]:
    """Every <form …> tag of the page's content that posts (not the base's sign-out and language
    forms, which put their action first)."""
    tags = [m.group(0) for m in re.finditer(r"<form[^>]*>", html) if 'method="post"' in m.group(0).lower()]
    return [t for t in tags if "logout" not in t and "langform" not in t]


# ---------------------------------------------------------------------------- S6: everything, read-only


@pytest.mark.django_db
def test_supervisor_sees_every_selection_and_candidate_read_only(client, staff, other_staff, supervisor):
    mine, post_a = _selection(staff, "县财政局副局长选任")
    theirs, post_b = _selection(other_staff, "县水利局局长选任")
    a = _candidate(staff, mine, post_a, name="张监督甲")
    b = _candidate(other_staff, theirs, post_b, name="李监督乙")
    advance(b, other_staff, "nominate")
    client.force_login(supervisor)

    overview = client.get(reverse("supervision:oversight"))
    assert overview.status_code == 200
    html = overview.content.decode()
    assert "张监督甲" in html and "李监督乙" in html
    assert "县财政局副局长选任" in html and "县水利局局长选任" in html
    # the only form that posts on the overview is the integrity check
    assert [f for f in _post_forms(html) if "integrity/verify" not in f] == []

    listing = client.get(reverse("supervision:oversight_selections")).content.decode()
    assert "县财政局副局长选任" in listing and "县水利局局长选任" in listing

    for url in (
        reverse("supervision:oversight_selection", args=[mine.pk]),
        reverse("supervision:oversight_selection", args=[theirs.pk]),
        reverse("supervision:oversight_candidate", args=[a.pk]),
        reverse("supervision:oversight_candidate", args=[b.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        content = page.split("<main>", 1)[1]
        assert '<form method="post"' not in content, url  # no stage action, no form that posts at all
        assert _post_forms(page) == [], url
        assert not any(action in f for f in _post_forms(page) for action in STAGE_ACTIONS)
        assert "disabled" not in page  # no staff action cards with disabled buttons
    page = client.get(reverse("supervision:oversight_candidate", args=[b.pk])).content.decode()
    assert "李监督乙" in page and "阶段变更" in page  # the nominate transition, in Chinese
    assert "#1" in page and "#2" in page  # the record, entry by entry


@pytest.mark.django_db
def test_nav_entry_only_for_supervisors_and_admins(client, staff, supervisor, admin_user):
    url = reverse("supervision:oversight")
    for user, shown in ((supervisor, True), (admin_user, True), (staff, False)):
        client.force_login(user)
        assert (f'href="{url}"' in client.get(reverse("cadre:home")).content.decode()) is shown


# ---------------------------------------------------------------------------- access


OVERSIGHT_PAGES = [
    ("supervision:oversight", False),
    ("supervision:oversight_selections", False),
    ("supervision:oversight_selection", True),
    ("supervision:oversight_candidate", True),
    ("supervision:oversight_important", False),
    ("supervision:oversight_responsibility", False),
    ("supervision:oversight_complaints", False),
    ("supervision:oversight_integrity", False),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.ORG_STAFF, roles.INSPECTOR, roles.COMMITTEE_MEMBER, None])
def test_other_roles_get_403(client, staff, candidate, role):
    user = staff if role == roles.ORG_STAFF else UserFactory(roles=[role] if role else [])
    user.save()  # a user without roles: the factory saved it before its password was set
    client.force_login(user)  # staff: even the staff member who works on this very selection
    for name, with_pk in OVERSIGHT_PAGES:
        pk = candidate.selection_id if name.endswith("selection") else candidate.pk
        response = client.get(reverse(name, args=[pk] if with_pk else []))
        assert response.status_code == 403, name
        assert "监督" in response.content.decode()
    assert client.post(reverse("supervision:oversight_integrity_verify")).status_code == 403
    assert not RecordVerification.objects.exists()


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("supervision:oversight"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["supervisor", "admin_user"])
def test_supervisors_and_admins_get_every_page(client, request, candidate, who):
    client.force_login(request.getfixturevalue(who))
    for name, with_pk in OVERSIGHT_PAGES:
        pk = candidate.selection_id if name.endswith("selection") else candidate.pk
        assert client.get(reverse(name, args=[pk] if with_pk else [])).status_code == 200, name


# ---------------------------------------------------------------------------- S2: important situations


@pytest.fixture
def two_situations(staff, other_staff):
    """One important situation in each of two selections: an `other` one recorded in motion, a
    `disagreement` one recorded in nomination."""
    first, post_a = _selection(staff, "甲选任")
    second, post_b = _selection(other_staff, "乙选任")
    a = _candidate(staff, first, post_a, name="甲人选")
    b = _candidate(other_staff, second, post_b, name="乙人选")
    services.candidate_record_important(
        actor=staff, candidate_id=a.pk, category="other", text="甲：收到群众来信", outcome="已转纪检"
    )
    advance(b, other_staff, "nominate")
    services.candidate_record_important(
        actor=other_staff, candidate_id=b.pk, category="disagreement", text="乙：有分歧"
    )
    return first, second, a, b


@pytest.mark.django_db
def test_important_situations_filters(client, supervisor, two_situations):
    first, second, a, b = two_situations
    client.force_login(supervisor)
    url = reverse("supervision:oversight_important")
    today = timezone.localdate()

    def shown(**params):
        response = client.get(url, params)
        assert response.status_code == 200, response.content.decode()[:500]
        html = response.content.decode()
        return {text for text in ("甲：收到群众来信", "乙：有分歧") if text in html}

    assert shown() == {"甲：收到群众来信", "乙：有分歧"}
    assert shown(selection=first.pk) == {"甲：收到群众来信"}
    assert shown(selection=second.pk) == {"乙：有分歧"}
    assert shown(category="disagreement") == {"乙：有分歧"}
    assert shown(category="other") == {"甲：收到群众来信"}
    assert shown(stage=Stage.MOTION) == {"甲：收到群众来信"}  # the stage when it was recorded
    assert shown(stage=Stage.NOMINATION) == {"乙：有分歧"}
    assert shown(date_from=today.isoformat(), date_to=today.isoformat()) == {"甲：收到群众来信", "乙：有分歧"}
    assert shown(date_to=(today - timedelta(days=1)).isoformat()) == set()
    assert shown(date_from=(today + timedelta(days=1)).isoformat()) == set()
    assert shown(selection=first.pk, category="disagreement") == set()
    html = client.get(url, {"selection": first.pk}).content.decode()
    assert "已转纪检" in html and "动议" in html  # outcome, and the stage it happened in, in Chinese
    for bad in ({"date_from": "2025-13-01"}, {"stage": "nowhere"}, {"category": "gossip"}, {"selection": "x"}):
        response = client.get(url, bad)
        assert response.status_code == 400, bad
        assert "甲：收到群众来信" not in response.content.decode()
    assert client.get(url, {"date_from": "2025-10-02", "date_to": "2025-10-01"}).status_code == 400


@pytest.mark.django_db
def test_important_selector_dates_are_shanghai_days(two_situations):
    today = timezone.localdate()
    assert oversight.important_situations(date_from=today, date_to=today).count() == 2
    assert oversight.important_situations(date_to=today - timedelta(days=1)).count() == 0


# ---------------------------------------------------------------------------- S4: responsibility


@pytest.mark.django_db
def test_responsibility_names_who_nominated_and_inspected(client, staff, other_staff, supervisor, candidate):
    services.selection_assign(actor=staff, selection=candidate.selection, user=other_staff)
    advance(candidate, staff, "nominate")
    prepare(candidate, staff, "recommend")
    advance(candidate, other_staff, "recommend", prepared=False)
    prepare(candidate, staff, "inspect")
    advance(candidate, other_staff, "inspect", prepared=False)

    found = oversight.responsibilities([candidate.pk])[candidate.pk]
    assert found.nominated.actors == [staff.username]
    assert ("提名人", "县委组织部") in found.nominated.named  # N1's nominator
    assert found.inspected.actors == [other_staff.username]
    assert found.decided is None
    assert other_staff.username in found.stage(Stage.RECOMMENDATION).actors

    client.force_login(supervisor)
    page = client.get(reverse("supervision:oversight_candidate", args=[candidate.pk])).content.decode()
    nomination_row = re.search(r'<tr id="resp-nomination">.*?</tr>', page, re.S).group(0)
    inspection_row = re.search(r'<tr id="resp-inspection">.*?</tr>', page, re.S).group(0)
    assert staff.username in nomination_row and other_staff.username not in nomination_row
    assert other_staff.username in inspection_row and staff.username not in inspection_row
    assert "县委组织部" in nomination_row
    assignees = re.search(r'id="assignees">(.*?)</dd>', page, re.S).group(1)
    assert staff.username in assignees and other_staff.username in assignees

    listing = client.get(reverse("supervision:oversight_responsibility")).content.decode()
    row = re.search(rf'<tr id="cand-{candidate.pk}">.*?</tr>', listing, re.S).group(0)
    cell = re.search(r'class="resp-inspection small">(.*?)</td>', row, re.S).group(1)
    assert other_staff.username in cell and staff.username not in cell
    cell = re.search(r'class="resp-nomination small">(.*?)</td>', row, re.S).group(1)
    assert staff.username in cell and other_staff.username not in cell


@pytest.mark.django_db
def test_responsibility_names_who_decided(staff, publicizing):
    found = oversight.responsibilities([publicizing.pk])[publicizing.pk]
    assert staff.username in found.decided.actors  # and the demo's second entry of the counted result
    assert ("决定会议", "县委常委会会议（2025-09-01）") in found.decided.named
    assert found.stage(Stage.PUBLICITY).actors == [staff.username]


@pytest.mark.django_db
def test_refused_attempts_are_nobodys_responsibility(staff, other_staff, candidate):
    services.selection_assign(actor=staff, selection=candidate.selection, user=other_staff)
    with pytest.raises(Exception):  # noqa: B017 - refused by a rule or the stage, recorded either way
        services.candidate_transition(actor=other_staff, candidate_id=candidate.pk, transition="decide")
    found = oversight.responsibilities([candidate.pk])[candidate.pk]
    assert all(other_staff.username not in s.actors for s in found.stages)


# ---------------------------------------------------------------------------- complaints and integrity


@pytest.mark.django_db
def test_complaints_list_links_to_handling_and_stats(client, staff, supervisor, publicizing):
    complaint = supervision_services.complaint_file(
        actor=staff,
        candidate_id=publicizing.pk,
        received_on=timezone.localdate(),
        channel="letter",
        text="反映问题",
        real_name=False,
    )
    supervision_services.complaint_assign(actor=staff, complaint_id=complaint.pk, investigator_id=supervisor.pk)
    client.force_login(supervisor)
    url = reverse("supervision:oversight_complaints")
    html = client.get(url).content.decode()
    assert reverse("supervision:publicity", args=[publicizing.pk]) in html
    assert reverse("supervision:complaint_stats") in html
    assert "办理" in html
    assert str(complaint.pk) in client.get(url, {"mine": "on", "status": "open"}).content.decode()
    assert "没有符合条件的举报" in client.get(url, {"status": "concluded"}).content.decode()
    overview = client.get(reverse("supervision:oversight")).content.decode()
    assert reverse("supervision:complaint_stats") in overview


@pytest.mark.django_db
def test_one_click_integrity_check_in_chinese(client, supervisor, candidate):
    client.force_login(supervisor)
    url = reverse("supervision:oversight_integrity")
    assert "尚未校验" in client.get(url).content.decode()
    response = client.post(reverse("supervision:oversight_integrity_verify"))
    assert response.status_code == 302 and response["Location"] == url
    assert RecordVerification.objects.get().ok
    html = client.get(url).content.decode()
    assert "最近一次校验：记录完整" in html and "校验 1 条记录" in html
    assert "尚无签名检查点" in html
    services.record_checkpoint_sign(actor=UserFactory(roles=[roles.ADMIN]))
    html = client.get(url).content.decode()
    assert "最近的签名检查点：第" in html and "1 条记录链" in html


# ---------------------------------------------------------------------------- query counts


def _populate(staff, n: int):
    """n candidates in selections of three, one in three with an important situation, some moved on."""
    made = []
    for i in range(n):
        if i % 3 == 0:
            selection, position = _selection(staff, f"选任{i}")
        c = _candidate(staff, selection, position)
        if i % 3 == 1:
            services.candidate_record_important(actor=staff, candidate_id=c.pk, category="other", text=f"情况{i}")
        made.append(c)
    return made


COUNTED = [
    "supervision:oversight",
    "supervision:oversight_selections",
    "supervision:oversight_important",
    "supervision:oversight_responsibility",
    "supervision:oversight_complaints",
    "supervision:oversight_integrity",
]
MAX_QUERIES = 14


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 30])
def test_query_counts_do_not_grow(client, django_assert_max_num_queries, staff, supervisor, size):
    made = _populate(staff, size)
    advance(made[0], staff, "nominate")
    client.force_login(supervisor)
    for name in COUNTED:
        client.get(reverse(name))  # warm up (content types, sessions)
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(reverse(name)).status_code == 200
    big = made[0].selection
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(reverse("supervision:oversight_selection", args=[big.pk])).status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(reverse("supervision:oversight_candidate", args=[made[0].pk])).status_code == 200


@pytest.mark.django_db
def test_query_counts_equal_for_3_and_30(client, staff, supervisor):
    def counts():
        found = {}
        for name in COUNTED:
            client.get(reverse(name))
            with CaptureQueriesContext(connection) as ctx:
                client.get(reverse(name))
            found[name] = len(ctx.captured_queries)
        return found

    client.force_login(supervisor)
    _populate(staff, 3)
    small = counts()
    _populate(staff, 27)
    assert counts() == small
