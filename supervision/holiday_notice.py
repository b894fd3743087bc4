"""Reading the State Council's holiday notice 国务院办公厅关于某年部分节假日安排的通知 (P1).

An administrator pastes the notice as published; `parse_notice` returns every rest day it names
(放假, 补休) and every adjusted working day (调休上班), or raises NoticeError naming the first line
it cannot read. Pure: it reads text and writes nothing.

It believes a line only when the line agrees with itself: the weekday printed after a date
(“1月4日（周日）”) must be that date's weekday in the year given, a break's stated length
(“共8天”, “放假1天”) must be the length of its dates, an adjusted working day must be a Saturday
or Sunday, no day is both a rest day and a working day, and all seven festivals are there. So a
notice of another year, a mistyped date or a half-pasted notice is refused, not written into the
calendar.

The notice's own form (2025):
    一、元旦：1月1日（周三）放假1天，不调休。
    二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、
    2月8日（周六）上班。
Older notices write 星期日 for 周日, name a year when a date falls outside the notice's year
(“2022年12月31日至2023年1月2日放假调休，共3天。”) and sometimes 补休 (“1月2日（星期一）补休”).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

# The seven festivals of 《全国年节及纪念日放假办法》 that every year's notice schedules.
FESTIVALS = ("元旦", "春节", "清明", "劳动", "端午", "中秋", "国庆")
FESTIVAL_NAMES = "元旦、春节、清明节、劳动节、端午节、中秋节、国庆节"
WEEKDAYS = "一二三四五六日"

TITLE = re.compile(r"国务院办公厅关于\s*(\d{4})\s*年部分节假日安排的通知")
INTRO_YEAR = re.compile(r"现将\s*(\d{4})\s*年")
ITEM = re.compile(r"^([一二三四五六七八九十]+)\s*、\s*([^:]{1,20}?)\s*:\s*(.*)$")
# A date, optionally with its year and month, and the parenthesis printed right after it.
DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日(?:\s*\(([^()]*)\))?")
WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
LENGTH = re.compile(r"(?:共|放假)\s*(\d+)\s*天")
BARE_DATE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
REST_WORDS = ("放假", "补休", "休息")
WORK_WORDS = ("上班",)
ITEM_WORDS = (*REST_WORDS, *WORK_WORDS, "调休")


class NoticeError(Exception):
    """A line of the notice could not be read; `message` (Chinese) names it."""

    def __init__(self, message: str, *, line_no: int | None = None, line: str = ""):
        self.line_no = line_no
        self.line = line
        if line_no is not None:
            message = f"第 {line_no} 行读不懂：{message}（“{line}”）"
        self.message = message
        super().__init__(message)


@dataclass
class ParsedNotice:
    year: int
    title: str
    holidays: dict[date, str] = field(default_factory=dict)  # rest day -> festival
    workdays: dict[date, str] = field(default_factory=dict)  # adjusted working day -> festival

    def is_workday(self, day: date) -> bool:
        """What the notice says of `day`; days it does not name follow Monday–Friday."""
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return day.weekday() < 5


@dataclass
class _Item:
    line_no: int
    name: str
    lines: list[str]

    @property
    def text(self) -> str:
        return "".join(self.lines)


def _normalize(line: str) -> str:
    """Full-width digits, colons, commas and parentheses as ASCII; no spaces inside the line."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", line))


def _items(lines: list[str]) -> list[_Item]:
    """The numbered items 一、…：…, each with the lines a pasted page may have wrapped it onto."""
    items: list[_Item] = []
    for number, raw in enumerate(lines, start=1):
        line = _normalize(raw)
        if not line:
            continue
        match = ITEM.match(line)
        if match:
            items.append(_Item(number, match.group(2), [match.group(3)]))
        elif items and not BARE_DATE.match(line) and (DATE.search(line) or any(w in line for w in ITEM_WORDS)):
            items[-1].lines.append(line)  # the item wrapped onto the next line
        elif any(w in line for w in ("上班", "补休")) and DATE.search(line):
            raise NoticeError(
                "这一行有放假或上班的日期，但不在“一、元旦：……”这样的编号条目中", line_no=number, line=raw
            )
    return items


def _resolve(match: re.Match, year: int, month: int | None, notice_year: int) -> date:
    explicit_year, month_text, day_text, parenthesis = match.groups()
    if explicit_year:
        year = int(explicit_year)
        if abs(year - notice_year) > 1:
            raise ValueError(f"{year} 年不是 {notice_year} 年的通知会写的年份")
    if month_text:
        month = int(month_text)
    if month is None:
        raise ValueError(f"“{match.group(0)}”没有写月份")
    try:
        day = date(year, month, int(day_text))
    except ValueError as exc:
        raise ValueError(f"{year}年{month}月{day_text}日不存在") from exc
    weekday = WEEKDAY.search(parenthesis or "")
    if weekday:
        printed = WEEKDAYS.index(weekday.group(1).replace("天", "日"))
        if printed != day.weekday():
            raise ValueError(
                f"{day.year}年{day.month}月{day.day}日是星期{WEEKDAYS[day.weekday()]}，通知写的是星期{WEEKDAYS[printed]}"
                "：请核对年度是否填对、日期是否抄错"
            )
    return day


def _read_item(item: _Item, notice_year: int) -> tuple[list[date], list[date]]:
    """The rest days and adjusted working days of one numbered item."""
    rest: list[date] = []
    work: list[date] = []
    # A parenthesis that does not annotate a date is commentary: 鼓励……在除夕（2月9日）休息.
    body = re.sub(r"(?<!日)\([^()]*\)", "", item.text)
    for sentence in filter(None, re.split(r"[。;]", body)):
        year, month = notice_year, None
        stated_length, sentence_rest = None, []
        for clause in filter(None, sentence.split(",")):
            length = LENGTH.search(clause)
            if length:
                stated_length = int(length.group(1))
            days = []
            for match in DATE.finditer(clause):
                day = _resolve(match, year, month, notice_year)
                year, month = day.year, day.month
                days.append(day)
            if not days:
                continue
            if "至" in clause:
                if len(days) != 2 or days[1] < days[0]:
                    raise ValueError("“至”的前后须各是一个日期，且后一个不早于前一个")
                days = [days[0] + timedelta(n) for n in range((days[1] - days[0]).days + 1)]
            if any(w in clause for w in WORK_WORDS):
                work += days
            elif any(w in clause for w in REST_WORDS):
                sentence_rest += days
            else:
                raise ValueError("有日期，但没有说这些日期是放假还是上班")
        if stated_length is not None and sentence_rest and stated_length != len(sentence_rest):
            first, last = sentence_rest[0], sentence_rest[-1]
            raise ValueError(f"写的是共 {stated_length} 天，但 {first} 至 {last} 是 {len(sentence_rest)} 天")
        rest += sentence_rest
    if not rest:
        raise ValueError("没有读到放假日期")
    return rest, work


def parse_notice(text: str, *, year: int) -> ParsedNotice:
    """Every rest day and adjusted working day of `year`'s notice; NoticeError names what it cannot read."""
    if not isinstance(text, str) or not text.strip():
        raise NoticeError("请粘贴国务院办公厅关于该年部分节假日安排的通知全文")
    lines = text.splitlines()
    normalized = _normalize(text)
    for pattern, what in ((TITLE, "通知标题"), (INTRO_YEAR, "通知正文")):
        found = pattern.search(normalized)
        if found and int(found.group(1)) != year:
            raise NoticeError(f"{what}写的是 {found.group(1)} 年，与所填年度 {year} 年不符")
    notice = ParsedNotice(year=year, title=f"国务院办公厅关于{year}年部分节假日安排的通知")
    items = _items(lines)
    if not items:
        raise NoticeError("没有读到“一、元旦：……”这样的编号条目：请粘贴通知全文")
    for item in items:
        raw = lines[item.line_no - 1].strip()
        try:
            rest, work = _read_item(item, year)
            for day in rest + work:
                if day in notice.holidays or day in notice.workdays:
                    raise ValueError(f"{day} 在通知中出现了两次")
            for day in work:
                if day.weekday() < 5:
                    raise ValueError(f"{day}（星期{WEEKDAYS[day.weekday()]}）本来就是工作日，不是调休上班日")
                if day in rest:
                    raise ValueError(f"{day} 既是放假日又是上班日")
        except ValueError as exc:
            raise NoticeError(str(exc), line_no=item.line_no, line=raw) from exc
        notice.holidays.update(dict.fromkeys(rest, item.name))
        notice.workdays.update(dict.fromkeys(work, item.name))
    names = "".join(item.name for item in items)
    missing = [name for stem, name in zip(FESTIVALS, FESTIVAL_NAMES.split("、"), strict=True) if stem not in names]
    if missing:
        raise NoticeError(f"通知中没有{'、'.join(missing)}的安排：全年安排须包括{FESTIVAL_NAMES}，请粘贴通知全文")
    notice.holidays = dict(sorted(notice.holidays.items()))
    notice.workdays = dict(sorted(notice.workdays.items()))
    return notice
