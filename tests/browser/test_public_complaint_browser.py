"""Public complaints in the browser (issue 8), on a 390 px phone screen: a member of the public files a
complaint from the notice page (no sign-in, no JavaScript needed: a server-rendered sum) and gets a
reference; the staff see it block the appointment (P2); concluding it 不属实 unblocks."""

import re
from datetime import date

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from supervision import services
from supervision.demo import DEMO_CHANNELS
from supervision.models import Complaint

from ..supervision.conftest import deciding, deliberating, publicizing, rival  # noqa: F401  (fixtures)
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


def p2_listed(page) -> bool:
    return "P2" in page.locator("section[aria-labelledby=appoint-check-h]").inner_text()


def test_public_complaint_blocks_then_conclusion_unblocks(phone, staff, publicizing):  # noqa: F811
    cache.clear()
    notice = services.publicity_start(
        actor=staff, candidate_id=publicizing.pk, starts_on=date(2025, 9, 29), **DEMO_CHANNELS
    )
    page = phone

    page.goto(f"{page.base_url}/supervision/notices/{notice.pk}/")
    expect(page.locator("#notice-sign")).to_contain_text(notice.issuer)
    page.select_option("#id_category", "canvassing_bribery")
    page.fill("#id_text", "2025年9月某日，在某饭店宴请推荐人拉票。<b>粗体</b>")
    page.check("#id_clear_lead")
    a, b = map(int, re.findall(r"\d+", page.locator("label[for=id_answer]").inner_text()))
    page.fill("#id_answer", str(a + b))
    no_sideways_scroll(page)
    shot(page, "complaint-01-form")
    page.click("button:has-text('提交举报')")
    expect(page.locator("h1")).to_have_text("举报已提交")
    reference = page.locator("#reference").inner_text().strip()
    assert Complaint.objects.get().reference == reference and len(reference) == 12
    shot(page, "complaint-02-reference")

    page.click("a:has-text('查询办理状态')")
    expect(page.locator("#complaint-status")).to_contain_text("已登记")
    no_sideways_scroll(page)

    login(page, staff.username)
    page.goto(f"{page.base_url}/supervision/candidates/{publicizing.pk}/publicity/")
    assert p2_listed(page)  # the open complaint blocks the appointment
    card = page.locator(f"#complaint-{Complaint.objects.get().pk}")
    expect(card.locator(".complaint-text")).to_contain_text("<b>粗体</b>")  # shown as text, escaped
    card.locator("input[value=unsubstantiated]").check()
    card.locator("textarea[name=conclusion]").fill("经核查，反映问题不属实")
    card.locator("button:has-text('办结')").click()
    expect(page.locator(f"#complaint-{Complaint.objects.get().pk}")).to_contain_text("已办结：不属实")
    assert not p2_listed(page)
    no_sideways_scroll(page)
    shot(page, "complaint-03-concluded")
