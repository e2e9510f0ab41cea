"""The right scope or a marker, never a wrong one: tenant code outside any ``scopes`` glob,
``default-scope = "todo"``, the token vending machine, module-level platform clients, what
changes at run time, and where each site is reported."""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from codemod_support import ACCESSOR, marked_codes, run_checked
from scopeguard.codemods import MigrateSettings, ScopeRule
from scopeguard.codemods.cli import main


def _migrate(source: str, settings: MigrateSettings = ACCESSOR) -> tuple[str, list[dict[str, object]]]:
    result = run_checked(textwrap.dedent(source), "app/service.py", settings)
    return result.migrated, [s.as_dict() for s in result.sites]


def _code(migrated: str) -> str:
    """The migrated text without comment lines (markers quote replacements)."""
    return "".join(l for l in migrated.splitlines(True) if not l.lstrip().startswith("#"))


def test_an_f_string_naming_a_tenant_resource_gives_the_tenant_scope() -> None:
    migrated, sites = _migrate(
        """\
        import boto3


        def upload(tenant_id, body):
            s3 = boto3.client("s3")
            s3.put_object(Bucket=f"t-{tenant_id}-uploads", Key="k", Body=body)
        """
    )
    assert 's3 = get_factory().tenant(tenant_id).client("s3")' in migrated
    assert "platform()" not in migrated
    (site,) = sites
    assert site["outcome"] == "rewritten"
    runtime = " ".join(site["runtime"])  # type: ignore[arg-type]
    assert "naming policy" in runtime and "tenant ID is validated" in runtime


def test_a_literal_tenant_name_is_marked_unless_a_tenant_id_is_configured() -> None:
    source = """\
        import boto3


        def orders():
            return boto3.resource("dynamodb").Table("t-acme-orders")
        """
    migrated, sites = _migrate(source)
    assert "get_factory" not in _code(migrated)
    assert [(s["outcome"], s["code"]) for s in sites] == [("todo", "SG001"), ("todo", "SG020")]
    assert "tenant-owned under the naming policy" in str(sites[0]["reason"])
    # The physical name itself is acknowledged too: SG020 is what made platform() wrong.
    assert "SG020" in marked_codes(migrated)

    configured = replace(ACCESSOR, tenant_id="current_tenant()")
    migrated, sites = _migrate(source.replace("def orders():", "def orders(current_tenant):"),
                               configured)
    assert 'get_factory().tenant(current_tenant()).resource("dynamodb")' in migrated


def test_the_naming_policy_decides_what_a_tenant_name_is() -> None:
    # With the default policy "t-" marks tenants; "tenant-" is nobody's prefix: platform.
    migrated, _ = _migrate(
        """\
        import boto3


        def orders():
            return boto3.resource("dynamodb").Table("tenant-orders")
        """
    )
    assert 'get_factory().platform().resource("dynamodb")' in migrated


def test_a_glob_that_says_platform_does_not_win_over_tenant_names() -> None:
    platform_glob = replace(ACCESSOR, scopes=(ScopeRule.parse("app/*", "platform()"),))
    migrated, sites = _migrate(
        """\
        import boto3


        def archive(tenant_id):
            boto3.client("s3").put_object(Bucket=f"t-{tenant_id}-archive", Key="k", Body=b"")
        """,
        platform_glob,
    )
    assert "get_factory().tenant(tenant_id)" in migrated


def test_a_capsule_glob_and_tenant_names_disagree_and_the_site_is_marked() -> None:
    capsule_glob = replace(ACCESSOR, scopes=(ScopeRule.parse("app/*", "capsule(CAPSULE)"),))
    migrated, sites = _migrate(
        """\
        import boto3

        CAPSULE = "dev"


        def archive(tenant_id):
            boto3.client("s3").put_object(Bucket=f"t-{tenant_id}-archive", Key="k", Body=b"")
        """,
        capsule_glob,
    )
    assert "get_factory()" not in _code(migrated)
    assert "choose the scope by hand" in str(sites[0]["reason"])


def test_a_tenant_id_in_scope_is_a_question_not_platform() -> None:
    migrated, sites = _migrate(
        """\
        import boto3


        def credentials_for(tenant_id):
            return boto3.client("sts").assume_role(RoleArn="arn", RoleSessionName=tenant_id)
        """
    )
    assert "get_factory" not in _code(migrated)
    assert [(s["outcome"], s["code"]) for s in sites] == [("todo", "SG001")]
    assert "'tenant_id' is in scope" in str(sites[0]["reason"])


def test_default_scope_todo_marks_instead_of_assuming_platform() -> None:
    todo = replace(ACCESSOR, default_scope="todo")
    migrated, sites = _migrate(
        """\
        import boto3


        def buckets():
            return boto3.client("s3").list_buckets()
        """,
        todo,
    )
    assert "get_factory" not in _code(migrated)
    assert 'default-scope = "todo"' in str(sites[0]["reason"])
    globbed = replace(todo, scopes=(ScopeRule.parse("app/*", "platform()"),))
    migrated, _ = _migrate("import boto3\n\n\ndef f():\n    boto3.client('s3')\n", globbed)
    assert "get_factory().platform().client('s3')" in migrated


def test_default_scope_is_read_from_pyproject(tmp_path: Path) -> None:
    from scopeguard._config import load_config

    (tmp_path / "pyproject.toml").write_text(
        '[tool.scopeguard.migrate]\ndefault-scope = "todo"\ntenant-id = "event[\'tenant\']"\n'
        "scoped-credentials = true\n"
    )
    settings = MigrateSettings.from_config(load_config(tmp_path))
    assert (settings.default_scope, settings.tenant_id, settings.scoped_credentials) == (
        "todo", "event['tenant']", True
    )


TVM = """\
    import boto3


    def orders_table(event, tenant_id):
        context = event["requestContext"]["authorizer"]
        dynamodb = boto3.resource(
            "dynamodb",
            aws_access_key_id=context["accesskey"],
            aws_secret_access_key=context["secretkey"],
            aws_session_token=context["sessiontoken"],
        )
        return dynamodb.Table("orders")


    def scoped_table(tenant_id, credentials):
        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        return session.resource("dynamodb", region_name="eu-west-1").Table("orders")
    """


def test_token_vending_machine_is_marked_with_the_exact_replacement() -> None:
    migrated, sites = _migrate(TVM)
    assert "factory.operator()" not in migrated and "get_factory" not in _code(migrated)
    reasons = [str(s["reason"]) for s in sites if s["code"] == "SG010"]
    assert len(reasons) == 3  # two clients and the session the second one comes from
    exact = 'get_factory().tenant(tenant_id).resource("dynamodb")'
    assert sum(exact in reason for reason in reasons) == 2
    assert all("docs/scoped-credentials.md" in reason for reason in reasons)


def test_token_vending_machine_is_rewritten_on_a_factory_with_scoped_credentials() -> None:
    migrated, sites = _migrate(TVM, replace(ACCESSOR, scoped_credentials=True))
    assert migrated.count("get_factory().tenant(tenant_id).resource(") == 2
    assert "aws_session_token" not in migrated and "boto3.Session" not in migrated
    assert all(s["outcome"] == "rewritten" for s in sites)
    assert any("assumes the tenant's role" in " ".join(s["runtime"]) for s in sites)  # type: ignore[arg-type]


def test_a_module_level_platform_client_is_rewritten_the_lambda_pattern() -> None:
    migrated, sites = _migrate(
        """\
        import boto3

        s3 = boto3.client("s3")


        def handler(event, context):
            return s3.list_buckets()
        """
    )
    assert 's3 = get_factory().platform().client("s3")' in migrated
    assert "TODO(SG001)" not in migrated  # no "kept as is" marker: the site was rewritten
    assert sites[0]["outcome"] == "rewritten"


def test_a_module_level_client_whose_path_needs_a_tenant_is_marked() -> None:
    tenant_glob = replace(ACCESSOR, scopes=(ScopeRule.parse("app/*", "tenant(tenant_id)"),))
    migrated, sites = _migrate('import boto3\n\ns3 = boto3.client("s3")\n', tenant_glob)
    assert "get_factory" not in _code(migrated)
    assert sites[0]["code"] == "SG031"


def test_report_lines_are_exact_in_the_original_and_the_migrated_file() -> None:
    source = textwrap.dedent(
        """\
        import boto3


        class Repo:
            def __init__(self):
                self.session = boto3.Session()

            def table(self):
                return self.session.resource("dynamodb").Table("orders")


        def keys(k):
            return boto3.client("s3", aws_access_key_id=k)


        def fine():
            return boto3.client("sqs")
        """
    )
    result = run_checked(source, "app/service.py", ACCESSOR)
    original, migrated = source.splitlines(), result.migrated.splitlines()
    assert result.sites
    for site in result.sites:
        text = site.before.splitlines()[0].strip()
        assert text in original[site.line - 1], (site.line, text)
        after = site.after.splitlines()[0].strip() if site.after else text
        assert after in migrated[site.line_after - 1], (site.line_after, after)
        assert "scopeguard: TODO" not in site.before


def test_credentials_for_a_request_signer_get_no_credential_marker() -> None:
    # The keys handed to a non-AWS signer are not an SDK credential site (no SG010); the session
    # that resolves them is a raw session (SG002: get_credentials() runs the credential chain).
    migrated, sites = _migrate(
        """\
        import boto3
        from aws_requests_auth.aws_auth import AWSRequestsAuth


        def auth(host):
            credentials = boto3.Session().get_credentials()
            return AWSRequestsAuth(aws_access_key=credentials.access_key,
                                   aws_secret_access_key=credentials.secret_key,
                                   aws_host=host, aws_region="eu-west-1", aws_service="execute-api")
        """
    )
    assert "TODO(SG010)" not in migrated
    assert [line for line in migrated.splitlines() if "TODO" in line] == [
        "    # scopeguard: TODO(SG002) session created outside the factory; inject the factory "
        "instead"
    ]


def test_check_fails_on_a_finding_without_a_marker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.scopeguard.migrate]\nfactory = "app.aws:get_factory"\n'
    )
    (tmp_path / "app").mkdir()
    # Nothing for the codemod to change, but a committed access key: SG011 is lint's alone.
    migrated = 'import boto3\n\n\ndef f(factory):\n    return factory.platform().client("s3")\n\n\n'
    (tmp_path / "app/keys.py").write_text(migrated + 'KEY = "AKIAZ7QWERTY2345ABCD"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["--check", "app"]) == 1
    err = capsys.readouterr().err
    assert "app/keys.py:8: SG011" in err and "1 lint findings without a marker" in err
    (tmp_path / "app/keys.py").write_text(migrated + 'KEY = "AKIAZ7QWERTY2345ABCD"  # noqa: SG011\n')
    assert main(["--check", "app"]) == 0


def test_json_counts_are_the_markers_written_and_say_what_changes_at_run_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.scopeguard.migrate]\nfactory = "app.aws:get_factory"\n'
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app/a.py").write_text(textwrap.dedent(TVM))
    (tmp_path / "app/b.py").write_text(
        "import boto3\n\n\ndef up(tenant_id):\n"
        "    boto3.client('s3').put_object(Bucket=f't-{tenant_id}-up', Key='k', Body=b'')\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["--write", "--json", "app"]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    written: dict[str, int] = {}
    for path in ("app/a.py", "app/b.py"):
        for code in marked_codes((tmp_path / path).read_text()):
            written[code] = written.get(code, 0) + 1
    assert document["summary"]["todo_by_code"] == written
    assert document["summary"]["runtime_changes"]
    assert "AWS_ENDPOINT_URL is ignored" in captured.err
    assert "GetCallerIdentity" in captured.err
