"""``scopeguard migrate`` throughput on a large tree: -j 1 vs -j 2, and what the pre-filter saves.

    python benchmarks/bench_migrate.py [--files 2000] [--sdk-share 0.1] [--repeat 1] [--keep DIR]
    python benchmarks/bench_migrate.py --huge [--repeat 3]

Method. A deterministic application tree is generated in a temporary directory: ``--files``
modules of 60-90 lines, of which ``--sdk-share`` create boto3 clients the way legacy services do
(module clients, session variables, chained sessions, resources, function-local imports, explicit
keys, variable service names), and the rest never mention an AWS SDK, as in a real service where
AWS code sits in a few packages. Three configurations run the same ``scopeguard migrate --diff``
in a fresh interpreter each (so import time is included, as a user sees it):

    A  -j 1                  pre-filter on (the default)
    B  -j 2                  pre-filter on
    C  -j 1 --no-prefilter   every file parsed with LibCST
    D  LibCST runner -j 2    the same migration as one Codemod under LibCST's own
                             parallel_exec_transform_with_prettyprint (unified diffs, no writes)
    E  -j 2 --no-prefilter   the hand-written pool parsing every file, as LibCST's runner does

``--huge`` measures one file instead, in this process: the CPU seconds ``migrate_source`` takes on
a generated 15,000-line module (600 functions of 25 lines) with one ``boto3.client`` site, on a
typical SDK module (the first template below, 18 lines), and on a module of 3,000 one-line
top-level functions with one site (LibCST's ``AddImportsVisitor`` recursed once per top-level
statement and failed there). Best of ``--repeat``; the ratio huge/typical per line shows whether
the cost is proportional to the file.

Runs alternate (A, B, C, A, B, C, ...) so noise from other processes hits all three; the best run
of each is kept. Wall time and CPU time (user + system of the child and its workers) are printed:
on a shared machine CPU time is the steadier measure, since waiting for a core counts only in wall
time. Files per second are over the whole tree.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import libcst as cst
from libcst.codemod import Codemod, CodemodContext, parallel_exec_transform_with_prettyprint

from scopeguard.codemods import FactoryAccessor, MigrateSettings, migrate_source
from scopeguard.codemods._files import discover

CONFIGS = {
    "A  -j 1": ["-j", "1"],
    "B  -j 2": ["-j", "2"],
    "C  -j 1 --no-prefilter": ["-j", "1", "--no-prefilter"],
    "D  LibCST runner -j 2": ["--libcst-runner"],
    "E  -j 2 --no-prefilter": ["-j", "2", "--no-prefilter"],
}

SDK_TEMPLATES = (
    '''\
"""Invoices for order {n}."""
import json

import boto3
from botocore.config import Config

RETRIES = Config(retries={{"max_attempts": 3}})


def store_{n}(order_id, body):
    s3 = boto3.client("s3", region_name="eu-west-1", config=RETRIES)
    s3.put_object(Bucket="invoices", Key=f"{{order_id}}.json", Body=json.dumps(body))


def load_{n}(order_id):
    table = boto3.resource("dynamodb").Table("orders")
    return table.get_item(Key={{"pk": order_id}}).get("Item")
''',
    '''\
"""Events for batch {n}."""
import boto3

QUEUE = "events-{n}"


def publish_{n}(message):
    session = boto3.Session(region_name="eu-west-1")
    sqs = session.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=message)


def audit_{n}(key, secret):
    return boto3.client("s3", aws_access_key_id=key, aws_secret_access_key=secret)
''',
    '''\
"""Lambda handler {n}."""
import os

import boto3

SNS = boto3.client("sns")


def handler_{n}(event, context):
    import boto3 as aws

    topic = os.environ["TOPIC"]
    aws.client("sns").publish(TopicArn=topic, Message=str(event))
    return boto3.Session().resource("s3").Bucket("logs").name


def any_client_{n}(service):
    return boto3.client(service)
''',
)


def _plain_module(n: int, rng: random.Random) -> str:
    functions = []
    for k in range(rng.randint(4, 7)):
        functions.append(
            f'''
def step_{n}_{k}(items: list[int], factor: int = {k + 1}) -> list[int]:
    """Scale the even items and keep the odd ones."""
    result = []
    for index, item in enumerate(items):
        if item % 2 == 0:
            result.append(item * factor + index)
        else:
            result.append(item)
    return sorted(result, reverse={k % 2 == 0})
'''
        )
    return (
        f'"""Business rules, part {n}."""\n\nfrom __future__ import annotations\n\n'
        "from dataclasses import dataclass\n\n\n"
        f"@dataclass(frozen=True)\nclass Rule{n}:\n    name: str\n    weight: float = 1.0\n"
        + "".join(functions)
    )


def generate(root: Path, files: int, sdk_share: float, seed: int = 5) -> tuple[int, int]:
    rng = random.Random(seed)
    sdk = 0
    for n in range(files):
        package = root / "service" / f"pkg{n % 40:02d}"
        package.mkdir(parents=True, exist_ok=True)
        if rng.random() < sdk_share:
            text = SDK_TEMPLATES[n % len(SDK_TEMPLATES)].format(n=n)
            sdk += 1
        else:
            text = _plain_module(n, rng)
        (package / f"module_{n:05d}.py").write_text(text)
    return files, sdk


class _Migrate(Codemod):
    """The whole migration (``migrate_source``) as one LibCST Codemod, for LibCST's runner."""

    DESCRIPTION = "scopeguard migrate"
    SETTINGS = MigrateSettings(factory=FactoryAccessor.parse("myapp.aws:get_factory"))

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        result = migrate_source(tree.code, self.context.filename, self.SETTINGS)
        return cst.parse_module(result.migrated) if result.changed else tree


def _libcst_runner(tree: Path, jobs: int) -> None:
    files = [str(p) for p in discover([tree])]
    parallel_exec_transform_with_prettyprint(
        _Migrate(CodemodContext()), files, jobs=jobs, unified_diff=3, hide_progress=True,
        repo_root=str(tree),
    )


def huge_module(functions: int = 600, branches: int = 10) -> str:
    """A long module with one client site at its end: ``functions`` functions of
    ``branches * 2 + 5`` lines (600 x 25 = 15,000 lines)."""
    body = "".join(f"    if x > {j}:\n        y = y + x * {j}\n" for j in range(branches))
    parts = ['"""A generated module."""\nimport json\n\nimport boto3\n\n']
    for k in range(functions):
        parts.append(f"\ndef f_{k}(x):\n    y = {k}\n{body}    return json.dumps(y)\n\n")
    parts.append(
        '\ndef upload(body):\n    boto3.client("s3").put_object(Bucket="b", Key="k", Body=body)\n'
    )
    return "".join(parts)


def _huge(repeat: int) -> None:
    settings = _Migrate.SETTINGS
    cases = {
        "typical SDK module": SDK_TEMPLATES[0].format(n=1),
        "15,000 lines, one site": huge_module(),
        "3,000 top-level functions, one site": huge_module(3000, 0),
    }
    print(f"# migrate_source on one file, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print()
    print("| module | lines | CPU s (best of %d) | CPU ms per 1,000 lines |" % repeat)
    print("|---|---:|---:|---:|")
    for name, text in cases.items():
        lines = text.count("\n")
        best: float | None = None
        failure = ""
        for _ in range(repeat):
            started = time.process_time()
            try:
                migrate_source(text, "app/module.py", settings)
            except RecursionError:
                failure = "RecursionError"
                break
            spent = time.process_time() - started
            best = spent if best is None else min(best, spent)
        if best is None:
            print(f"| {name} | {lines} | {failure} | |")
        else:
            print(f"| {name} | {lines} | {best:.2f} | {best / lines * 1e6:.0f} |")
    print(f"load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


def run(tree: Path, extra: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    if extra == ["--libcst-runner"]:
        command = [sys.executable, __file__, "--libcst-runner", str(tree)]
    else:
        command = [sys.executable, "-m", "scopeguard.codemods.cli", "--diff", "-q",
                   "--no-progress", "--factory", "myapp.aws:get_factory", *extra, str(tree)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=tree)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--sdk-share", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="generate the tree here and keep it")
    parser.add_argument("--libcst-runner", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--huge", action="store_true", help="one long module, in process")
    options = parser.parse_args()
    if options.huge:
        _huge(options.repeat)
        return
    if options.libcst_runner is not None:  # configuration D, in its own interpreter
        _libcst_runner(options.libcst_runner, jobs=2)
        return

    with tempfile.TemporaryDirectory() as scratch:
        tree = options.keep or Path(scratch)
        total, sdk = generate(tree, options.files, options.sdk_share)
        lines = sum(p.read_text().count("\n") for p in tree.rglob("*.py"))
        best: dict[str, tuple[float, float]] = {}
        for _ in range(options.repeat):
            for name, extra in CONFIGS.items():
                wall, cpu = run(tree, extra)
                if name not in best or wall < best[name][0]:
                    best[name] = (wall, cpu)

    load = os.getloadavg()
    print(f"# scopeguard migrate benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average at the end "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    )
    print(
        f"tree: {total} files ({sdk} create AWS clients), {lines} lines; "
        f"best of {options.repeat}"
    )
    print()
    print("| configuration | wall s | files/s (wall) | CPU s | files/s (CPU) |")
    print("|---|---:|---:|---:|---:|")
    for name, (wall, cpu) in best.items():
        print(f"| {name} | {wall:.2f} | {total / wall:.0f} | {cpu:.2f} | {total / cpu:.0f} |")
    a_wall, a_cpu = best["A  -j 1"]
    b_wall, _ = best["B  -j 2"]
    c_wall, c_cpu = best["C  -j 1 --no-prefilter"]
    print()
    print(f"-j 2 vs -j 1: {a_wall / b_wall:.2f}x faster (wall)")
    print(f"pre-filter gain: {c_wall / a_wall:.2f}x faster (wall), {c_cpu / a_cpu:.2f}x less CPU")
    d_wall, d_cpu = best["D  LibCST runner -j 2"]
    e_wall, e_cpu = best["E  -j 2 --no-prefilter"]
    _, b_cpu = best["B  -j 2"]
    print(
        f"LibCST's runner vs the hand-written pool (-j 2): {d_wall / b_wall:.2f}x the wall time, "
        f"{d_cpu / b_cpu:.2f}x the CPU time; against the pool parsing every file too: "
        f"{d_wall / e_wall:.2f}x wall, {d_cpu / e_cpu:.2f}x CPU"
    )


if __name__ == "__main__":
    main()
