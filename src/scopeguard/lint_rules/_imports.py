"""Where a dotted name really comes from: relative imports and re-exports in the user's project.

A team often wraps the SDK once (``myapp/aws.py: from boto3 import client as make_client``) and
imports the wrapper everywhere. ``ProjectModules`` follows such aliases through the project's own
source files, so ``from myapp.aws import make_client`` is flagged like ``boto3.client``. It only
follows imports and plain ``name = other.name`` assignments at module level: a function that
*returns* a client is flagged where it creates it, not at every caller.

It also keeps the project-wide index of functions and methods annotated to return something
(``def get_boto3_session(self) -> boto3.Session`` in another module), so that
``credentials.get_boto3_session().client("s3")`` is known to be a session's client even though
the receiver ``credentials`` has no type the walk can see. The index is built on first use, from
the files whose text has a ``-> ...Session`` annotation (a regular expression over the bytes, so
the rest are read but never parsed).

Lifetime: one ``ProjectModules`` per project root, shared by every file of a lint run; parsed
modules and the index are cached for the whole process.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

__all__ = ["SDK_ROOTS", "ProjectModules", "absolute_module", "module_name_for"]

SDK_ROOTS: Final = frozenset({"boto3", "botocore", "aioboto3", "aiobotocore"})
_MAX_HOPS: Final = 8
# Only these files can hold a ``-> boto3.Session`` (or ``-> "Session | None"``) annotation.
_RETURNS_SESSION: Final = re.compile(rb"->[^:\n]*Session")
_IMPORTS_SDK: Final = re.compile(rb"^[ \t]*(?:from|import)[ \t]+(?:boto3|botocore|aioboto3|aiobotocore)\b", re.M)
# Never the project's own code: environments, build output, caches, VCS data.
_SKIPPED_DIRS: Final = frozenset(
    {"node_modules", "site-packages", "build", "dist", "__pycache__", "venv", "env"}
)


def module_name_for(path: Path, roots: Iterable[Path]) -> str | None:
    """The dotted module name of ``path`` below the first root that contains it."""
    resolved = path.resolve()
    for root in roots:
        try:
            rel = resolved.relative_to(root)
        except ValueError:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        if not all(part.isidentifier() for part in parts):
            return None  # not importable from this root (``.venv/lib/python3.11/...``)
        return ".".join(parts) if parts else None
    return None


def absolute_module(current: str | None, is_package: bool, module: str | None, level: int) -> str:
    """Resolve ``from {'.' * level}{module} import ...`` written in module ``current``."""
    if level == 0:
        return module or ""
    parts = current.split(".") if current else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if module:
        parts.append(module)
    return ".".join(parts)


def _bind_imports(
    statements: Iterable[ast.stmt], modname: str, is_package: bool, out: dict[str, str]
) -> None:
    for stmt in statements:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    out[alias.asname] = alias.name
                else:
                    top = alias.name.partition(".")[0]
                    out[top] = top
        elif isinstance(stmt, ast.ImportFrom):
            base = absolute_module(modname, is_package, stmt.module, stmt.level)
            for alias in stmt.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            dotted = _dotted(stmt.value, out)
            if isinstance(target, ast.Name) and dotted is not None:
                out[target.id] = dotted
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.returns:
            # ``def get_session() -> boto3.Session`` is recorded as "calling it gives a
            # boto3.Session", spelled ``boto3.Session()``; the walk reads that back.
            returns = _dotted(_unwrap_annotation(stmt.returns), out)
            if returns is not None:
                out[stmt.name] = f"{returns}()"
        elif isinstance(stmt, ast.If):
            _bind_imports(stmt.body, modname, is_package, out)
            _bind_imports(stmt.orelse, modname, is_package, out)
        elif isinstance(stmt, ast.Try):
            _bind_imports(stmt.body, modname, is_package, out)
            for handler in stmt.handlers:
                _bind_imports(handler.body, modname, is_package, out)


def _unwrap_annotation(annotation: ast.expr) -> ast.expr:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return annotation
    if isinstance(annotation, ast.BinOp):  # X | None
        return annotation.left
    if isinstance(annotation, ast.Subscript):  # Optional[X]
        return annotation.slice
    return annotation


def _dotted(expr: ast.expr, bound: dict[str, str]) -> str | None:
    if isinstance(expr, ast.Name):
        return bound.get(expr.id)
    if isinstance(expr, ast.Attribute):
        base = _dotted(expr.value, bound)
        return f"{base}.{expr.attr}" if base is not None else None
    return None


class ProjectModules:
    """Finds the user's modules under the project roots and follows their re-exports."""

    def __init__(self, roots: Iterable[Path]) -> None:
        self.roots = tuple(r.resolve() for r in roots)
        self._files: dict[str, Path | None] = {}
        self._exports: dict[Path, dict[str, str]] = {}
        self._resolved: dict[str, str] = {}
        self._returns: dict[str, frozenset[str]] | None = None
        self._imports_sdk = False

    def module_name(self, path: Path) -> str | None:
        return module_name_for(path, self.roots)

    def _file(self, module: str) -> Path | None:
        if module not in self._files:
            found: Path | None = None
            if not all(part.isidentifier() for part in module.split(".")):
                self._files[module] = None
                return None
            rel = Path(*module.split("."))
            for root in self.roots:
                for candidate in (root / rel.with_suffix(".py"), root / rel / "__init__.py"):
                    if candidate.is_file():
                        found = candidate
                        break
                if found:
                    break
            self._files[module] = found
        return self._files[module]

    def _exports_of(self, module: str, path: Path) -> dict[str, str]:
        if path not in self._exports:
            exports: dict[str, str] = {}
            try:
                tree = ast.parse(path.read_bytes(), filename=str(path))
            except (OSError, SyntaxError, ValueError):
                tree = None
            if tree is not None:
                _bind_imports(tree.body, module, path.name == "__init__.py", exports)
            self._exports[path] = exports
        return self._exports[path]

    def resolve(self, dotted: str) -> str:
        """Follow ``dotted`` through the project's re-exports to where it is defined."""
        if dotted.partition(".")[0] in SDK_ROOTS or not self.roots:
            return dotted
        cached = self._resolved.get(dotted)
        if cached is not None:
            return cached
        current, seen = dotted, {dotted}
        for _ in range(_MAX_HOPS):
            step = self._step(current)
            if step is None or step in seen:
                break
            seen.add(step)
            current = step
            if current.partition(".")[0] in SDK_ROOTS:
                break
        self._resolved[dotted] = current
        return current

    def _step(self, dotted: str) -> str | None:
        parts = dotted.split(".")
        if self._file(parts[0]) is None:
            return None
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            path = self._file(module)
            if path is None:
                continue
            target = self._exports_of(module, path).get(parts[cut])
            if target is None:
                return None
            return ".".join([target, *parts[cut + 1 :]])
        return None

    def returns_of(self, function: str) -> frozenset[str]:
        """Dotted return annotations of every function or method named ``function`` in the
        project whose annotation mentions ``Session`` (resolved through re-exports)."""
        if self._returns is None:
            self._returns = self._index_returns()
        return self._returns.get(function, frozenset())

    @property
    def imports_sdk(self) -> bool:
        """True if any module of the project imports boto3, botocore, aioboto3 or aiobotocore:
        a project that never does (another cloud's plugin) makes no AWS clients."""
        if self._returns is None:
            self._returns = self._index_returns()
        return self._imports_sdk

    def _python_files(self) -> Iterator[Path]:
        # ``root/src`` lies inside ``root``: walk only the outermost roots.
        outer = [r for r in self.roots if not any(o != r and o in r.parents for o in self.roots)]
        for root in outer:
            for directory, dirs, files in os.walk(root):
                dirs[:] = [
                    d
                    for d in dirs
                    if not d.startswith(".")
                    and d not in _SKIPPED_DIRS
                    and not os.path.exists(os.path.join(directory, d, "pyvenv.cfg"))
                ]
                for name in files:
                    if name.endswith(".py"):
                        yield Path(directory, name)

    def _index_returns(self) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        for path in self._python_files():
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if not self._imports_sdk and _IMPORTS_SDK.search(data) is not None:
                self._imports_sdk = True
            if _RETURNS_SESSION.search(data) is None:
                continue
            try:
                tree = ast.parse(data, filename=str(path))
            except (SyntaxError, ValueError):
                continue
            module = self.module_name(path) or path.stem
            names: dict[str, str] = {}
            _bind_imports(tree.body, module, path.name == "__init__.py", names)
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns:
                    returns = _dotted(_unwrap_annotation(node.returns), names)
                    if returns is not None and returns.rpartition(".")[2].endswith("Session"):
                        found.setdefault(node.name, set()).add(self.resolve(returns))
        return {name: frozenset(types) for name, types in found.items()}
