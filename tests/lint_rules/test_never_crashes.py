"""For all valid Python built from boto3-ish pieces, the checker finishes and reports in range."""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scopeguard.lint_rules import LintSettings, check_tree

NAMES = st.sampled_from(["boto3", "b3", "s", "session", "client", "mk", "self", "x", "Session"])
SERVICE = st.sampled_from(['"s3"', "name", '"dynamodb"', "*args", "**kw", ""])
KEYWORD = st.sampled_from(
    [
        "",
        "aws_access_key_id=k",
        "TableName='t-acme-orders'",
        "region_name=None",
        "**opts",
        "QueueUrl='https://x/1/c-dev-q'",
    ]
)

ATTRIBUTES = st.sampled_from(
    ["client", "resource", "Session", "DEFAULT_SESSION", "session", "region_name"]
)
METHODS = st.sampled_from(["client", "create_client", "tenant", "get_available_regions"])
PARAMETERS = st.sampled_from(
    ["", "self", "self, s: boto3.Session", "s=boto3.client('s3')", "*a, **k"]
)
TESTS = st.sampled_from(["TYPE_CHECKING", "typing.TYPE_CHECKING", "__name__ == '__main__'", "x"])
ANNOTATIONS = st.sampled_from(["boto3.Session", "Session", '"Session"', "int", "Optional[S]"])
IMPORTS = st.sampled_from(
    [
        "import boto3",
        "import boto3 as b3",
        "import boto3.session",
        "from boto3 import client as mk",
        "from boto3.session import Session",
        "import botocore.session",
        "from aiobotocore.session import get_session",
        "import aioboto3",
        "from . import aws",
        "from .. import x",
        "from boto3 import DEFAULT_SESSION",
    ]
)


def _arguments(service: str, keyword: str) -> str:
    if service.startswith("**") and keyword and not keyword.startswith("**"):
        service, keyword = keyword, service
    return ", ".join(a for a in (service, keyword) if a)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    base = draw(NAMES)
    kind = draw(st.integers(0, 7 if depth < 2 else 2))
    if kind == 0:
        return base
    if kind == 1:
        return f"{base}.{draw(ATTRIBUTES)}"
    if kind == 2:
        return f"{base}({_arguments(draw(SERVICE), draw(KEYWORD))})"
    inner = draw(expressions(depth + 1))
    if kind == 3:
        method = draw(METHODS)
        return f"{inner}.{method}({_arguments(draw(SERVICE), draw(KEYWORD))})"
    if kind == 4:
        return f"lambda {draw(NAMES)}: {inner}"
    if kind == 5:
        return f"[{inner} for {draw(NAMES)} in y]"
    if kind == 6:
        return f"{inner}[0]"
    return f"'AKIA' + {inner!r}"


@st.composite
def statements(draw: st.DrawFn, depth: int = 0) -> list[str]:
    kind = draw(st.integers(0, 9 if depth < 3 else 4))
    expr = draw(expressions())
    if kind == 0:
        return [draw(IMPORTS)]
    if kind == 1:
        return [f"{draw(NAMES)} = {expr}"]
    if kind == 2:
        return [f"self.session = {expr}"]
    if kind == 3:
        return [expr]
    if kind == 4:
        return [f"{draw(NAMES)}: {draw(ANNOTATIONS)} = {expr}"]
    body = [line for _ in range(draw(st.integers(1, 3))) for line in draw(statements(depth + 1))]
    indented = ["    " + line for line in body]
    if kind == 5:
        deco = draw(st.sampled_from(["", "@functools.lru_cache\n", "@staticmethod\n", "@cache\n"]))
        args = draw(PARAMETERS)
        header = f"{deco}{draw(st.sampled_from(['def', 'async def']))} f({args}):"
        return [*header.split("\n"), *indented]
    if kind == 6:
        return [f"class C({draw(NAMES)}):", *indented]
    if kind == 7:
        test = draw(TESTS)
        return [f"if {test}:", *indented, "else:", "    pass"]
    if kind == 8:
        return ["try:", *indented, "except ImportError:", f"    {draw(NAMES)} = None"]
    return [f"with {expr} as {draw(NAMES)}:", *indented]


@st.composite
def programs(draw: st.DrawFn) -> str:
    lines = [line for _ in range(draw(st.integers(1, 8))) for line in draw(statements())]
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_checker_never_crashes_on_valid_python(source: str) -> None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        raise AssertionError(f"the generator produced invalid Python:\n{source}") from None
    lines = source.splitlines(keepends=True)
    result = check_tree(tree, lines, Path("pkg/generated.py"), LintSettings())
    for item in result.reported:
        assert 1 <= item.finding.line <= len(lines)
        assert item.finding.col >= 0
        assert item.message.startswith(item.finding.code + " ")
