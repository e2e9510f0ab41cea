"""The plugin's error codes, built from the registry in ``scopeguard._codes``.

Creating an ``ErrorCode`` registers it with mypy, so the codes work in ``# type: ignore[...]``,
``disable_error_code`` and ``enable_error_code`` as soon as the plugin is loaded.

``scopeguard-scope-mismatch`` is a sub-code of mypy's ``arg-type``: it is reported for exactly
the calls mypy without the plugin reports as ``arg-type``, so ``# type: ignore[arg-type]`` and
``disable_error_code = ["arg-type"]`` cover it in both modes (see ``code_for_line``). The other
codes report what plain mypy does not see at all, so there is no parent to share.
"""

from __future__ import annotations

from typing import Final

from mypy import errorcodes
from mypy.errorcodes import ErrorCode
from mypy.nodes import Context
from mypy.plugin import CheckerPluginInterface

from scopeguard._codes import MYPY_CODES

__all__ = [
    "RAW_CLIENT", "REFUSED_SERVICE", "SCOPE_MISMATCH", "UNKNOWN_SERVICE", "WRONG_NAME",
    "code_for_line",
]

_CATEGORY: Final = "scopeguard"


def _code(name: str, parent: ErrorCode | None = None) -> ErrorCode:
    entry = MYPY_CODES[name]
    return ErrorCode(entry.code, entry.description, _CATEGORY, sub_code_of=parent)


RAW_CLIENT: Final = _code("scopeguard-raw-client")
SCOPE_MISMATCH: Final = _code("scopeguard-scope-mismatch", errorcodes.ARG_TYPE)
WRONG_NAME: Final = _code("scopeguard-wrong-name")
UNKNOWN_SERVICE: Final = _code("scopeguard-unknown-service")
REFUSED_SERVICE: Final = _code("scopeguard-refused-service")


def code_for_line(api: CheckerPluginInterface, context: Context, code: ErrorCode) -> ErrorCode:
    """``code``, or its parent where the line's ignore comment names the parent and not ``code``.

    mypy lets ``# type: ignore[arg-type]`` silence a sub-code, but with ``warn_unused_ignores``
    it then reports the comment as unused ("use narrower [...]"), and without the plugin the
    sub-code's own name in the comment is the unused one: no comment would pass both ways. So
    the plugin reports under the code the project's comment already names. Which lines ignore
    what is mypy's own record (``Errors.ignored_lines``); where a mypy release keeps it elsewhere
    the sub-code is reported as is.
    """
    parent = code.sub_code_of
    if parent is None:
        return code
    errors = getattr(api.msg, "errors", None)
    ignored = getattr(errors, "ignored_lines", None)
    path = getattr(errors, "file", None)
    if not isinstance(ignored, dict) or path not in ignored:
        return code
    lines = ignored[path]
    last = context.end_line if context.end_line is not None else context.line
    for line in range(context.line, last + 1):
        names = lines.get(line)
        if names and parent.code in names and code.code not in names:
            return parent
    return code
