"""Runs mypy (in-process) and pyright on case files and compares with their inline expectations.

A case file keeps each expectation on the line it is about, after the code::

    save_order(platform)  # E: Argument 1 to "save_order" is ...  [scopeguard-scope-mismatch]
    reveal_type(x)  # N: Revealed type is "..."

``# E:`` is an error, ``# N:`` a note, ``# E?:`` an error only some mypy versions report (it may be
missing, never different); several may follow one another on a line. The text is the
message exactly as mypy prints it, then two spaces and the ``[code]`` for errors. A message that
ends in ``...`` matches every message starting with the text before it (the code must still be
exact), so long messages are pinned once in full and abbreviated elsewhere.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mypy import api as mypy_api

HERE = Path(__file__).parent
REPO = HERE.parent.parent
SRC = REPO / "src"
CASES = HERE / "cases"
PLAIN = HERE / "plain"
STUBS = HERE / "stubs"

_EXPECT = re.compile(r"#\s*([EN]\??):\s*(.*?)\s*(?=#\s*[EN]\??:|$)")
_REPORTED = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<severity>error|note): (?P<text>.*)$")


@dataclass(frozen=True, order=True)
class Diagnostic:
    line: int
    severity: str  # "E" or "N"; in expectations also "E?" (optional)
    text: str  # the message, and for errors "  [code]"

    def matches(self, expected: Diagnostic) -> bool:
        if (self.line, self.severity) != (expected.line, expected.severity.rstrip("?")):
            return False
        want = expected.text
        message, code = _split_code(want)
        if message.endswith("..."):
            have_message, have_code = _split_code(self.text)
            return have_code == code and have_message.startswith(message[:-3].rstrip())
        return self.text == want

    def __str__(self) -> str:
        return f"{self.line}: {self.severity}: {self.text}"


def _split_code(text: str) -> tuple[str, str]:
    m = re.search(r"\s\s\[([a-z0-9-]+)\]$", text)
    return (text[: m.start()], m.group(1)) if m else (text, "")


def expectations(path: Path) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        for severity, text in _EXPECT.findall(line):
            out.append(Diagnostic(number, severity, text))
    return out


def parse_mypy(stdout: str) -> dict[str, list[Diagnostic]]:
    """mypy's output grouped by file (resolved path)."""
    found: dict[str, list[Diagnostic]] = {}
    for line in stdout.splitlines():
        m = _REPORTED.match(line)
        if m is None:
            continue
        severity = "E" if m["severity"] == "error" else "N"
        path = str(Path(m["path"]).resolve())
        found.setdefault(path, []).append(Diagnostic(int(m["line"]), severity, m["text"]))
    return found


def compare(path: Path, actual: Iterable[Diagnostic], *, strict_notes: bool = True) -> list[str]:
    """Human-readable differences between a case file's expectations and what was reported.

    With ``strict_notes=False``, notes on lines that expect none (mypy's list of overload
    variants, for instance) are not differences."""
    expected = expectations(path)
    remaining = list(actual)
    if not strict_notes:
        noted = {d.line for d in expected if d.severity == "N"}
        remaining = [d for d in remaining if d.severity == "E" or d.line in noted]
    # Required expectations first, so an optional one never takes a required one's match.
    expected.sort(key=lambda d: d.severity.endswith("?"))
    problems: list[str] = []
    for want in expected:
        hit = next((have for have in remaining if have.matches(want)), None)
        if hit is None:
            if not want.severity.endswith("?"):
                problems.append(f"missing   {path.name}:{want}")
        else:
            remaining.remove(hit)
    problems.extend(f"unexpected {path.name}:{have}" for have in remaining)
    return problems


def write_project(
    root: Path,
    *,
    plugin: bool = True,
    scopeguard: str = 'factory-modules = ["cases.composition"]',
    extra_mypy: str = "",
) -> Path:
    """A pyproject for a test project in ``root``: the repo on mypy_path, stand-in stubs, and
    ``follow_imports = silent`` for scopeguard itself (its own errors are not the cases')."""
    plugins = 'plugins = ["scopeguard.mypy_plugin"]\n' if plugin else ""
    text = textwrap.dedent(
        f"""\
        [tool.mypy]
        {plugins.strip()}
        strict = true
        mypy_path = ["{SRC.as_posix()}", "{STUBS.as_posix()}"]
        warn_unused_ignores = true
        {extra_mypy.strip()}

        [[tool.mypy.overrides]]
        module = ["scopeguard", "scopeguard.*"]
        follow_imports = "silent"

        [tool.scopeguard]
        {scopeguard.strip()}
        """
    )
    pyproject = root / "pyproject.toml"
    pyproject.write_text(text)
    return pyproject


def copy_cases(source: Path, root: Path) -> Path:
    target = root / source.name
    shutil.copytree(source, target)
    return target


def run_mypy(pyproject: Path, cache_dir: Path, *targets: Path) -> tuple[str, int]:
    """One in-process mypy run; returns (stdout + stderr, exit status)."""
    stdout, stderr, status = mypy_api.run(
        [
            "--config-file",
            str(pyproject),
            "--cache-dir",
            str(cache_dir),
            "--no-error-summary",
            "--show-traceback",
            "--no-pretty",
            *(str(t) for t in targets),
        ]
    )
    return stdout + stderr, status


def pyright_executable() -> str | None:
    candidate = Path(sys.executable).with_name("pyright")
    return str(candidate) if candidate.exists() else shutil.which("pyright")


def run_pyright(root: Path, *targets: Path) -> subprocess.CompletedProcess[str]:
    exe = pyright_executable()
    assert exe is not None
    config = root / "pyrightconfig.json"
    config.write_text(
        '{"typeCheckingMode": "strict", "reportMissingModuleSource": false, '
        f'"extraPaths": ["{SRC.as_posix()}"], "pythonVersion": "3.11"}}'
    )
    return subprocess.run(
        [exe, "--pythonpath", sys.executable, "--project", str(config), *map(str, targets)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
    )
