"""到龄年月: the month a cadre reaches the statutory retirement age, under the 2025 reform.

Source: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13) and its annex
国务院关于渐进式延迟法定退休年龄的办法, in force 2025-01-01: from the original age (men 60, women
cadres 55) the age rises by one month for every four months of birth from the reform's first birth
month (men 1965-01, women cadres 1970-01), up to 63 / 58. A man born 1965-01 reaches it 2025-02
(60 岁 1 个月); men born 1976-09 or later at 63, women cadres born 1981-09 or later at 58.
Computed, never typed (../shared/LRMX.md, 到龄年月).
"""

from dataclasses import dataclass
from datetime import date

SOURCE = (
    "全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定（2024年9月13日）"
    "附件《国务院关于渐进式延迟法定退休年龄的办法》"
)


@dataclass(frozen=True)
class Scheme:
    label: str
    base_years: int  # the original statutory age
    target_years: int  # where the reform ends
    first_birth: tuple[int, int]  # (year, month) of the first birth month whose age rises
    every_months: int  # one month more for every this many months of birth


# Data, not code: the rows of the annex's tables this system needs (cadres: men, women cadres 女干部).
SCHEMES = {
    "M": Scheme("男", 60, 63, (1965, 1), 4),
    "F": Scheme("女干部", 55, 58, (1970, 1), 4),
}


@dataclass(frozen=True)
class Retirement:
    year: int
    month: int
    age_months: int  # the retirement age in months

    @property
    def yyyymm(self) -> str:
        return f"{self.year:04d}{self.month:02d}"

    @property
    def dotted(self) -> str:
        return f"{self.year:04d}.{self.month:02d}"

    @property
    def age_text(self) -> str:
        years, months = divmod(self.age_months, 12)
        return f"{years}岁{months}个月" if months else f"{years}岁"


def retirement(birth: date, gender: str) -> Retirement:
    """到龄: birth month plus the statutory age of the birth month's cohort (gender "M" / "F")."""
    scheme = SCHEMES[gender]
    since = (birth.year - scheme.first_birth[0]) * 12 + (birth.month - scheme.first_birth[1])
    extra = (
        0 if since < 0 else min(-(-(since + 1) // scheme.every_months), (scheme.target_years - scheme.base_years) * 12)
    )
    age = scheme.base_years * 12 + extra
    total = birth.year * 12 + birth.month - 1 + age
    return Retirement(total // 12, total % 12 + 1, age)


def retirement_yyyymm(birth: date | None, gender: str) -> str:
    """到龄年月 as the .lrmx writes it (yyyyMM), '' when the birth date or gender is unknown."""
    if birth is None or gender not in SCHEMES:
        return ""
    return retirement(birth, gender).yyyymm
