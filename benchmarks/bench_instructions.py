"""Guard overhead per call in instructions executed, counted by valgrind: the same on every run.

    python benchmarks/bench_instructions.py                      # every operation (~10 min)
    python benchmarks/bench_instructions.py --ops GetItem,PutObject
    python benchmarks/bench_instructions.py --src ../other/src   # another checkout, to compare

CPU-time figures (``bench_factory.py``) move by 2-5 points between runs on a shared machine;
instruction counts do not move at all, so this script is the one to compare two versions of the
guard with. Each operation of ``bench_factory.OPERATIONS`` (canned responses, no network) runs
under ``valgrind --tool=cachegrind`` in four processes: the raw client and the scoped client,
each for 100 and for 400 calls. The difference between the two counts of one client is the
cost of 300 calls, free of start-up and set-up, so the figure per call is exact to a few dozen
instructions. The cyclic garbage collector is off during the calls (its passes fall wherever
the allocation count says, and would add noise); hash randomisation is fixed.

Instructions are not time: inside botocore's pipeline the guard's Python code also misses the
CPU's caches and branch predictors more often than botocore's own, so its share of CPU time is
about 1.5-2 times its share of instructions (see benchmarks/README.md). Needs valgrind.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Run in each valgrind process: build a raw and a scoped client as bench_factory does, warm
# both, then make ``calls`` calls on one of them with the collector off.
CHILD = r"""
import gc, sys
sys.path[:0] = [{src!r}, {here!r}]
import boto3, bench_factory as b, scopeguard
assert scopeguard.__file__.startswith({src!r}), scopeguard.__file__
service, method, body, ctype, scoped_params, raw_params = b.OPERATIONS[{op!r}]
session = boto3.Session(**b.KEYS)
factory = scopeguard.ClientFactory(session=session, account_id="123456789012")
raw, scoped = session.client(service), factory.tenant("acme").client(service)
for client in (raw, scoped):
    b.canned(client, body, ctype)
for _ in range(20):
    getattr(raw, method)(**raw_params)
    getattr(scoped, method)(**scoped_params)
client, params = (scoped, scoped_params) if {side!r} == "scoped" else (raw, raw_params)
call = getattr(client, method)
gc.collect()
gc.disable()
for _ in range({calls}):
    call(**params)
"""


def instructions(src: str, op: str, side: str, calls: int) -> int:
    code = CHILD.format(src=src, here=str(HERE), op=op, side=side, calls=calls)
    env = dict(os.environ, PYTHONHASHSEED="0")
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", code],
        capture_output=True, text=True, env=env, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{op} ({side}, {calls} calls) failed:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_call(src: str, op: str, side: str, pool: ThreadPoolExecutor) -> float:
    few, many = (pool.submit(instructions, src, op, side, n) for n in (100, 400))
    return (many.result() - few.result()) / 300


def main() -> None:
    from bench_factory import OPERATIONS

    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", default=",".join(OPERATIONS),
                        help="comma-separated labels of bench_factory.OPERATIONS")
    parser.add_argument("--src", default=str(HERE.parent / "src"),
                        help="the src/ directory of the scopeguard to measure")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    labels = [label.strip() for label in args.ops.split(",") if label.strip()]
    unknown = [label for label in labels if label not in OPERATIONS]
    if unknown:
        raise SystemExit(f"unknown operations {unknown}; choose from {list(OPERATIONS)}")
    src = str(Path(args.src).resolve())
    print(f"instructions per call, scoped vs raw client ({src})")
    with ThreadPoolExecutor(max(1, args.jobs // 2)) as outer, \
            ThreadPoolExecutor(2 * max(1, args.jobs // 2)) as pool:
        rows = outer.map(lambda label: (label, per_call(src, label, "raw", pool),
                                        per_call(src, label, "scoped", pool)), labels)
        for label, raw, scoped in rows:
            extra = scoped - raw
            target = 15 if "Batch" in label or "PutEvents" in label else 5
            print(f"  {label:<20} raw {raw / 1e3:7.0f}k  scoped +{extra / 1e3:6.1f}k  "
                  f"{extra / raw * 100:+5.2f}%  (CPU-time target <= {target}%)", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
