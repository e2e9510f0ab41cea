"""``scopeguard coverage``: what the installed botocore has that the guard does not classify.

botocore ships several releases a week, and a release can add operations to a guarded service.
The guard fails closed on them (tenant and capsule scopes refuse an operation, or an
identifier-like parameter, that its tables do not classify), so a drift is never a hole, but it
is a surprise at run time. This command shows it ahead of time, per guarded service, from the
models of the botocore that is actually installed.

Exit status: 0 when everything is classified, 1 when something is not, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ServiceDrift", "main", "unclassified"]


@dataclass(frozen=True)
class ServiceDrift:
    """One guarded service's operations (and identifier-like parameters of classified
    operations) that the installed botocore has and the guard does not classify."""

    service: str
    operations: tuple[str, ...] = ()
    parameters: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.operations or self.parameters)


def unclassified(session: Any = None) -> list[ServiceDrift]:
    """Every guarded service, with what the given botocore session's models (default: a new
    session, which honours ``AWS_DATA_PATH``) have that the guard's tables do not classify."""
    import botocore.session

    from ._guard.rules import SERVICE_RULES, Refuse, compile_plan

    session = session or botocore.session.get_session()
    drifts = []
    for service, rules in sorted(SERVICE_RULES.items()):
        model = session.get_service_model(service)
        operations = tuple(sorted(set(model.operation_names) - set(rules.operations)))
        parameters = {
            op: plan.unclassified
            for op in sorted(set(model.operation_names) & set(rules.operations))
            if not isinstance(rules.operations[op], Refuse)
            and (plan := compile_plan(rules, model.operation_model(op))).unclassified
        }
        drifts.append(ServiceDrift(service, operations, parameters))
    return drifts


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    import botocore

    try:
        own = version("scopeguard")
    except PackageNotFoundError:  # running from a source tree that is not installed
        own = "unknown"
    return {"scopeguard": own, "botocore": botocore.__version__}


def _text(drifts: list[ServiceDrift], versions: dict[str, str]) -> str:
    lines = [f"scopeguard {versions['scopeguard']} on botocore {versions['botocore']}: "
             f"{len(drifts)} guarded services"]
    for drift in drifts:
        if not drift:
            lines.append(f"  {drift.service}: every operation classified")
            continue
        if drift.operations:
            lines.append(f"  {drift.service}: {len(drift.operations)} operation(s) not classified")
            lines += [f"    {op}" for op in drift.operations]
        if drift.parameters:
            lines.append(f"  {drift.service}: {len(drift.parameters)} operation(s) with "
                         f"unclassified identifier parameters")
            lines += [f"    {op}: {', '.join(params)}" for op, params in drift.parameters.items()]
    if any(drifts):
        lines += [
            "",
            "Tenant and capsule scopes refuse these (the guard fails closed) until a scopeguard",
            "release classifies them. Pin botocore to the newest version this scopeguard knows,",
            "or upgrade scopeguard.",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scopeguard coverage",
        description="List, per guarded service, the operations of the installed botocore that "
                    "the guard does not classify (refused in tenant and capsule scope). Exit 0 "
                    "when there are none, 1 when there are.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    drifts = unclassified()
    versions = _versions()
    if args.json:
        document = {
            **versions,
            "services": {
                d.service: {"operations": list(d.operations),
                            "parameters": {op: list(p) for op, p in d.parameters.items()}}
                for d in drifts
            },
        }
        print(json.dumps(document, indent=2))
    else:
        print(_text(drifts, versions))
    sys.stdout.flush()
    return 1 if any(drifts) else 0
