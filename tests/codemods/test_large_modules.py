"""A long module with one site costs what its site costs, not a pass per import change.

LibCST's codemod framework follows every pass that adds or removes an import with
``AddImportsVisitor`` and ``RemoveImportsVisitor`` over the whole module (the second recomputing
scope metadata first); ``AddImportsVisitor`` also recursed once per top-level statement and failed
past about 1,000 of them. The migration now edits import lines itself (``codemods/_imports.py``).
These tests count what ran, never seconds (``benchmarks/bench_migrate.py --huge`` measures).
"""

from __future__ import annotations

from typing import Any

import libcst as cst
import pytest
from libcst.codemod.visitors import AddImportsVisitor, GatherUnusedImportsVisitor

from scopeguard.codemods import migrate_source

from codemod_support import ACCESSOR, run_checked

FUNCTIONS = 1_050  # past the ~1,000 top-level statements AddImportsVisitor recursed through


def _long_module(functions: int = FUNCTIONS, head: str = "") -> str:
    body = "".join(f"\ndef f_{k}(x): return json.dumps(x + {k})\n" for k in range(functions))
    return (
        f'"""A long module."""\nimport json\n\nimport boto3\n{head}{body}\n\n'
        'def upload(data):\n    boto3.client("s3").put_object(Bucket="b", Key="k", Body=data)\n'
    )


@pytest.fixture
def import_passes(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """Top-level statements of each module LibCST's import visitors were run on."""
    seen: dict[str, list[int]] = {"add": [], "gather_unused": []}
    add = AddImportsVisitor.transform_module
    gather = GatherUnusedImportsVisitor.visit_Module

    def counted_add(self: AddImportsVisitor, tree: cst.Module) -> cst.Module:
        seen["add"].append(len(tree.body))
        return add(self, tree)

    def counted_gather(self: GatherUnusedImportsVisitor, node: cst.Module) -> Any:
        seen["gather_unused"].append(len(node.body))
        return gather(self, node)

    monkeypatch.setattr(AddImportsVisitor, "transform_module", counted_add)
    monkeypatch.setattr(GatherUnusedImportsVisitor, "visit_Module", counted_gather)
    return seen


def test_a_long_module_is_migrated_with_import_edits_on_its_head_only(
    import_passes: dict[str, list[int]],
) -> None:
    source = _long_module()
    result = migrate_source(source, "app/long.py", ACCESSOR)
    assert result.skipped is None
    assert [site.outcome for site in result.sites] == ["rewritten"]
    expected = source.replace("import boto3\n", "from myapp.aws import get_factory\n", 1).replace(
        'boto3.client("s3")', 'get_factory().platform().client("s3")'
    )
    assert result.migrated == expected
    # The accessor import was added by AddImportsVisitor on the module's head (docstring, the two
    # imports, the first function), and no whole-module unused-import analysis ran.
    assert import_passes["add"] == [4]
    assert import_passes["gather_unused"] == []


def test_an_import_still_used_elsewhere_stays_and_one_used_only_by_the_site_goes(
    import_passes: dict[str, list[int]],
) -> None:
    source = (
        "import boto3\nimport botocore.config\nfrom botocore.config import Config\n\n\n"
        "def keys(k):\n"
        '    return boto3.client("s3", aws_access_key_id=k, config=Config())\n\n\n'
        "def upload(region):\n"
        '    return boto3.client("s3", region_name=region, config=botocore.config.Config())\n\n\n'
        "def version():\n    return boto3.__version__\n"
    )
    result = run_checked(source, "app/mixed.py", ACCESSOR)
    # boto3 is still read by version(); Config by the marked site; botocore.config by the
    # rewritten call's kept argument.
    assert result.migrated.startswith(
        "import boto3\nimport botocore.config\nfrom botocore.config import Config\n\n"
        "from myapp.aws import get_factory\n"
    )
    assert "get_factory().platform().client(\"s3\", region_name=region, config=botocore" in (
        result.migrated
    )
    assert import_passes["gather_unused"] == []


def test_a_module_exporting_names_takes_the_full_unused_import_analysis(
    import_passes: dict[str, list[int]],
) -> None:
    # ``__all__`` strings keep an import alive: LibCST's own analysis reads them.
    source = _long_module(3, head='\n__all__ = ["boto3", "upload"]\n')
    result = run_checked(source, "app/exported.py", ACCESSOR)
    assert "\nimport boto3\n" in result.migrated
    assert 'get_factory().platform().client("s3")' in result.migrated
    assert len(import_passes["gather_unused"]) == 1  # the first run; the second has no site
