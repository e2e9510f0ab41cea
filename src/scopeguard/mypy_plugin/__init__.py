"""The scopeguard mypy plugin: ``plugins = ["scopeguard.mypy_plugin"]``.

What it adds to the plain typing of ``scopeguard.typing`` (see ``docs/mypy.md``):

- the exact client type of ``handle.client("<service>")`` for every service in the installed
  types-boto3 stubs, read from the stubs' own service map, and of
  ``await handle.async_client("<service>")`` from types-aiobotocore's;
- ``scopeguard-raw-client``: boto3/botocore clients and sessions created outside
  ``factory-modules``;
- ``scopeguard-scope-mismatch``: a client of one scope passed where another scope is required;
- ``scopeguard-wrong-name``: a literal or ``Final`` resource name that belongs to another scope;
- ``scopeguard-unknown-service``: a service name the stubs do not know.

This module is only the entry point; the hooks live in one module per family. The plugin never
imports boto3 or user code: it knows the runtime by the dotted names in ``scopeguard._fullnames``.
"""

from __future__ import annotations

from mypy.plugin import Plugin

from ._plugin import ScopeguardPlugin

__all__ = ["ScopeguardPlugin", "plugin"]


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: called once with mypy's version string."""
    return ScopeguardPlugin
