"""``[tool.scopeguard.migrate]``: accepted forms, and clear errors for everything else."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scopeguard import ConfigurationError
from scopeguard._config import ScopeguardConfigWarning, load_config
from scopeguard.codemods import FactoryAccessor, MigrateSettings, ScopeRule


def _settings(tmp_path: Path, table: str) -> MigrateSettings:
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [tool.scopeguard]
            factory-modules = ["myapp.aws"]

            [tool.scopeguard.migrate]
            """
        )
        + textwrap.dedent(table)
    )
    return MigrateSettings.from_config(load_config(tmp_path))


def test_full_table_is_read(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        """\
        factory = "myapp.aws:get_factory"
        scopes = { "myapp/tenants/**" = "tenant(request.tenant_id)", "jobs/*" = "capsule(CAPSULE)" }
        endpoint-url = "drop"
        exclude = ["migrations/*"]
        exclude-tests = true
        batch-size = 10
        """,
    )
    assert settings.factory == FactoryAccessor("get_factory()", "myapp.aws", "get_factory")
    assert [r.kind for r in settings.scopes] == ["tenant", "capsule"]
    assert settings.scope_for(tmp_path / "myapp/tenants/a/orders.py").call == (
        "tenant(request.tenant_id)"
    )
    assert settings.scope_for(tmp_path / "jobs/nightly.py").kind == "capsule"
    assert settings.scope_for(tmp_path / "myapp/admin.py").kind == "platform"
    assert (settings.endpoint_url, settings.exclude, settings.exclude_tests, settings.batch_size) == (
        "drop",
        ("migrations/*",),
        True,
        10,
    )
    assert settings.is_factory_module(tmp_path / "myapp/aws.py")
    assert not settings.is_factory_module(tmp_path / "myapp/orders.py")


def test_module_defining_the_accessor_counts_as_a_factory_module(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 'factory = "myapp.wiring:get_factory"\n')
    assert settings.is_factory_module(tmp_path / "src/myapp/wiring.py")


def test_defaults_without_a_table(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "")
    assert settings.factory.expression == "factory" and settings.factory.import_module is None
    assert settings.scopes == () and settings.endpoint_url == "todo"
    assert settings.batch_size == 20


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("myapp.aws:get_factory", FactoryAccessor("get_factory()", "myapp.aws", "get_factory")),
        ("factory", FactoryAccessor("factory")),
        ("self.factory", FactoryAccessor("self.factory")),
        ("request.app.state.factory", FactoryAccessor("request.app.state.factory")),
    ],
)
def test_factory_forms(spec: str, expected: FactoryAccessor) -> None:
    assert FactoryAccessor.parse(spec) == expected


def test_required_names_of_expressions() -> None:
    assert FactoryAccessor.parse("self.factory").required_names == {"self"}
    assert FactoryAccessor.parse("myapp.aws:get_factory").required_names == frozenset()
    rule = ScopeRule.parse("*", "operator(ctx.account, role_name=ROLE)")
    assert rule.required_names == {"ctx", "ROLE"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('factory = 3', "'factory' must be a string"),
        ('factory = "myapp.aws:get_factory()"', "after the colon write the accessor's name"),
        ('factory = "my-app:get"', "is not a module name"),
        ('factory = "not an expression"', "neither 'module:accessor' nor a Python expression"),
        ('scopes = { "a/*" = "tenant()" }', "tenant() takes 1 argument(s)"),
        ('scopes = { "a/*" = "platform(x)" }', "platform() takes 0 argument(s)"),
        ('scopes = { "a/*" = "everyone()" }', "unknown scope 'everyone'"),
        ('scopes = { "a/*" = "tenant" }', "must be a scope call"),
        ('scopes = ["tenant(x)"]', "'scopes' must be a table"),
        ('endpoint-url = "keep"', "'endpoint-url' must be \"todo\" or \"drop\""),
        ('exclude-tests = "yes"', "'exclude-tests' must be true or false"),
        ('batch-size = 0', "'batch-size' must be a positive integer"),
        ('exclude = "tests"', "'exclude' must be a list of strings"),
    ],
)
def test_wrong_values_fail_with_the_key_named(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _settings(tmp_path, table + "\n")


def test_unknown_key_warns(tmp_path: Path) -> None:
    with pytest.warns(ScopeguardConfigWarning, match="unknown key 'factroy'"):
        _settings(tmp_path, 'factroy = "x"\n')
