"""The plugin class: reads the settings once, then dispatches hooks by dotted name.

Each ``get_*_hook`` is called for every call site mypy checks, so dispatch is dictionary lookups
and the hooks themselves are built once per run. Which names mean what comes from
``scopeguard._fullnames`` only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import Any, Final

from mypy.build import PRI_LOW
from mypy.errors import CompileError
from mypy.nodes import MypyFile, SymbolTableNode, TypeInfo
from mypy.options import Options
from mypy.plugin import FunctionSigContext, MethodSigContext, Plugin, ReportConfigContext
from mypy.types import FunctionLike

from scopeguard._config import ScopeguardConfig
from scopeguard._exceptions import ConfigurationError
from scopeguard._fullnames import (
    ASYNC_STUBS_SESSION,
    SCOPE_ASYNC_CLIENT_METHOD,
    SCOPE_BASE,
    SCOPE_CLASSES,
    SCOPE_CLIENT_METHODS,
)

from ._mismatch import ScopeMismatchCheck
from ._names import WrongNameCheck
from ._raw import RAW_FUNCTIONS, RAW_METHODS, RawClientCheck
from ._refused import refusing
from ._services import ServiceMap, infer_scoped_client
from ._settings import PluginSettings, config_error_message, load_settings

__all__ = ["PLUGIN_SCHEMA", "ScopeguardPlugin"]

PLUGIN_SCHEMA: Final = 2
"""Bumped whenever the plugin's output for unchanged input changes, to invalidate caches."""

FunctionSigHook = Callable[[FunctionSigContext], FunctionLike]
MethodSigHook = Callable[[MethodSigContext], FunctionLike]


_INSTALLED_MARKERS: Final = tuple(
    f"{os.sep}{name}{os.sep}" for name in ("site-packages", "dist-packages", "typeshed")
)


_SCOPE_MODULE: Final = SCOPE_BASE.rpartition(".")[0]
_ASYNC_STUBS_MODULE: Final = ASYNC_STUBS_SESSION.rpartition(".")[0]


def _is_installed(path: str) -> bool:
    return any(marker in path for marker in _INSTALLED_MARKERS)


class ScopeguardPlugin(Plugin):
    """One instance per mypy run (or per dmypy daemon)."""

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        # A malformed [tool.scopeguard] must read as a configuration error, not as a crash: an
        # exception here is printed by mypy as "Error constructing plugin instance" and a
        # traceback. So the plugin starts with the defaults and the first hook mypy calls on a
        # run (get_additional_deps on parsed modules, report_config_data on cached ones) stops
        # it with a CompileError, which mypy prints like its own config errors (status 2).
        self._config_error: str | None = None
        try:
            self.settings = load_settings(options.config_file)
        except ConfigurationError as error:
            self._config_error = config_error_message(options.config_file, error)
            self.settings = PluginSettings(config=ScopeguardConfig())
        self.services = ServiceMap(self._lookup)
        self._raw = RawClientCheck(self.settings, self.services, self._lookup)
        self._mismatch = ScopeMismatchCheck(self._lookup)
        self._names = WrongNameCheck(self.settings.config.naming, self.settings.name_parameters)
        self._function_hooks: dict[str, FunctionSigHook] = {
            name: self._raw.function_hook(name) for name in RAW_FUNCTIONS
        }
        self._method_hooks: dict[str, MethodSigHook] = {
            name: self._raw.method_hook(name) for name in RAW_METHODS
        }
        self._inference: dict[str, MethodSigHook] = {
            method: refusing(
                self.services,
                method,
                partial(infer_scoped_client, self.services, method, self.settings.infer_services),
            )
            for method in (*SCOPE_CLIENT_METHODS, SCOPE_ASYNC_CLIENT_METHOD)
        }
        for cls in (SCOPE_BASE, *SCOPE_CLASSES.values()):
            for method, hook in self._inference.items():
                self._method_hooks[f"{cls}.{method}"] = hook

    def _lookup(self, fullname: str) -> SymbolTableNode | None:
        found = self.lookup_fully_qualified(fullname)
        if found is None:
            # A method inherited from a base class is named after the receiver's class.
            owner, _, member = fullname.rpartition(".")
            cls = self.lookup_fully_qualified(owner) if owner else None
            if cls is not None and isinstance(cls.node, TypeInfo):
                found = cls.node.get(member)
        return found

    def _is_handle_subclass(self, fullname: str) -> bool:
        """True for a project's subclass of a scope handle (``class Audited(TenantScope)``).

        Not cached: only calls of methods named like the handle's get here, the MRO walk is
        short, and under dmypy a class keeps its TypeInfo when its bases are edited."""
        sym = self.lookup_fully_qualified(fullname)
        info = sym.node if sym is not None else None
        return isinstance(info, TypeInfo) and info.has_base(SCOPE_BASE)

    def _stop_on_config_error(self) -> None:
        if self._config_error is not None:
            raise CompileError([self._config_error])

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        self._stop_on_config_error()
        # async_client's service map is types-aiobotocore's AioSession. scopeguard imports
        # aiobotocore only inside a function, which mypy does not follow in a silenced or
        # installed module, so without this the map would never be in the build. Without the
        # stubs installed the dependency is simply missing, reported nowhere (scopeguard's own
        # module is silenced), and async_client keeps its declared types.
        if file.fullname == _SCOPE_MODULE:
            return [(PRI_LOW, _ASYNC_STUBS_MODULE, -1)]
        return []

    def report_config_data(self, ctx: ReportConfigContext) -> Any:
        self._stop_on_config_error()
        # Installed packages and typeshed get only what can change their types: mypy reports no
        # errors there, so a change of factory-modules or naming must not recheck all of boto3's
        # stubs (a cold run's worth of work) when only the project's modules can change.
        if _is_installed(ctx.path):
            return {"schema": PLUGIN_SCHEMA, "infer-services": self.settings.infer_services}
        return {"schema": PLUGIN_SCHEMA, **self.settings.report()}

    def get_function_signature_hook(self, fullname: str) -> FunctionSigHook | None:
        hook = self._function_hooks.get(fullname)
        if hook is not None:
            return hook
        if self._mismatch.wants(fullname):
            return self._mismatch.function_hook
        return None

    def get_method_signature_hook(self, fullname: str) -> MethodSigHook | None:
        hook = self._method_hooks.get(fullname)
        if hook is not None:
            return hook
        owner, _, method = fullname.rpartition(".")
        inference = self._inference.get(method)
        if inference is not None and self._is_handle_subclass(owner):
            return inference
        if self.settings.check_names and self._names.wants(fullname):
            return self._names.hook
        if self._mismatch.wants(fullname):
            return self._mismatch.method_hook
        return None
