"""The pre-commit configuration the docs tell users to write works as written.

Every documented hook is a ``repo: local`` hook (nothing to pin to a tag that may not exist) whose
id, entry and file types are those of the published ``.pre-commit-hooks.yaml``, and whose entry
runs here.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "docs" / "lint.md", ROOT / "docs" / "migration.md"]
PUBLISHED = {hook["id"]: hook for hook in yaml.safe_load(
    (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}


def _documented() -> list[tuple[str, dict[str, Any]]]:
    repos = []
    for doc in DOCS:
        for block in re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S):
            if "scopeguard-" in block:
                for repo in yaml.safe_load(block)["repos"]:
                    repos.append((doc.name, repo))
    return repos


def test_every_doc_with_a_pre_commit_config_is_checked() -> None:
    assert {name for name, _ in _documented()} == {doc.name for doc in DOCS}


@pytest.mark.parametrize(("doc", "repo"), _documented(), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_documented_hooks_are_local_and_match_the_published_ones(doc: str,
                                                                  repo: dict[str, Any]) -> None:
    assert repo["repo"] == "local", f"{doc}: {repo['repo']} needs a rev that may not exist"
    assert {hook["id"] for hook in repo["hooks"]} == set(PUBLISHED)
    for hook in repo["hooks"]:
        published = PUBLISHED[hook["id"]]
        assert hook["entry"] == published["entry"]
        assert hook["types"] == published["types"]
        assert hook["language"] == "system"


@pytest.mark.parametrize("hook_id", sorted(PUBLISHED))
def test_documented_entries_run(hook_id: str, tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text("x = 1\n", encoding="utf-8")
    command = shlex.split(PUBLISHED[hook_id]["entry"])
    executable = Path(sys.executable).with_name(command[0])
    assert executable.exists() or shutil.which(command[0]), command[0]
    result = subprocess.run([str(executable), *command[1:], "clean.py"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
