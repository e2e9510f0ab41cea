"""Naming with templates against the default layout: what a guard's name check costs, and what
building a policy with templates costs once (the injectivity check on regular languages).

    python benchmarks/bench_naming.py

Prints microseconds per call and the ratios templated / default. The guard caches each resolved
name per scope, so ``physical_name`` runs once per (scope, name), ``owner`` on names from ARNs
and URLs.
"""

from __future__ import annotations

import timeit

from scopeguard import NamingPolicy, PooledTable

UUID = "3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f"
DEFAULT = NamingPolicy()


def templated() -> NamingPolicy:
    return NamingPolicy(
        tenant_ids=frozenset({"uuid"}),
        capsules=frozenset(),
        templates={"dynamodb": "{logical}-{tenant}", "ssm": "/{app}/{tenant}/{logical}"},
        variables={"app": "saas"},
        pooled_tables={"Product-pooled": PooledTable("shardId")},
        key_templates={"Product-pooled": "{tenant}-"},
    )


def per_call(statement: str, namespace: dict[str, object], number: int = 20000) -> float:
    best = min(timeit.repeat(statement, globals=namespace, number=number, repeat=5))
    return best / number * 1e6


def main() -> None:
    build = min(timeit.repeat(templated, number=1, repeat=5)) * 1e3
    build_default = min(timeit.repeat(NamingPolicy, number=200, repeat=5)) / 200 * 1e3
    policy = templated()
    rows = []
    for label, naming, tenant in (("default, slug", DEFAULT, "acme"),
                                  ("default, UUID", DEFAULT, UUID),
                                  ("templated, UUID", policy, UUID)):
        scope = naming.tenant(tenant)
        physical = naming.physical_name(scope, "dynamodb", "Order")
        ns = {"n": naming, "s": scope, "p": physical}
        rows.append((label,
                     per_call("n.physical_name(s, 'dynamodb', 'Order')", ns),
                     per_call("n.owner(p, 'dynamodb')", ns)))
    print(f"{'policy':<18}{'physical_name us':>18}{'owner us':>10}")
    for label, phys, own in rows:
        print(f"{label:<18}{phys:>18.2f}{own:>10.2f}")
    base = rows[0]
    for label, phys, own in rows[1:]:
        print(f"ratio {label} / default slug: physical_name {phys / base[1]:.2f}x, "
              f"owner {own / base[2]:.2f}x")
    print(f"build: default {build_default:.3f} ms, templated {build:.1f} ms "
          f"({build / build_default:.0f}x, once per application)")


if __name__ == "__main__":
    main()
