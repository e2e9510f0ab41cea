"""Everything the user reads is run: the README example executes against moto."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import scopeguard
from scopeguard.testing import moto_factory

ROOT = Path(__file__).resolve().parent.parent


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL)


def test_readme_example_runs_and_its_refusal_holds() -> None:
    (example,) = python_blocks(ROOT / "README.md")[:1]
    with moto_factory() as setup:
        # The example's operator lists the Organization's accounts: give account 111122223333 an
        # Organization first, as a management account would have.
        setup.operator("111122223333").client("organizations").create_organization(
            FeatureSet="ALL")
        setup.tenant("acme").client("dynamodb").create_table(  # provisioning, done elsewhere
            TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        namespace: dict[str, object] = {}
        exec(compile(example, "README.md", "exec"), namespace)
        namespace["save_order"]("acme", "o-1")  # type: ignore[operator]
        factory = namespace["factory"]
        item = factory.tenant("acme").client("dynamodb").get_item(  # type: ignore[attr-defined]
            TableName="orders", Key={"pk": {"S": "o-1"}})
        assert item["Item"] == {"pk": {"S": "o-1"}}
        with pytest.raises(scopeguard.ScopeViolation, match="belongs to tenant:globex"):
            namespace["steal"]("acme")  # type: ignore[operator]


def test_ci_runs_the_readmes_test_command_with_the_pinned_constraints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (command,) = [line for line in readme.splitlines()
                  if line.startswith("python -m pip install -c constraints/")]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command.replace("pip install ", "pip install --quiet ") in ci
    for constraints in ("constraints/botocore-newest.txt", "constraints/botocore-aiobotocore.txt"):
        assert f"-c {constraints}" in command
        pins = (ROOT / constraints).read_text(encoding="utf-8")
        assert "\nboto3==" in pins and "\nbotocore==" in pins, constraints
