"""``scopeguard coverage`` and the refusal of operations the guard does not classify.

A botocore release that adds an operation to a guarded service is simulated for real: a copy of
SQS's service model with one more operation is put on ``AWS_DATA_PATH``, where botocore's loader
looks before its own data, so clients and ``scopeguard coverage`` both see the new operation.
"""

from __future__ import annotations

import copy
import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import botocore
import botocore.session
import pytest
from moto import mock_aws

from guard_helpers import refused

from scopeguard import ClientFactory, _coverage

ACCOUNT = "123456789012"


@pytest.fixture
def newer_botocore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``AWS_DATA_PATH`` whose SQS model has ``PurgeEverything``, an operation scopeguard
    has never seen, naming a queue like its neighbours do."""
    data = Path(botocore.__file__).parent / "data" / "sqs"
    (version,) = [p.name for p in data.iterdir() if p.is_dir()]
    model = json.loads(gzip.decompress((data / version / "service-2.json.gz").read_bytes()))
    operation = copy.deepcopy(model["operations"]["PurgeQueue"])
    operation["name"] = "PurgeEverything"
    operation["http"]["requestUri"] = "/"
    model["operations"]["PurgeEverything"] = operation
    target = tmp_path / "sqs" / version
    target.mkdir(parents=True)
    (target / "service-2.json").write_text(json.dumps(model), encoding="utf-8")
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    return tmp_path


@pytest.fixture
def factory(newer_botocore: Path) -> Iterator[ClientFactory]:
    session = boto3.Session(region_name="eu-west-1")  # a new session reads AWS_DATA_PATH
    with mock_aws():
        yield ClientFactory(session=session, account_id=ACCOUNT)


def test_every_operation_of_the_installed_botocore_is_classified() -> None:
    drifts = _coverage.unclassified()
    assert {d.service for d in drifts} >= {"dynamodb", "s3", "sqs"}
    assert not any(drifts), [d for d in drifts if d]


def test_a_new_operation_is_refused_in_tenant_scope_with_nothing_sent(
    factory: ClientFactory,
) -> None:
    sqs = factory.tenant("acme").client("sqs")
    assert "PurgeEverything" in sqs.meta.service_model.operation_names
    violation = refused(sqs, "purge_everything", "not classified", QueueUrl="jobs")
    assert botocore.__version__ in str(violation)
    assert "scopeguard coverage" in str(violation)


def test_a_new_operation_is_refused_in_capsule_scope_too(factory: ClientFactory) -> None:
    sqs = factory.capsule("dev").client("sqs")
    refused(sqs, "purge_everything", "not classified", QueueUrl="jobs")


def test_coverage_lists_the_new_operation(newer_botocore: Path) -> None:
    drifts = {d.service: d for d in _coverage.unclassified()}
    assert drifts["sqs"].operations == ("PurgeEverything",)
    assert not drifts["dynamodb"]


def test_coverage_command_exits_one_and_names_it(newer_botocore: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert _coverage.main([]) == 1
    out = capsys.readouterr().out
    assert f"botocore {botocore.__version__}" in out
    assert "sqs: 1 operation(s) not classified\n    PurgeEverything" in out
    assert _coverage.main(["--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["botocore"] == botocore.__version__
    assert document["services"]["sqs"]["operations"] == ["PurgeEverything"]
    assert document["services"]["s3"] == {"operations": [], "parameters": {}}


def test_coverage_command_exits_zero_when_everything_is_classified() -> None:
    result = subprocess.run([sys.executable, "-m", "scopeguard", "coverage"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "s3: every operation classified" in result.stdout


def test_coverage_json_into_a_closed_pipe_prints_no_traceback() -> None:
    result = subprocess.run(
        f"{sys.executable} -m scopeguard coverage --json | head -c 10",
        shell=True, capture_output=True, text=True, check=False,
    )
    assert result.stdout == '{\n  "scope'
    assert "Traceback" not in result.stderr
