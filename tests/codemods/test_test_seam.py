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

# The guide's accessor with its test seam (docs/migration.md, "Tests that mock the SDK"), plus the
# setter an application's composition root would use (a CLI configuring the factory at start).
GUIDE = Path(__file__).parents[2] / "docs" / "migration.md"
SEAM_BLOCK = """\
_test_factory: scopeguard.ClientFactory | None = None


def get_factory() -> scopeguard.ClientFactory:
    global _factory
    if _test_factory is not None:
        return _test_factory
    if _factory is None:
        _factory = scopeguard.ClientFactory(session=boto3.Session(region_name="eu-west-1"))
    return _factory


def set_factory(factory: scopeguard.ClientFactory | None) -> None:
    \"\"\"For tests: the factory get_factory() returns, whatever the application configures
    meanwhile (None: back to the application's, built again on next use).\"\"\"
    global _factory, _test_factory
    _test_factory, _factory = factory, None
"""
ACCESSOR_MODULE = (
    "import boto3\nimport scopeguard\n\n_factory: scopeguard.ClientFactory | None = None\n"
    + SEAM_BLOCK
    + "\n\ndef configure_factory(factory):\n    global _factory\n    _factory = factory\n"
)


def test_the_guide_shows_this_accessor() -> None:
    guide = GUIDE.read_text()
    assert textwrap.indent(SEAM_BLOCK, "  ").replace("  \n", "\n") in guide


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


def test_the_mock_a_boto3_client_patch_gave_goes_in_as_it_is(migrated_package: object) -> None:
    """Tests written against ``mock.patch("boto3.client")`` configure its return value and assert
    its calls; handed to StubFactory as it is, that mock keeps both meanings."""
    from myapp import aws, ops  # type: ignore[import-not-found]

    boto3_client = mock.Mock()
    boto3_client.return_value.list_clusters.return_value = {
        "clusterArns": ["arn:aws:ecs:eu-west-1:1:cluster/blue"]
    }
    stub = StubFactory(boto3_client)
    aws.set_factory(stub)
    try:
        assert ops.cluster_names() == ["blue"]
        ops.save("acme", b"x")
    finally:
        aws.set_factory(None)
    assert boto3_client.call_args_list == [mock.call("ecs"), mock.call("s3")]
    boto3_client.return_value.put_object.assert_called_once_with(
        Bucket="t-acme-docs", Key="k", Body=b"x"
    )
    assert stub.requests == [("platform", "ecs"), ("tenant:acme", "s3")]


def test_a_callable_stub_source_gets_the_options_the_code_passed() -> None:
    clients, resources = mock.Mock(), mock.Mock()
    stub = StubFactory(clients, resources=resources)
    stub.tenant("acme").client("s3", region_name="eu-west-1")
    stub.platform().resource("dynamodb", config=None)
    stub.platform().async_client("sqs")
    clients.assert_has_calls([mock.call("s3", region_name="eu-west-1"), mock.call("sqs")])
    resources.assert_called_once_with("dynamodb", config=None)
    with pytest.raises(TypeError, match="mapping of service name to stub or a callable"):
        StubFactory(42)  # type: ignore[arg-type]


def test_the_tests_factory_wins_over_one_the_code_under_test_installs(
    migrated_package: object,
) -> None:
    """A CLI's initialize() configures the application's factory while a test runs (with boto3
    patched, from a mock session): the test's stub still answers, and nothing the run built
    survives set_factory(None)."""
    import scopeguard
    from myapp import aws, ops  # type: ignore[import-not-found]

    ecs = mock.Mock()
    ecs.list_clusters.return_value = {"clusterArns": []}
    aws.set_factory(StubFactory({"ecs": ecs}))
    try:
        with mock.patch("boto3.Session") as session:
            aws.configure_factory(scopeguard.ClientFactory(session=session()))
            assert ops.cluster_names() == []
        ecs.list_clusters.assert_called_once_with()
    finally:
        aws.set_factory(None)
    assert aws._factory is None and aws._test_factory is None


def test_a_factory_built_while_boto3_session_is_patched_ends_with_the_test(
    migrated_package: object,
) -> None:
    import boto3
    from myapp import aws

    with mock.patch("boto3.Session"):
        assert isinstance(aws.get_factory()._session, mock.Mock)
    aws.set_factory(None)
    assert type(aws.get_factory()._session) is boto3.Session


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


SEAM = (
    "patches {target}, which clients from the factory bypass; substitute the factory: "
    "myapp.aws.set_factory(StubFactory({{...}}) or moto_factory(), from scopeguard.testing), "
    "myapp.aws.set_factory(None) after the test; a patch of code left raw stays, with a "
    'noqa: SG050 comment (docs/migration.md, "Tests that mock the SDK")'
)


def _marker(target: str, indent: str = "") -> str:
    return f"{indent}# scopeguard: TODO(SG050) {SEAM.format(target=target)}\n"


PATCHING_TESTS = '''\
from unittest import mock
from unittest.mock import patch

import boto3
from aiobotocore import session as aio_session


@mock.patch("boto3.client")
def test_clusters(client):
    client.return_value.list_clusters.return_value = {"clusterArns": []}


def test_patches(monkeypatch, mocker):
    with patch("boto3.resource") as resource, patch("boto3.Session"):
        pass
    with patch.object(boto3, "client", return_value=mock.Mock()):
        pass
    monkeypatch.setattr(boto3, "client", lambda *a, **k: None)
    monkeypatch.setattr("boto3.client", lambda *a, **k: None)
    mocker.patch.object(aio_session, "get_session")
    mocker.patch("aiobotocore.session.get_session")
    mocker.patch("myapp.ops.boto3")
    mocker.patch("myapp.ops.json")
    monkeypatch.setattr(boto3, "__version__", "0")
'''


def test_test_code_patching_what_migrated_code_no_longer_calls_is_marked() -> None:
    result = run_checked(PATCHING_TESTS, "tests/test_ops.py", ACCESSOR)
    expected = PATCHING_TESTS
    for anchor, target, indent in (
        ('@mock.patch("boto3.client")', "boto3.client", ""),
        ('with patch("boto3.resource")', "boto3.resource and boto3.Session", "    "),
        ("with patch.object(", "boto3.client", "    "),
        ('monkeypatch.setattr(boto3, "client"', "boto3.client", "    "),
        ('monkeypatch.setattr("boto3.client"', "boto3.client", "    "),
        ("mocker.patch.object(", "aiobotocore.session.get_session", "    "),
        ('mocker.patch("aiobotocore', "aiobotocore.session.get_session", "    "),
        ('mocker.patch("myapp.ops.boto3")', "myapp.ops.boto3", "    "),
    ):
        expected = expected.replace(
            f"\n{indent}{anchor}", f"\n{_marker(target, indent)}{indent}{anchor}", 1
        )
    assert result.migrated == expected
    # The with statement patching two entry points gets one marker line naming both; each patch
    # is a site of its own in the report, with its own target.
    assert [s.code for s in result.sites] == ["SG050"] * 9
    assert [s.reason.split(",")[0] for s in result.sites[1:3]] == [
        "patches boto3.resource",
        "patches boto3.Session",
    ]
    assert result.markers_added == {"SG050": 8}


def test_one_marker_line_names_every_target_a_statement_patches() -> None:
    source = (
        "from unittest import mock\n\n\n"
        '@mock.patch("boto3.client")\n'
        '@mock.patch("boto3.resource")\n'
        '@mock.patch("boto3.client")\n'
        "def test_stack(client, resource, again):\n"
        '    with mock.patch("boto3.Session"), mock.patch("aiobotocore.session.get_session"), '
        'mock.patch("myapp.ops.boto3"):\n'
        "        pass\n"
    )
    result = run_checked(source, "tests/test_stack.py", ACCESSOR)
    markers = [line for line in result.migrated.splitlines() if "TODO(SG050)" in line]
    assert markers == [
        _marker("boto3.client and boto3.resource").rstrip("\n"),
        _marker(
            "boto3.Session, aiobotocore.session.get_session and myapp.ops.boto3", "    "
        ).rstrip("\n"),
    ]
    assert len(result.sites) == 6
    assert result.markers_added == {"SG050": 2}


def test_sdk_patches_are_marked_in_test_files_only() -> None:
    source = 'from unittest import mock\n\nPATCH = mock.patch("boto3.client")\n'
    assert run_checked(source, "myapp/helpers.py", ACCESSOR).migrated == source
    for path in ("tests/helpers.py", "myapp_tests/helpers.py", "conftest.py", "myapp/x_test.py"):
        migrated = run_checked(source, path, ACCESSOR).migrated
        assert migrated == source.replace("PATCH", _marker("boto3.client") + "PATCH")


def test_a_patch_kept_on_purpose_with_noqa_is_not_marked_again() -> None:
    """Where the code under test still creates its clients itself, its patch still intercepts:
    ``# noqa: SG050`` keeps it, and a re-run (``--check``) does not ask for the marker again."""
    source = (
        "from unittest import mock\n\n"
        'A = mock.patch("aioboto3.Session")  # noqa: SG050\n'
        'B = mock.patch("boto3.client")  # noqa\n'
        'C = mock.patch("boto3.resource")  # noqa: SG001\n'
        'D = mock.patch("boto3.Session")  # noqa:SG05,SG010\n'
    )
    result = run_checked(source, "tests/conftest.py", ACCESSOR)
    assert result.migrated == source.replace("C = ", _marker("boto3.resource") + "C = ")
    assert [s.code for s in result.sites] == ["SG050"]
