"""Naming that fits an existing application: UUID tenant IDs, the compact S3 encoding, templates
per service and per logical name, and injectivity refused at construction (property-based, per
template shape and over generated template sets)."""

from __future__ import annotations

import string
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scopeguard import ConfigurationError, InvalidName, InvalidScope, NamingPolicy, PooledTable
from scopeguard._naming import DEFAULT_POLICY, NAME_RULES, ScopeRef
from scopeguard._scope_ids import compact, expand

UUID = "3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f"
HEX = UUID.replace("-", "")

# -- tenant IDs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tenant",
    [UUID, HEX, str(uuid.uuid4()), uuid.uuid1().hex, "acme"],
    # Fixed ids: the fresh UUIDs differ per process, and pytest-xdist workers must collect
    # the same test names.
    ids=["uuid", "uuid-hex", "fresh-uuid4", "fresh-uuid1-hex", "slug"],
)
def test_uuid_tenant_ids_are_accepted_out_of_the_box(tenant: str) -> None:
    scope = DEFAULT_POLICY.tenant(tenant)
    for service in NAME_RULES:
        physical = DEFAULT_POLICY.physical_name(scope, service, "orders")
        assert DEFAULT_POLICY.owner(physical, service) == scope
        assert DEFAULT_POLICY.logical_name(scope, service, physical) == "orders"


@pytest.mark.parametrize("tenant", [UUID.upper(), HEX.upper(), UUID[:9] + UUID[9:].upper()])
def test_upper_case_uuids_are_refused_with_the_way_to_canonicalise(tenant: str) -> None:
    with pytest.raises(InvalidScope, match=r"str\(uuid.UUID\(value\)\).*uuid.UUID\(value\).hex"):
        DEFAULT_POLICY.tenant(tenant)


@pytest.mark.parametrize(
    ("formats", "good", "bad"),
    [
        ({"uuid"}, UUID, HEX),
        ({"uuid-hex"}, HEX, UUID),
        ({"slug"}, "acme", UUID),
        ({"uuid"}, UUID, "acme"),
    ],
)
def test_tenant_ids_accept_only_the_configured_spellings(
    formats: set[str], good: str, bad: str
) -> None:
    naming = NamingPolicy(tenant_ids=frozenset(formats))
    assert naming.tenant(good).id == good
    with pytest.raises(InvalidScope, match="accepts tenant IDs as|accepts"):
        naming.tenant(bad)


def test_the_default_layout_is_unchanged() -> None:
    acme = DEFAULT_POLICY.tenant("acme")
    assert DEFAULT_POLICY.physical_name(acme, "dynamodb", "orders") == "t-acme-orders"
    assert DEFAULT_POLICY.physical_name(acme, "s3", "reports") == "t-acme-reports"
    assert DEFAULT_POLICY.physical_name(acme, "ssm", "/app/db") == "/t-acme/app/db"
    assert DEFAULT_POLICY.key_prefix(acme) == "t-acme/"
    assert DEFAULT_POLICY.name_patterns(acme, "sqs") == ["t-acme-*"]


# -- the compact encoding --------------------------------------------------------------------


@given(st.uuids())
def test_compact_tokens_decode_exactly_and_keep_the_two_spellings_apart(u: uuid.UUID) -> None:
    dashed, hexed = compact(str(u)), compact(u.hex)
    assert (len(dashed), len(hexed)) == (26, 25)
    assert dashed != hexed and dashed[1:] == hexed
    assert expand(dashed) == str(u) and expand(hexed) == u.hex
    assert set(dashed + hexed) <= set(string.ascii_lowercase + string.digits)


@given(u=st.uuids(), logical=st.text(alphabet="abc-0123", min_size=3, max_size=34))
def test_uuid_bucket_names_fit_s3_and_read_back(u: uuid.UUID, logical: str) -> None:
    for tenant in (str(u), u.hex):
        scope = DEFAULT_POLICY.tenant(tenant)
        try:
            bucket = DEFAULT_POLICY.physical_name(scope, "s3", logical)
        except InvalidName:
            continue
        assert len(bucket) <= 63
        assert DEFAULT_POLICY.owner(bucket, "s3") == scope


@given(u=st.uuids())
def test_any_service_can_compact_its_names(u: uuid.UUID) -> None:
    naming = NamingPolicy(compact_ids=frozenset({"s3", "lambda"}))
    scope = naming.tenant(str(u))
    function = naming.physical_name(scope, "lambda", "f" * 35)
    assert len(function) == 64 and naming.owner(function, "lambda") == scope
    with pytest.raises(InvalidName, match="at most 25"):
        DEFAULT_POLICY.physical_name(scope, "lambda", "f" * 35)


def test_a_token_over_128_bits_is_no_tenants() -> None:
    assert expand("z" * 25) is None
    assert DEFAULT_POLICY.owner("t-" + "z" * 25 + "-data", "s3") == ScopeRef("tenant", "z" * 25)
    with pytest.raises(InvalidScope):
        DEFAULT_POLICY.tenant("z" * 25)


def test_compact_ids_require_slugs_shorter_than_tokens() -> None:
    with pytest.raises(ConfigurationError, match="max_tenant_id must be at most 24"):
        NamingPolicy(max_tenant_id=25)
    assert NamingPolicy(max_tenant_id=30, compact_ids=frozenset()).tenant("a" * 30)


# -- template shapes (property-based) --------------------------------------------------------

# (template set, tenant ID formats, services) per shape; capsules keep the default layout
# unless the set disables them.
SHAPES: dict[str, NamingPolicy] = {
    "suffix {logical}-{tenant}": NamingPolicy(
        tenant_ids=frozenset({"uuid", "uuid-hex"}), capsules=frozenset(),
        templates={"dynamodb": "{logical}-{tenant}", "sqs": "{logical}-{tenant}"}),
    "prefix {app}_{tenant}_{logical}": NamingPolicy(
        templates={"dynamodb": "{app}_{tenant}_{logical}", "sqs": "{app}_{tenant}_{logical}"},
        variables={"app": "shop"}),
    "path /{app}/{tenant}/{logical}": NamingPolicy(
        templates={"ssm": "/{app}/{tenant}/{logical}"}, variables={"app": "saas"}),
    "middle {app}-{tenant}.{logical}": NamingPolicy(
        templates={"dynamodb": "{app}-{tenant}.{logical}"}, variables={"app": "x"}),
    "per-name settings-{tenant}": NamingPolicy(
        tenant_ids=frozenset({"uuid"}), capsules=frozenset(),
        templates={"dynamodb": "{logical}-{tenant}", "dynamodb:settings": "settings.{tenant}"}),
    "pooled Product-pooled": NamingPolicy(
        tenant_ids=frozenset({"uuid"}), capsules=frozenset(),
        templates={"dynamodb": "{logical}-{tenant}"},
        pooled_tables={"Product-pooled": PooledTable("shardId")},
        key_templates={"Product-pooled": "{tenant}-"}),
}

ADVERSARIAL = "tc-_.0123456789abcdefmxyzP/"
logical_names = st.one_of(
    st.sampled_from(["settings", "Product", "Product-pooled", "orders", "db/password"]),
    st.text(alphabet=ADVERSARIAL, min_size=1, max_size=40),
    st.uuids().map(str), st.uuids().map(lambda u: f"x-{u}"),
)


def scopes_of(naming: NamingPolicy) -> st.SearchStrategy[ScopeRef]:
    tenants = st.one_of(
        st.uuids().map(str), st.uuids().map(lambda u: u.hex),
        st.text(alphabet="acme0123456789abcdef", min_size=1, max_size=24),
    ).map(lambda t: ScopeRef("tenant", t))
    capsules = st.text(alphabet="cdev012", min_size=1, max_size=12).map(
        lambda c: ScopeRef("capsule", c))
    return st.one_of(tenants, capsules, st.just(ScopeRef("platform")))


def physical(naming: NamingPolicy, scope: ScopeRef, service: str, logical: str) -> str | None:
    try:
        if scope.kind == "tenant":
            naming.tenant(scope.id)
        elif scope.kind == "capsule":
            naming.capsule(scope.id)
        return naming.physical_name(scope, service, logical)
    except (InvalidName, InvalidScope):
        return None


@pytest.mark.parametrize("shape", sorted(SHAPES))
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data(), service=st.sampled_from(["dynamodb", "sqs", "ssm"]))
def test_each_template_shape_is_injective_and_inverted_by_owner(
    shape: str, data: st.DataObject, service: str
) -> None:
    naming = SHAPES[shape]
    a, b = data.draw(scopes_of(naming)), data.draw(scopes_of(naming))
    name_a, name_b = data.draw(logical_names), data.draw(logical_names)
    assume((a, name_a) != (b, name_b))
    pa, pb = physical(naming, a, service, name_a), physical(naming, b, service, name_b)
    if pa is not None and a.kind in ("tenant", "capsule") and not naming.is_pooled(service,
                                                                                  name_a):
        assert naming.owner(pa, service) == a
        assert naming.logical_name(a, service, pa) == name_a
    if pa is not None and a.kind == "platform":
        assert naming.owner(pa, service) is None
    if pa is not None and pb is not None and not naming.is_pooled(service, name_a):
        # (A pooled table is one name for every scope by design: its keys carry the scope.)
        assert pa != pb


def test_reference_style_names_map_as_the_application_has_them() -> None:
    naming = SHAPES["pooled Product-pooled"]
    tenant = naming.tenant(UUID)
    assert naming.physical_name(tenant, "dynamodb", "Product") == f"Product-{UUID}"
    assert naming.physical_name(tenant, "dynamodb", "settings") == f"settings-{UUID}"
    assert naming.physical_name(tenant, "dynamodb", "Product-pooled") == "Product-pooled"
    assert naming.key_prefix(tenant, "Product-pooled") == f"{UUID}-"
    assert naming.key_owner(f"{UUID}-7", "Product-pooled") == tenant
    assert naming.owner("Product-pooled", "dynamodb") is None
    ssm = SHAPES["path /{app}/{tenant}/{logical}"]
    acme = ssm.tenant("acme")
    assert ssm.physical_name(acme, "ssm", "db/password") == "/saas/acme/db/password"
    assert ssm.path_prefix(acme) == "/saas/acme/"
    assert ssm.owner("/saas/acme/db/password", "ssm") == acme


# -- construction refuses what is not injective ----------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"templates": {"dynamodb": "{tenant}{logical}"}}, "side by side"),
        ({"templates": {"dynamodb": "{tenant}x{logical}"}}, "a character IDs may contain"),
        ({"templates": {"dynamodb": "{logical}-{tenant}-{tenant}"}}, "exactly once"),
        ({"templates": {"dynamodb": "{logical}"}}, "exactly once"),
        ({"templates": {"dynamodb": "t-{tenant}"}}, "must hold {logical}"),
        ({"templates": {"dynamodb": "{app}-{tenant}-{logical}"}}, "unknown placeholder"),
        ({"templates": {"dynamodb": "{capsule}-{logical}"}}, "place the scope with {tenant}"),
        ({"templates": {"dynamodb": "{tenant}-{logical}*"}}, "IAM wildcard"),
        ({"templates": {"sqs": "{tenant}/{logical}"}}, "cannot contain '/'"),
        ({"templates": {"ssm": "{app}/{tenant}/{logical}"}, "variables": {"app": "a"}},
         "must start with '/'"),
        ({"templates": {"rds": "{tenant}-{logical}"}}, "unknown service"),
        # Slug tenants: "c-dev-x" would be tenant x's "c-dev" and capsule dev's "x".
        ({"templates": {"dynamodb": "{logical}-{tenant}"}}, "default capsule layout"),
        # A logical name's own template overlapping the service's.
        ({"tenant_ids": frozenset({"uuid"}), "capsules": frozenset(),
          "templates": {"dynamodb": "{logical}-{tenant}", "dynamodb:a": "a-{tenant}"}},
         "can produce the same physical name"),
        # Tenant and capsule templates that meet.
        ({"templates": {"sqs": "q-{tenant}-{logical}"},
          "capsule_templates": {"sqs": "q-{capsule}-{logical}"}}, "can produce the same"),
        # A pooled table named like a tenant's table.
        ({"tenant_ids": frozenset({"slug"}), "capsules": frozenset(),
          "templates": {"dynamodb": "{logical}-{tenant}"},
          "pooled_tables": {"Product-pooled": PooledTable("pk")}}, "can produce the same"),
        ({"pooled_buckets": frozenset({"b"}), "key_templates": {"b": "{tenant}"}},
         "must end in a delimiter"),
        ({"pooled_tables": {"p": PooledTable("pk")}, "key_templates": {"p": "{tenant}x"}},
         "or in {tenant} when the partition key is the ID itself"),
        ({"key_templates": {"nope": "{tenant}-"}}, "not a pooled table or bucket"),
        ({"tenant_ids": frozenset({"guid"})}, "choose one or more"),
    ],
)
def test_template_sets_that_are_not_injective_are_refused(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        NamingPolicy(**kwargs)  # type: ignore[arg-type]


# Template sets generated from pieces: whatever construction accepts must be injective.
heads = st.sampled_from(["", "x-", "App_", "t-", "c-", "tbl."])
middles = st.sampled_from(["-", "_", ".", "-v-", "--"])
tails = st.sampled_from(["", "-x", ".t"])


@st.composite
def templates(draw: st.DrawFn, placeholder: str) -> str:
    head, middle, tail = draw(heads), draw(middles), draw(tails)
    if draw(st.booleans()):
        return f"{head}{{{placeholder}}}{middle}{{logical}}{tail}"
    return f"{head}{{logical}}{middle}{{{placeholder}}}{tail}"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data(), tenant=templates("tenant"), capsule=st.none() | templates("capsule"),
       formats=st.sampled_from([{"slug"}, {"uuid"}, {"uuid", "uuid-hex"},
                                {"slug", "uuid", "uuid-hex"}]))
def test_any_template_set_construction_accepts_is_injective(
    data: st.DataObject, tenant: str, capsule: str | None, formats: set[str]
) -> None:
    try:
        naming = NamingPolicy(tenant_ids=frozenset(formats), templates={"dynamodb": tenant},
                              capsule_templates={"dynamodb": capsule} if capsule else {})
    except ConfigurationError:
        assume(False)
        return
    for _ in range(20):
        a, b = data.draw(scopes_of(naming)), data.draw(scopes_of(naming))
        name_a, name_b = data.draw(logical_names), data.draw(logical_names)
        if (a, name_a) == (b, name_b):
            continue
        pa = physical(naming, a, "dynamodb", name_a)
        pb = physical(naming, b, "dynamodb", name_b)
        if pa is not None and pb is not None:
            assert pa != pb, (tenant, capsule, a, name_a, b, name_b)
        if pa is not None and a.kind != "platform":
            assert naming.owner(pa, "dynamodb") == a


# -- one configuration -----------------------------------------------------------------------

PYPROJECT = '''
[tool.scopeguard.naming]
tenant-ids = ["uuid"]
capsules = []
variables = { app = "saas" }
pooled-tables = { "Product-pooled" = "shardId" }
key-templates = { "Product-pooled" = "{tenant}-" }

[tool.scopeguard.naming.templates]
dynamodb = "{logical}-{tenant}"
ssm = "/{app}/{tenant}/{logical}"
'''


def test_the_runtime_reads_the_same_table_as_the_tools(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "app").mkdir()
    naming = NamingPolicy.from_pyproject(tmp_path / "app")
    tenant = naming.tenant(UUID)
    assert naming.physical_name(tenant, "dynamodb", "Order") == f"Order-{UUID}"
    assert naming.physical_name(tenant, "ssm", "userPoolId") == f"/saas/{UUID}/userPoolId"
    assert naming.key_prefix(tenant, "Product-pooled") == f"{UUID}-"
    with pytest.raises(InvalidScope):
        naming.tenant("acme")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"templates": {"dynamodb": 3}}, "must map names to strings"),
        ({"tenant-ids": "uuid"}, "must be a list"),
        ({"templates": {"dynamodb": "{tenant}{logical}"}}, "side by side"),
    ],
)
def test_wrong_template_configuration_fails_clearly(table: dict[str, object],
                                                     message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        NamingPolicy.from_config(table)


def test_a_whole_key_template_admits_slugs_beside_capsules() -> None:
    # Tenant "c" owns the key "c" only, never the capsule keys "c-dev/..." it starts.
    naming = NamingPolicy(pooled_tables={"p": PooledTable("pk")}, key_templates={"p": "{tenant}"})
    assert naming.exact_key(naming.tenant("c"), "p")
    assert not naming.exact_key(naming.capsule("dev"), "p")
    assert naming.key_owner("c", "p") == naming.tenant("c")
    assert naming.key_owner("c-dev/x", "p") == naming.capsule("dev")
    assert naming.key_owner("c-1", "p") is None
