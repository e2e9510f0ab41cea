"""``[tool.scopeguard.mypy]`` parsing and the config echo that keys mypy's cache."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mypy_harness import run_mypy, write_project

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


# -- a malformed configuration is a configuration error, never a crash ------------------------

MODULE = "from __future__ import annotations\n\nx: int = 1\n"


def _mypy_project(tmp_path: Path, scopeguard: str) -> Path:
    (tmp_path / "app").mkdir(exist_ok=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "main.py").write_text(MODULE)
    return write_project(tmp_path, scopeguard=scopeguard)


@pytest.mark.parametrize(
    ("table", "key", "problem"),
    [
        ('factory-modules = "app.composition"', "factory-modules", "must be a list"),
        ('factory-modules = ["app.composition", 3]', "factory-modules", "only strings"),
        ("[tool.scopeguard.naming]\ncapsule-marker = 3", "capsule-marker", "must be a str"),
        ('[tool.scopeguard.mypy]\ncheck-names = "yes"', "check-names", "true or false"),
        ("[tool.scopeguard.mypy]\nname-parameters = 1", "name-parameters", "list of strings"),
    ],
)
def test_malformed_table_is_an_ordinary_error(
    tmp_path: Path, table: str, key: str, problem: str
) -> None:
    pyproject = _mypy_project(tmp_path, table)
    output, status = run_mypy(pyproject, tmp_path / "cache", tmp_path / "app")
    assert "INTERNAL ERROR" not in output and "Traceback" not in output, output
    assert status == 2, output
    [line] = [line for line in output.splitlines() if line.strip()]
    where, _, message = line.partition(": error: ")
    path, _, number = where.rpartition(":")
    assert Path(path).resolve() == pyproject.resolve()
    # The line is the key's own, so an editor jumps to it.
    assert key in pyproject.read_text().splitlines()[int(number) - 1]
    assert f"'{key}'" in message and problem in message, message


def test_config_broken_after_a_good_run_is_reported_from_the_warm_cache(tmp_path: Path) -> None:
    # A warm run parses nothing: the error must come from the cache check, not only from parsing.
    pyproject = _mypy_project(tmp_path, 'factory-modules = ["app.composition"]')
    output, status = run_mypy(pyproject, tmp_path / "cache", tmp_path / "app")
    assert (output, status) == ("", 0)
    _mypy_project(tmp_path, 'factory-modules = "app.composition"')
    output, status = run_mypy(pyproject, tmp_path / "cache", tmp_path / "app")
    assert status == 2 and "INTERNAL ERROR" not in output, output
    assert "'factory-modules' must be a list" in output


def test_unreadable_pyproject_next_to_mypy_ini(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # mypy reads mypy.ini; the plugin reads the nearest pyproject, which is not valid TOML.
    _mypy_project(tmp_path, "")
    (tmp_path / "pyproject.toml").write_text("[tool.scopeguard\nfactory-modules = []\n")
    ini = tmp_path / "mypy.ini"
    ini.write_text("[mypy]\nplugins = scopeguard.mypy_plugin\n")
    monkeypatch.chdir(tmp_path)
    output, status = run_mypy(ini, tmp_path / "cache", tmp_path / "app")
    assert status == 2 and "INTERNAL ERROR" not in output, output
    assert re.search(r"pyproject\.toml:1: error: cannot read TOML: ", output), output


def test_dmypy_reports_a_malformed_table(tmp_path: Path) -> None:
    pyproject = _mypy_project(tmp_path, "factory-modules = 1")
    base = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(tmp_path / "dmypy.json")]
    try:
        done = subprocess.run(
            [*base, "run", "--", "--config-file", str(pyproject), "--cache-dir",
             str(tmp_path / "cache"), str(tmp_path / "app")],
            capture_output=True, text=True, timeout=300, cwd=tmp_path,
        )
    finally:
        subprocess.run([*base, "stop"], capture_output=True, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode == 2 and "INTERNAL ERROR" not in output, output
    assert "'factory-modules' must be a list" in output
