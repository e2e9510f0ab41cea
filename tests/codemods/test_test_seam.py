"""The seam a migrated package's tests use instead of patching boto3: a factory put into the
accessor, a StubFactory for tests that stubbed clients with mocks."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from unittest import mock

import pytest

from codemod_support import ACCESSOR, run_checked
from scopeguard import InvalidScope
from scopeguard.testing import StubFactory, moto_factory

ACCESSOR_MODULE = '''\
import boto3
import scopeguard

_factory = None


def get_factory():
    global _factory
    if _factory is None:
        _factory = scopeguard.ClientFactory(session=boto3.Session(region_name="eu-west-1"))
    return _factory


def set_factory(factory):
    """For tests: the factory get_factory() returns (None: build it again on next use)."""
    global _factory
    _factory = factory
'''

LEGACY = '''\
import boto3


def cluster_names():
    ecs = boto3.client("ecs")
    return [arn.rsplit("/", 1)[1] for arn in ecs.list_clusters()["clusterArns"]]


def save(tenant_id, body):
    boto3.client("s3").put_object(Bucket=f"t-{tenant_id}-docs", Key="k", Body=body)
'''


@pytest.fixture
def migrated_package(tmp_path: Path) -> object:
    package = tmp_path / "myapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "aws.py").write_text(ACCESSOR_MODULE)
    result = run_checked(LEGACY, "myapp/ops.py", ACCESSOR)
    assert "boto3" not in result.migrated
    (package / "ops.py").write_text(result.migrated)
    sys.path.insert(0, str(tmp_path))
    try:
        import myapp.aws
        import myapp.ops

        yield myapp
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "myapp" or n.startswith("myapp.")]:
            del sys.modules[name]


def test_patching_boto3_no_longer_intercepts_the_stub_factory_does(migrated_package: object) -> None:
    from myapp import aws, ops  # type: ignore[import-not-found]

    ecs = mock.Mock()
    ecs.list_clusters.return_value = {"clusterArns": ["arn:aws:ecs:eu-west-1:1:cluster/blue"]}
    stub = StubFactory({"ecs": ecs, "s3": mock.Mock()})
    aws.set_factory(stub)
    try:
        assert ops.cluster_names() == ["blue"]
        ops.save("acme", b"x")
    finally:
        aws.set_factory(None)
    assert stub.requests == [("platform", "ecs"), ("tenant:acme", "s3")]
    assert aws._factory is None  # nothing carried into the next test


def test_stub_factory_validates_ids_and_names_missing_stubs() -> None:
    stub = StubFactory({"s3": object()})
    with pytest.raises(InvalidScope):
        stub.tenant("Not-Canonical")
    with pytest.raises(LookupError, match="no client stub for 'sqs'"):
        stub.platform().client("sqs")
    with pytest.raises(InvalidScope):
        stub.operator("12345")


def test_a_moto_factory_goes_through_the_same_seam(migrated_package: object) -> None:
    from myapp import aws, ops  # type: ignore[import-not-found]

    with moto_factory() as factory:
        aws.set_factory(factory)
        try:
            factory.platform().client("ecs").create_cluster(clusterName="green")
            assert ops.cluster_names() == ["green"]
        finally:
            aws.set_factory(None)
