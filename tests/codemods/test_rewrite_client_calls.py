"""RewriteClientCalls: each decidable creation site becomes a scoped factory call.

Every case goes through ``migrate_source`` (the three codemods in order), and the fixtures assert
that the output parses and that a second run leaves it unchanged.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import libcst as cst
from hypothesis import given, settings
from hypothesis import strategies as st
from libcst.codemod import CodemodContext

from scopeguard.codemods import (
    FactoryAccessor,
    FileResult,
    MigrateSettings,
    RewriteClientCalls,
    ScopeRule,
)
from scopeguard.codemods._settings import PLATFORM

from codemod_support import ACCESSOR, Migrate, run_checked

Check = Callable[..., FileResult]


def test_boto3_client_keeps_region_and_config_and_drops_unused_import(
    assert_migrates: Check,
) -> None:
    result = assert_migrates(
        """\
        import boto3
        from botocore.config import Config


        def upload(data: bytes) -> None:
            s3 = boto3.client("s3", region_name="eu-west-1", config=Config(retries={"mode": "standard"}))
            s3.put_object(Bucket="reports", Key="k", Body=data)
        """,
        """\
        from botocore.config import Config

        from myapp.aws import get_factory


        def upload(data: bytes) -> None:
            s3 = get_factory().platform().client("s3", region_name="eu-west-1", config=Config(retries={"mode": "standard"}))
            s3.put_object(Bucket="reports", Key="k", Body=data)
        """,
    )
    assert [s.outcome for s in result.sites] == ["rewritten"]


def test_removed_import_keeps_the_blank_line_between_import_groups(
    assert_migrates: Check,
) -> None:
    assert_migrates(
        """\
        import json

        import boto3
        from botocore.config import Config


        def send(body):
            boto3.client("sqs", config=Config()).send_message(QueueUrl="q", MessageBody=json.dumps(body))
        """,
        """\
        import json

        from botocore.config import Config

        from myapp.aws import get_factory


        def send(body):
            get_factory().platform().client("sqs", config=Config()).send_message(QueueUrl="q", MessageBody=json.dumps(body))
        """,
    )


def test_factory_import_taking_the_removed_import_place_keeps_the_separator(
    assert_migrates: Check,
) -> None:
    assert_migrates(
        """\
        import json

        import boto3


        def send(body):
            boto3.client("sqs").send_message(QueueUrl="q", MessageBody=json.dumps(body))
        """,
        """\
        import json

        from myapp.aws import get_factory


        def send(body):
            get_factory().platform().client("sqs").send_message(QueueUrl="q", MessageBody=json.dumps(body))
        """,
    )


def test_boto3_resource_becomes_scope_resource(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import boto3


        def orders():
            return boto3.resource("dynamodb").Table("orders")
        """,
        """\
        from myapp.aws import get_factory


        def orders():
            return get_factory().platform().resource("dynamodb").Table("orders")
        """,
    )


def test_import_alias_is_followed(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import boto3 as b3


        def queue():
            return b3.client("sqs")
        """,
        """\
        from myapp.aws import get_factory


        def queue():
            return get_factory().platform().client("sqs")
        """,
    )


def test_from_import_with_alias_is_followed(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        from boto3 import client as make_client


        def queue():
            return make_client("sqs")
        """,
        """\
        from myapp.aws import get_factory


        def queue():
            return get_factory().platform().client("sqs")
        """,
    )


def test_chained_session_region_moves_to_the_client(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import boto3


        def bucket(region):
            return boto3.Session(region_name=region).resource("s3").Bucket("assets")
        """,
        """\
        from myapp.aws import get_factory


        def bucket(region):
            return get_factory().platform().resource("s3", region_name=region).Bucket("assets")
        """,
    )


def test_session_variable_is_folded_in_and_removed(assert_migrates: Check) -> None:
    result = assert_migrates(
        """\
        import boto3


        def clients():
            session = boto3.session.Session(region_name="eu-west-1")
            return session.client("sqs"), session.client("sns", region_name="us-east-1")
        """,
        """\
        from myapp.aws import get_factory


        def clients():
            return get_factory().platform().client("sqs", region_name="eu-west-1"), get_factory().platform().client("sns", region_name="us-east-1")
        """,
    )
    assert result.sessions_removed == 1
    assert result.lines_removed == 1


def test_private_module_session_is_removed_once_unused(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import boto3

        _SESSION = boto3.Session()


        def table():
            return _SESSION.resource("dynamodb").Table("orders")
        """,
        """\
        from myapp.aws import get_factory


        def table():
            return get_factory().platform().resource("dynamodb").Table("orders")
        """,
    )


def test_public_module_session_is_kept_and_marked(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import boto3

        SESSION = boto3.Session()


        def table():
            return SESSION.resource("dynamodb").Table("orders")
        """,
        """\
        import boto3

        from myapp.aws import get_factory

        # scopeguard: TODO(SG002) session 'SESSION' kept: other modules may import it; inject the factory there and delete it
        SESSION = boto3.Session()


        def table():
            return get_factory().platform().resource("dynamodb").Table("orders")
        """,
    )


def test_botocore_create_client_becomes_client(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import botocore.session


        def s3():
            session = botocore.session.get_session()
            return session.create_client("s3", region_name="eu-west-1")
        """,
        """\
        from myapp.aws import get_factory


        def s3():
            return get_factory().platform().client("s3", region_name="eu-west-1")
        """,
    )


def test_function_local_import_gets_a_local_factory_import(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        def handler(event, context):
            import boto3

            return boto3.client("lambda").invoke(FunctionName="worker")
        """,
        """\
        def handler(event, context):
            from myapp.aws import get_factory

            return get_factory().platform().client("lambda").invoke(FunctionName="worker")
        """,
    )


def test_positional_options_become_keywords(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import boto3


        def s3():
            return boto3.client("s3", "eu-west-1", "2006-03-01")
        """,
        """\
        from myapp.aws import get_factory


        def s3():
            return get_factory().platform().client("s3", region_name="eu-west-1", api_version="2006-03-01")
        """,
    )


def test_multiline_call_keeps_its_layout(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import boto3


        def s3(cfg):
            return boto3.client(
                service_name="s3",  # the bucket service
                region_name="eu-west-1",
                config=cfg,
            )
        """,
        """\
        from myapp.aws import get_factory


        def s3(cfg):
            return get_factory().platform().client(
                "s3",  # the bucket service
                region_name="eu-west-1",
                config=cfg,
            )
        """,
    )


def test_endpoint_url_is_dropped_when_configured_so(assert_migrates: Check) -> None:
    settings_ = MigrateSettings(factory=ACCESSOR.factory, endpoint_url="drop")
    assert_migrates(
        """\
        import boto3


        def s3(url):
            return boto3.client("s3", endpoint_url=url, region_name="eu-west-1")
        """,
        """\
        from myapp.aws import get_factory


        def s3(url):
            return get_factory().platform().client("s3", region_name="eu-west-1")
        """,
        settings=settings_,
    )


def test_untouched_code_is_byte_identical(migrate: Migrate) -> None:
    before = textwrap.dedent(
        """\
        import boto3   # odd   spacing stays


        def a( x ):  # comment
            return   x+1


        def s3():
            return boto3.client( "s3" )


        def meta():
            # metadata-only session uses are left alone
            return boto3.Session().get_available_regions("ec2")
        """
    )
    result = migrate(before)
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), result.migrated.splitlines(), strict=False)
        if old != new
    ]
    assert result.migrated.startswith("import boto3   # odd   spacing stays\n")
    assert "def a( x ):  # comment\n    return   x+1\n" in result.migrated
    assert "get_factory().platform().client( \"s3\" )" in result.migrated
    assert "return boto3.Session().get_available_regions(\"ec2\")" in result.migrated
    assert len(changed) >= 1


def test_file_without_sites_is_returned_unchanged(migrate: Migrate) -> None:
    source = "import boto3  # only imported\n\nX = 1\n"
    result = migrate(source)
    assert result.migrated == source and result.sites == []


def test_sdk_import_stays_while_annotations_use_it(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import boto3


        def s3(session: boto3.Session | None = None):
            return boto3.client("s3")
        """,
        """\
        import boto3

        from myapp.aws import get_factory


        def s3(session: boto3.Session | None = None):
            return get_factory().platform().client("s3")
        """,
    )


def test_type_checking_block_is_left_alone(migrate: Migrate) -> None:
    source = textwrap.dedent(
        """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            import boto3

            EXAMPLE = boto3.client("s3")
        """
    )
    assert migrate(source).migrated == source


def test_parameter_factory_expression(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import boto3


        def handle(factory, event):
            return boto3.client("sqs")
        """,
        """\
        def handle(factory, event):
            return factory.platform().client("sqs")
        """,
        settings=MigrateSettings(factory=FactoryAccessor.parse("factory")),
    )


def test_attribute_factory_expression_in_a_method(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import boto3


        class Repo:
            def table(self):
                return boto3.resource("dynamodb").Table("orders")
        """,
        """\
        class Repo:
            def table(self):
                return self.factory.platform().resource("dynamodb").Table("orders")
        """,
        settings=MigrateSettings(factory=FactoryAccessor.parse("self.factory")),
    )


def test_factory_expression_not_bound_at_the_site_is_marked(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import boto3


        def handle(event):
            return boto3.client("sqs")
        """,
        """\
        import boto3


        def handle(event):
            # scopeguard: TODO(SG001) 'factory' is not bound here; the factory expression factory.platform() needs it
            return boto3.client("sqs")
        """,
        settings=MigrateSettings(factory=FactoryAccessor.parse("factory")),
    )


def test_tenant_scope_is_chosen_by_path_glob(assert_migrates: Check) -> None:
    tenant = MigrateSettings(
        factory=ACCESSOR.factory,
        scopes=(ScopeRule.parse("app/tenants/*", "tenant(request.tenant_id)"),),
    )
    before = """\
        import boto3


        def orders(request):
            return boto3.resource("dynamodb").Table("orders")
        """
    assert_migrates(
        before,
        """\
        from myapp.aws import get_factory


        def orders(request):
            return get_factory().tenant(request.tenant_id).resource("dynamodb").Table("orders")
        """,
        path="app/tenants/orders.py",
        settings=tenant,
    )
    assert_migrates(
        before,
        """\
        from myapp.aws import get_factory


        def orders(request):
            return get_factory().platform().resource("dynamodb").Table("orders")
        """,
        path="app/admin/orders.py",
        settings=tenant,
    )


def test_scope_expression_needs_its_names_bound(assert_migrates: Check) -> None:
    tenant = MigrateSettings(
        factory=ACCESSOR.factory, scopes=(ScopeRule.parse("*", "tenant(request.tenant_id)"),)
    )
    result = assert_migrates(
        """\
        import boto3


        def orders():
            return boto3.resource("dynamodb")
        """,
        """\
        import boto3


        def orders():
            # scopeguard: TODO(SG001) 'request' is not bound here; the factory expression get_factory().tenant(request.tenant_id) needs it
            return boto3.resource("dynamodb")
        """,
        settings=tenant,
    )
    assert result.sites[0].code == "SG001"


def test_factory_module_is_never_touched(migrate: Migrate, tmp_path: object) -> None:
    from scopeguard._config import ScopeguardConfig

    config = ScopeguardConfig(factory_modules=("app.aws",))
    settings_ = MigrateSettings(factory=ACCESSOR.factory, config=config)
    source = "import boto3\n\n\ndef make():\n    return boto3.client('s3')\n"
    result = migrate(source, path="app/aws.py", settings=settings_)
    assert result.migrated == source
    assert result.skipped == "factory module (factory-modules)"


def test_command_runs_on_its_own_through_transform_module() -> None:
    context = CodemodContext(filename="app/x.py")
    tree = cst.parse_module("import boto3\n\ndef f():\n    return boto3.client('s3')\n")
    out = RewriteClientCalls(context, ACCESSOR).transform_module(tree).code
    assert out == (
        "from myapp.aws import get_factory\n\n"
        "def f():\n    return get_factory().platform().client('s3')\n"
    )
    again = RewriteClientCalls(CodemodContext(filename="app/x.py"), ACCESSOR)
    assert again.transform_module(cst.parse_module(out)).code == out


def test_default_scope_is_platform() -> None:
    assert ACCESSOR.scope_for("anything/at/all.py") == PLATFORM


_OPTIONS = {
    "region_name": '"eu-west-1"',
    "config": "cfg",
    "api_version": '"2012-08-10"',
    "use_ssl": "False",
    "verify": '"/ca.pem"',
}


@settings(max_examples=20, deadline=None)
@given(
    options=st.lists(st.sampled_from(sorted(_OPTIONS)), unique=True),
    method=st.sampled_from(["client", "resource"]),
    via_session=st.booleans(),
)
def test_every_combination_of_scope_options_is_carried_verbatim(
    options: list[str], method: str, via_session: bool
) -> None:
    arguments = "".join(f", {name}={_OPTIONS[name]}" for name in options)
    creator = "boto3.Session()." if via_session else "boto3."
    source = f"import boto3\n\n\ndef f(cfg):\n    return {creator}{method}(\"dynamodb\"{arguments})\n"
    result = run_checked(source, "app/x.py", ACCESSOR)
    expected = f"get_factory().platform().{method}(\"dynamodb\"{arguments})"
    assert expected in result.migrated
    assert "boto3" not in result.migrated
