"""``scopeguard.typing`` at run time: every name exists, costs no SDK import, and matches the
dotted-name table the plugin uses."""

from __future__ import annotations

import ast
import subprocess
import sys
import typing
from pathlib import Path

import scopeguard.typing as sg_typing
from scopeguard import CapsuleScope, TenantScope
from scopeguard._async import AsyncClientRequest
from scopeguard._fullnames import (
    SCOPE_CLASSES,
    SCOPED_ASYNC_CLIENT_CLASSES,
    SCOPED_CLIENT_CLASSES,
    SCOPED_RESOURCE_CLASSES,
)

SCOPED = {
    *SCOPED_CLIENT_CLASSES.values(),
    *SCOPED_ASYNC_CLIENT_CLASSES.values(),
    *SCOPED_RESOURCE_CLASSES.values(),
}


def test_every_exported_name_exists_at_run_time() -> None:
    assert sg_typing.__all__ == sorted(sg_typing.__all__)
    missing = [name for name in sg_typing.__all__ if not hasattr(sg_typing, name)]
    assert not missing


def test_runtime_names_are_subscriptable_annotations() -> None:
    def handler(orders: sg_typing.TenantDynamoDBClient) -> sg_typing.ScopedS3Client[CapsuleScope]:
        raise NotImplementedError

    hints = typing.get_type_hints(handler)
    assert hints["orders"] == sg_typing.ScopedDynamoDBClient[TenantScope]
    assert hints["return"] == sg_typing.CapsuleS3Client


def test_async_names_are_subscriptable_annotations_too() -> None:
    def handler(
        orders: sg_typing.TenantAsyncDynamoDBClient,
    ) -> AsyncClientRequest[sg_typing.ScopedAsyncS3Client[CapsuleScope]]:
        raise NotImplementedError

    hints = typing.get_type_hints(handler)
    assert hints["orders"] == sg_typing.ScopedAsyncDynamoDBClient[TenantScope]
    assert typing.get_args(hints["return"]) == (sg_typing.CapsuleAsyncS3Client,)
    assert sg_typing.TenantAsyncDynamoDBClient != sg_typing.TenantDynamoDBClient


def test_type_checking_classes_match_the_fullnames_table() -> None:
    source = Path(sg_typing.__file__).read_text()
    classes = {
        f"scopeguard.typing.{node.name}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef) and node.name.startswith("Scoped")
    }
    assert classes == SCOPED
    aliases = {
        kind.capitalize() + fullname.rpartition(".")[2].removeprefix("Scoped")
        for fullname in SCOPED
        for kind in SCOPE_CLASSES
    }
    assert aliases <= set(sg_typing.__all__)


def test_import_loads_no_sdk_stubs_or_mypy() -> None:
    code = (
        "import sys, scopeguard.typing\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('boto3', 'botocore', 'aiobotocore', 'mypy', 'types_boto3_dynamodb', "
        "'types_aiobotocore_dynamodb')]\n"
        "print(bad)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_plugin_import_loads_no_sdk() -> None:
    code = (
        "import sys, scopeguard.mypy_plugin\n"
        "print([m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 's3transfer')])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
