"""``docs/mypy.md`` shows a module and mypy's output on it: run it, the output must be the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy_harness import REPO, parse_mypy, run_mypy, write_project

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


UNANNOTATED = """\
import boto3


def legacy_handler(event, context):
    return boto3.client("s3").list_buckets()


def typed_handler(event: dict[str, str]) -> object:
    return boto3.client("s3").list_buckets()
"""


@pytest.mark.parametrize(
    ("flags", "lines"),
    [("", [9]), ("check_untyped_defs = true", [5, 9])],
)
def test_unannotated_functions_need_check_untyped_defs(
    tmp_path: Path, flags: str, lines: list[int]
) -> None:
    # What the CI recipe in docs/mypy.md says: mypy skips the bodies of unannotated functions,
    # so the plugin sees their raw clients only with check_untyped_defs (part of strict).
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").touch()
    (app / "handlers.py").write_text(UNANNOTATED)
    pyproject = write_project(tmp_path, scopeguard='factory-modules = ["app.composition"]')
    pyproject.write_text(pyproject.read_text().replace("strict = true", flags))
    output, _ = run_mypy(pyproject, tmp_path / "cache", app)
    reported = parse_mypy(output).get(str((app / "handlers.py").resolve()), [])
    assert [d.line for d in reported if d.text.endswith("[scopeguard-raw-client]")] == lines
    assert "check_untyped_defs" in _ci_recipe()


def _ci_recipe() -> str:
    text = DOC.read_text()
    start = text.index("## CI and pre-commit")
    return text[start : text.index("\n## ", start + 1)]
