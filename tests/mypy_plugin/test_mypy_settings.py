"""``[tool.scopeguard.mypy]`` parsing and the config echo that keys mypy's cache."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scopeguard._config import ScopeguardConfigWarning
from scopeguard._exceptions import ConfigurationError
from scopeguard.mypy_plugin._settings import DEFAULT_NAME_PARAMETERS, load_settings


def _pyproject(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.scopeguard]\n" + body)
    return path


def test_defaults_without_a_mypy_table(tmp_path: Path) -> None:
    settings = load_settings(str(_pyproject(tmp_path, 'factory-modules = ["app.aws"]\n')))
    assert settings.check_names and settings.infer_services
    assert settings.name_parameters == DEFAULT_NAME_PARAMETERS
    assert settings.is_factory_module("app.aws", None)
    assert not settings.is_factory_module("app.handlers", None)


def test_mypy_table_is_read(tmp_path: Path) -> None:
    path = _pyproject(
        tmp_path,
        '[tool.scopeguard.mypy]\ncheck-names = false\nname-parameters = ["LogGroupName"]\n',
    )
    settings = load_settings(str(path))
    assert not settings.check_names
    assert "LogGroupName" in settings.name_parameters


def test_wrong_type_fails_naming_the_key(tmp_path: Path) -> None:
    path = _pyproject(tmp_path, '[tool.scopeguard.mypy]\ncheck-names = "yes"\n')
    with pytest.raises(ConfigurationError, match="'check-names' must be true or false"):
        load_settings(str(path))


def test_unknown_key_warns(tmp_path: Path) -> None:
    path = _pyproject(tmp_path, "[tool.scopeguard.mypy]\ncheck-name = false\n")
    with pytest.warns(ScopeguardConfigWarning, match="unknown key 'check-name'"):
        load_settings(str(path))


def test_nearest_pyproject_when_mypy_uses_another_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pyproject(tmp_path, 'factory-modules = ["app.aws"]\n')
    (tmp_path / "mypy.ini").write_text("[mypy]\n")
    (tmp_path / "pkg").mkdir()
    monkeypatch.chdir(tmp_path / "pkg")
    settings = load_settings(str(tmp_path / "mypy.ini"))
    assert settings.config.factory_modules == ("app.aws",)
    assert os.getcwd().endswith("pkg")


def test_report_is_json_and_follows_every_setting(tmp_path: Path) -> None:
    base = load_settings(str(_pyproject(tmp_path, 'factory-modules = ["a"]\n'))).report()
    json.dumps(base)
    for body in (
        'factory-modules = ["b"]\n',
        '[tool.scopeguard.naming]\ncapsule-marker = "env"\n',
        "[tool.scopeguard.mypy]\ncheck-names = false\n",
        "[tool.scopeguard.mypy]\ninfer-services = false\n",
        '[tool.scopeguard.mypy]\nname-parameters = ["X"]\n',
    ):
        other = load_settings(str(_pyproject(tmp_path, body))).report()
        assert other != base, body
