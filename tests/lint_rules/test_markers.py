"""Codemod TODO markers keep the finding and say it is acknowledged; noqa silences it."""

from __future__ import annotations

import ast
from pathlib import Path

from scopeguard._codes import TODO_MARKER
from scopeguard.lint_rules import LintSettings, check_tree


def _messages(source: str, *, noqa: bool = False) -> list[str]:
    result = check_tree(
        ast.parse(source), source.splitlines(keepends=True), Path("m.py"), LintSettings(), noqa=noqa
    )
    return [r.message for r in result.reported]


def test_marker_written_by_the_codemod_above_the_statement_acknowledges() -> None:
    marker = TODO_MARKER.format(code="SG001", reason="service name comes from the caller")
    source = (
        f"import boto3\n\ndef f(x):\n    {marker}\n    y = g(\n        boto3.client('s3'),\n    )\n"
    )
    (message,) = _messages(source)
    assert message.startswith("SG001 ")
    assert "[acknowledged: TODO(SG001) service name comes from the caller]" in message


def test_inline_marker_acknowledges() -> None:
    source = (
        "import boto3\n\ndef f():\n"
        "    return boto3.client('s3')  # scopeguard: TODO(SG001) shared\n"
    )
    (message,) = _messages(source)
    assert "[acknowledged: TODO(SG001) shared]" in message


def test_marker_for_another_code_does_not_acknowledge() -> None:
    marker = TODO_MARKER.format(code="SG030", reason="dynamic")
    source = f"import boto3\n\ndef f():\n    {marker}\n    return boto3.client('s3')\n"
    (message,) = _messages(source)
    assert "acknowledged" not in message


def test_marker_separated_by_code_does_not_acknowledge() -> None:
    marker = TODO_MARKER.format(code="SG001", reason="old")
    source = f"import boto3\n\ndef f():\n    {marker}\n    x = 1\n    return boto3.client('s3')\n"
    (message,) = _messages(source)
    assert "acknowledged" not in message


def test_noqa_with_code_silences_only_that_code() -> None:
    source = "import boto3\n\nC = boto3.client('s3')  # noqa: SG001\n"
    assert [m[:5] for m in _messages(source, noqa=True)] == ["SG031"]
    assert [m[:5] for m in _messages(source)] == ["SG001", "SG031"]


def test_bare_noqa_silences_everything() -> None:
    source = "import boto3\n\nC = boto3.client('s3')  # noqa\n"
    assert _messages(source, noqa=True) == []


def test_marker_above_the_decorators_of_a_statement_acknowledges() -> None:
    marker = TODO_MARKER.format(code="SG001", reason="decorator-built client")
    source = (
        f"import boto3\n\n{marker}\n@register(boto3.client('s3'))\n"
        "@other\ndef handler():\n    pass\n"
    )
    codes = [m[:5] for m in _messages(source)]
    assert codes == ["SG001", "SG031"]
    assert "[acknowledged: TODO(SG001) decorator-built client]" in _messages(source)[0]


def test_one_marker_line_with_several_codes_acknowledges_each() -> None:
    marker = TODO_MARKER.format(code="SG010,SG001", reason="audit account keys; kept as is")
    source = (
        "import boto3\n\ndef f(k):\n"
        f"    {marker}\n"
        "    return boto3.client('s3', aws_access_key_id=k)\n"
    )
    messages = sorted(_messages(source))
    assert [m[:5] for m in messages] == ["SG001", "SG010"]
    for message, code in zip(messages, ("SG001", "SG010")):
        assert f"[acknowledged: TODO({code}) audit account keys; kept as is]" in message


def test_several_codes_acknowledge_only_those_listed() -> None:
    source = (
        "import boto3\n\ndef f(k):\n"
        "    # scopeguard: TODO(SG030, SG031) spaced list\n"
        "    return boto3.client('s3', aws_access_key_id=k)\n"
    )
    assert not any("acknowledged" in m for m in _messages(source))
