"""Issue #11: the five papers the procedure hands out, as A4 PDFs (cadre/pdf.py and each app's papers.py).

The text is read back with poppler's pdftotext, the page size with pdfinfo: what a reader of the
paper gets, not what the template was given."""

import re
import subprocess
from datetime import date
from urllib.parse import quote

import pytest
from django.urls import reverse

from cadre import roles, services
from cadre.models import Cadre, Candidate, MotionReason
from inspection import papers as inspection_papers
from inspection.models import InspectionNotice, InspectionTeam
from nomination import papers as nomination_papers
from supervision import services as supervision_services
from supervision.demo import DEMO_CHANNELS
from supervision.models import Appointment

from ..conftest import advance
from ..factories import CadreFactory, PositionFactory, UserFactory


def pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def squeezed(data: bytes) -> str:
    """The text without any white space: pdftotext spaces CJK by layout, lines break in tables."""
    return re.sub(r"\s+", "", pdf_text(data))


def page_sizes(data: bytes) -> list[str]:
    done = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", "-"], input=data, capture_output=True, check=True)
    return re.findall(r"Page\s+\d+\s+size:\s+(.+)", done.stdout.decode())


def get_pdf(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    sizes = page_sizes(response.content)
    assert sizes and all(s.startswith("595.276 x 841.89 pts (A4)") for s in sizes), sizes
    return response


def ymd(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def named(staff):
    staff.first_name, staff.last_name = "周明", ""
    staff.save()
    return staff


# ---------------------------------------------------------------------------- the ballot (R1)


@pytest.fixture
def ballot_selection(staff, selection, position):
    """Three candidacies for one post, created 王五, 李四, 赵六 (not the names' order); 赵六 stays in nomination."""
    made = []
    for name in ("王五", "李四", "赵六"):
        cadre = CadreFactory(name=name)
        made.append(services.candidate_create(actor=staff, selection=selection, position=position, cadre=cadre))
    advance(made[0], staff, "nominate", "recommend")
    advance(made[1], staff, "nominate", "recommend")
    advance(made[2], staff, "nominate")
    return selection


@pytest.mark.django_db
def test_ballot_lists_candidates_in_fixed_order_without_voter(client, staff, ballot_selection, position):
    named(staff)
    url = reverse("nomination:ballot_pdf", args=[ballot_selection.pk])
    response = get_pdf(client, staff, url)
    text = squeezed(response.content)
    assert "民主推荐票" in text and ballot_selection.title in text
    assert f"{position}（推荐1名）" in text
    assert text.index("王五") < text.index("李四")  # candidacy order, not 李 < 王
    assert "赵六" not in text  # still in nomination: not on the ballot
    assert "推荐" in text and "同意" not in text  # competitive: marks, no 同意/不同意/弃权
    assert "本票不记名" in text
    # nobody is named but the candidates: not the voter, nor the staff member who printed it
    for who in ("投票人", "周明", staff.get_username(), "编号", "投票码"):
        assert who not in text
    assert response["Content-Disposition"] == (
        f"inline; filename=\"paper.pdf\"; filename*=UTF-8''{quote(f'民主推荐票-{ballot_selection.title}.pdf')}"
    )


@pytest.mark.django_db
def test_ballot_reads_in_fixed_queries(staff, ballot_selection, django_assert_num_queries):
    # the candidates with cadres and posts, then M3's two counts per post: not one per candidate
    with django_assert_num_queries(3):
        context = nomination_papers.ballot_context(selection=ballot_selection)
    assert [[r["name"] for r in p["rows"]] for p in context["posts"]] == [["王五", "李四"]]
    assert context["posts"][0]["vacancies"] == 1


@pytest.mark.django_db
def test_ballot_of_a_non_competitive_selection_asks_agree_disagree_abstain(client, staff):
    position = PositionFactory()
    selection = services.selection_create(
        actor=staff,
        title="县档案馆馆长选任",
        reason=MotionReason.VACANCY,
        positions=[position],
        competitive=False,
        single_candidate_reason="只有一名符合条件的人选",
    )
    only = services.candidate_create(
        actor=staff, selection=selection, position=position, cadre=CadreFactory(name="钱七")
    )
    advance(only, staff, "nominate", "recommend")
    text = squeezed(get_pdf(client, staff, reverse("nomination:ballot_pdf", args=[selection.pk])).content)
    assert "钱七" in text
    assert "同意不同意弃权" in text
    assert "（推荐" not in text


@pytest.mark.django_db
def test_ballot_without_candidates_in_recommendation_says_so(client, staff, selection, candidate):
    client.force_login(staff)
    response = client.get(reverse("nomination:ballot_pdf", args=[selection.pk]))
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "无法打印“民主推荐票”" in page
    assert "没有处于民主推荐阶段的人选" in page


# ---------------------------------------------------------------------------- inspection (I1)


@pytest.fixture
def inspecting(staff, candidate, selection, position):
    """The candidate in inspection with the notice and team the demo registers (inspection.demo)."""
    named(staff)
    candidate.cadre.name, candidate.cadre.native_place = "孙八", "河北抚宁"
    candidate.cadre.save()
    rival = services.candidate_create(
        actor=staff, selection=selection, position=position, cadre=CadreFactory(name="吴九")
    )
    advance(rival, staff, "nominate", "recommend", "inspect")
    inspecting = advance(candidate, staff, "nominate", "recommend", "inspect")
    from inspection.demo import prepare_deliberate

    prepare_deliberate(rival, staff)
    prepare_deliberate(inspecting, staff)
    return inspecting


@pytest.mark.django_db
def test_inspection_notice_pdf(client, staff, inspecting, position):
    notice = InspectionNotice.objects.get(selection=inspecting.selection)
    team = InspectionTeam.objects.get(selection=inspecting.selection)
    text = squeezed(get_pdf(client, staff, reverse("inspection:notice_pdf", args=[inspecting.selection_id])).content)
    assert text.startswith("考察预告")
    assert notice.text in text
    assert text.index("孙八") < text.index("吴九")  # candidacy order (孙八 was a candidate first), not 吴 < 孙
    assert f"考察职位：{position}" in text
    assert f"{team.name}：周明（组长）" in text
    period = f"{ymd(team.starts_on)}至{ymd(team.ends_on)}"
    assert f"考察时间：{period}" in text
    assert "联系电话：0000-1234567" in text
    assert text.endswith(f"中共××县委组织部{ymd(notice.published_on)}—1—")


@pytest.mark.django_db
def test_inspection_objects_notice_pdf(client, staff, inspecting, position):
    team = InspectionTeam.objects.get(selection=inspecting.selection)
    cadre = inspecting.cadre
    text = squeezed(get_pdf(client, staff, reverse("inspection:objects_pdf", args=[inspecting.selection_id])).content)
    assert text.startswith("考察对象公示")
    assert "序号姓名性别出生年月籍贯学历现任职务考察职位" in text
    # the short cells never break; the two post columns wrap when long (pdftotext reads them apart)
    assert "1孙八男1985.05河北抚宁大学本科" in text
    # the two post columns may wrap (pdftotext then reads their lines apart): their starts are there
    assert f"{cadre.unit.name}干" in text and f"{position.unit.name}副局长" in text
    assert "2吴九男1985.05—" in text  # no 籍贯 recorded
    assert f"考察时间：{team.starts_on.year}年" in text
    assert "联系电话：0000-1234567" in text


@pytest.mark.django_db
def test_inspection_papers_read_in_fixed_queries(staff, inspecting, django_assert_num_queries):
    # notice, objects with cadres and posts, teams, their members, the members' users: not one per object
    with django_assert_num_queries(5):
        context = inspection_papers.notice_context(selection=inspecting.selection)
        assert [o["name"] for o in context["objects"]] == ["孙八", "吴九"]


@pytest.mark.django_db
def test_inspection_papers_without_notice_or_team_say_what_is_missing(client, staff, selection, candidate):
    client.force_login(staff)
    for name in ("inspection:notice_pdf", "inspection:objects_pdf"):
        response = client.get(reverse(name, args=[selection.pk]))
        assert response.status_code == 409
        page = response.content.decode()
        assert "考察预告（发布日期、考察组人员名单、联系电话）" in page
        assert "考察组及其考察对象、考察时间" in page
        assert reverse("inspection:notice", args=[selection.pk]) in page


# ---------------------------------------------------------------------------- publicity (P3), appointment


@pytest.fixture
def published(staff, publicizing):
    cadre = Cadre.objects.get(pk=publicizing.cadre_id)
    cadre.name, cadre.native_place, cadre.gender = "郑十", "江西南昌", "F"
    cadre.save()
    supervision_services.publicity_start(
        actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 9, 29), **DEMO_CHANNELS
    )
    return Candidate.objects.get(pk=publicizing.pk)


@pytest.mark.django_db
def test_publicity_notice_pdf(client, staff, published):
    text = squeezed(get_pdf(client, staff, reverse("supervision:publicity_pdf", args=[published.pk])).content)
    assert text.startswith("干部任前公示")
    assert "姓名性别出生年月籍贯学历现任职务拟任职务" in text
    assert f"郑十女1985.05江西南昌大学本科{published.cadre.unit.name}干部{published.position}" in text
    assert "公示时间：2025年9月29日至2025年10月11日（5个工作日）" in text
    for channel in DEMO_CHANNELS.values():
        assert re.sub(r"\s+", "", channel) in text
    assert "中共××县委组织部" in text


@pytest.mark.django_db
def test_appointment_notice_draft_pdf(client, staff, published):
    url = reverse("supervision:appointment_notice_pdf", args=[published.pk])
    text = squeezed(get_pdf(client, staff, url).content)
    assert text.startswith("关于郑十同志任职的通知")
    assert "〔〕号" in text and "（代拟稿）" in text  # no document number yet
    assert f"{published.position.unit.name}：" in text
    assert "经县委常委会会议（2025年9月1日）研究决定：" in text
    assert f"郑十同志任{published.position}（试用期一年）。" in text  # no current post: newly promoted (A2)
    assert "免去" not in text
    assert text.endswith("中共××县委年月日—1—")
    # once the appointment is registered the draft carries its number and date
    Appointment.objects.create(
        candidate=published,
        document_number="县委干〔2025〕7号",
        effective_on=date(2025, 10, 20),
        promotion=True,
        probation_ends_on=date(2026, 10, 20),
        created_by=staff,
    )
    text = squeezed(get_pdf(client, staff, url).content)
    assert "县委干〔2025〕7号" in text
    assert f"郑十同志任{published.position}（试用期至2026年10月20日）。" in text
    assert text.endswith("中共××县委2025年10月20日—1—")


@pytest.mark.django_db
def test_appointment_notice_names_the_post_given_up(client, staff, published):
    old = PositionFactory(title="科长", quota=3)
    Cadre.objects.filter(pk=published.cadre_id).update(position=old)
    text = squeezed(get_pdf(client, staff, reverse("supervision:appointment_notice_pdf", args=[published.pk])).content)
    assert f"郑十同志任{published.position}；" in text
    assert f"免去其{old}职务。" in text


@pytest.mark.django_db
def test_publicity_and_appointment_papers_before_their_data_say_so(client, staff, candidate):
    client.force_login(staff)
    response = client.get(reverse("supervision:publicity_pdf", args=[candidate.pk]))
    assert response.status_code == 409
    assert "请先在“任前公示”页发布公示" in response.content.decode()
    response = client.get(reverse("supervision:appointment_notice_pdf", args=[candidate.pk]))
    assert response.status_code == 409
    assert "人选经票决通过后才能起草任职通知" in response.content.decode()


# ---------------------------------------------------------------------------- who may print


@pytest.mark.django_db
def test_only_assigned_staff_print(client, staff, other_staff, supervisor, published):
    inspector = UserFactory(roles=[roles.INSPECTOR])
    committee = UserFactory(roles=[roles.COMMITTEE_MEMBER])
    s, c = published.selection_id, published.pk
    urls = [
        reverse("inspection:notice_pdf", args=[s]),
        reverse("inspection:objects_pdf", args=[s]),
        reverse("nomination:ballot_pdf", args=[s]),
        reverse("supervision:publicity_pdf", args=[c]),
        reverse("supervision:appointment_notice_pdf", args=[c]),
    ]
    expected = {other_staff: 404, inspector: 404, committee: 404, supervisor: 403}
    for user, status in expected.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == status, (user.groups.first(), url)
            assert not response.content.startswith(b"%PDF")
            assert ("无权访问" if status == 403 else "页面不存在") in response.content.decode()
    client.logout()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(staff)  # positive control: the assigned staff member gets the paper
    assert client.get(urls[3]).status_code == 200
    assert client.post(urls[3]).status_code == 405


@pytest.mark.django_db
def test_pages_link_their_papers_for_assigned_staff_only(client, staff, supervisor, published):
    s, c = published.selection_id, published.pk
    pages = {
        reverse("inspection:notice", args=[s]): [
            reverse("inspection:notice_pdf", args=[s]),
            reverse("inspection:objects_pdf", args=[s]),
        ],
        reverse("inspection:team", args=[s]): [reverse("inspection:objects_pdf", args=[s])],
        reverse("nomination:recommendation_entry", args=[s]): [reverse("nomination:ballot_pdf", args=[s])],
        reverse("supervision:publicity", args=[c]): [reverse("supervision:publicity_pdf", args=[c])],
        reverse("supervision:appointment", args=[c]): [reverse("supervision:appointment_notice_pdf", args=[c])],
    }
    for user, shown in ((staff, True), (supervisor, False)):
        client.force_login(user)
        for page, links in pages.items():
            html = client.get(page).content.decode()
            for link in links:
                assert (f'href="{link}"' in html) is shown, (user, page, link)
            assert ("打印 PDF" in html) is shown


@pytest.mark.django_db
def test_ballot_for_a_post_without_vacancy_says_so(client, staff, ballot_selection, position):
    CadreFactory(name="现任者", position=position)  # quota 1, held: nothing to recommend for (M3)
    client.force_login(staff)
    response = client.get(reverse("nomination:ballot_pdf", args=[ballot_selection.pk]))
    assert response.status_code == 409
    assert f"“{position}”没有空缺职数（M3），不能推荐" in response.content.decode()
