"""Every place a project might create an AWS client, and whether the SG rules flag it.

    python benchmarks/lint_sites.py TREE [TREE ...] [--list flagged|unflagged|all]

For each tree (a checked-out project), every production file (outside the project's
``test-paths`` and outside ``docs/``, ``examples/``, ``benchmarks/``, ``integ/``, ``functional/``,
``unit/``, ``testing/``, ``fixtures/``) is parsed; a *site* is every ``X.client(...)``,
``X.resource(...)`` and ``X.create_client(...)`` call. Each is run through the same checker as the
flake8 plugin, with the project's own settings (nearest pyproject, or setup.py directory), and
printed grouped by the shape of its receiver (``local_session()``, ``self.boto_session``...)
with how many of the group are flagged. Which groups create AWS clients and which only look like
it is a judgement made by reading them (``--list`` prints the lines); ``docs/lint.md`` records
the result for eight projects. Test files are counted apart, with and without the exemption.
"""

from __future__ import annotations

import argparse
import ast
import re
from collections import Counter
from fnmatch import fnmatch
from pathlib import Path

from scopeguard.lint_rules import check_file, settings_for

_NOT_PRODUCTION = (
    "docs/*", "*/docs/*", "doc/*", "*/doc/*", "examples/*", "*/examples/*", "benchmarks/*",
    "*/integ/*", "*/functional/*", "*/unit/*", "*/testing/*", "testing/*", "*/fixtures/*",
)
_METHODS = frozenset({"client", "resource", "create_client"})


def _shape(receiver: ast.expr) -> str:
    return re.sub(r"\(.*\)", "()", ast.unparse(receiver))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--list", choices=("flagged", "unflagged", "all"))
    args = parser.parse_args()
    for tree in args.trees:
        groups: Counter[tuple[str, bool]] = Counter()
        totals: Counter[str] = Counter()
        for path in sorted(tree.rglob("*.py")):
            rel = path.relative_to(tree).as_posix()
            settings = settings_for(path)
            try:
                source = path.read_text(encoding="utf-8", errors="replace")
                parsed = ast.parse(source)
            except (SyntaxError, ValueError):
                continue
            if settings.is_test(path):
                totals["test files"] += 1
                totals["test findings, exempt"] += len(check_file(path, settings).reported)
                everything = check_file(path, settings, tests_exempt=False)
                totals["test findings, not exempt"] += len(everything.reported)
                continue
            if any(fnmatch(rel, pattern) for pattern in _NOT_PRODUCTION):
                continue
            totals["production files"] += 1
            flagged = {(r.finding.line, r.finding.col) for r in check_file(path, settings).reported}
            lines = source.splitlines()
            for node in ast.walk(parsed):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                    continue
                if node.func.attr not in _METHODS:
                    continue
                hit = (node.lineno, node.col_offset) in flagged
                groups[(f"{_shape(node.func.value)}.{node.func.attr}", hit)] += 1
                totals["sites"] += 1
                totals["flagged"] += hit
                if args.list == "all" or args.list == ("flagged" if hit else "unflagged"):
                    print(f"  {rel}:{node.lineno}: {lines[node.lineno - 1].strip()[:100]}")
        print(f"{tree}: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
        for (shape, hit), count in sorted(groups.items(), key=lambda kv: -kv[1]):
            print(f"  {count:6d}  {'flagged' if hit else 'not flagged':11s}  {shape}")


if __name__ == "__main__":
    main()
