"""``docs/mypy.md`` shows a module and mypy's output on it: run it, the output must be the same."""

from __future__ import annotations

import re
from pathlib import Path

from mypy_harness import REPO, run_mypy, write_project

DOC = REPO / "docs" / "mypy.md"
_EXAMPLE = re.compile(
    r"<!-- mypy-example: (?P<path>\S+) -->\s*```python\n(?P<code>.*?)```.*?"
    r"<!-- mypy-output -->\s*```text\n(?P<output>.*?)```",
    re.DOTALL,
)


def test_docs_examples_print_what_the_docs_say(tmp_path: Path) -> None:
    examples = list(_EXAMPLE.finditer(DOC.read_text()))
    assert examples, "docs/mypy.md has no mypy example"
    for example in examples:
        target = tmp_path / example["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        (target.parent / "__init__.py").touch()
        target.write_text(example["code"])
        pyproject = write_project(tmp_path, scopeguard='factory-modules = ["app.composition"]')
        output, _ = run_mypy(pyproject, tmp_path / "cache", target.parent)
        got = [line.replace(str(tmp_path) + "/", "") for line in output.splitlines()]
        assert got == example["output"].splitlines()
