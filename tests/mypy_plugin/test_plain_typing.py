"""The scope types work without the plugin, in mypy and in pyright.

``plain/`` cases are checked by mypy with no plugin configured (exact expectations) and by pyright
in strict mode (an error on exactly the lines with an ``# E:`` expectation: pyright words its
messages differently).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy_harness import (
    PLAIN,
    compare,
    copy_cases,
    expectations,
    parse_mypy,
    pyright_executable,
    run_mypy,
    run_pyright,
    write_project,
)

PLAIN_FILES = sorted(p for p in PLAIN.glob("*.py") if p.name != "__init__.py")


def test_mypy_without_plugin(tmp_path: Path) -> None:
    plain = copy_cases(PLAIN, tmp_path)
    output, _ = run_mypy(write_project(tmp_path, plugin=False), tmp_path / "cache", plain)
    reported = parse_mypy(output)
    problems = [
        problem
        for source in PLAIN_FILES
        for problem in compare(
            plain / source.name,
            reported.get(str((plain / source.name).resolve()), []),
            strict_notes=False,
        )
    ]
    assert not problems, "\n".join(problems)


def _pyright_runs() -> bool:
    exe = pyright_executable()
    if exe is None:
        return False
    import subprocess

    try:
        done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and "pyright" in done.stdout


@pytest.mark.skipif(
    not _pyright_runs(),
    reason="pyright is not installed or cannot start offline (it fetches Node.js on first use)",
)
def test_pyright_agrees_on_the_lines(tmp_path: Path) -> None:
    plain = copy_cases(PLAIN, tmp_path)
    done = run_pyright(tmp_path, plain)
    errors: dict[str, set[int]] = {}
    for line in done.stdout.splitlines():
        m = re.match(r"\s*(?P<path>/.+\.py):(?P<line>\d+):\d+ - error: ", line)
        if m:
            errors.setdefault(str(Path(m["path"]).resolve()), set()).add(int(m["line"]))
    for source in PLAIN_FILES:
        target = str((plain / source.name).resolve())
        expected = {d.line for d in expectations(source) if d.severity.startswith("E")}
        shown = "\n".join(line[:300] for line in done.stdout.splitlines())
        assert errors.get(target, set()) == expected, shown
