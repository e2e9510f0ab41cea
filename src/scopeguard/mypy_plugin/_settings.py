"""The plugin's settings: ``[tool.scopeguard]`` (shared) plus ``[tool.scopeguard.mypy]``.

Read once per mypy run from the pyproject mypy was configured with, or the nearest one above the
working directory. Everything that changes a diagnostic is echoed by ``report_config_data``, so
editing the config invalidates mypy's cache for every module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from scopeguard._config import ScopeguardConfig, load_config, str_list, warn_unknown
from scopeguard._exceptions import ConfigurationError

__all__ = ["DEFAULT_NAME_PARAMETERS", "PluginSettings", "load_settings"]

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


def load_settings(mypy_config_file: str | None) -> PluginSettings:
    """Settings from the TOML file mypy reads its own config from (``pyproject.toml`` or any
    ``--config-file x.toml``), else from the nearest pyproject above the working directory."""
    if mypy_config_file and Path(mypy_config_file).suffix == ".toml":
        config = load_config(pyproject=mypy_config_file)
    else:
        config = load_config(os.getcwd())
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
