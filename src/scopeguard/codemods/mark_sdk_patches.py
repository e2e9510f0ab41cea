"""Mark test code that patches an SDK entry point the migrated code no longer calls (SG050).

After the rewrite, application code asks the factory for its clients:
``mock.patch("boto3.client")``, ``patch.object(boto3, "Session", ...)``,
``monkeypatch.setattr(boto3, "client", ...)`` or a patch of aiobotocore's ``get_session``
intercepts nothing, and the test either fails or, worse, talks to
whatever the factory's session reaches. Such a patch cannot be rewritten mechanically (what the
mock returned, and which scope the code asks for, decide the replacement), so it gets a marker
naming the documented seam: the accessor's ``set_factory`` with a ``StubFactory`` or a moto
factory. The pass runs on test files only (``is_test_path``, the convention ``exclude-tests``
uses).
"""

from __future__ import annotations

import re
from typing import Any, Final

import libcst as cst

from ..lint_rules._checker import _NOQA_RE
from ._markers import MarkingCommand

__all__ = ["MarkSdkPatches", "patched_target"]

# Dotted targets (as mock.patch and monkeypatch.setattr take them) of the SDK entry points the
# rewrite replaces; a target ending in one of them after a dot (``myapp.ops.boto3.client``) is the
# same entry point reached through the module under test.
_TARGETS: Final = (
    "boto3.client",
    "boto3.resource",
    "boto3.Session",
    "boto3.session.Session",
    "botocore.session.Session",
    "botocore.session.get_session",
    "aioboto3.Session",
    "aiobotocore.session.AioSession",
    "aiobotocore.session.get_session",
)
# Modules whose attributes ``patch.object(module, "name")`` / ``setattr(module, "name")`` replace.
_MODULES: Final = frozenset(
    {"boto3", "boto3.session", "botocore.session", "aioboto3", "aiobotocore.session"}
)
_ATTRIBUTES: Final = frozenset({"client", "resource", "Session", "get_session", "AioSession"})
# A module under test's own reference to the SDK: ``patch("myapp.ops.boto3")``.
_MODULE_SUFFIXES: Final = (".boto3", ".aioboto3")


def patched_target(target: str) -> bool:
    """True for a dotted patch target that is one of the SDK entry points the rewrite replaces."""
    return any(target == t or target.endswith("." + t) for t in _TARGETS) or target.endswith(
        _MODULE_SUFFIXES
    )


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


class MarkSdkPatches(MarkingCommand):
    """Put an SG050 marker above each test statement that patches a replaced SDK entry point."""

    DESCRIPTION = "Mark test patches of boto3/aiobotocore entry points that migrated code skips."

    _lines: list[str] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The targets each statement patches: a ``with`` of several patches, or a decorator
        # stack, gets one marker line naming all of them.
        self._targets: dict[cst.CSTNode, list[str]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        if self.inert or not node.args:
            return
        target = self._patched(node)
        if target is None or self._kept_on_purpose(node):
            return
        statement = self.current_statement
        targets = self._targets.setdefault(statement, []) if statement is not None else []
        if target not in targets:
            targets.append(target)
        # Each patch call is a site of its own in the report, with its own target; the marker
        # line above the statement names every target the statement patches.
        if not self.requeue("SG050", self._reason(targets or [target])):
            self.mark(node, "SG050", self._reason([target]), record=False)
        self.record(node, "todo", "SG050", self._reason([target]))

    def _reason(self, targets: list[str]) -> str:
        module = self.settings.factory.import_module
        setter = f"{module}.set_factory" if module is not None else "the accessor's set_factory"
        # One file cannot tell whether the code under test was rewritten (the patch no longer
        # intercepts) or left raw (it still does), so the reason covers both.
        named = targets[0] if len(targets) == 1 else f"{', '.join(targets[:-1])} and {targets[-1]}"
        return (
            f"patches {named}, which clients from the factory bypass; substitute the factory: "
            f"{setter}(StubFactory({{...}}) or moto_factory(), from scopeguard.testing), "
            f"{setter}(None) after the test; a patch of code left raw stays, with a "
            f'noqa: SG050 comment (docs/migration.md, "Tests that mock the SDK")'
        )

    def _kept_on_purpose(self, node: cst.Call) -> bool:
        """``# noqa: SG050`` (or a bare ``# noqa``) on the patch's first line, as flake8 reads it:
        a patch that still intercepts, because the code under test still creates its clients
        itself, is kept, and ``--check`` must not ask for its marker again."""
        position = self.position(node)
        if position is None:
            return False
        if self._lines is None:  # read once per file, and only in files that patch the SDK
            self._lines = self.module.code.splitlines()
        line = self._lines[position.start.line - 1]
        match = _NOQA_RE.search(line) if "noqa" in line.lower() else None
        if match is None:
            return False
        codes = match.group("codes")
        return codes is None or any(
            "SG050".startswith(c.upper()) for c in re.split(r"[,\s]+", codes) if c
        )

    def _patched(self, node: cst.Call) -> str | None:
        """The SDK entry point ``node`` patches, as a dotted name, or None."""
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else (
            func.value if isinstance(func, cst.Name) else None
        )
        first = _string(node.args[0].value)
        if name in ("patch", "setattr") and first is not None:
            # mock.patch("boto3.client"), mocker.patch(...), monkeypatch.setattr("boto3.client", x)
            return first if patched_target(first) else None
        if name in ("object", "setattr") and len(node.args) >= 2:
            # patch.object(boto3, "client"), mocker.patch.object(...), setattr(boto3, "client", x)
            if name == "object" and not (
                isinstance(func, cst.Attribute)
                and isinstance(func.value, (cst.Name, cst.Attribute))
                and (
                    func.value.attr.value if isinstance(func.value, cst.Attribute)
                    else func.value.value
                ) == "patch"
            ):
                return None
            attribute = _string(node.args[1].value)
            if attribute not in _ATTRIBUTES:
                return None
            for module in _MODULES:
                if self.has_name(node.args[0].value, frozenset({module})):
                    return f"{module}.{attribute}"
        return None
