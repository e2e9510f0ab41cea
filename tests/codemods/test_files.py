"""Which files ``scopeguard migrate`` reads: .gitignore, --exclude, tests, caches."""

from __future__ import annotations

from pathlib import Path

from scopeguard.codemods._files import discover, is_test_path


def _tree(root: Path, *paths: str) -> None:
    for rel in paths:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("import boto3\n")


def _found(root: Path, **kwargs: object) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in discover([root], **kwargs))  # type: ignore[arg-type]


def test_gitignore_negation_anchoring_and_directories(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        "app/a.py", "app/gen/b.py", "gen/c.py", "app/keep_gen.py", "app/skip.py",
        "app/sub/skip.py", "app/sub/.gitignore", "sub2/d.py",
    )
    (tmp_path / ".gitignore").write_text("# comments are ignored\n/gen/\nskip.py\n!app/skip.py\n")
    (tmp_path / "app/sub/.gitignore").write_text("*.py\n")
    assert _found(tmp_path) == ["app/a.py", "app/gen/b.py", "app/keep_gen.py", "app/skip.py", "sub2/d.py"]


def test_virtualenvs_caches_and_egg_info_are_never_walked(tmp_path: Path) -> None:
    _tree(tmp_path, ".venv/lib/x.py", "venv/y.py", "__pycache__/z.py", "pkg.egg-info/w.py", "m.py")
    assert _found(tmp_path) == ["m.py"]


def test_exclude_globs_match_at_any_depth_unless_anchored(tmp_path: Path) -> None:
    _tree(tmp_path, "migrations/1.py", "app/migrations/2.py", "app/ok.py")
    assert _found(tmp_path, exclude=["migrations/*"]) == ["app/ok.py"]
    assert _found(tmp_path, exclude=["/migrations/*"]) == ["app/migrations/2.py", "app/ok.py"]


def test_explicit_files_are_taken_even_when_ignored(tmp_path: Path) -> None:
    _tree(tmp_path, "gen/c.py")
    (tmp_path / ".gitignore").write_text("gen/\n")
    assert list(discover([tmp_path / "gen/c.py"])) == [tmp_path / "gen/c.py"]
    assert list(discover([tmp_path / "gen/c.py"], exclude=["*/gen/*"])) == []


def test_test_paths_by_convention() -> None:
    for path in ("tests/a.py", "pkg/test/b.py", "test_c.py", "pkg/d_test.py", "conftest.py"):
        assert is_test_path(path)
    for path in ("pkg/latest.py", "contest.py", "pkg/testing_tools.py"):
        assert not is_test_path(path)
