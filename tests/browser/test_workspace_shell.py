"""The staff workspace shell end to end, at desktop width and at a 390 px phone width."""

import pytest
from playwright.sync_api import expect

from cadre import roles
from cadre.models import Candidate, Selection

from ..factories import CadreFactory, PositionFactory, UnitFactory, UserFactory
from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_workspace_shell(page):
    staff = UserFactory(username="zhangsan", roles=[roles.ORG_STAFF])
    unit = UnitFactory(name="县财政局")
    open_post = PositionFactory(unit=unit, title="副局长", quota=2)
    full_post = PositionFactory(unit=unit, title="局长", quota=1, is_chief=True)
    CadreFactory(name="王现任", unit=unit, position=full_post)
    li = CadreFactory(name="李明", unit=unit)
    zhao = CadreFactory(name="赵华", unit=unit, gender="F")
    base = page.base_url

    login(page, staff.username)
    expect(page.locator("h1")).to_have_text("工作台")
    expect(page.locator(".topbar")).to_contain_text("zhangsan")
    page.wait_for_function("() => window.Chart !== undefined")
    shot(page, "01-dashboard")

    # A selection, through the motion form: first with a mistake, then corrected.
    page.click("text=新建选任工作")
    page.fill("#id_title", "县财政局领导职位选任")
    page.select_option("#id_reason", "other")
    page.click("button:has-text('提交动议')")
    expect(page.locator(".has-error").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("M1 动议理由为“其他”时必须写明具体理由")
    expect(page.locator("#id_title")).to_have_value("县财政局领导职位选任")  # typed input kept
    shot(page, "02-selection-form-errors")
    page.select_option("#id_reason", "vacancy")
    page.check("#id_competitive")
    page.check(f"input[name=positions][value='{open_post.pk}']")
    page.check(f"input[name=positions][value='{full_post.pk}']")
    expect(page.locator("body")).to_contain_text("县财政局 局长（副科，职数 1，空缺 0）")  # the vacancy is shown
    page.click("button:has-text('提交动议')")
    expect(page.locator("body")).to_contain_text("没有空缺，不能动议")  # M3 at motion time
    assert not Selection.objects.exists()
    page.uncheck(f"input[name=positions][value='{full_post.pk}']")
    page.click("button:has-text('提交动议')")
    selection = Selection.objects.get(title="县财政局领导职位选任")
    page.wait_for_url(f"{base}/selections/{selection.pk}/")
    expect(page.locator(".messages")).to_contain_text("已新建选任工作")

    # Two candidates for the open post.
    for cadre, post in [(li, open_post), (zhao, open_post)]:
        page.select_option("#id_cadre", str(cadre.pk))
        page.select_option("#id_position", str(post.pk))
        page.click("#add-candidate button[type=submit]")
        expect(page.locator(".messages")).to_contain_text(f"已将 {cadre.name} 列为")
    assert Candidate.objects.filter(selection=selection).count() == 2
    expect(page.locator("#cand-h")).to_have_text("人选（2）")
    shot(page, "03-selection-two-candidates")

    # A refused transition: meanwhile both places of the post were filled (two appointments made
    # elsewhere), so nominating for it is refused (M3, checked again at every step).
    CadreFactory.create_batch(2, unit=unit, position=open_post)
    zhao_candidate = Candidate.objects.get(cadre=zhao)
    page.check(f"input[name=candidates][value='{zhao_candidate.pk}']")
    page.select_option("#id_move_transition", "nominate")
    page.click(".cohort-controls button[type=submit]")
    results = page.locator("#move-results")
    expect(results).to_contain_text("被拒绝")
    expect(results.locator(".rule-id", has_text="M3").first).to_be_visible()
    expect(results).to_contain_text("没有空缺，不得超职数配备")
    results.scroll_into_view_if_needed()
    shot(page, "04-refused-move")
    assert Candidate.objects.get(pk=zhao_candidate.pk).stage == "motion"

    # The candidate page: facts, diagram with the current stage, what is missing, the record.
    page.goto(f"{base}/candidates/{zhao_candidate.pk}/")
    expect(page.locator("h1")).to_contain_text("赵华")
    visible_diagram = page.locator(".diagram:visible svg")
    expect(visible_diagram.locator(".node.current")).to_have_attribute("data-stage", "motion")
    nominate = page.locator("article.option", has=page.locator("h3", has_text="提名"))
    expect(nominate.locator(".violations")).to_contain_text("M3")
    expect(nominate.locator("button[type=submit]")).to_be_disabled()
    expect(page.locator(".timeline .tl-refused")).to_contain_text("操作被拒绝")
    shot(page, "05-candidate")

    # The help page: the same diagram, every registered rule, the roles.
    page.click(".mainnav >> text=帮助")
    expect(page.locator("#rule-M3")).to_contain_text("《中共县委关于规范县委书记选人用人行为办法（试行）》第十条（二）")
    expect(page.locator(".diagram:visible svg .node")).to_have_count(12)
    shot(page, "06-help")
