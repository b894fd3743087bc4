"""到龄年月 under the 2025 retirement-age reform, across its boundaries (issue 9)."""

from datetime import date

import pytest

from cadre.retirement import SCHEMES, retirement, retirement_yyyymm


@pytest.mark.parametrize(
    ("gender", "born", "reached", "age"),
    [
        ("M", (1964, 12), "202412", "60岁"),
        ("M", (1965, 1), "202502", "60岁1个月"),
        ("M", (1965, 4), "202505", "60岁1个月"),
        ("M", (1965, 5), "202507", "60岁2个月"),
        ("M", (1976, 8), "203907", "62岁11个月"),
        ("M", (1976, 9), "203909", "63岁"),
        ("M", (1990, 3), "205303", "63岁"),
        ("F", (1969, 12), "202412", "55岁"),
        ("F", (1970, 1), "202502", "55岁1个月"),
        ("F", (1970, 5), "202507", "55岁2个月"),
        ("F", (1981, 8), "203907", "57岁11个月"),
        ("F", (1981, 9), "203909", "58岁"),
    ],
)
def test_retirement_month_across_the_reform(gender, born, reached, age):
    result = retirement(date(*born, 17), gender)
    assert result.yyyymm == reached
    assert result.age_text == age
    assert result.dotted == f"{reached[:4]}.{reached[4:]}"


def test_the_day_of_birth_does_not_matter():
    assert retirement(date(1965, 1, 1), "M") == retirement(date(1965, 1, 31), "M")


def test_unknown_birth_or_gender_is_empty():
    assert retirement_yyyymm(None, "M") == ""
    assert retirement_yyyymm(date(1970, 1, 1), "") == ""


def test_the_schemes_are_data_with_their_source():
    from cadre import retirement as module

    assert SCHEMES["M"].base_years == 60 and SCHEMES["F"].base_years == 55
    assert "渐进式延迟法定退休年龄" in module.SOURCE
