"""Developer words on a page people read (issue #11), for the browser tests' page-text scan.

A page in the Chinese UI is read as a person sees it (the browser's `document.body.innerText`: no
markup, no script, nothing hidden or folded away into a closed <details>) and these are refused:
codes of roles, stages and transitions, snake_case identifiers, the seed files' numbers
(`001 附件2`), an ASCII colon after Chinese, Python's and JavaScript's None/True/False/null. Rule ids
(M1, V10), numbers, dates and names are none of these, so they need no allowlist entry; ALLOWED
lists the few ASCII words a Chinese page shows on purpose.
"""

import re

CODES = (
    "org_staff|inspector|committee_member|supervisor|admin|"
    "motion|nomination|recommendation|inspection|deliberation|decision|publicity|appointed|"
    "eliminated|withdrawn|rejected|suspended|"
    "nominate|recommend|inspect|deliberate|decide|publicize|appoint|eliminate|withdraw|reject|"
    "suspend|resume|send_back"
)
DEVELOPER_WORDS = [
    ("代码", re.compile(rf"(?<![A-Za-z0-9_./-])(?:{CODES})(?![A-Za-z0-9_])")),
    ("标识符", re.compile(r"(?<![A-Za-z0-9_./-])[a-z]+(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")),
    ("文件编号", re.compile(r"(?<![\d.])00[0-4](?![\d.])\s*(?:附件|第|#|[一二三四五六七八九十])")),
    ("英文冒号", re.compile(r"[\u4e00-\u9fff）》”]:")),
    ("程序值", re.compile(r"(?<![A-Za-z])(?:None|True|False|null|undefined|NaN)(?![A-Za-z])")),
]
ALLOWED = {"English"}  # the language switch names the other language in that language


def developer_words(text: str) -> list[tuple[str, str, str]]:
    """(kind, word, the line it is on) for each developer word in `text`."""
    found = []
    for line in text.splitlines():
        seen: set[int] = set()  # a word two patterns find is one finding
        for kind, pattern in DEVELOPER_WORDS:
            for match in pattern.finditer(line):
                if match.group(0) not in ALLOWED and match.start() not in seen:
                    seen.add(match.start())
                    found.append((kind, match.group(0), line.strip()[:120]))
    return found
