"""Where, in the browser, each stage's data is entered; and which stage page fixes which rule.

cadre imports no stage app: these are URL names, resolved by name when a page is rendered.
"""

# Stage -> URL name of the page (taking the candidate id) where that stage's data is entered.
STAGE_PAGES = {
    "nomination": "nomination:nomination",
    "recommendation": "nomination:recommendation",
    "inspection": "inspection:inspection",
    "deliberation": "inspection:deliberation",
    "decision": "voting:decision",
    "publicity": "supervision:publicity",
    "appointed": "supervision:appointment",
}

# Rule id prefix -> the stage page where what the rule needs is entered.
RULE_PAGES = {
    "N": "nomination",
    "R": "recommendation",
    "I": "inspection",
    "D": "deliberation",
    "V": "decision",
    "P": "publicity",
    "A": "appointed",
}
