"""The mypy plugin's literal-name check follows the naming templates of
``[tool.scopeguard.naming]`` (the loader the runtime, the lint rules and the codemod use)."""

from __future__ import annotations

from pathlib import Path

from mypy_harness import parse_mypy, run_mypy, write_project

ACME = "3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f"
GLOBEX = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
NAMING = """
factory-modules = ["app.composition"]

[tool.scopeguard.naming]
tenant-ids = ["uuid"]
capsules = []

[tool.scopeguard.naming.templates]
dynamodb = "{logical}-{tenant}"
"""
HANDLERS = f'''\
from __future__ import annotations

from scopeguard import ClientFactory


def handle(factory: ClientFactory) -> None:
    orders = factory.tenant("{ACME}").client("dynamodb")
    orders.get_item(TableName="Order", Key={{}})
    orders.get_item(TableName="Order-{GLOBEX}", Key={{}})
    orders.get_item(TableName="t-acme-orders", Key={{}})
'''


def test_physical_names_of_the_configured_convention_are_flagged(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "handlers.py").write_text(HANDLERS)
    pyproject = write_project(tmp_path, scopeguard=NAMING)
    output, _ = run_mypy(pyproject, tmp_path / ".mypy_cache", app / "handlers.py")
    assert "Traceback" not in output, output
    errors = [d for ds in parse_mypy(output).values() for d in ds if d.severity == "E"]
    # Only the other tenant's Order-<uuid>; "t-acme-orders" is no one's under these templates.
    assert [d.line for d in errors] == [9], output
    assert f"physical name of tenant:{GLOBEX}" in errors[0].text
    assert 'write "Order"' in errors[0].text
