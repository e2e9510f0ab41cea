"""mypy with and without the scopeguard plugin, side by side on one generated code base.

    python benchmarks/bench_mypy.py [--modules 40] [--functions 12] [--repeat 3]

Part 1 generates a typed service code base with many client acquisitions (every function gets a
scoped client from a handle, passes it to a scope-typed helper and to a helper generic over the
scope (``ScopedXClient[ScopeT]``), and calls a method on it) and runs
mypy on it without the plugin and with it, each run in a fresh process with a fresh cache,
interleaved, ``--repeat`` times. It prints the best CPU time (user + system) of each, the medians,
and the added time in percent.

Part 2 compares the two ways a late-alphabet service gets its client type: the stubs' own
overload resolution (``session.client("xray")`` walks some 420 ``Literal`` overloads) and the
plugin's inference (``handle.client("xray")`` lands on one ``str`` fallback, refined by a dict
lookup). Each variant is a module with ``--calls`` such calls; the per-call cost is the time over
a module with none.

The stand-in ``types_boto3_xray`` stub from ``tests/mypy_plugin/stubs`` is put on mypy_path so
the benchmark needs no extra stub package. Results are recorded in ``benchmarks/results-mypy.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import resource
import textwrap
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
STUBS = REPO / "tests" / "mypy_plugin" / "stubs"

SERVICES = ("dynamodb", "s3", "sqs", "sns", "secretsmanager", "ssm", "events", "kinesis", "lambda")
SCOPES = ("tenant", "capsule", "platform")
CALLS = {
    "dynamodb": 'get_item(TableName="orders", Key={"pk": {"S": "o-1"}})',
    "s3": 'get_object(Bucket="uploads", Key="a")',
    "sqs": 'send_message(QueueUrl="jobs", MessageBody="x")',
    "sns": 'publish(TopicArn="events", Message="x")',
    "secretsmanager": 'get_secret_value(SecretId="api-key")',
    "ssm": 'get_parameter(Name="feature-flags")',
    "events": 'put_events(Entries=[{"Source": "app", "EventBusName": "bus"}])',
    "kinesis": 'put_record(StreamName="clicks", Data=b"x", PartitionKey="k")',
    "lambda": 'invoke(FunctionName="resize")',
}
ALIAS = {
    "dynamodb": "DynamoDBClient",
    "s3": "S3Client",
    "sqs": "SQSClient",
    "sns": "SNSClient",
    "secretsmanager": "SecretsManagerClient",
    "ssm": "SSMClient",
    "events": "EventBridgeClient",
    "kinesis": "KinesisClient",
    "lambda": "LambdaClient",
}


def _pyproject(root: Path, plugin: bool) -> Path:
    plugins = 'plugins = ["scopeguard.mypy_plugin"]' if plugin else ""
    path = root / ("with-plugin.toml" if plugin else "without-plugin.toml")
    path.write_text(
        textwrap.dedent(
            f"""\
            [tool.mypy]
            {plugins}
            strict = true
            mypy_path = ["{SRC.as_posix()}", "{STUBS.as_posix()}"]

            [[tool.mypy.overrides]]
            module = ["scopeguard", "scopeguard.*"]
            follow_imports = "silent"

            [tool.scopeguard]
            factory-modules = ["svc.composition", "infer*.composition"]
            """
        )
    )
    return path


def generate_code_base(root: Path, modules: int, functions: int) -> Path:
    """A package ``svc`` with ``modules`` modules of ``functions`` handlers each."""
    package = root / "svc"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    imports = ", ".join(
        sorted(f"{scope.capitalize()}{ALIAS[s]}" for s in SERVICES for scope in SCOPES)
        + sorted(f"Scoped{ALIAS[s]}" for s in SERVICES)
        + ["ScopeT"]
    )
    helpers = [
        f"def use_{scope}_{service}(client: {scope.capitalize()}{ALIAS[service]}) -> None:\n"
        f"    client.{CALLS[service]}\n"
        for scope in SCOPES
        for service in SERVICES
    ] + [
        f"def keep_{service}(client: Scoped{ALIAS[service]}[ScopeT]) -> "
        f"Scoped{ALIAS[service]}[ScopeT]:\n"
        "    return client\n"
        for service in SERVICES
    ]
    (package / "helpers.py").write_text(
        "from __future__ import annotations\n\n"
        f"from scopeguard.typing import {imports}\n\n\n" + "\n\n".join(helpers)
    )
    for m in range(modules):
        body = [
            "from __future__ import annotations",
            "",
            "from scopeguard import ClientFactory",
            "",
            "from svc import helpers",
            "",
        ]
        for f in range(functions):
            service = SERVICES[(m + f) % len(SERVICES)]
            scope = SCOPES[(m * functions + f) % len(SCOPES)]
            handle = {"tenant": 'tenant("acme")', "capsule": 'capsule("dev")',
                      "platform": "platform()"}[scope]
            body += [
                "",
                f"def handler_{f}(factory: ClientFactory, n: int) -> int:",
                f'    client = factory.{handle}.client("{service}")',
                f"    helpers.use_{scope}_{service}(client)",
                f"    helpers.use_{scope}_{service}(helpers.keep_{service}(client))",
                f"    client.{CALLS[service]}",
                "    return n + 1",
                "",
            ]
        (package / f"module_{m:03d}.py").write_text("\n".join(body))
    return package


def generate_inference_modules(root: Path, calls: int) -> dict[str, Path]:
    """Three packages: no calls, the stubs' overloads, the plugin's inference."""
    variants = {
        "baseline": "    pass",
        "stubs' overloads: session.client(\"xray\")": "\n".join(
            f'    c{i} = session.client("xray")\n'
            f"    c{i}.get_trace_summaries(StartTime=0, EndTime=1)"
            for i in range(calls)
        ),
        "plugin inference: handle.client(\"xray\")": "\n".join(
            f'    c{i} = factory.platform().client("xray")\n'
            f"    c{i}.get_trace_summaries(StartTime=0, EndTime=1)"
            for i in range(calls)
        ),
    }
    out = {}
    for index, (label, body) in enumerate(variants.items()):
        package = root / f"infer{index}"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "composition.py").write_text(
            "from __future__ import annotations\n\nimport boto3\n\n"
            "from scopeguard import ClientFactory\n\n\n"
            "def calls(session: boto3.Session, factory: ClientFactory) -> None:\n" + body + "\n"
        )
        out[label] = package
    return out


def run_mypy(config: Path, target: Path, cache: Path) -> float:
    """CPU seconds (user + system) of one mypy process: steadier than wall time on a shared
    machine, and the same thing for a single-process tool."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir", str(cache),
         "--no-error-summary", str(target)],
        capture_output=True, text=True, cwd=target.parent,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1) or "Traceback" in done.stderr:
        raise SystemExit(done.stdout + done.stderr)
    if done.stdout.strip():
        raise SystemExit(f"unexpected diagnostics on the benchmark code:\n{done.stdout[:2000]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=40)
    parser.add_argument("--functions", type=int, default=12)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import mypy.version

    print(f"date      {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"machine   {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(f"python    {platform.python_version()}, mypy {mypy.version.__version__}")

    with tempfile.TemporaryDirectory(prefix="bench-mypy-") as tmp:
        root = Path(tmp)
        package = generate_code_base(root, args.modules, args.functions)
        acquisitions = args.modules * args.functions
        configs = {"without plugin": _pyproject(root, False), "with plugin": _pyproject(root, True)}
        empty = generate_code_base(root / "empty-base", 1, 0)
        times: dict[str, list[float]] = {label: [] for label in configs}
        fixed: dict[str, list[float]] = {label: [] for label in configs}
        for run in range(args.repeat):
            for label, config in configs.items():
                tag = f"{label.replace(' ', '-')}-{run}"
                times[label].append(run_mypy(config, package, root / f"cache-{tag}"))
                fixed[label].append(run_mypy(config, empty, root / f"cache-empty-{tag}"))
        # The minimum of N runs is the least disturbed one on a shared machine; medians are shown
        # alongside for a sense of the noise.
        base = min(times["without plugin"])
        plug = min(times["with plugin"])
        print(f"\n1. {args.modules} modules, {acquisitions} client acquisitions, fresh cache each, "
              f"best of {args.repeat} (median)")
        for label, values in times.items():
            print(f"   {label:<16} {min(values):6.2f} s CPU ({statistics.median(values):.2f})   "
                  f"runs: {', '.join(f'{v:.2f}' for v in values)}")
        med = statistics.median
        medians = med(times["with plugin"]) / med(times["without plugin"])
        print(f"   added by the plugin: {100 * (plug - base) / base:+.1f} % "
              f"(medians: {100 * (medians - 1):+.1f} %)")
        base_own = base - min(fixed["without plugin"])
        plug_own = plug - min(fixed["with plugin"])
        print(f"   the code base's own share (minus a one-module run that loads the same stubs): "
              f"{base_own:.2f} s -> {plug_own:.2f} s, "
              f"{100 * (plug_own - base_own) / base_own:+.1f} %")

        variants = generate_inference_modules(root, args.calls)
        # (label, package, config): the stubs' path with and without the plugin loaded (its
        # raw-client hook sees every overload item), the plugin's path with it.
        labels = list(variants)
        cases = [
            ("baseline, no plugin", variants[labels[0]], configs["without plugin"]),
            (f"{labels[1]}, no plugin", variants[labels[1]], configs["without plugin"]),
            ("baseline, plugin", variants[labels[0]], configs["with plugin"]),
            (f"{labels[1]}, plugin", variants[labels[1]], configs["with plugin"]),
            (f"{labels[2]}, plugin", variants[labels[2]], configs["with plugin"]),
        ]
        per_case: dict[str, list[float]] = {label: [] for label, _, _ in cases}
        for run in range(args.repeat):
            for index, (label, target, config) in enumerate(cases):
                cache = root / f"cache-infer-{index}-{run}"
                per_case[label].append(run_mypy(config, target, cache))
        print(f"\n2. {args.calls} calls typed as XRayClient (late alphabet), fresh cache each, "
              f"best of {args.repeat}")
        for label, values in per_case.items():
            best = min(values)
            plugged = label.endswith(", plugin")
            baseline_label = "baseline, plugin" if plugged else "baseline, no plugin"
            baseline = min(per_case[baseline_label])
            extra = "" if label.startswith("baseline") else (
                f"   {1000 * (best - baseline) / args.calls:6.2f} ms per call over its baseline"
            )
            print(f"   {label:<56} {best:6.2f} s CPU{extra}")


if __name__ == "__main__":
    main()
