"""The error responses of every operation of the OpenAPI schema (../shared/API.md "Errors").

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"], after the
default enum hook) that gives each operation the error answers it can really give, each with its
body as a component schema, so that a client — or schemathesis in CI (scripts/fuzz_api.py) — can
hold the API to it:

- 400 `{"errors": {field: [message]}}` when the operation reads a body, query parameters or a
  string path parameter (a transition verb, a file format): malformed input, nothing written;
- 401 and 403 `{"detail"}` for every operation that needs a signed-in user;
- 404 `{"detail"}` when it has path parameters (an id a user may not see answers as one that does
  not exist) or is paged (a page past the last);
- 409 `{"violations": [...]}` for writes: the one shape of every refusal by the procedure;
- 429 `{"detail"}` with `Retry-After` where the operation already says it is throttled.

Responses a view declares itself are kept: a declared body stays, a declared description stays
and only gains the body it lacked (merge, never overwrite). Public operations (no sign-in) get
only what they can answer, listed in PUBLIC below, since none of them answers 401/403.
"""

ERRORS = "ErrorResponse"
DETAIL = "DetailResponse"
VIOLATIONS = "ViolationsResponse"

COMPONENTS = {
    ERRORS: {
        "type": "object",
        "description": "输入有误（400），未写入任何内容",
        "properties": {
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            }
        },
        "required": ["errors"],
    },
    DETAIL: {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    VIOLATIONS: {
        "type": "object",
        "description": "按程序不予办理（409）：不满足的每一条规则",
        "properties": {
            "violations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "rule": {"type": "string"},
                        "message": {"type": "string"},
                        "source": {"type": "string"},
                        "overridable": {"type": "boolean"},
                    },
                    "required": ["rule", "message", "source", "overridable"],
                },
            }
        },
        "required": ["violations"],
    },
}

DESCRIPTIONS = {
    "400": "输入有误，未写入任何内容",
    "401": "未登录或令牌已失效",
    "403": "已登录，但无权进行此操作",
    "404": "不存在，或当前用户无权查看",
    "409": "按程序不予办理：列出不满足的每一条规则",
    "429": "尝试过于频繁：Retry-After 秒后再试",
}
BODIES = {"400": ERRORS, "401": DETAIL, "403": DETAIL, "404": DETAIL, "409": VIOLATIONS, "429": DETAIL}

RETRY_AFTER = {
    "Retry-After": {"description": "多少秒后可以再试", "schema": {"type": "integer", "minimum": 1}, "required": True}
}

WRITES = {"post", "put", "patch", "delete"}
METHODS = WRITES | {"get"}

# What the operations that need no sign-in can answer besides success, by (path, method).
# The token endpoint: wrong credentials are a 400, a locked account or address a 429 (cadre.auth);
# DELETE needs the token it revokes (401). Public complaints: bad input or a candidate not in
# inspection or publicity is a 400, more than 50 an hour from one address a 429.
PUBLIC = {
    ("/api/v1/auth/token/", "post"): {"400", "429"},
    ("/api/v1/auth/token/", "delete"): {"401"},
    ("/api/v1/public/complaints/", "post"): {"400", "429"},
    ("/api/v1/public/complaints/{reference}/", "get"): {"404"},
    ("/api/v1/public/notices/", "get"): {"404"},
}


def is_public(operation: dict) -> bool:
    """AllowAny operations list the empty security requirement `{}` (drf-spectacular)."""
    return {} in operation.get("security", [])


def error_codes(path: str, method: str, operation: dict) -> set[str]:
    """The error statuses this operation can answer (see the module docstring)."""
    if (path, method) in PUBLIC:
        return set(PUBLIC[path, method])
    parameters = operation.get("parameters", [])
    in_path = [p for p in parameters if p.get("in") == "path"]
    in_query = [p for p in parameters if p.get("in") == "query"]
    codes = set()
    if "requestBody" in operation or in_query or any(p["schema"].get("type") == "string" for p in in_path):
        codes.add("400")
    if not is_public(operation):
        codes |= {"401", "403"}
    if in_path or any(p["name"] == "page" for p in in_query):
        codes.add("404")
    if method in WRITES:
        codes.add("409")
    return codes


def _body(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def add_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: error responses with bodies on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(COMPONENTS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            declared = {code for code in responses if code in BODIES}
            for code in sorted(error_codes(path, method, operation) | declared):
                response = responses.setdefault(code, {"description": DESCRIPTIONS[code]})
                if not response.get("description"):
                    response["description"] = DESCRIPTIONS[code]
                if not response.get("content"):
                    response["content"] = _body(BODIES[code])
                if code == "429":
                    response.setdefault("headers", {}).update(
                        {k: v for k, v in RETRY_AFTER.items() if k not in response.get("headers", {})}
                    )
    return result
