"""Files that must type-check the same with the plugin and without it.

``generic_scopes.py``: code generic over the scope gets the same revealed types and errors on
the same lines in both modes, under the same code family (``scopeguard-scope-mismatch`` is a
sub-code of ``arg-type``). ``ignore_comments.py``: ignore comments that hold in both modes under
``warn_unused_ignores`` (the plugin run is the shared ``case_run``; it must be silent too).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import errorcodes
from mypy_harness import CASES, Diagnostic, compare, copy_cases, parse_mypy, run_mypy, write_project

from scopeguard.mypy_plugin._errors import SCOPE_MISMATCH

BOTH_MODES = ("generic_scopes.py", "ignore_comments.py")


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[Diagnostic]]]:
    root = tmp_path_factory.mktemp("mypy-no-plugin")
    cases = copy_cases(CASES, root)
    pyproject = write_project(root, plugin=False)
    output, _ = run_mypy(pyproject, root / ".mypy_cache", *(cases / name for name in BOTH_MODES))
    assert "Traceback" not in output, output
    return cases, parse_mypy(output)


def _shape(diagnostics: list[Diagnostic]) -> list[tuple[int, str, str]]:
    """(line, severity, the note's text or the error's code family) per diagnostic."""
    shape = []
    for d in diagnostics:
        if d.severity == "N":
            shape.append((d.line, d.severity, d.text))
            continue
        code = d.text.rsplit("[", 1)[-1].rstrip("]")
        known = errorcodes.error_codes.get(code)
        parent = known.sub_code_of if known is not None else None
        shape.append((d.line, d.severity, parent.code if parent is not None else code))
    return sorted(shape)


def test_scope_mismatch_is_a_sub_code_of_arg_type() -> None:
    assert SCOPE_MISMATCH.sub_code_of is errorcodes.ARG_TYPE


@pytest.mark.parametrize("name", BOTH_MODES)
def test_same_diagnostics_with_and_without_the_plugin(
    name: str,
    case_run: tuple[Path, dict[str, list[Diagnostic]]],
    plain_run: tuple[Path, dict[str, list[Diagnostic]]],
) -> None:
    cases, with_plugin = case_run
    plain, without = plain_run
    reported = with_plugin.get(str((cases / name).resolve()), [])
    plain_reported = without.get(str((plain / name).resolve()), [])
    # The plugin run is pinned message by message by the file's own expectations...
    assert not compare(cases / name, reported)
    # ...and plain mypy reports on the same lines, the same types and the same code families.
    assert _shape(plain_reported) == _shape(reported), "\n".join(map(str, plain_reported))


def test_generic_file_exercises_both_families(
    case_run: tuple[Path, dict[str, list[Diagnostic]]],
) -> None:
    # Both ways of handling a generic call are present: left to mypy, and reported as raw.
    cases, with_plugin = case_run
    texts = [d.text for d in with_plugin[str((cases / "generic_scopes.py").resolve())]]
    assert any(text.endswith("[arg-type]") for text in texts)
    assert any(text.endswith("[scopeguard-scope-mismatch]") for text in texts)
