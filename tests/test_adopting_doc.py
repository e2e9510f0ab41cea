"""docs/adopting.md is run: its TOML is the policy its Python builds, its example allows and
refuses what it says against moto, and its statements about session policies and compact
names are the generated ones. Of "Libraries that take a client", the emulator example runs; the
Powertools one needs a package the project does not depend on, so it is compiled only."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from scopeguard import NamingPolicy
from scopeguard._policy import session_policy

DOC = Path(__file__).resolve().parent.parent / "docs" / "adopting.md"
ACME = "3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


@pytest.fixture(scope="module")
def naming() -> NamingPolicy:
    namespace: dict[str, Any] = {}
    exec(compile(blocks("python")[0], str(DOC), "exec"), namespace)
    policy = namespace["naming"]
    assert isinstance(policy, NamingPolicy)
    return policy


def test_the_toml_and_the_code_are_one_policy(naming: NamingPolicy, tmp_path: Path) -> None:
    (toml,) = blocks("toml")
    assert NamingPolicy.from_config(tomllib.loads(toml)["tool"]["scopeguard"]["naming"]) == naming
    (tmp_path / "pyproject.toml").write_text(toml, encoding="utf-8")
    assert NamingPolicy.from_pyproject(tmp_path) == naming


def test_the_example_allows_and_refuses_what_it_says(
    naming: NamingPolicy, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: dict[str, Any] = {"naming": naming}
    exec(compile(blocks("python")[1], str(DOC), "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 6 and all(line.startswith("refused, ") for line in printed)
    assert "belongs to tenant:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d" in printed[0]


def test_the_session_policy_is_the_one_described(naming: NamingPolicy) -> None:
    policy = session_policy(naming, naming.tenant(ACME), account_id="123456789012",
                            services=("dynamodb", "s3", "ssm"))
    text = str(policy)
    for pattern in (f"table/*-{ACME}", f"parameter/saas/{ACME}/*",
                    f"'{ACME}-*'", f"saas-uploads/{ACME}/*"):
        assert pattern in text, pattern


def test_the_compact_bucket_name_is_the_one_shown(naming: NamingPolicy) -> None:
    tenant = naming.tenant(ACME)
    assert naming.physical_name(tenant, "s3", "uploads") == "t-u3qmtv696rrg5skyazvlb5wdpb-uploads"
    assert "t-u3qmtv696rrg5skyazvlb5wdpb-uploads" in DOC.read_text(encoding="utf-8")


def test_the_library_requests_allow_and_refuse_what_they_say(
    capsys: pytest.CaptureFixture[str]
) -> None:
    powertools, emulated = blocks("python")[2:4]
    compile(powertools, str(DOC), "exec")
    assert "boto3_client=scope.client(" in powertools
    exec(compile(emulated, str(DOC), "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in printed] == [
        "refused, a pooled key without the prefix", "refused, another tenant's pooled key",
        "refused, another tenant's table", "refused, another tenant's parameters",
        "refused, secrets by name filter"]
    assert "does not start with 't-acme/'" in printed[0]
