"""The State Council's holiday notices as published (written out from the published texts), for
tests of supervision.holiday_notice against what the chinesecalendar package says of those years."""

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
国办发明电〔2025〕7号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

国务院办公厅
2025年11月4日
（此件公开发布）
"""

NOTICE_2025 = """国务院办公厅关于2025年部分节假日安排的通知
国办发明电〔2024〕12号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
根据《国务院关于修改〈全国年节及纪念日放假办法〉的决定》，为便于各地区、各部门及早合理安排节假日旅游、交通运输、生产经营等有关工作，经国务院批准，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

国务院办公厅
2024年11月12日
"""

# 星期 for 周, 与周末连休, and a date in a parenthesis that is commentary (除夕 stays a working day).
NOTICE_2024 = """国务院办公厅关于2024年部分节假日安排的通知
一、元旦：1月1日放假，与周末连休。
二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。
三、清明节：4月4日至6日放假调休，共3天。4月7日（星期日）上班。
四、劳动节：5月1日至5日放假调休，共5天。4月28日（星期日）、5月11日（星期六）上班。
五、端午节：6月10日放假，与周末连休。
六、中秋节：9月15日至17日放假调休，共3天。9月14日（星期六）上班。
七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。
"""

# A holiday that starts in the year before (named with its year).
NOTICE_2023 = """国务院办公厅关于2023年部分节假日安排的通知
一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。
二、春节：1月21日至27日放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班。
三、清明节：4月5日放假，共1天。
四、劳动节：4月29日至5月3日放假调休，共5天。4月23日（星期日）、5月6日（星期六）上班。
五、端午节：6月22日至24日放假调休，共3天。6月25日（星期日）上班。
六、中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。
"""

NOTICE_2021 = """国务院办公厅关于2021年部分节假日安排的通知
一、元旦：2021年1月1日至3日放假，共3天。
二、春节：2月11日至17日放假调休，共7天。2月7日（星期日）、2月20日（星期六）上班。
三、清明节：4月3日至5日放假调休，共3天。
四、劳动节：5月1日至5日放假调休，共5天。4月25日（星期日）、5月8日（星期六）上班。
五、端午节：6月12日至14日放假，共3天。
六、中秋节：9月19日至21日放假调休，共3天。9月18日（星期六）上班。
七、国庆节：10月1日至7日放假调休，共7天。9月26日（星期日）、10月9日（星期六）上班。
"""

NOTICES = {2021: NOTICE_2021, 2023: NOTICE_2023, 2024: NOTICE_2024, 2025: NOTICE_2025, 2026: NOTICE_2026}


# Invented for tests of a year the package does not know (the real 2027 notice is not in this
# repository): the festivals on their 2027 dates, in the published form.
NOTICE_2027_INVENTED = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至13日（农历正月初八、周六）放假调休，共9天。2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假，共1天。
六、中秋节：9月15日（周三）放假，共1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""

INVENTED = {2027: NOTICE_2027_INVENTED}


def confirm_whole_year(year: int) -> None:
    """Tests that count working days from today may reach a year the package does not know yet:
    enter that year's whole schedule and mark it complete, as an administrator confirming the
    notice would (P1). Only 2027's schedule is written out here, and it is invented; a year the
    package knows needs nothing."""
    from cadre.models import CalendarDay, CalendarYear
    from supervision.holiday_notice import parse_notice
    from supervision.workdays import year_known

    if year_known(year):
        return
    if year not in INVENTED:
        raise LookupError(f"tests need chinesecalendar with {year}, or {year}'s notice in tests/supervision/notices.py")
    notice = parse_notice(INVENTED[year], year=year)
    days = [(day, False, name) for day, name in notice.holidays.items()]
    days += [(day, True, f"{name}调休上班") for day, name in notice.workdays.items()]
    for day, is_workday, note in days:
        CalendarDay.objects.update_or_create(day=day, defaults={"is_workday": is_workday, "note": note})
    CalendarYear.objects.update_or_create(
        year=year, defaults={"complete": True, "source": f"{notice.title}（测试用，虚构）"}
    )
