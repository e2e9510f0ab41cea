"""The public namespace is pinned, and every dotted name the static tools rely on resolves."""

from __future__ import annotations

import importlib

import pytest

import scopeguard
from scopeguard import _fullnames


def test_exported_members_are_pinned() -> None:
    assert scopeguard.__all__ == sorted(scopeguard.__all__)
    for name in scopeguard.__all__:
        assert hasattr(scopeguard, name), name
    core = {
        "CapsuleScope", "ClientFactory", "ConfigurationError", "CredentialError", "InvalidName",
        "InvalidScope", "NamingPolicy", "OperatorScope", "OperatorSettings", "PlatformScope",
        "PooledTable", "ScopeRef", "ScopeViolation", "ScopeguardError", "TenantScope",
    }
    assert core <= set(scopeguard.__all__)


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    assert scopeguard.__version__ == version("scopeguard")


def test_exception_tree() -> None:
    assert issubclass(scopeguard.ScopeViolation, scopeguard.ScopeguardError)
    # Not an OSError: generic `except OSError` retry code must not swallow a refusal.
    assert not issubclass(scopeguard.ScopeViolation, OSError)
    assert issubclass(scopeguard.InvalidScope, ValueError)
    assert issubclass(scopeguard.ConfigurationError, scopeguard.ScopeguardError)


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


@pytest.mark.parametrize("dotted", _fullnames.RUNTIME_NAMES)
def test_runtime_names_used_by_the_tools_resolve(dotted: str) -> None:
    assert _resolve(dotted) is not None
