"""``scopeguard report [PATHS]``: the migration census a team lead reads.

Per package (directory), production and test code apart: raw sites by code, acknowledged TODOs
(sites the codemod marked for a human), sites silenced with ``noqa``, and factory sites (calls to
``.client()``/``.resource()`` on ``factory.platform()/tenant()/capsule()/operator()`` handles).
``migrated`` is factory sites over factory plus raw client creations (SG001, SG003,
SG005, SG006).

It runs the same checker as the flake8 plugin, without flake8.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TextIO

from .._exceptions import ConfigurationError
from .._sourcefiles import discover, missing_paths
from ._checker import check_file, settings_for
from .rules import RULES

__all__ = ["main"]

RAW_CREATION_CODES: Final = ("SG001", "SG003", "SG005", "SG006")
_PROGRESS_THRESHOLD: Final = 200


@dataclass
class Group:
    package: str
    kind: str
    files: int = 0
    codes: dict[str, int] = field(default_factory=dict)
    acknowledged: int = 0
    suppressed: int = 0
    factory: int = 0

    @property
    def raw(self) -> int:
        return sum(self.codes.values())

    @property
    def migrated(self) -> float | None:
        raw = sum(self.codes.get(code, 0) for code in RAW_CREATION_CODES)
        total = raw + self.factory
        return self.factory / total if total else None

    def add(self, other: Group) -> None:
        self.files += other.files
        for code, count in other.codes.items():
            self.codes[code] = self.codes.get(code, 0) + count
        self.acknowledged += other.acknowledged
        self.suppressed += other.suppressed
        self.factory += other.factory

    def as_json(self) -> dict[str, object]:
        return {
            "package": self.package,
            "kind": self.kind,
            "files": self.files,
            "codes": dict(sorted(self.codes.items())),
            "raw": self.raw,
            "acknowledged": self.acknowledged,
            "suppressed": self.suppressed,
            "factory": self.factory,
            "migrated": None if self.migrated is None else round(self.migrated, 4),
        }


def python_files(
    root: Path, *, exclude: Sequence[str] = (), respect_gitignore: bool = True
) -> Iterator[Path]:
    """Python files below ``root``, read by the walker ``scopeguard migrate`` uses: ``.gitignore``
    as git reads it, no virtualenvs or caches, ``--exclude`` globs."""
    yield from discover([root], exclude=exclude, respect_gitignore=respect_gitignore)


def _package(path: Path, root: Path, depth: int) -> str:
    """The first ``depth`` directories of ``path`` below the argument it was found under."""
    base = root if root.is_dir() else root.parent
    parts = path.parent.relative_to(base).parts
    return (base / Path(*parts[:depth])).as_posix()


class _Progress:
    """A one-line bar on stderr, redrawn at most every 1% so it costs nothing on big trees."""

    def __init__(self, total: int, stream: TextIO, enabled: bool) -> None:
        self.total, self.stream, self.enabled = total, stream, enabled and total > 0
        self.step = max(1, total // 100)

    def update(self, done: int) -> None:
        if self.enabled and (done % self.step == 0 or done == self.total):
            filled = 30 * done // self.total
            bar = "#" * filled + "." * (30 - filled)
            self.stream.write(f"\rscanning [{bar}] {done}/{self.total} files")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def census(
    paths: Sequence[Path],
    depth: int = 2,
    progress: _Progress | None = None,
    *,
    pyproject: Path | None = None,
    exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
) -> tuple[list[Group], list[dict[str, str]]]:
    """Check every Python file below ``paths``; return the groups and unreadable files."""
    files = [
        (root, path)
        for root in paths
        for path in python_files(root, exclude=exclude, respect_gitignore=respect_gitignore)
    ]
    groups: dict[tuple[str, str], Group] = {}
    errors: list[dict[str, str]] = []
    bar = progress or _Progress(len(files), sys.stderr, False)
    bar.total = len(files)
    for done, (root, path) in enumerate(files, start=1):
        settings = settings_for(path, pyproject=pyproject)
        kind = "tests" if settings.is_test(path) else "production"
        key = (_package(path, root, depth), kind)
        group = groups.setdefault(key, Group(*key))
        group.files += 1
        try:
            result = check_file(path, settings, tests_exempt=False)
        except (SyntaxError, ValueError, OSError) as exc:
            errors.append({"path": path.as_posix(), "error": f"{type(exc).__name__}: {exc}"})
            bar.update(done)
            continue
        for item in result.reported:
            code = item.finding.code
            group.codes[code] = group.codes.get(code, 0) + 1
            if item.acknowledged is not None:
                group.acknowledged += 1
        group.suppressed += result.suppressed
        group.factory += result.factory_sites
        bar.update(done)
    bar.close()
    return sorted(groups.values(), key=lambda g: (g.kind != "production", g.package)), errors


def _totals(groups: Sequence[Group]) -> list[Group]:
    totals = {kind: Group("TOTAL", kind) for kind in ("production", "tests")}
    for group in groups:
        totals[group.kind].add(group)
    return [t for t in totals.values() if t.files]


def render_table(groups: Sequence[Group], totals: Sequence[Group]) -> str:
    codes = [rule.code for rule in RULES if any(g.codes.get(rule.code) for g in totals)]
    header = ["package", "kind", "files", *codes, "raw", "todo", "noqa", "factory", "migrated"]
    rows = [header]
    for group in [*groups, *totals]:
        migrated = "-" if group.migrated is None else f"{group.migrated:.0%}"
        rows.append(
            [
                group.package,
                group.kind,
                str(group.files),
                *(str(group.codes.get(code, 0)) for code in codes),
                str(group.raw),
                str(group.acknowledged),
                str(group.suppressed),
                str(group.factory),
                migrated,
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        if index == len(groups) + 1 or index == 1:
            lines.append("  ".join("-" * w for w in widths))
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry of ``scopeguard report``; returns the exit status (2 on a configuration error)."""
    parser = argparse.ArgumentParser(
        prog="scopeguard report",
        description="Migration census: raw AWS client/session sites vs factory sites, per package.",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, default=[Path(".")], metavar="PATHS",
        help="files or directories to census (default: the current directory)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--depth", type=int, default=2, help="directory levels that make a package (default 2)"
    )
    parser.add_argument("--config", metavar="PYPROJECT", type=Path,
                        help="pyproject.toml to read (default: the nearest one above each file)")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="skip matching paths (repeatable)")
    parser.add_argument("--no-gitignore", action="store_true", help="do not read .gitignore")
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None,
                          help="progress bar on stderr (default: when stderr is a terminal and "
                          f"there are {_PROGRESS_THRESHOLD}+ files)")
    progress.add_argument("--no-progress", dest="progress", action="store_false")
    args = parser.parse_args(argv)
    if args.depth < 1:
        parser.error("--depth must be at least 1")
    missing = missing_paths(args.paths)
    if missing:
        parser.error(f"no such file or directory: {', '.join(missing)}")
    if args.config is not None and not args.config.is_file():
        parser.error(f"--config {args.config}: no such file")
    stderr = sys.stderr
    walk = {"exclude": args.exclude, "respect_gitignore": not args.no_gitignore}
    try:
        files = sum(1 for root in args.paths for _ in python_files(root, **walk))
        if args.progress is None:
            enabled = stderr.isatty() and files >= _PROGRESS_THRESHOLD
        else:
            enabled = args.progress
        bar = _Progress(files, stderr, enabled)
        groups, errors = census(args.paths, args.depth, bar, pyproject=args.config, **walk)
    except ConfigurationError as exc:
        print(f"scopeguard report: configuration error: {exc}", file=stderr)
        return 2
    totals = _totals(groups)
    if args.json:
        document = {
            "paths": [p.as_posix() for p in args.paths],
            "groups": [g.as_json() for g in groups],
            "totals": [t.as_json() for t in totals],
            "errors": errors,
        }
        print(json.dumps(document, indent=2))
    else:
        print(render_table(groups, totals) if groups else "no Python files found")
        for error in errors:
            print(f"skipped {error['path']}: {error['error']}", file=stderr)
    return 0
