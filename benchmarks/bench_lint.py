"""flake8 with and without the scopeguard SG rules on the same large tree, side by side.

    python benchmarks/bench_lint.py [TREE ...] [--repeat N] [--jobs N]

Method. Both configurations run the same flake8, flags and files in a fresh interpreter:
``flake8 --exit-zero -j N --select E,F,W,C90,SG TREE...``. The baseline removes scopeguard from
flake8's plugin discovery (``flake8.plugins.finder.find_plugins`` filtered in the child process),
so it neither imports nor runs the plugin: the difference is everything the plugin costs (import,
option parsing, the pre-filter on every file, the AST walk on files that pass it). Ignoring codes
(``--extend-ignore=SG``) would not be fair: flake8 still runs an ignored plugin. Runs alternate
(baseline, plugin, baseline, plugin, ...) so that noise from other processes on the machine hits
both; the best run of each is compared, as ``timeit`` recommends. CPU time (user + system of
the flake8 process) is printed next to wall time: on a shared machine it is the steadier measure
of the same work, since waiting for a core counts in wall time only.

The default tree is the installed moto, botocore, boto3, s3transfer, libcst, hypothesis and mypy
packages of the running environment (about 2,200 files): AWS-heavy code where the pre-filter
lets most files through, next to code that never mentions AWS.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import resource
import subprocess
import sys
import sysconfig
import time
from datetime import UTC, datetime
from pathlib import Path

_CHILD = """
import sys
from flake8.main import cli
from flake8.plugins import finder

if sys.argv[1] == "without":
    _find = finder.find_plugins

    def find_plugins(cfg, opts):
        return [p for p in _find(cfg, opts) if p.package != "scopeguard"]

    finder.find_plugins = find_plugins
sys.exit(cli.main(sys.argv[2:]))
"""

DEFAULT_PACKAGES = ("moto", "botocore", "boto3", "s3transfer", "libcst", "hypothesis", "mypy")


def default_tree() -> list[Path]:
    site = Path(sysconfig.get_paths()["purelib"])
    return [site / name for name in DEFAULT_PACKAGES if (site / name).is_dir()]


def python_files(trees: list[Path]) -> list[Path]:
    return [p for tree in trees for p in sorted(tree.rglob("*.py"))]


def run(mode: str, trees: list[Path], jobs: int) -> tuple[float, float]:
    """Wall time and CPU time (user + system of the child and its workers) of one flake8 run."""
    args = [
        sys.executable,
        "-c",
        _CHILD,
        mode,
        "--isolated",
        "--exit-zero",
        f"-j{jobs}",
        "--select=E,F,W,C90,SG",
        *map(str, trees),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def prefilter_stats(files: list[Path]) -> tuple[int, int, int]:
    """Files that pass the pre-filter, and SG findings, using the checker without flake8."""
    from scopeguard.lint_rules import LintSettings, check_tree
    from scopeguard.lint_rules._checker import might_matter

    settings = LintSettings()
    passed = findings = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if not might_matter(text, settings.config.naming):
            continue
        passed += 1
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        result = check_tree(tree, text.splitlines(True), path, settings, prefiltered=True)
        findings += len(result.reported)
    return len(files), passed, findings


def plugin_cpu(files: list[Path], repeat: int) -> float:
    """CPU seconds of the plugin's own work on already-parsed files (best of ``repeat``): the
    settings (nearest pyproject, the project index), the pre-filter on every file, the walk and
    the rules on those that pass. A cross-check of the flake8 difference that no other process on
    the machine can disturb much, since it is one process's CPU time."""
    import scopeguard.lint_rules._checker as checker
    from scopeguard.lint_rules import check_tree, settings_for

    parsed = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            parsed.append((path, ast.parse(text), text.splitlines(True)))
        except SyntaxError:
            continue
    best = float("inf")
    for _ in range(repeat):
        # Every round pays for the settings and the project index again, as a fresh run does.
        checker._settings_for_pyproject.cache_clear()
        checker._nearest_pyproject.cache_clear()
        checker._nearest_root.cache_clear()
        start = time.process_time()
        for path, tree, lines in parsed:
            check_tree(tree, lines, path, settings_for(path))
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--plugin-only", action="store_true", help="only the plugin's own CPU time, no flake8"
    )
    args = parser.parse_args()
    trees = args.trees or default_tree()
    files, passed, findings = prefilter_stats(python_files(trees))
    print(f"tree: {', '.join(str(t) for t in trees)}")
    print(f"files: {files}, past the pre-filter: {passed} ({passed / files:.0%}), ", end="")
    print(f"SG findings: {findings}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"python {platform.python_version()}, jobs={args.jobs}, "
        f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(f"plugin's own CPU on the parsed files: {plugin_cpu(python_files(trees), 3):.2f} s")
    if args.plugin_only:
        return
    runs: dict[str, list[tuple[float, float]]] = {"without": [], "with": []}
    for i in range(args.repeat):
        for mode in ("without", "with"):
            runs[mode].append(run(mode, trees, args.jobs))
        (w0, c0), (w1, c1) = runs["without"][-1], runs["with"][-1]
        print(
            f"  run {i + 1}: without SG {w0:7.2f} s wall {c0:7.2f} s CPU   "
            f"with SG {w1:7.2f} s wall {c1:7.2f} s CPU   (load {os.getloadavg()[0]:.1f})"
        )
    for index, label in ((1, "CPU"), (0, "wall")):
        best_without = min(r[index] for r in runs["without"])
        best_with = min(r[index] for r in runs["with"])
        ratio = best_with / best_without
        print(
            f"best {label}: without SG {best_without:.2f} s, with SG {best_with:.2f} s, "
            f"ratio {ratio:.3f} ({ratio - 1:+.1%}; target <= +10%)"
        )


if __name__ == "__main__":
    main()
