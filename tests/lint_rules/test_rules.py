"""Every rule's own VALID/INVALID examples, run through the real checker."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scopeguard._codes import CODES
from scopeguard.lint_rules import RULES, LintSettings, check_tree
from scopeguard.lint_rules._rule import Rule, expected_findings

CASES = [
    pytest.param(rule, kind, example, id=f"{rule.code}-{kind}-{i}")
    for rule in RULES
    for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for i, example in enumerate(examples)
]


def _findings(source: str) -> list[tuple[int, str]]:
    result = check_tree(
        ast.parse(source), source.splitlines(keepends=True), Path("example.py"), LintSettings()
    )
    return sorted((r.finding.line, r.finding.code) for r in result.reported)


@pytest.mark.parametrize(("rule", "kind", "example"), CASES)
def test_rule_example(rule: Rule, kind: str, example: str) -> None:
    expected = expected_findings(example)
    if kind == "valid":
        assert expected == []
    else:
        assert rule.code in {code for _, code in expected}, "an INVALID example shows its rule"
    assert _findings(example) == expected


def test_each_rule_has_examples_of_both_kinds() -> None:
    for rule in RULES:
        assert rule.VALID and rule.INVALID, rule.code


def test_rules_cover_exactly_the_registered_lint_codes() -> None:
    lint_codes = {code for code, entry in CODES.items() if "lint" in entry.tools}
    assert [rule.code for rule in RULES] == sorted(lint_codes)


def test_messages_say_what_why_and_instead() -> None:
    source = "import boto3\n\ndef f():\n    return boto3.client('s3')\n"
    result = check_tree(ast.parse(source), source.splitlines(True), Path("x.py"), LintSettings())
    (message,) = [r.message for r in result.reported]
    assert message.startswith(
        "SG001 boto3 client/resource created outside the factory (boto3.client())"
    )
    assert CODES["SG001"].why in message
    assert "instead, " + CODES["SG001"].fix in message


def test_async_client_on_a_scope_handle_is_a_factory_site_not_a_finding() -> None:
    source = (
        "import scopeguard\n\n"
        "async def read(factory, tenant: scopeguard.TenantScope):\n"
        "    async with factory.platform().async_client('s3') as s3:\n"
        "        await s3.list_buckets()\n"
        "    return await tenant.async_client('sqs')\n"
    )
    result = check_tree(ast.parse(source), source.splitlines(True), Path("x.py"), LintSettings())
    assert result.reported == []
    assert result.factory_sites == 2


def test_the_static_table_of_isolated_scope_services_is_the_guards() -> None:
    from scopeguard import _fullnames as fn
    from scopeguard._guard import SERVICE_RULES

    assert set(fn.ISOLATED_SCOPE_SERVICES) == set(SERVICE_RULES)
