"""The published JSON schema of [tool.scopeguard]: the tools validate against it, and so does
validate-pyproject through its plugin entry point."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from validate_pyproject import api, errors

from scopeguard._config import load_config
from scopeguard._exceptions import ConfigurationError
from scopeguard._schema import load_schema
from scopeguard.codemods import _settings as migrate_settings
from scopeguard.lint_rules._checker import LINT_KEYS
from scopeguard.mypy_plugin import _settings as mypy_settings

GOOD = """\
[tool.scopeguard]
factory-modules = ["myapp.wiring"]
test-paths = ["tests/", "qa/"]

[tool.scopeguard.naming]
separator = "-"
capsules = ["dev", "prod"]
pooled-tables = { orders = "pk", events = { partition-key = "pk", indexes = { by-day = "day" } } }

[tool.scopeguard.lint]
client-factories = ["legacy.aws.get_client"]
name-arguments = ["LogGroupName"]

[tool.scopeguard.migrate]
factory = "self.factory"
endpoint-url = "drop"
exclude-tests = true
batch-size = 5

[tool.scopeguard.mypy]
check-names = false
"""

BAD = [
    ('[tool.scopeguard]\nfactory-modules = "myapp"\n', "[tool.scopeguard]", "factory-modules"),
    ('[tool.scopeguard]\ntest-paths = ["tests/", 3]\n', "[tool.scopeguard]", "test-paths"),
    ("[tool.scopeguard.naming]\nmax-tenant-id = \"36\"\n", "[tool.scopeguard.naming]",
     "max-tenant-id"),
    ('[tool.scopeguard.lint]\nsession-factories = ["nodots"]\n', "[tool.scopeguard.lint]",
     "session-factories"),
    ('[tool.scopeguard.migrate]\nendpoint-url = "keep"\n', "[tool.scopeguard.migrate]",
     "endpoint-url"),
    ("[tool.scopeguard.migrate]\nbatch-size = 0\n", "[tool.scopeguard.migrate]", "batch-size"),
    ('[tool.scopeguard.mypy]\ninfer-services = "yes"\n', "[tool.scopeguard.mypy]",
     "infer-services"),
    ("[tool.scopeguard]\nlint = 3\n", "[tool.scopeguard]", "lint"),
]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "app"\nversion = "1"\n\n' + text)
    return path


def test_a_good_config_passes_the_schema_and_the_tools(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    config = load_config(pyproject=path)
    assert config.test_paths == ("tests/", "qa/")
    api.Validator()(tomllib.loads(path.read_text()))


@pytest.mark.parametrize(("text", "where", "key"), BAD)
def test_a_bad_config_is_one_line_naming_the_file_table_and_key(
    tmp_path: Path, text: str, where: str, key: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigurationError) as info:
        load_config(pyproject=path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path} {where}: {key!r} ")
    with pytest.raises(errors.ValidationError):
        api.Validator()(tomllib.loads(path.read_text()))


def test_validate_pyproject_reports_unknown_keys_the_loader_only_warns_about(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, '[tool.scopeguard.lint]\nclient-factory = ["a.b"]\n')
    with pytest.warns(UserWarning, match="unknown key 'client-factory'"):
        from scopeguard.lint_rules import settings_for

        settings_for(tmp_path / "x.py")
    with pytest.raises(errors.ValidationError):
        api.Validator()(tomllib.loads(path.read_text()))


def test_the_schema_names_exactly_the_keys_each_tool_reads() -> None:
    properties = load_schema()["properties"]
    assert set(properties["lint"]["properties"]) == set(LINT_KEYS)
    assert set(properties["migrate"]["properties"]) == set(migrate_settings._KEYS)
    assert set(properties["mypy"]["properties"]) == set(mypy_settings._KEYS)


def test_the_validate_pyproject_plugin_is_registered() -> None:
    (entry,) = [
        e
        for e in metadata.entry_points(group="validate_pyproject.tool_schema")
        if e.name == "scopeguard"
    ]
    assert entry.load()("scopeguard") == load_schema()
