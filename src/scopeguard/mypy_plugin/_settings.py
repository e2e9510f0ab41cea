"""The plugin's settings: ``[tool.scopeguard]`` (shared) plus ``[tool.scopeguard.mypy]``.

Read once per mypy run from the pyproject mypy was configured with, or the nearest one above the
working directory. Everything that changes a diagnostic is echoed by ``report_config_data``, so
editing the config invalidates mypy's cache for every module.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from scopeguard._config import (
    ScopeguardConfig,
    find_pyproject,
    load_config,
    str_list,
    warn_unknown,
)
from scopeguard._exceptions import ConfigurationError

__all__ = ["DEFAULT_NAME_PARAMETERS", "PluginSettings", "config_error_message", "load_settings"]

# Keyword parameters of the covered services' operations that carry a resource name, an ARN or a
# queue URL; and the resource API's constructors that take one positionally.
DEFAULT_NAME_PARAMETERS: Final = frozenset(
    {
        "Bucket",
        "EventBusName",
        "FunctionName",
        "Name",
        "QueueName",
        "QueueUrl",
        "SecretId",
        "StreamARN",
        "StreamName",
        "TableName",
        "TargetArn",
        "TopicArn",
    }
)
_KEYS: Final = ("check-names", "infer-services", "name-parameters")


@dataclass(frozen=True)
class PluginSettings:
    """What the hooks need from the configuration."""

    config: ScopeguardConfig
    check_names: bool = True
    infer_services: bool = True
    name_parameters: frozenset[str] = DEFAULT_NAME_PARAMETERS

    def is_factory_module(self, module: str | None, path: str | None) -> bool:
        return self.config.is_factory_module(module=module, path=path)

    def report(self) -> dict[str, Any]:
        """A JSON-able echo of every input that changes the plugin's output."""
        source = self.config.path
        return {
            "pyproject": str(source) if source is not None else None,
            "factory-modules": list(self.config.factory_modules),
            "naming": _jsonable(self.config.raw.get("naming", {})),
            "check-names": self.check_names,
            "infer-services": self.infer_services,
            "name-parameters": sorted(self.name_parameters),
        }


def _jsonable(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def _bool(where: str, key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(f"{where}: {key!r} must be true or false, got {value!r}")
    return value


def settings_file(mypy_config_file: str | None) -> Path | None:
    """The TOML file mypy reads its own config from (``pyproject.toml`` or any
    ``--config-file x.toml``), else the nearest pyproject above the working directory."""
    if mypy_config_file and Path(mypy_config_file).suffix == ".toml":
        return Path(mypy_config_file)
    return find_pyproject(os.getcwd())


def load_settings(mypy_config_file: str | None) -> PluginSettings:
    """Settings from ``settings_file``; ``ConfigurationError`` naming the key if malformed."""
    path = settings_file(mypy_config_file)
    config = load_config(pyproject=path) if path is not None else ScopeguardConfig()
    table = config.tool("mypy")
    where = f"{config.path} [tool.scopeguard.mypy]"
    warn_unknown(where, table, _KEYS)
    extra = str_list(where, "name-parameters", table.get("name-parameters", []))
    return PluginSettings(
        config=config,
        check_names=_bool(where, "check-names", table.get("check-names", True)),
        infer_services=_bool(where, "infer-services", table.get("infer-services", True)),
        name_parameters=DEFAULT_NAME_PARAMETERS | frozenset(extra),
    )


_QUOTED_KEY: Final = re.compile(r"'([A-Za-z0-9_.-]+)'")


def config_error_message(mypy_config_file: str | None, error: ConfigurationError) -> str:
    """``error`` as mypy prints a configuration problem: ``file:line: error: ...``.

    The line is the key's (the first one the message quotes), else the ``[tool.scopeguard``
    table's header, else 1: enough for an editor to jump to it."""
    path = settings_file(mypy_config_file)
    text = str(error)
    if path is None:
        return f"error: {text}"
    text = text.removeprefix(str(path)).lstrip(": ")
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    line = 0
    key = _QUOTED_KEY.search(text)
    if key is not None:
        assignment = re.compile(rf"""^\s*["']?{re.escape(key.group(1))}["']?\s*=""")
        line = next((n for n, body in enumerate(lines, 1) if assignment.match(body)), 0)
    if not line:
        line = next((n for n, body in enumerate(lines, 1) if "[tool.scopeguard" in body), 1)
    return f"{path}:{line}: error: {text}"
