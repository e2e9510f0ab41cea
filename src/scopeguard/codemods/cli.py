"""``scopeguard migrate``: run the codemods over a tree, show or write the change, report per site.

    scopeguard migrate src/                 # unified diff on stdout, writes nothing
    scopeguard migrate --write src/         # rewrite the files in place
    scopeguard migrate --check src/         # CI: exit 1 if anything would change
    scopeguard migrate --plan src/          # the change cut into review batches of ~20 files
    scopeguard migrate --write --batch 2 src/

Exit status: 0 done (``--check``: nothing would change), 1 (``--check`` only) something would
change, 2 an internal error or a configuration error. A file that does not parse is reported as
skipped with the parser's reason and never fails the run.
"""

from __future__ import annotations

import argparse
import difflib
import json
import multiprocessing
import os
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Final

from .._config import load_config
from .._exceptions import ConfigurationError
from ._files import discover, missing_paths
from ._migration import FileResult, could_have_sites, migrate_source
from ._settings import FactoryAccessor, MigrateSettings, ScopeRule

__all__ = ["main"]

EXIT_OK: Final = 0
EXIT_WOULD_CHANGE: Final = 1
EXIT_ERROR: Final = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scopeguard migrate",
        description="Rewrite ad hoc boto3/botocore client creation into ClientFactory calls.",
    )
    parser.add_argument("paths", nargs="*", default=["."], help="files or directories (default .)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", dest="mode", action="store_const", const="diff",
                      help="print a unified diff and write nothing (the default)")
    mode.add_argument("--write", dest="mode", action="store_const", const="write",
                      help="rewrite the files in place")
    mode.add_argument("--check", dest="mode", action="store_const", const="check",
                      help="exit 1 if any file would change (for CI); writes nothing")
    mode.add_argument("--plan", dest="mode", action="store_const", const="plan",
                      help="print the review batches (see --batch-size) and exit")
    parser.add_argument("-j", "--jobs", type=int, default=0,
                        help="worker processes (default: one per CPU; 1 runs in-process)")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="skip matching paths (repeatable; added to the config's exclude)")
    parser.add_argument("--exclude-tests", action="store_true", default=None,
                        help="skip tests/ directories, test_*.py, *_test.py and conftest.py")
    parser.add_argument("--no-gitignore", action="store_true", help="do not read .gitignore")
    parser.add_argument("--no-prefilter", action="store_true",
                        help="parse every file, even those never naming an AWS SDK")
    parser.add_argument("--factory", metavar="SPEC",
                        help="'module:accessor' or an expression; overrides the config")
    parser.add_argument("--scope", action="append", default=[], metavar="GLOB=CALL",
                        help="e.g. 'app/tenants/*=tenant(request.tenant_id)'; first match wins")
    parser.add_argument("--endpoint-url", choices=("todo", "drop"),
                        help="per-client endpoint_url: mark it (todo) or drop it")
    parser.add_argument("--batch-size", type=int, metavar="N", help="files per review batch")
    parser.add_argument("--batch", type=int, metavar="K",
                        help="only show/write the K-th batch (1-based) of changed files")
    parser.add_argument("--report", choices=("text", "json"), default="text",
                        help="json: one record per site (rewritten / todo / skipped)")
    parser.add_argument("--json", dest="report", action="store_const", const="json",
                        help="the same as --report json (the spelling `scopeguard report` uses)")
    parser.add_argument("--report-file", metavar="PATH",
                        help="write the --report json there instead of stdout")
    parser.add_argument("--config", metavar="PYPROJECT", help="pyproject.toml to read")
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None,
                          help="progress bar on stderr (default: when stderr is a terminal)")
    progress.add_argument("--no-progress", dest="progress", action="store_false")
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    return parser


def _settings(options: argparse.Namespace) -> MigrateSettings:
    start = options.config or (options.paths[0] if options.paths else ".")
    config = load_config(start, pyproject=options.config)
    settings = MigrateSettings.from_config(config)
    changes: dict[str, object] = {}
    if options.factory:
        changes["factory"] = FactoryAccessor.parse(options.factory, "--factory")
    if options.scope:
        rules = []
        for item in options.scope:
            pattern, sep, call = item.partition("=")
            if not sep:
                raise ConfigurationError(f"--scope {item!r}: write GLOB=CALL")
            rules.append(ScopeRule.parse(pattern, call, "--scope"))
        changes["scopes"] = (*rules, *settings.scopes)
    if options.endpoint_url:
        changes["endpoint_url"] = options.endpoint_url
    if options.batch_size is not None:
        if options.batch_size < 1:
            raise ConfigurationError("--batch-size must be at least 1")
        changes["batch_size"] = options.batch_size
    if options.exclude_tests:
        changes["exclude_tests"] = True
    return replace(settings, **changes)  # type: ignore[arg-type]


# -- per-file work (runs in worker processes) -------------------------------------------------

_WORKER_SETTINGS: MigrateSettings | None = None
_WORKER_PREFILTER = True


def _init_worker(settings: MigrateSettings, prefilter: bool) -> None:
    global _WORKER_SETTINGS, _WORKER_PREFILTER
    _WORKER_SETTINGS, _WORKER_PREFILTER = settings, prefilter


@dataclass
class _Outcome:
    result: FileResult
    error: str | None = None
    parsed: bool = False


def _migrate_file(path: str) -> _Outcome:
    settings = _WORKER_SETTINGS or MigrateSettings()
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            source = handle.read()
    except UnicodeDecodeError:
        return _Outcome(FileResult(path, "", "", skipped="not UTF-8 text"))
    except OSError as exc:
        return _Outcome(FileResult(path, "", "", skipped=f"cannot read: {exc.strerror}"))
    if not _WORKER_PREFILTER and not could_have_sites(source):
        # Benchmark mode: pay for the parse the pre-filter would have saved.
        import libcst as cst

        try:
            cst.parse_module(source)
        except cst.ParserSyntaxError:
            pass
        return _Outcome(FileResult(path, "", ""), parsed=True)
    try:
        result = migrate_source(source, path, settings)
    except Exception:  # an internal error: report it, finish the run, exit 2
        return _Outcome(FileResult(path, "", ""), error=traceback.format_exc(limit=6))
    if not result.changed:
        result.original = result.migrated = ""  # unchanged text need not cross processes
    return _Outcome(result, parsed=not result.filtered and result.skipped is None)


def _run(
    files: list[str], settings: MigrateSettings, jobs: int, prefilter: bool
) -> Iterator[_Outcome]:
    if jobs <= 1 or len(files) < 4:
        _init_worker(settings, prefilter)
        yield from map(_migrate_file, files)
        return
    # fork starts workers with LibCST already imported; spawn where fork does not exist.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(
        jobs, initializer=_init_worker, initargs=(settings, prefilter)
    ) as pool:
        yield from pool.imap_unordered(_migrate_file, files, chunksize=16)


# -- reporting --------------------------------------------------------------------------------


class _Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, enabled: bool, stream: IO[str]) -> None:
        self.total, self.enabled, self.stream = total, enabled and total > 0, stream
        self.done, self._drawn = 0, 0.0

    def advance(self) -> None:
        self.done += 1
        now = time.monotonic()
        if self.enabled and (now - self._drawn > 0.1 or self.done == self.total):
            self._drawn = now
            width = 30
            filled = width * self.done // self.total
            bar = "#" * filled + "." * (width - filled)
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} files")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


@dataclass
class _Totals:
    files: int = 0
    parsed: int = 0
    filtered: int = 0
    changed: int = 0
    skipped: int = 0
    errors: int = 0
    rewritten: int = 0
    unmarked: int = 0
    todo_sites: int = 0
    todo_lines: int = 0
    todo: Counter[str] = field(default_factory=Counter)
    runtime: Counter[str] = field(default_factory=Counter)
    lines_removed: int = 0
    seconds: float = 0.0

    def add(self, outcome: _Outcome) -> None:
        result = outcome.result
        self.files += 1
        self.parsed += outcome.parsed
        self.filtered += result.filtered
        self.changed += result.changed
        self.skipped += result.skipped is not None
        self.errors += outcome.error is not None
        self.lines_removed += result.lines_removed
        self.unmarked += len(result.unmarked)
        self.todo.update(result.markers_added)
        self.todo_lines += result.marker_lines_added
        for site in result.sites:
            if site.outcome == "rewritten":
                self.rewritten += 1
                self.runtime.update(site.runtime)
            elif site.code is not None:
                self.todo_sites += 1

    def as_dict(self) -> dict[str, object]:
        return {
            "files": self.files,
            "files_parsed": self.parsed,
            "files_prefiltered": self.filtered,
            "files_changed": self.changed,
            "files_skipped": self.skipped,
            "internal_errors": self.errors,
            "sites_rewritten": self.rewritten,
            "todo_sites": self.todo_sites,
            "todo_markers": self.todo_lines,
            "todo_by_code": dict(sorted(self.todo.items())),
            "unmarked_findings": self.unmarked,
            "runtime_changes": dict(sorted(self.runtime.items())),
            "boilerplate_lines_removed": self.lines_removed,
            "seconds": round(self.seconds, 3),
        }

    def text(self, mode: str) -> str:
        todo = ", ".join(f"{code} {n}" for code, n in sorted(self.todo.items()))
        verb = "changed" if mode == "write" else "would change"
        rate = self.files / self.seconds if self.seconds else 0.0
        return (
            f"scopeguard migrate: {self.files} files ({self.filtered} pre-filtered, "
            f"{self.parsed} parsed) in {self.seconds:.2f}s ({rate:.0f} files/s)\n"
            f"  {self.rewritten} sites rewritten, {self.todo_lines} TODO markers"
            f"{f' (codes: {todo})' if todo else ''}, {self.skipped} files skipped, "
            f"{self.lines_removed} boilerplate lines removed; {self.changed} files {verb}"
            + (f"\n  {self.errors} internal errors" if self.errors else "")
            + (
                f"\n  {self.unmarked} lint findings without a marker (fix them or add "
                "`# noqa: SG0xx`; --check fails on them)"
                if self.unmarked
                else ""
            )
            + "".join(f"\n  at run time, {n} sites: {change}" for change, n in self.runtime.items())
            + (
                "\n  at run time, every rewritten site: AWS_ENDPOINT_URL is ignored (the factory "
                "pins endpoints), and the factory calls STS GetCallerIdentity once unless "
                "account_id is configured"
                if self.rewritten
                else ""
            )
        )


def _diff(result: FileResult) -> str:
    return "".join(
        difflib.unified_diff(
            result.original.splitlines(True),
            result.migrated.splitlines(True),
            f"a/{result.path}",
            f"b/{result.path}",
        )
    )


def _batches(results: Sequence[FileResult], size: int) -> list[list[FileResult]]:
    changed = sorted((r for r in results if r.changed), key=lambda r: r.path)
    return [changed[i : i + size] for i in range(0, len(changed), size)]


def _records(outcomes: Iterable[_Outcome]) -> Iterator[dict[str, object]]:
    for outcome in outcomes:
        result = outcome.result
        if outcome.error is not None:
            last = outcome.error.strip().splitlines()[-1]
            yield {"path": result.path, "line": 0, "column": 0, "outcome": "skipped",
                   "code": None, "reason": f"internal error: {last}"}
        elif result.skipped is not None:
            yield {"path": result.path, "line": 0, "column": 0, "outcome": "skipped",
                   "code": None, "reason": result.skipped}
        for site in result.sites:
            yield site.as_dict()


def _unwritable(path: str) -> str | None:
    """Why ``path`` cannot take the report, checked before the run rather than after it.

    The file is opened for appending (and removed again if this made it): permission bits say
    nothing for root, ACLs or read-only file systems, where only the attempt tells."""
    target = Path(path)
    if target.is_dir():
        return "is a directory"
    existed = target.exists()
    try:
        with target.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    if not existed:
        target.unlink()
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``scopeguard migrate``; returns the exit status."""
    options = _parser().parse_args(argv)
    mode = options.mode or "diff"
    missing = missing_paths(options.paths)
    if missing:
        print(f"scopeguard migrate: no such file or directory: {', '.join(missing)}",
              file=sys.stderr)
        return EXIT_ERROR
    if options.report_file and (problem := _unwritable(options.report_file)):
        print(f"scopeguard migrate: --report-file {options.report_file}: {problem}",
              file=sys.stderr)
        return EXIT_ERROR
    try:
        settings = _settings(options)
    except ConfigurationError as exc:
        print(f"scopeguard migrate: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if not options.factory and "factory" not in settings.config.tool("migrate"):
        print(
            "scopeguard migrate: warning: no factory configured ([tool.scopeguard.migrate] "
            f"factory = \"myapp.aws:get_factory\", or --factory); sites are rewritten to "
            f"`{settings.factory.expression}.<scope>` only where a name "
            f"`{settings.factory.expression}` is bound, and marked SG001 elsewhere",
            file=sys.stderr,
        )
    started = time.perf_counter()
    exclude = [*settings.exclude, *options.exclude]
    # With the project's own test-paths the walker cannot prune test directories by name: the
    # patterns are matched against each file, relative to the pyproject.
    custom_tests = settings.exclude_tests and "test-paths" in settings.config.raw
    files = [
        str(p)
        for p in discover(
            options.paths,
            exclude=exclude,
            exclude_tests=settings.exclude_tests and not custom_tests,
            respect_gitignore=not options.no_gitignore,
        )
        if not (custom_tests and settings.is_test(p))
    ]
    jobs = options.jobs if options.jobs > 0 else (os.cpu_count() or 1)
    show_progress = sys.stderr.isatty() if options.progress is None else options.progress
    progress = _Progress(len(files), show_progress, sys.stderr)
    totals = _Totals()
    outcomes: list[_Outcome] = []
    for outcome in _run(files, settings, jobs, prefilter=not options.no_prefilter):
        outcomes.append(outcome)
        totals.add(outcome)
        progress.advance()
    progress.close()
    outcomes.sort(key=lambda o: o.result.path)
    for outcome in outcomes:
        if outcome.error is not None:
            print(f"scopeguard migrate: internal error on {outcome.result.path}:\n{outcome.error}",
                  file=sys.stderr)

    results = [o.result for o in outcomes]
    batches = _batches(results, settings.batch_size)
    selected = {r.path for r in results if r.changed}
    if options.batch is not None:
        if not 1 <= options.batch <= max(len(batches), 1):
            print(f"scopeguard migrate: --batch {options.batch}: there are {len(batches)} batches",
                  file=sys.stderr)
            return EXIT_ERROR
        selected = {r.path for r in batches[options.batch - 1]} if batches else set()

    json_to_stdout = options.report == "json" and not options.report_file
    if mode == "plan":
        for number, batch in enumerate(batches, 1):
            sites = sum(len(r.sites) for r in batch)
            print(f"batch {number}: {len(batch)} files, {sites} sites")
            for r in batch:
                print(f"  {r.path}")
    elif mode == "diff" and not json_to_stdout:
        for result in results:
            if result.path in selected:
                sys.stdout.write(_diff(result))
    elif mode == "write":
        for result in results:
            if result.path in selected:
                with open(result.path, "w", encoding="utf-8", newline="") as handle:
                    handle.write(result.migrated)
    elif mode == "check" and not options.quiet:
        for result in results:
            if result.changed:
                print(f"would migrate {result.path}", file=sys.stderr)
            for finding in result.unmarked:
                print(f"{result.path}:{finding.line}: {finding.code} {finding.reason} "
                      "(no marker)", file=sys.stderr)
    totals.seconds = time.perf_counter() - started

    if options.report == "json":
        document = {
            "summary": totals.as_dict(),
            "batches": [[r.path for r in b] for b in batches],
            "sites": list(_records(outcomes)),
        }
        text = json.dumps(document, indent=2) + "\n"
        if options.report_file:
            try:
                Path(options.report_file).write_text(text, encoding="utf-8")
            except OSError as exc:
                print(f"scopeguard migrate: --report-file {options.report_file}: "
                      f"{exc.strerror or exc}", file=sys.stderr)
                return EXIT_ERROR
        else:
            sys.stdout.write(text)
    if not options.quiet:
        print(totals.text(mode), file=sys.stderr)
    if totals.errors:
        return EXIT_ERROR
    if mode == "check" and (totals.changed or totals.unmarked):
        return EXIT_WOULD_CHANGE
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
