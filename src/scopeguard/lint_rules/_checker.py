"""Checking one file: settings from the nearest pyproject, the text pre-filter, the rules, and the
codemod's TODO markers. Used by the flake8 plugin and by ``scopeguard report`` (which must not
import flake8), so both always agree.

Lifetime: ``LintSettings`` are built once per pyproject per process and shared by every file below
it; everything else is per file.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Final

import pathspec

from .._codes import parse_marker
from .._config import (
    DEFAULT_TEST_PATHS,
    ScopeguardConfig,
    find_pyproject,
    load_config,
    str_list,
    warn_unknown,
)
from .._exceptions import ConfigurationError
from .._naming import NamingPolicy
from ._analysis import RESOURCE_NAME_ARGUMENTS, SdkNames, Site, collect_sites
from ._imports import ProjectModules
from ._rule import Context, Finding
from .rules import RULES

__all__ = [
    "DEFAULT_TEST_PATHS",
    "FileResult",
    "LintSettings",
    "Reported",
    "check_file",
    "check_tree",
    "might_matter",
    "settings_for",
]

LINT_KEYS: Final = ("client-factories", "session-factories", "name-arguments", "test-paths")
# A key is the only finding that matters even in the composition root.
_FACTORY_MODULE_CODES: Final = frozenset({"SG011"})
# In test code (``test-paths``) raw clients are made on purpose (moto fixtures), and a test may
# assert that a scope refuses a service or a physical name; committed credentials are still
# leaks there.
TEST_CODES: Final = frozenset({"SG010", "SG011"})


@dataclass(frozen=True)
class LintSettings:
    """``[tool.scopeguard]`` plus ``[tool.scopeguard.lint]`` for one project, validated."""

    config: ScopeguardConfig = field(default_factory=ScopeguardConfig)
    names: SdkNames = field(default_factory=SdkNames)
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    project: ProjectModules | None = None
    root: Path | None = None

    @classmethod
    def from_config(
        cls,
        config: ScopeguardConfig,
        extra_factory_modules: Sequence[str] = (),
        root: Path | None = None,
    ) -> LintSettings:
        """``root`` is the project's directory when it has no pyproject.toml (a setup.py
        project): its modules are still followed, and test paths are relative to it."""
        table: Mapping[str, Any] = config.tool("lint")
        where = f"{config.path} [tool.scopeguard.lint]"
        warn_unknown(where, table, LINT_KEYS)
        values = {key: str_list(where, key, table[key]) for key in LINT_KEYS if key in table}
        for key in ("client-factories", "session-factories"):
            for dotted in values.get(key, ()):
                if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", dotted):
                    raise ConfigurationError(
                        f"{where}: {key!r} entries must be dotted names like 'myapp.aws.client', "
                        f"got {dotted!r}"
                    )
        base = SdkNames()
        names = SdkNames(
            client_factories=base.client_factories | set(values.get("client-factories", ())),
            session_factories=base.session_factories | set(values.get("session-factories", ())),
            name_arguments=RESOURCE_NAME_ARGUMENTS | set(values.get("name-arguments", ())),
        )
        if extra_factory_modules:
            config = ScopeguardConfig(
                path=config.path,
                factory_modules=(*config.factory_modules, *extra_factory_modules),
                test_paths=config.test_paths,
                naming=config.naming,
                tool_tables=config.tool_tables,
                raw=config.raw,
            )
        project = None
        root = config.path.parent if config.path is not None else root
        if root is not None:
            project = ProjectModules([root / "src", root] if (root / "src").is_dir() else [root])
        test_paths = values.get("test-paths", config.test_paths)
        return cls(config, names, test_paths, project, root)

    @cached_property
    def tokens(self) -> tuple[str, ...]:
        """Pre-filter tokens of configured wrappers (``legacy.aws.get_client``: ``get_client``)."""
        base = SdkNames()
        configured = (self.names.client_factories - base.client_factories) | (
            self.names.session_factories - base.session_factories
        )
        return tuple(sorted({name.rsplit(".", 1)[-1] for name in configured}))

    def module_name(self, path: Path) -> str | None:
        return self.project.module_name(path) if self.project is not None else None

    def relative(self, path: Path) -> str:
        if self.root is not None:
            try:
                return path.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        return path.as_posix()

    @cached_property
    def _test_spec(self) -> pathspec.GitIgnoreSpec:
        return pathspec.GitIgnoreSpec.from_lines(self.test_paths)

    def is_test(self, path: Path) -> bool:
        """Does ``path`` match ``test-paths`` (.gitignore-style, from the project root)?"""
        return self._test_spec.match_file(self.relative(path).lstrip("/"))


@lru_cache(maxsize=None)
def _settings_for_pyproject(
    pyproject: Path | None, extra_factory_modules: tuple[str, ...], root: Path | None = None
) -> LintSettings:
    if pyproject is None:
        return LintSettings.from_config(ScopeguardConfig(), extra_factory_modules, root)
    return LintSettings.from_config(load_config(pyproject=pyproject), extra_factory_modules)


# A project without a pyproject.toml still has a root: where its setup.py or setup.cfg is.
_PROJECT_MARKERS: Final = ("setup.py", "setup.cfg")


@lru_cache(maxsize=4096)
def _nearest_pyproject(directory: Path) -> Path | None:
    return find_pyproject(directory)


@lru_cache(maxsize=4096)
def _nearest_root(directory: Path) -> Path | None:
    for candidate in (directory, *directory.parents):
        if any((candidate / marker).is_file() for marker in _PROJECT_MARKERS):
            return candidate
    return None


def settings_for(
    filename: str | Path,
    *,
    pyproject: Path | None = None,
    extra_factory_modules: tuple[str, ...] = (),
) -> LintSettings:
    """Settings of the project ``filename`` belongs to (its nearest pyproject.toml), cached."""
    if pyproject is None:
        path = Path(filename)
        directory = path.parent if str(filename) not in ("", "-", "stdin") else Path.cwd()
        pyproject = _nearest_pyproject(directory.resolve())
        if pyproject is None:
            root = _nearest_root(directory.resolve())
            return _settings_for_pyproject(None, extra_factory_modules, root)
    return _settings_for_pyproject(pyproject, extra_factory_modules)


def _marker_re(policy: NamingPolicy) -> re.Pattern[str]:
    return _marker_re_for(policy.tenant_marker, policy.capsule_marker, policy.separator)


@lru_cache(maxsize=16)
def _marker_re_for(tenant: str, capsule: str, separator: str) -> re.Pattern[str]:
    markers = "|".join(re.escape(m) for m in (tenant, capsule))
    sep = re.escape(separator)
    return re.compile(f"[\"'/:](?:{markers}){sep}[a-z0-9]+{sep}")


_TOKENS: Final = ("boto", "AKIA", "ASIA", "aws_", "client(", "resource(", "ession(", "SESSION")


def might_matter(text: str, policy: NamingPolicy, extra: tuple[str, ...] = ()) -> bool:
    """The cheap pre-filter: can this source produce any finding at all?

    Every site starts from a name or literal that contains one of these tokens (an SDK import, a
    key, a credential keyword, a ``client(``/``Session(`` call through a re-export, a scoped
    name literal), so a file without any of them is skipped before the AST is walked."""
    return (
        any(token in text for token in _TOKENS)
        or any(token in text for token in extra)
        or _marker_re(policy).search(text) is not None
        or policy.might_hold_scoped_name(text)
    )


def _todo_markers(lines: Sequence[str]) -> dict[int, dict[str, str]]:
    markers: dict[int, dict[str, str]] = {}
    for number, line in enumerate(lines, start=1):
        if "scopeguard" in line:
            marker = parse_marker(line)
            if marker is not None:
                codes, reason = marker
                for code in codes:
                    markers.setdefault(number, {})[code] = reason
    return markers


def _acknowledged(
    site: Site, code: str, lines: Sequence[str], markers: dict[int, dict[str, str]]
) -> str | None:
    """The reason of a TODO marker for ``code`` on the site's lines or in the comment block
    directly above the site or its statement (where ``scopeguard migrate`` writes them)."""
    candidates = list(range(site.line, site.end_line + 1))
    for start in {site.line, site.stmt_line or site.line}:
        number = start - 1
        while number >= 1 and lines[number - 1].lstrip().startswith("#"):
            candidates.append(number)
            number -= 1
    for number in candidates:
        reason = markers.get(number, {}).get(code)
        if reason is not None:
            return reason
    return None


@dataclass(frozen=True, slots=True)
class Reported:
    finding: Finding
    acknowledged: str | None

    @property
    def message(self) -> str:
        return self.finding.message(self.acknowledged)


@dataclass(frozen=True, slots=True)
class FileResult:
    reported: list[Reported]
    factory_sites: int
    skipped: bool
    """True when the pre-filter ruled the file out without walking the AST."""
    suppressed: int = 0
    """Findings silenced by ``# noqa`` (only counted when the checker applies noqa itself)."""


# flake8's own inline form (``flake8/defaults.py``), so the report agrees with flake8.
_NOQA_RE: Final = re.compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE
)


def _silenced(finding: Finding, lines: Sequence[str]) -> bool:
    for number in range(finding.line, finding.end_line + 1):
        if number > len(lines) or "noqa" not in lines[number - 1].lower():
            continue
        match = _NOQA_RE.search(lines[number - 1])
        if match is None:
            continue
        codes = match.group("codes")
        if codes is None:
            return True
        listed = {c.upper() for c in re.split(r"[,\s]+", codes) if c}
        if any(finding.code.startswith(c) for c in listed):
            return True
    return False


def check_tree(
    tree: ast.Module,
    lines: Sequence[str],
    path: Path,
    settings: LintSettings,
    *,
    prefiltered: bool = False,
    noqa: bool = False,
    tests_exempt: bool = True,
) -> FileResult:
    """Run every rule over one parsed file; with ``noqa``, drop findings silenced by ``# noqa``
    (flake8 does that itself for the plugin, and must, so that ``--disable-noqa`` works).

    In a file matching ``test-paths`` only ``TEST_CODES`` apply, unless ``tests_exempt`` is
    false (the migration census counts raw clients in tests too)."""
    text = "".join(lines)
    if not prefiltered and not might_matter(text, settings.config.naming, settings.tokens):
        return FileResult([], 0, True)
    module = settings.module_name(path)
    sites = collect_sites(
        tree,
        module=module,
        is_package=path.name == "__init__.py",
        names=settings.names,
        project=settings.project,
    )
    factory_module = settings.config.is_factory_module(module=module, path=path)
    test_file = tests_exempt and settings.is_test(path)
    context = Context(settings.config.naming)
    markers = _todo_markers(lines) if "scopeguard" in text else {}
    reported: list[Reported] = []
    suppressed = 0
    for rule in RULES:
        if factory_module and rule.code not in _FACTORY_MODULE_CODES:
            continue
        if test_file and rule.code not in TEST_CODES:
            continue
        for finding in rule.check(sites, context):
            if noqa and _silenced(finding, lines):
                suppressed += 1
                continue
            acknowledged = None
            if markers:
                site = next(
                    (s for s in sites if (s.line, s.col) == (finding.line, finding.col)),
                    None,
                )
                if site is not None:
                    acknowledged = _acknowledged(site, finding.code, lines, markers)
            reported.append(Reported(finding, acknowledged))
    reported.sort(key=lambda r: (r.finding.line, r.finding.col, r.finding.code))
    factory_sites = 0 if factory_module else sum(s.kind == "factory-client" for s in sites)
    return FileResult(reported, factory_sites, False, suppressed)


def check_file(
    path: Path, settings: LintSettings | None = None, *, tests_exempt: bool = True
) -> FileResult:
    """Read, pre-filter, parse and check one file (the flake8-free path used by the report)."""
    settings = settings or settings_for(path)
    source = path.read_bytes().decode("utf-8", errors="replace")
    if not might_matter(source, settings.config.naming, settings.tokens):
        return FileResult([], 0, True)
    tree = ast.parse(source, filename=str(path))
    lines = source.splitlines(keepends=True)
    return check_tree(
        tree, lines, path, settings, prefiltered=True, noqa=True, tests_exempt=tests_exempt
    )
