"""The shared Excel writer and reader (cadre/xlsx.py): headers, widths, frozen header, dates, text never a
formula; uploads refused before parsing when they are not a workbook, too big, or unzip to too much."""

import io
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from cadre import xlsx
from cadre.errors import InvalidInput


def test_writer_headers_widths_freeze_dates_and_text():
    at = datetime(2026, 1, 1, 16, 30, tzinfo=ZoneInfo("UTC"))  # 2026-01-02 00:30 in Asia/Shanghai
    data = xlsx.workbook_bytes(
        [
            xlsx.Sheet("名单", ["姓名", "日期", "时间", "比例"], [["=1+1", date(2026, 3, 1), at, 0.5]], percent={3}),
            ("第二页", ["甲"], [[1]]),
        ]
    )
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["名单", "第二页"]
    ws = wb["名单"]
    assert [c.value for c in ws[1]] == ["姓名", "日期", "时间", "比例"] and ws["A1"].font.b
    assert ws.freeze_panes == "A2"
    assert ws["A2"].value == "=1+1" and ws["A2"].data_type == "s"
    assert ws["B2"].value == datetime(2026, 3, 1) and ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["C2"].value == datetime(2026, 1, 2, 0, 30) and ws["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["D2"].number_format == "0.0%"
    assert ws.column_dimensions["A"].width == 10  # at least 10
    long = xlsx.workbook_bytes([("t", ["名称"], [["县" * 20], ["x" * 200]])])
    assert load_workbook(io.BytesIO(long)).active.column_dimensions["A"].width == 60  # capped


def test_caption_and_more_tables():
    data = xlsx.workbook_bytes([xlsx.Sheet("t", ["a", "b"], [[1, 2]], caption="说明", more=[(["c"], [[3]])])])
    ws = load_workbook(io.BytesIO(data)).active
    assert [[c for c in r] for r in ws.iter_rows(values_only=True)] == [
        ["说明", None],
        ["a", "b"],
        [1, 2],
        [None, None],
        ["c", None],
        [3, None],
    ]
    assert ws.freeze_panes == "A3"


def test_response_has_the_chinese_file_name():
    response = xlsx.workbook_response("干部名册.xlsx", [("t", ["a"], [])])
    assert response["Content-Type"] == xlsx.CONTENT_TYPE
    assert "filename*=UTF-8''%E5%B9%B2%E9%83%A8%E5%90%8D%E5%86%8C.xlsx" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "不是 Excel 文件"),
        (b"a,b\n1,2\n", "不是 Excel 文件"),
        (b"PK\x03\x04" + b"\x00" * 100, "不是 Excel 文件"),
        (b"x" * (xlsx.MAX_UPLOAD + 1), "文件超过 2 MB"),
    ],
)
def test_uploads_refused_before_parsing(data, message):
    with pytest.raises(InvalidInput) as refused:
        xlsx.read_rows(data)
    assert message in refused.value.errors["file"][0]


def test_zip_that_is_no_workbook_and_zip_bomb():
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(InvalidInput) as refused:
        xlsx.read_rows(plain.getvalue())
    assert "无法读取" in refused.value.errors["file"][0]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b" " * (3 * 1024 * 1024))  # 3 MB from a few kB: ratio > 100
    with pytest.raises(InvalidInput) as refused:
        xlsx.read_rows(bomb.getvalue())
    assert "解压后过大" in refused.value.errors["file"][0]


def test_row_limit_and_round_trip():
    data = xlsx.workbook_bytes([("t", ["a"], [[i] for i in range(20)])])
    assert xlsx.read_rows(data)[1:3] == [(0,), (1,)]
    with pytest.raises(InvalidInput) as refused:
        xlsx.read_rows(data, max_rows=10)
    assert refused.value.errors == {"file": ["表格超过 10 行，请使用下载的模板填写"]}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), (3.0, 3), ("12", 12), (" 7 ", 7), (0, 0)],
)
def test_cell_count_accepts(value, expected):
    assert xlsx.cell_count(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "未填写"),
        ("", "未填写"),
        (-1, "不能为负数"),
        ("-2", "不能为负数"),
        (2.5, "“2.5”不是整数"),
        ("三", "“三”不是整数"),
        ("１２", "“１２”不是整数"),
        ("--3", "“--3”不是整数"),
        ("1e3", "“1e3”不是整数"),
        (True, "应填写整数"),
        (10**7, "数字过大"),
    ],
)
def test_cell_count_refuses(value, reason):
    with pytest.raises(ValueError) as refused:
        xlsx.cell_count(value)
    assert str(refused.value) == reason
