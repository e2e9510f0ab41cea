"""The plugin's error codes, built from the registry in ``scopeguard._codes``.

Creating an ``ErrorCode`` registers it with mypy, so the codes work in ``# type: ignore[...]``,
``disable_error_code`` and ``enable_error_code`` as soon as the plugin is loaded.
"""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import ErrorCode

from scopeguard._codes import MYPY_CODES

__all__ = ["RAW_CLIENT", "REFUSED_SERVICE", "SCOPE_MISMATCH", "UNKNOWN_SERVICE", "WRONG_NAME"]

_CATEGORY: Final = "scopeguard"


def _code(name: str) -> ErrorCode:
    entry = MYPY_CODES[name]
    return ErrorCode(entry.code, entry.description, _CATEGORY)


RAW_CLIENT: Final = _code("scopeguard-raw-client")
SCOPE_MISMATCH: Final = _code("scopeguard-scope-mismatch")
WRONG_NAME: Final = _code("scopeguard-wrong-name")
UNKNOWN_SERVICE: Final = _code("scopeguard-unknown-service")
REFUSED_SERVICE: Final = _code("scopeguard-refused-service")
