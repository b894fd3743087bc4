"""The record as people read it (cadre.record_text): a Chinese sentence and table per entry, Asia/Shanghai
time, rules by their Chinese names with the values they saw, no payload key on screen, everything escaped."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from cadre import record_text, rules, services
from cadre.errors import TransitionRefused
from cadre.models import RecordEntry, RecordKind
from cadre.record import record_append
from supervision import services as supervision_services
from voting import services as voting_services
from voting.demo import decision_day

from ..conftest import advance, paper_result
from ..factories import CadreFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def keys_of(value) -> set[str]:
    """Every key of a payload, nested ones too."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


def visible_text(rendered: dict) -> str:
    """What the page shows of an entry outside its <details> (raw JSON and hashes)."""
    parts = [rendered["sentence"], rendered["kind_label"], rendered["fact_label"], rendered["actor"]]
    parts += [f"{label} {value}" for label, value in rendered["rows"]]
    for r in rendered["rules"]:
        parts += [r["title"], r["source"], *r["problems"], *(f"{label} {value}" for label, value in r["inputs"])]
    parts += [f"{t['label']} {t['value']}" for t in rendered["thresholds"]]
    parts += [f"{v['message']} {v['source']}" for v in rendered["violations"]]
    return "\n".join(parts)


def leaked(keys, text: str) -> set[str]:
    return {k for k in keys if k.isascii() and re.search(rf"(?<![A-Za-z0-9_]){re.escape(k)}(?![A-Za-z0-9_])", text)}


def page_without_details(html: str) -> str:
    html = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def rival(staff, selection, position):
    second = services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
    return advance(second, staff, "nominate", "recommend", "inspect")


@pytest.fixture
def walked(staff, candidate, rival):
    """A candidate through the whole procedure to appointment, with a refusal, an important situation and a
    complaint on the way: entries of most kinds and facts, written by the services."""
    with pytest.raises(TransitionRefused):  # a wrong stage: refused, and recorded
        services.candidate_transition(actor=staff, candidate_id=candidate.pk, transition="decide")
    candidate = advance(candidate, staff, "nominate", "recommend", "inspect", "deliberate", "decide")
    meeting = voting_services.meeting_create(  # after the inspection, before the demo's publicity (#11)
        actor=staff, selection=candidate.selection, held_on=decision_day(), title="县委常委会会议", entitled=11
    )
    voting_services.agenda_add(actor=staff, meeting_id=meeting.pk, candidate_id=candidate.pk)
    voting_services.meeting_open(actor=staff, meeting_id=meeting.pk, present=11)
    paper_result(staff, meeting, candidate, approve=9, disapprove=1, abstain=1)
    candidate = advance(candidate, staff, "publicize")
    complaint = supervision_services.complaint_file(
        actor=staff,
        candidate_id=candidate.pk,
        received_on=timezone.localdate(),
        channel="letter",
        real_name=False,
        text="反映<b>拉票</b>问题",
    )
    supervision_services.complaint_assign(actor=staff, complaint_id=complaint.pk, investigator_id=staff.pk)
    supervision_services.complaint_investigate(actor=staff, complaint_id=complaint.pk)
    supervision_services.complaint_conclude(
        actor=staff, complaint_id=complaint.pk, conclusion="经核查不属实", outcome="unsubstantiated"
    )
    candidate = advance(candidate, staff, "appoint")  # publicity, pre-appointment talk, document, A3
    supervision_services.appointment_correct(  # #11: a mistyped date corrected, recorded old → new
        actor=staff,
        candidate_id=candidate.pk,
        new_date=candidate.appointment.effective_on + timedelta(days=1),
        reason="以任职文件为准",
    )
    return candidate


def test_a_created_entry_reads_as_a_sentence_in_shanghai_time(staff, candidate):
    entry = candidate.record.get(seq=1)
    rendered = record_text.render_entry(entry, who=candidate.cadre.name)
    assert rendered["sentence"] == (
        f"{staff.username}将{candidate.cadre.name}列为{candidate.position}的人选（县财政局副局长选任）。"
    )
    local = entry.at.astimezone(SHANGHAI)
    assert rendered["at_text"] == local.strftime("%Y-%m-%d %H:%M:%S") and rendered["at_iso"].endswith("+08:00")
    assert ("拟任职务", str(candidate.position)) in rendered["rows"] and ("动议理由", "职位空缺") in rendered["rows"]
    assert not [label for label, _ in rendered["rows"] if label == record_text.UNKNOWN_KEY]


def test_a_transition_names_each_rule_in_chinese_with_what_it_saw_and_the_thresholds(staff, candidate):
    candidate = advance(candidate, staff, "nominate", "recommend")
    entry = candidate.record.filter(kind=RecordKind.TRANSITION, payload__transition="recommend").get()
    rendered = record_text.render_entry(entry, who=candidate.cadre.name)
    assert rendered["sentence"] == f"{staff.username}办理“进入民主推荐”：{candidate.cadre.name}由“提名”进入“民主推荐”。"
    registry = rules.registered()
    assert rendered["rules"] and all(r["title"] == registry[r["id"]].title for r in rendered["rules"])
    assert all(r["passed"] and r["source"] for r in rendered["rules"])
    n2 = next(r for r in rendered["rules"] if r["id"] == "N2")
    assert n2["inputs"] and all(label != record_text.UNKNOWN_KEY for label, _ in n2["inputs"])
    assert {"rule": "N2", "label": "党政正职参考人选与职位之比（1:N）", "value": "3"} in rendered["thresholds"]


def test_a_refusal_says_who_tried_what_and_which_rules_said_no(staff, candidate):
    with pytest.raises(TransitionRefused):  # motion cannot go to decision
        services.candidate_transition(actor=staff, candidate_id=candidate.pk, transition="decide")
    entry = candidate.record.get(kind=RecordKind.REFUSED)
    rendered = record_text.render_entry(entry, who=candidate.cadre.name)
    assert rendered["sentence"].startswith(f"{staff.username}申请对{candidate.cadre.name}办理“提交讨论决定”")
    assert "被拒绝" in rendered["sentence"] and rendered["refused"]
    assert rendered["violations"][0]["rule"] == "阶段" and "不能提交讨论决定" in rendered["violations"][0]["message"]


def test_no_payload_key_leaks_for_the_entries_the_services_write(staff, walked):
    entries = list(walked.record.order_by("seq"))
    kinds = {e.kind for e in entries}
    facts = {e.payload.get("fact") for e in entries if e.kind == RecordKind.FACT}
    assert {"created", "transition", "refused", "important", "fact"} <= kinds
    assert {"decision_result", "publicity", "complaint_received", "complaint_concluded"} <= facts
    assert {"pre_appointment_talk", "appointment_document", "nomination", "recommendation"} <= facts
    assert "appointment_date_corrected" in facts
    unknown: set[str] = set()
    for entry in entries:
        rendered = record_text.render_entry(entry, who=walked.cadre.name)
        text = visible_text(rendered)
        assert not leaked(keys_of(entry.payload), text), (entry.kind, entry.payload.get("fact"))
        assert rendered["sentence"] and not rendered["sentence"].isascii()
        assert not leaked({"org_dept", "associate", "unsubstantiated", "letter", "vacancy", "motion"}, text)
        unknown |= {k for k in keys_of(entry.payload) if record_text.key_label(k) == record_text.UNKNOWN_KEY}
    # Every key the services and rules write has its Chinese label (rule ids and threshold keys aside).
    structure = {"rules", "inputs", "problems", "thresholds", "violations", "message", "overridable", "overrides"}
    unknown -= structure | set(rules.CATALOG) | {k for k in unknown if "." in k or k.endswith("_label")}
    assert not unknown, " ".join(sorted(unknown))
    concluded = next(e for e in entries if e.payload.get("fact") == "complaint_concluded")
    assert record_text.render_entry(concluded)["sentence"].endswith("号举报：不属实。")


def test_every_fact_the_services_write_has_a_chinese_name():
    for fact, label in record_text.FACTS.items():
        assert not label.isascii(), fact
    assert record_text.fact_label({"fact": "decision_result"}) == "讨论决定票决结果"


def test_a_label_written_with_a_rule_id_reads_without_it():
    # #11: archives recorded before carry "（A4）" in their label; the page and the PDF drop it.
    assert record_text.fact_label({"fact": "record_archive", "label": "全程记实表归档（A4）"}) == "全程记实表归档"
    assert record_text.fact_label({"label": "考察（I1、I9）"}) == "考察"


def test_an_unknown_kind_or_fact_falls_back_to_chinese(staff, candidate):
    entry = RecordEntry(
        candidate=candidate,
        seq=99,
        at=timezone.now(),
        actor=staff,
        actor_name=staff.username,
        kind="mystery",
        payload={"fact": "brand_new", "foo_bar": True, "when": "2026-03-01", "nested": {"inner_key": [1, 2]}},
        prev_hash="0" * 64,
        hash="f" * 64,
    )
    rendered = record_text.render_entry(entry)
    text = visible_text(rendered)
    assert not leaked({"brand_new", "foo_bar", "when", "nested", "inner_key", "mystery"}, text)
    assert rendered["kind_label"] == "记实事项" and rendered["sentence"] == f"{staff.username}记录了一条纪实事项。"
    assert ("其他信息", "是") in rendered["rows"] and ("其他信息", "2026年3月1日") in rendered["rows"]
    entry.kind = RecordKind.FACT
    assert record_text.render_entry(entry)["sentence"] == f"{staff.username}记录：记实事项。"


def test_the_candidate_page_escapes_payloads_and_keeps_raw_json_one_click_away(client, staff, candidate):
    services.candidate_record_important(
        actor=staff, candidate_id=candidate.pk, category="other", text='<script>alert("x")</script>举报人称'
    )
    client.force_login(staff)
    html = client.get(reverse("cadre:candidate", args=[candidate.pk])).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;举报人称" in html
    assert "<details" in html and "原始记录与哈希" in html
    head = candidate.record_head
    assert head.hash in html  # the hash, inside the details
    shown = page_without_details(html)
    assert head.hash not in shown
    for entry in candidate.record.all():
        assert not leaked(keys_of(entry.payload), shown), entry.payload
    assert "记录重要情况（其他重要情况）" in shown


def test_system_entries_and_public_ones_name_the_system(candidate):
    from django.db import transaction

    with transaction.atomic():
        entry = record_append(
            candidate=candidate, actor=None, kind=RecordKind.FACT, payload={"fact": "publicity_closed"}
        )
    assert record_text.render_entry(entry)["sentence"] == "系统检查：公示期满。"


def test_a_change_of_the_cadre_names_each_field_in_chinese(staff, candidate):
    services.cadre_update(actor=staff, cadre=candidate.cadre, hometown="青山县", ethnicity="回族")
    entry = candidate.record.get(kind=RecordKind.CADRE_CHANGED)
    rendered = record_text.render_entry(entry)
    assert rendered["sentence"].startswith(f"{staff.username}修改干部信息：")
    assert ("成长地", "无 → 青山县") in rendered["rows"] and ("民族", "汉族 → 回族") in rendered["rows"]
    assert not leaked(keys_of(entry.payload), visible_text(rendered))
