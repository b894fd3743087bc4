"""Online secret ballots in the browser (issue 7), on a 390 px phone screen: a committee member votes (the
browser refuses a second 同意 for one post, and so does the server), and a participant without an account
types a code from the codes sheet and votes."""

from datetime import date

import pytest
from playwright.sync_api import expect

from cadre import roles
from voting import codes_pdf, services
from voting.models import Ballot, BallotSession

from ..factories import CadreFactory, UserFactory
from ..voting.ballot_helpers import deciding_pair, decision_session, item_of
from .conftest import VIEWPORTS, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone(live, browser):
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live.url
    page.viewport_name = "phone"
    yield page
    context.close()


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]


def test_member_votes_on_a_phone(phone, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = UserFactory(roles=[roles.ORG_STAFF])
    committee = [UserFactory(username=f"weiyuan{i}", roles=[roles.COMMITTEE_MEMBER]) for i in range(3)]
    pair = deciding_pair(staff)
    session = decision_session(staff, pair, committee, title="县委常委会第 5 次会议票决")
    services.ballot_session_open(actor=staff, session_id=session.pk, present=[u.pk for u in committee])
    a, b = (item_of(session, c) for c in pair)
    page = phone

    login(page, committee[0].username)
    expect(page.locator("#tasks-h")).to_be_visible()  # the dashboard lists the vote
    page.goto(f"{page.base_url}/voting/ballots/")
    expect(page.locator("h1")).to_have_text("我的会议/投票")
    page.click(f"text={session.title}")
    expect(page.locator("#ballot-form")).to_be_visible()
    page.locator(f"#item-{a} summary").click()  # the brief (V7)
    expect(page.locator(f"#item-{a} details")).to_contain_text("拟任理由")
    no_sideways_scroll(page)

    # V4 in the browser: a second 同意 for the same post is undone, with the reason.
    page.locator(f"input[name=item-{a}][value=approve]").check()
    page.locator(f"input[name=item-{b}]").first.click()
    expect(page.locator("#ballot-note")).to_contain_text("V4 同一职位只能同意一名人选")
    expect(page.locator(f"input[name=item-{b}][value=approve]")).not_to_be_checked()
    expect(page.locator(f"input[name=item-{a}][value=approve]")).to_be_checked()
    shot(page, "ballot-01-v4-browser")

    # … and on the server, for a browser without the check.
    page.evaluate(
        f"""() => {{
          document.querySelector('input[name="item-{a}"][value=approve]').checked = true;
          document.querySelector('input[name="item-{b}"][value=approve]').checked = true;
          document.getElementById('ballot-form').submit();
        }}"""
    )
    expect(page.locator(".alert-error:not(#ballot-note)")).to_contain_text("V4 同一职位只能赞成一名人选")
    assert not Ballot.objects.filter(session=session).exists()

    page.locator(f"input[name=item-{a}][value=approve]").check()
    page.locator(f"input[name=item-{b}][value=disapprove]").check()
    page.click("button:has-text('提交选票')")
    expect(page.locator("h1")).to_have_text("已收到您的选票")
    receipt = page.locator("#receipt").inner_text().strip()
    assert Ballot.objects.get(session=session).receipt == receipt
    no_sideways_scroll(page)
    shot(page, "ballot-02-receipt")

    page.goto(f"{page.base_url}/voting/ballots/{session.pk}/")
    expect(page.locator("#voted")).to_contain_text("已收到您的选票")


def test_participant_types_a_code_from_the_sheet(phone, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = UserFactory(roles=[roles.ORG_STAFF])
    cadre = CadreFactory(name="钱进")
    session, codes = services.ballot_session_create(
        actor=staff, kind="evaluation", title="年度民主测评", cadre_ids=[cadre.pk], codes=2
    )
    page = phone
    vote_url = f"{page.base_url}/voting/vote/"
    codes_pdf.codes_pdf_save(session=session, codes=codes, vote_url=vote_url)
    assert codes_pdf.codes_pdf_open(session.pk).read().startswith(b"%PDF")
    services.ballot_session_open(actor=staff, session_id=session.pk)

    page.goto(vote_url)
    page.fill("#id_code", codes[0].lower().replace("-", ""))  # typed, without the dashes
    shot(page, "ballot-03-code")
    page.click("button:has-text('进入投票')")
    expect(page.locator("h1")).to_have_text("年度民主测评")
    expect(page.locator("#ballot-form")).to_contain_text("钱进")
    no_sideways_scroll(page)
    page.locator("label:has-text('基本称职')").click()
    page.click("button:has-text('提交选票')")
    expect(page.locator("h1")).to_have_text("已收到您的选票")
    assert Ballot.objects.get(session=session).receipt == page.locator("#receipt").inner_text().strip()
    shot(page, "ballot-04-code-receipt")

    # The same code again says 已投票 and nothing else; the QR URL's fragment fills the box.
    page.goto("about:blank")
    page.goto(f"{vote_url}#code={codes[0]}")
    expect(page.locator("#id_code")).to_have_value(codes[0])
    page.click("button:has-text('进入投票')")
    expect(page.locator("#voted")).to_have_text("已投票")


def test_staff_run_a_decision_vote(live, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live.url
    page.viewport_name = "desktop"
    staff = UserFactory(username="zuzhi", roles=[roles.ORG_STAFF])
    committee = [UserFactory(username=f"changwei{i}", roles=[roles.COMMITTEE_MEMBER]) for i in range(3)]
    pair = deciding_pair(staff)
    meeting = services.meeting_create(
        actor=staff, selection=pair[0].selection, held_on=date.today(), title="县委常委会第 8 次会议", entitled=3
    )
    for c in pair:
        services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=c.pk)

    login(page, staff.username)
    page.goto(f"{page.base_url}/voting/ballots/")
    page.locator("a", has_text="讨论决定票决").first.click()
    page.fill("#id_title", "县委常委会第 8 次会议票决")
    for user in committee:
        page.check(f"input[name=entitled][value='{user.pk}']")
    page.click("button:has-text('创建投票')")
    expect(page.locator(".messages")).to_contain_text("投票已创建")
    page.check(f"input[name=present][value='{committee[0].pk}']")
    page.click("button:has-text('开始投票')")
    expect(page.locator(".alert-error")).to_contain_text("V1")
    shot(page, "ballot-05-staff-v1")
    for user in committee:
        page.check(f"input[name=present][value='{user.pk}']")
    page.click("button:has-text('开始投票')")
    expect(page.locator("#status")).to_have_text("投票中")
    session = BallotSession.objects.get(meeting=meeting)
    a, b = (item_of(session, c) for c in pair)
    for user in committee:
        services.ballot_cast(session_id=session.pk, user=user, choices={str(a): "approve", str(b): "abstain"})
    expect(page.locator("#cast-count")).to_have_text("3", timeout=12_000)  # htmx follows the count
    page.once("dialog", lambda dialog: dialog.accept())  # 确定结束投票？
    page.click("button:has-text('结束投票并计票')")
    expect(page.locator("#tally-h")).to_be_visible()
    expect(page.locator(".root-hash")).to_have_text(BallotSession.objects.get(pk=session.pk).bulletin_root)
    shot(page, "ballot-06-staff-tally")
    context.close()
