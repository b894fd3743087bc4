"""Acceptance test: one competitive selection from motion to appointment, entirely in the browser.

Master data (a unit, a vacant post, two eligible cadres, two staff members) is set up with the ORM;
everything of the selection itself is done through the pages, as a staff member would: the motion,
its agenda item (M4), two candidates for one post, nomination, the recommendation entered by
staff_a and confirmed blind by staff_b (R1), one refused transition (R2, R5) that is then fixed,
the 部长办公会 decision, the whole inspection, deliberation, the committee vote (one passes, the
other is rejected), publicity and the appointment. Run at desktop width and at a 390 px phone.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cadre import roles
from cadre.models import AssessmentGrade, Cadre, Candidate, Selection, Stage
from cadre.record import verify
from cadre.thresholds import snapshot
from inspection.models import Factor
from supervision.demo import ensure_calendar
from supervision.workdays import start_for_ended

from ..factories import AssessmentFactory, CadreFactory, EvaluationFactory, PositionFactory, UnitFactory, UserFactory
from .conftest import VIEWPORTS, login
from .conftest import shot as save_shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "县财政局副局长选任"


# ---------------------------------------------------------------------------- helpers


def iso(day) -> str:
    return day.isoformat()


def shot(page, name: str):
    """Save the page under artifacts/screenshots/; it must fit the viewport's width (no sideways scrolling)."""
    save_shot(page, name)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{name}: the page is {width[0]} px wide in a {width[1]} px viewport"


def ok(page, text: str):
    """The page shows the success message `text` (the write went through)."""
    expect(page.locator(".messages")).to_contain_text(text)


def open_and_fill(page, summary: str, fields: dict, button: str = "保存"):
    """Open a collapsed <details> form by its summary, fill it in and submit it."""
    details = page.locator("details", has=page.locator("summary", has_text=summary))
    details.locator("summary").click()
    fill(page, fields)
    details.locator("button[type=submit]", has_text=button).click()


def save_part(page, part: str, fields: dict, *, rows: int):
    """Fill one part of the inspection page and save it inline: the part comes back (no page load)
    with a saved marker and `rows` rows in its table."""
    fill(page, fields)
    with page.expect_response(lambda r: r.request.method == "POST" and "/inspection/" in r.url) as answer:
        page.locator(f"#part-{part} form.ins-form button[type=submit]").click()
    assert answer.value.status == 200
    expect(page.locator(f"#part-{part} tbody tr")).to_have_count(rows)
    expect(page.locator(f"#part-{part} .ins-saved")).to_be_visible()


def save_factor(page, factor: str, grade: str, text: str):
    """One factor's small form on the inspection page, saved inline."""
    fill(page, {f"#id_factor-{factor}-grade": grade, f"#id_factor-{factor}-text": text})
    with page.expect_response(lambda r: r.request.method == "POST" and "/inspection/" in r.url) as answer:
        page.locator(f"#factor-{factor} button[type=submit]").click()
    assert answer.value.status == 200
    expect(page.locator(f"#factor-{factor} .tag-ok").first).to_have_text("良好")


def tick(candidate):
    return f"input[name=candidates][value='{candidate.pk}']"


def fill(page, fields: dict):
    for selector, value in fields.items():
        element = page.locator(selector)
        tag = element.evaluate("e => e.tagName.toLowerCase() + (e.type ? ':' + e.type : '')")
        if tag.startswith("select"):
            element.select_option(value)
        elif tag.endswith(":checkbox"):
            element.check() if value else element.uncheck()
        else:
            element.fill(str(value))


def cohort_move(page, candidates, transition: str, reason: str = ""):
    """On the selection page: tick the candidates and run one transition for each."""
    for candidate in candidates:
        page.check(f"input[name=candidates][value='{candidate.pk}']")
    page.select_option("#id_move_transition", transition)
    if reason:
        page.fill("#id_move_reason", reason)
    page.click(".cohort-controls button[type=submit]")
    return page.locator("#move-results")


def expect_moved(results, candidates, stage_label: str):
    for candidate in candidates:
        row = results.locator("li.result", has=results.page.locator(f"a[href='/candidates/{candidate.pk}/']"))
        expect(row).to_contain_text("已完成")
        expect(row).to_contain_text(stage_label)


def to_selection(page, selection):
    page.click(".mainnav >> text=选任工作")
    page.click(f"a[href='/selections/{selection.pk}/']")
    expect(page.locator("h1")).to_have_text(selection.title)


def to_candidate_stage_page(page, candidate, stage_label: str):
    """From the candidate page, the button that leads to the current stage's page."""
    page.goto(f"{page.base_url}/candidates/{candidate.pk}/")
    page.click(f".page-head a.btn:has-text('填写“{stage_label}”阶段材料')")


def stage_of(candidate) -> str:
    return Candidate.objects.values_list("stage", flat=True).get(pk=candidate.pk)


def eligible_cadre(name, unit, gender="M"):
    cadre = CadreFactory(name=name, unit=unit, gender=gender)
    year = timezone.localdate().year
    for back in (1, 2, 3):
        grade = AssessmentGrade.EXCELLENT if back == 1 else AssessmentGrade.COMPETENT
        AssessmentFactory(cadre=cadre, year=year - back, grade=grade)
        EvaluationFactory(cadre=cadre, year=year - back)
    return cadre


# ---------------------------------------------------------------------------- the test


def test_full_selection(page, browser, viewport):
    today = timezone.localdate()
    # P1 needs a publicity of 5 working days that has ENDED before the appointment, which cannot
    # happen in real time during a test; and a publicity may not start before the committee's
    # decision. So the staff member records, as happens when paperwork follows events, a meeting
    # held before the publicity whose period ended yesterday — and every earlier stage on a day before
    # it, each after the one before (#11). Nothing is changed with the ORM.
    ensure_calendar(today)  # today's year must be known (P1): the package or a confirmed notice
    starts_on = start_for_ended(today, snapshot()["P1.working_days"])
    meeting_day = starts_on - timedelta(days=1)
    before = {
        "motion": 40,
        "recommendation": 35,
        "inspection_objects": 30,
        "notice": 28,
        "team_starts": 25,
        "inspected": 15,
        "team_ends": 10,
        "report": 9,
        "deliberation": 5,
    }
    day = {what: meeting_day - timedelta(days=n) for what, n in before.items()}
    staff_a = UserFactory(username="staff_a", first_name="张承办", roles=[roles.ORG_STAFF])
    UserFactory(username="staff_b", first_name="李核对", roles=[roles.ORG_STAFF])
    unit = UnitFactory(name="县财政局")
    post = PositionFactory(unit=unit, title="副局长", quota=1)  # vacant: nobody holds it
    wang = eligible_cadre("王明", unit)
    zhao = eligible_cadre("赵丽", unit, gender="F")
    base = page.base_url

    # ------------------------------------------------------------------ motion 动议
    login(page, "staff_a")
    page.click("text=新建选任工作")
    page.fill("#id_title", TITLE)
    page.select_option("#id_reason", "vacancy")
    page.check("#id_competitive")
    page.check(f"input[name=positions][value='{post.pk}']")
    shot(page, "flow-01-motion-form")
    page.click("button:has-text('提交动议')")
    ok(page, "已新建选任工作")
    selection = Selection.objects.get(title=TITLE)
    assert selection.competitive
    expect(page.locator("#assignees")).to_contain_text("张承办")

    # A colleague for the blind second entry of the recommendation (R1).
    page.select_option("#id_user", label="李核对")  # people by name, not by login (#11)
    page.click("#assign button[type=submit]")
    ok(page, "已将 李核对 列为承办人")
    expect(page.locator("#assignees")).to_contain_text("李核对")

    # M4: the decision item is on a meeting agenda before anyone is nominated.
    page.click("#stage-pages >> text=动议议题")
    page.click("button:has-text('登记')")  # empty: refused in Chinese, nothing written
    expect(page.locator(".errorlist").first).to_contain_text("必填项")
    fill(page, {"#id_meeting_name": "县委常委会第 21 次会议", "#id_meeting_date": iso(day["motion"])})
    page.click("button:has-text('登记')")
    expect(page.locator(".errorlist").first).to_be_visible()
    expect(page.locator("#id_meeting_name")).to_have_value("县委常委会第 21 次会议")  # typed input kept
    page.fill("#id_item", f"研究{TITLE}动议事项")
    page.click("button:has-text('登记')")
    ok(page, "动议议题已登记")
    shot(page, "flow-02-motion-agenda")

    # ------------------------------------------------------------------ two candidates, nominated 提名
    to_selection(page, selection)
    for cadre in (wang, zhao):
        # The picker lists a few cadres; the search box (htmx) brings in the ones that match.
        page.fill("#cadre-search", cadre.name)
        expect(page.locator(f"#id_cadre option[value='{cadre.pk}']")).to_have_count(1)
        expect(page.locator("#id_cadre option")).to_have_count(2)  # the blank one and the match
        page.select_option("#id_cadre", str(cadre.pk))
        page.select_option("#id_position", str(post.pk))
        page.click("#add-candidate button[type=submit]")
        ok(page, f"已将 {cadre.name} 列为")
    a = Candidate.objects.get(selection=selection, cadre=wang)
    b = Candidate.objects.get(selection=selection, cadre=zhao)
    both = [a, b]
    expect_moved(cohort_move(page, both, "nominate"), both, "提名")
    shot(page, "flow-03-nominated")

    for candidate in both:
        to_candidate_stage_page(page, candidate, "提名")
        expect(page.locator("h1")).to_contain_text("初始提名")
        fill(
            page,
            {
                "#id_source": "org_dept",
                "#id_nominator": "县委组织部",
                "#id_reasons": "按照职位要求，经组织部门研究提名",
            },
        )
        page.click("button:has-text('登记提名')")
        ok(page, "初始提名已登记")
    expect(page.locator("body")).to_contain_text("规则检查通过，可以进入民主推荐")
    shot(page, "flow-04-nomination")

    # ------------------------------------------------------------------ recommendation 民主推荐
    to_selection(page, selection)
    expect_moved(cohort_move(page, both, "recommend"), both, "民主推荐")
    page.click("#stage-pages >> text=民主推荐录入与确定考察对象")
    numbers = {
        "entitled": 40,
        "present": 36,
        f"votes_{wang.pk}": 30,
        f"votes_{zhao.pk}": 22,
    }
    fill(
        page,
        {
            "#id_unit": str(unit.pk),
            "#id_kind": "meeting",
            "#id_held_on": iso(day["recommendation"]),
            **{f"#id_{k}": v for k, v in numbers.items()},
        },
    )
    page.click("button:has-text('保存第一次录入')")
    ok(page, "第一次录入已保存")
    expect(page.locator(".tag", has_text="待第二人核对")).to_be_visible()
    shot(page, "flow-05-recommendation-first-entry")

    # A refused transition: inspection objects before the second entry and the 部长办公会 (R2, R5).
    to_selection(page, selection)
    results = cohort_move(page, [a], "inspect")
    expect(results).to_contain_text("被拒绝")
    expect(results.locator(".rule-id", has_text="R2")).to_be_visible()
    expect(results.locator(".rule-id", has_text="R5")).to_be_visible()
    expect(results).to_contain_text("尚待第二人核对确认")
    results.scroll_into_view_if_needed()
    shot(page, "flow-06-refused-inspect")
    assert stage_of(a) == Stage.RECOMMENDATION
    # …and on the candidate page the button is disabled, with the reason and links to fix it.
    page.click(f"#move-results a[href='/candidates/{a.pk}/']")
    inspect_option = page.locator("article.option", has=page.locator("h3", has_text="列为考察对象"))
    expect(inspect_option.locator("button[type=submit]")).to_be_disabled()
    expect(inspect_option).to_contain_text("尚有未满足的刚性规则：R2、R5")
    expect(page.locator(".timeline .tl-refused")).to_contain_text("操作被拒绝")
    shot(page, "flow-07-candidate-blocked")

    # The fix, part 1: staff_b confirms the recommendation blind, at their own desk.
    context_b = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai")
    context_b.set_default_timeout(15_000)
    page_b = context_b.new_page()
    page_b.base_url, page_b.viewport_name = base, viewport
    login(page_b, "staff_b")
    to_selection(page_b, selection)
    page_b.click("#stage-pages >> text=民主推荐录入与确定考察对象")
    expect(page_b.locator("body")).not_to_contain_text("30 票")  # the first entry's numbers are not shown
    meeting_pk = page_b.locator("form:has(input[name=action][value=confirm]) input[name=meeting]").get_attribute(
        "value"
    )
    prefix = f"#id_m{meeting_pk}-"
    typo = {**numbers, f"votes_{zhao.pk}": 23}
    fill(page_b, {prefix + k: v for k, v in typo.items()})
    page_b.click("button:has-text('核对并确认')")
    expect(page_b.locator(".alert-error")).to_contain_text("不一致")
    expect(page_b.locator(f"{prefix}votes_{zhao.pk}")).to_have_value("23")  # typed input kept
    shot(page_b, "flow-08-second-entry-mismatch")
    page_b.fill(f"{prefix}votes_{zhao.pk}", "22")
    page_b.click("button:has-text('核对并确认')")
    ok(page_b, "两次录入一致")
    shot(page_b, "flow-09-second-entry-confirmed")
    context_b.close()

    # The fix, part 2: the 部长办公会 decides the inspection objects (R5), back as staff_a.
    to_selection(page, selection)
    page.click("#stage-pages >> text=民主推荐录入与确定考察对象")
    expect(page.locator(".tag", has_text="已确认")).to_be_visible()
    fill(
        page,
        {
            "#id_meeting_date": iso(day["inspection_objects"]),
            "#id_reasons": "综合民主推荐、年度考核和一贯表现，研究确定王明、赵丽为考察对象（差额考察）",
        },
    )
    for candidate in both:
        page.check(f"input[name=candidates][value='{candidate.pk}']")
    page.click("button:has-text('登记部长办公会意见')")
    ok(page, "部长办公会确定考察对象的情况已登记")
    shot(page, "flow-10-recommendation-decided")

    to_selection(page, selection)
    expect_moved(cohort_move(page, both, "inspect"), both, "考察")

    # ------------------------------------------------------------------ inspection 考察
    page.click("#stage-pages >> text=考察预告")
    fill(
        page,
        {
            "#id_published_on": iso(day["notice"]),
            "#id_team_text": "组长 张承办，成员 李核对",
            "#id_contact_phone": "0000-1234567",
            "#id_text": f"拟对{TITLE}的考察对象王明、赵丽进行考察，欢迎反映情况。",
        },
    )
    page.click("button:has-text('登记')")
    ok(page, "考察预告已登记")

    page.click(".crumbs >> text=考察组")
    fill(
        page,
        {
            "#id_team-name": f"{TITLE}考察组",
            "#id_team-leader": str(staff_a.pk),
            "#id_team-starts_on": iso(day["team_starts"]),
            "#id_team-ends_on": iso(day["team_ends"]),
            "#id_team-place": "县财政局",
            "#id_team-scope": "单位领导班子成员、中层干部",
            "#id_team-forum_size": 20,
        },
    )
    for candidate in both:
        page.check(f"input[name=team-candidates][value='{candidate.pk}']")
    page.click("button:has-text('登记')")
    ok(page, "考察组已登记")
    shot(page, "flow-11-inspection-team")

    thresholds = snapshot()
    for candidate in both:
        # One page per candidate (issue #11): every part open at once, each saved inline (htmx).
        to_candidate_stage_page(page, candidate, "考察")
        expect(page.locator("details.card")).to_have_count(0)
        if candidate == a:  # a bad value: the part comes back with its error, nothing saved, no page load
            category = thresholds["I4.categories"][0]
            fill(
                page,
                {
                    "#id_talk-interviewee": "谈话对象",
                    "#id_talk-category": category,
                    "#id_talk-talked_on": iso(day["inspected"]),
                },
            )
            with page.expect_response(lambda r: r.request.method == "POST" and "/inspection/" in r.url) as answer:
                page.locator("#part-talk form.ins-form button[type=submit]").click()
            assert answer.value.status == 400
            expect(page.locator("#part-talk .errorlist")).to_contain_text("此项为必填项")
            expect(page.locator("#part-talk tbody tr")).to_have_count(0)
            expect(page.locator("#id_talk-interviewee")).to_have_value("谈话对象")  # what was typed is kept
        for i, name in enumerate(thresholds["I3.procedures"]):
            save_part(
                page,
                "procedure",
                {"#id_procedure-name": name, "#id_procedure-done_on": iso(day["inspected"])},
                rows=i + 1,
            )
        for i, category in enumerate(thresholds["I4.categories"]):
            save_part(
                page,
                "talk",
                {
                    "#id_talk-interviewee": f"{category}代表",
                    "#id_talk-category": category,
                    "#id_talk-talked_on": iso(day["inspected"]),
                    "#id_talk-summary": "反映该同志工作扎实、作风正派。",
                },
                rows=i + 1,
            )
        for factor in Factor:
            save_factor(page, factor.value, "good", "表现较好。")
        for i, department in enumerate(thresholds["I6.opinions"]):
            save_part(
                page,
                "opinion",
                {
                    "#id_opinion-department": department,
                    "#id_opinion-received_on": iso(day["inspected"]),
                    "#id_opinion-opinion": "未发现影响使用的问题。",
                },
                rows=i + 1,
            )
        # the page was never reloaded: the checklist and the next step followed each save
        expect(page.locator("#next-step")).to_contain_text("I8")
    # Only the comparative report (I8) is still missing: the checklist says so.
    expect(page.locator(".checklist li.bad")).to_have_count(1)
    expect(page.locator(".checklist li.bad")).to_contain_text("I8")
    shot(page, "flow-12-inspection")

    page.click(".page-head nav.crumbs >> text=考察对比分析报告")
    fill(
        page,
        {
            "#id_comparison": "王明综合素质突出、推荐得票较高；赵丽业务熟悉，统筹能力有待提升。",
            "#id_recommendation": "建议王明为拟任人选。",
            "#id_recommended": str(a.pk),
            "#id_heard_on": iso(day["report"]),
        },
    )
    page.click("button:has-text('保存')")
    ok(page, "考察对比分析报告已保存")
    shot(page, "flow-13-inspection-report")

    # ------------------------------------------------------------------ deliberation 酝酿
    to_selection(page, selection)
    expect_moved(cohort_move(page, both, "deliberate"), both, "酝酿")
    to_candidate_stage_page(page, a, "酝酿")
    for level, participants in [
        ("minister_meeting", "组织部部长、副部长"),
        ("secretaries_meeting", "县委书记、副书记、组织部长、纪委书记"),
    ]:
        open_and_fill(
            page,
            "记录酝酿情况",
            {
                "#id_level": level,
                "#id_held_on": iso(day["deliberation"]),
                "#id_participants": participants,
                "#id_opinions": "同意提交常委会讨论。",
                tick(b): True,  # the form starts with this candidate (王明) ticked; the other is added
            },
        )
        ok(page, "酝酿情况已记录")
    expect(page.locator(".checklist li.bad")).to_contain_text("D2")  # only the comparison is missing
    shot(page, "flow-14-deliberation")
    page.click("nav.crumbs >> text=人选比较")
    fill(
        page,
        {
            "#id_virtue_talent": "两人均德才兼备，王明更为突出。",
            "#id_performance": "王明实绩突出。",
            "#id_potential": "两人均有发展潜力。",
            "#id_mass_base": "王明群众基础较好。",
            "#id_personality": "王明性格稳重，赵丽干练。",
            "#id_post_fit": "王明更符合副局长岗位要求，人岗相适。",
        },
    )
    page.click("button:has-text('保存')")
    ok(page, "人选比较已保存")
    shot(page, "flow-15-deliberation-comparison")

    # V7: the brief of each candidate, before the committee decides.
    for candidate in both:
        page.goto(f"{base}/candidates/{candidate.pk}/")
        decide = page.locator("article.option", has=page.locator("h3", has_text="提交讨论决定"))
        expect(decide.locator(".rule-id", has_text="V7")).to_be_visible()
        decide.locator("a.fix", has_text="去补充").first.click()
        name = candidate.cadre.name
        page.click("#brief-draft button[type=submit]")  # V7 drafted from the record (issue #11)
        expect(page.locator("#draft-done")).to_be_visible()
        expect(page.locator("#id_recommendation")).to_have_value(re.compile(r"得\d+票"))
        expect(page.locator("#id_evaluation")).to_have_value(re.compile("工作能力水平（良好）：表现较好。"))
        fill(
            page,
            {
                "#id_recommendation": f"{name}在民主推荐中得票靠前。",
                "#id_evaluation": f"考察组认为{name}政治坚定，工作能力较强。",
                "#id_traits": "熟悉财政业务，善于统筹协调。",
                "#id_shortcomings": "开拓创新意识有待增强。",
                "#id_reasons": f"{name}德才素质与拟任职位要求相适应。",
            },
        )
        page.click("button:has-text('保存并记入纪实')")
        ok(page, "任职推荐材料已保存")
    shot(page, "flow-16-decision-brief")

    to_selection(page, selection)
    expect_moved(cohort_move(page, both, "decide"), both, "讨论决定")

    # ------------------------------------------------------------------ decision 讨论决定
    page.click("#stage-pages >> text=讨论决定会议")
    # The meeting was held before the publicity that ended yesterday (see the dates at the top).
    fill(page, {"#id_title": "县委常委会第 22 次会议", "#id_held_on": iso(meeting_day), "#id_entitled": 11})
    page.click("button:has-text('登记会议')")
    ok(page, "会议已登记")
    for candidate in both:
        page.select_option("#id_candidate", str(candidate.pk))
        page.click("button:has-text('列入议题')")
        ok(page, "人选已列入会议议题")
    page.fill("#id_present", "11")
    page.click("button:has-text('开会并锁定议题')")
    ok(page, "会议已开始")
    votes = {a: (8, 2, 1), b: (3, 6, 2)}  # 8 > 11/2 passes; 3 does not

    def enter(p, candidate, approve, disapprove, abstain, *, step, done):
        item = p.locator("article.card", has=p.locator(f"h3 a[href='/voting/candidates/{candidate.pk}/decision/']"))
        item.locator("input[name=approve]").fill(str(approve))
        item.locator("input[name=disapprove]").fill(str(disapprove))
        item.locator("input[name=abstain]").fill(str(abstain))
        item.locator("button:has-text('下一步：核对计算结果')").click()
        item = p.locator("article.card", has=p.locator(f"h3 a[href='/voting/candidates/{candidate.pk}/decision/']"))
        outcome = "：通过" if approve > 5 else "：未通过"  # V3 computed before saving (8 of 11 passes, 3 does not)
        expect(item.locator(".checklist")).to_contain_text(outcome)
        item.locator(f"button:has-text('{step}')").click()
        if done:
            ok(p, done)

    for candidate, counts in votes.items():
        enter(page, candidate, *counts, step="确认录入", done="第一次录入已保存")
    shot(page, "flow-17-decision-first-entry")
    meeting_url = page.url
    # staff_b re-enters the paper tallies blind at their own desk; only matching numbers count
    context_b = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai")
    context_b.set_default_timeout(15_000)
    page_b = context_b.new_page()
    page_b.base_url, page_b.viewport_name = base, viewport
    login(page_b, "staff_b")
    page_b.goto(meeting_url)
    expect(page_b.locator("input[name=approve]").first).to_have_value("")  # the first entry is not shown
    enter(page_b, a, 8, 1, 2, step="确认核对结果", done="")
    expect(page_b.locator(".alert-error")).to_contain_text("两次录入不一致")
    page_b.goto(meeting_url)
    for candidate, counts in votes.items():
        enter(page_b, candidate, *counts, step="确认核对结果", done="两次录入一致")
    shot(page_b, "flow-18-decision-confirmed")
    context_b.close()
    # V5: b failed; the committee decides 不予通过 (a failed vote rejects nobody by itself)
    page.goto(meeting_url)
    assert stage_of(b) == Stage.DECISION
    expect(page.locator(".vote-table")).to_contain_text("未通过")
    item = page.locator("article.card", has=page.locator(f"h3 a[href='/voting/candidates/{b.pk}/decision/']"))
    item.locator("button:has-text('按票决未通过处理')").click()
    ok(page, "已按票决未通过处理")
    shot(page, "flow-19-decision-meeting")
    assert stage_of(b) == Stage.REJECTED

    # ------------------------------------------------------------------ publicity 任前公示
    page.goto(f"{base}/candidates/{a.pk}/")
    page.click("article.option:has(h3:has-text('进入任前公示')) button[type=submit]")
    ok(page, "现处于“任前公示”阶段")
    appoint = page.locator("article.option", has=page.locator("h3", has_text="任职"))
    expect(appoint.locator("button[type=submit]")).to_be_disabled()
    expect(appoint.locator(".rule-id", has_text="P1")).to_be_visible()
    page.click(".page-head a.btn:has-text('填写“任前公示”阶段材料')")
    fill(
        page,
        {
            "#id_starts_on": iso(starts_on),
            "#id_phone": "0000-12380",
            "#id_letter": "县委组织部干部监督室",
            "#id_online": "12380 举报网站",
        },
    )
    page.click("button:has-text('发布公示')")
    ok(page, "任前公示已发布")
    expect(page.locator(".tag", has_text="已期满")).to_be_visible()
    shot(page, "flow-18-publicity")

    # ------------------------------------------------------------------ appointment 任职
    page.click(".crumbs >> text=任职")
    fill(
        page,
        {
            "#id_talked_on": iso(today),
            "#id_talked_by": "县委组织部部长",
            "#id_summary": "肯定成绩，指出不足，提出廉洁从政要求。",
        },
    )
    page.click("button:has-text('记录')")
    ok(page, "任前谈话已记录")
    fill(page, {"#id_document_number": f"县委干〔{today.year}〕21号", "#id_effective_on": iso(today)})
    page.click("button:has-text('登记任职文件')")
    ok(page, "任职文件已登记")
    expect(page.locator("#appoint-check-h + p.ok")).to_contain_text("规则均已满足")
    shot(page, "flow-19-appointment")

    page.click("#appoint-check-h ~ p.ok a")
    page.click("article.option:has(h3:has-text('任职')) button[type=submit]")
    ok(page, "现处于“任职”阶段")
    expect(page.locator("h1 .badge")).to_have_text("任职")
    shot(page, "flow-20-appointed")

    to_selection(page, selection)
    holder_cell = page.locator("table").first.locator("tbody tr", has_text="副局长").locator("td").nth(3)
    expect(holder_cell).to_have_text("王明")
    shot(page, "flow-21-selection-done")

    assert stage_of(a) == Stage.APPOINTED and stage_of(b) == Stage.REJECTED
    assert Cadre.objects.get(pk=wang.pk).position_id == post.pk
    assert verify().ok
