"""SG020 follows the naming templates of ``[tool.scopeguard.naming]``: literals that are another
scope's physical name under the configured convention are flagged, the default layout's are not
unless it still applies."""

from __future__ import annotations

import textwrap
from pathlib import Path

from scopeguard.lint_rules import check_file, settings_for

UUID = "3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f"
PYPROJECT = """\
[tool.scopeguard.naming]
tenant-ids = ["uuid"]
capsules = []
variables = { app = "saas" }

[tool.scopeguard.naming.templates]
dynamodb = "{logical}-{tenant}"
ssm = "/{app}/{tenant}/{logical}"
"""


def test_physical_names_of_the_configured_convention_are_flagged(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    # Nothing else in the file would pass the pre-filter: the UUID in the literal must.
    source = tmp_path / "svc.py"
    source.write_text(textwrap.dedent(f"""\
        def f(c):
            c.get_item(TableName="Order-{UUID}")
            c.get_item(TableName="Order")
            c.get_parameter(Name="/saas/{UUID}/userPoolId")
            c.get_parameter(Name="/saas/userPoolId")
    """))
    reported = check_file(source, settings_for(source)).reported
    findings = [(r.finding.line, r.finding.code) for r in reported]
    assert findings == [(2, "SG020"), (4, "SG020")]
