"""The naming policy: canonical IDs, per-service limits, and injectivity (property-based)."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scopeguard import ConfigurationError, InvalidName, InvalidScope, NamingPolicy, PooledTable
from scopeguard._naming import DEFAULT_POLICY, NAME_RULES, ScopeRef

POLICY = DEFAULT_POLICY

ids = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=24)
# Adversarial logical names: separators, markers and digits are over-represented on purpose.
logical = st.text(alphabet="tc-_0123456789abcmexyz", min_size=3, max_size=40)
scopes = st.one_of(
    st.just(ScopeRef("platform")),
    ids.map(lambda i: ScopeRef("tenant", i)),
    ids.filter(lambda i: len(i) <= 12).map(lambda i: ScopeRef("capsule", i)),
)


def physical_or_none(scope: ScopeRef, service: str, name: str) -> str | None:
    try:
        return POLICY.physical_name(scope, service, name)
    except InvalidName:
        return None


# Flat and hierarchical names with "/" and "." over-represented: "//", "..", leading and trailing
# "/" and scope-looking first segments are all generated (and must be refused or stay distinct).
paths = st.one_of(logical, st.text(alphabet="/.tc-_0123456789abme", min_size=1, max_size=40))
services = st.sampled_from(["dynamodb", "sqs", "s3", "ssm", "secretsmanager"])


@given(a=scopes, b=scopes, name_a=paths, name_b=paths, service=services)
def test_distinct_scope_and_name_pairs_never_share_a_physical_name(
    a: ScopeRef, b: ScopeRef, name_a: str, name_b: str, service: str
) -> None:
    assume((a, name_a) != (b, name_b))
    pa, pb = physical_or_none(a, service, name_a), physical_or_none(b, service, name_b)
    assume(pa is not None and pb is not None)
    assert pa != pb


@given(scope=scopes, name=paths, service=st.sampled_from(["dynamodb", "ssm", "secretsmanager"]))
def test_owner_of_a_physical_name_is_its_scope(scope: ScopeRef, name: str, service: str) -> None:
    physical = physical_or_none(scope, service, name)
    assume(physical is not None)
    assert physical is not None
    expected = None if scope.kind == "platform" else scope
    assert POLICY.owner(physical) == expected


def test_prefix_of_one_tenant_is_not_a_prefix_of_another() -> None:
    acme, acme2 = POLICY.tenant("acme"), POLICY.tenant("acme2")
    assert not POLICY.physical_name(acme2, "dynamodb", "orders").startswith(POLICY.name_prefix(acme))
    assert not POLICY.key_prefix(acme2).startswith(POLICY.key_prefix(acme))


def test_tenant_with_separator_cannot_collide_with_longer_logical_name() -> None:
    with pytest.raises(InvalidScope):
        POLICY.tenant("acme-x")
    assert POLICY.physical_name(POLICY.tenant("acme"), "dynamodb", "x-orders") == "t-acme-x-orders"


def test_tenant_zero_and_name_with_leading_zeros_stay_distinct() -> None:
    a = POLICY.physical_name(POLICY.tenant("0"), "dynamodb", "00-orders")
    b = POLICY.physical_name(POLICY.tenant("00"), "dynamodb", "0-orders")
    assert a != b


@pytest.mark.parametrize(
    "bad", ["", " ", "acme ", "Acme", "ac-me", "ac_me", "ac/me", "acmé", "аcme", "a" * 25, "a\n"]
)
def test_non_canonical_tenant_ids_are_refused_not_normalised(bad: str) -> None:
    with pytest.raises(InvalidScope):
        POLICY.tenant(bad)


@pytest.mark.parametrize("bad", ["", "12345678901", "1234567890123", "12345678901a", "１２３４５６７８９０１２"])
def test_account_ids_must_be_twelve_ascii_digits(bad: str) -> None:
    with pytest.raises(InvalidScope):
        POLICY.account(bad)


def test_capsule_allow_list_is_enforced() -> None:
    policy = NamingPolicy(capsules=frozenset({"dev", "prod"}))
    assert policy.capsule("dev") == ScopeRef("capsule", "dev")
    with pytest.raises(InvalidScope, match="known capsules: dev, prod"):
        policy.capsule("qa")


@pytest.mark.parametrize("service", sorted(NAME_RULES))
def test_too_long_names_are_refused_never_truncated(service: str) -> None:
    rule = NAME_RULES[service]
    tenant = POLICY.tenant("a" * 24)
    name = "x" * (rule.max_len - len(POLICY.name_prefix(tenant)) + 1)
    with pytest.raises(InvalidName, match="use a logical name of at most"):
        POLICY.physical_name(tenant, service, name)


def test_logical_names_that_look_scoped_are_refused() -> None:
    with pytest.raises(InvalidName, match="looks like a scoped physical name"):
        POLICY.physical_name(POLICY.tenant("acme"), "dynamodb", "t-globex-orders")


def test_s3_names_follow_bucket_rules() -> None:
    acme = POLICY.tenant("acme")
    assert POLICY.physical_name(acme, "s3", "uploads") == "t-acme-uploads"
    for bad in ("Uploads", "up.loads", "uploads-", "up_loads"):
        with pytest.raises(InvalidName):
            POLICY.physical_name(acme, "s3", bad)


def test_fifo_suffix_is_allowed_where_the_service_allows_it() -> None:
    assert POLICY.physical_name(POLICY.tenant("acme"), "sqs", "jobs.fifo") == "t-acme-jobs.fifo"
    with pytest.raises(InvalidName):
        POLICY.physical_name(POLICY.tenant("acme"), "dynamodb", "jobs.fifo!")


def test_pooled_resources_keep_their_shared_name() -> None:
    policy = NamingPolicy(pooled_tables={"sessions": PooledTable("pk")})
    assert policy.physical_name(policy.tenant("acme"), "dynamodb", "sessions") == "sessions"
    assert policy.key_prefix(policy.tenant("acme")) == "t-acme/"
    assert policy.key_owner("t-acme/x") == ScopeRef("tenant", "acme")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"separator": "."}, "separator"),
        ({"tenant_marker": "c"}, "must differ"),
        ({"tenant_marker": "T"}, "must match"),
        ({"pooled_tables": {"t-x-y": PooledTable("pk")}}, "looks scoped"),
    ],
)
def test_bad_policies_fail_at_construction(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        NamingPolicy(**kwargs)  # type: ignore[arg-type]


def test_policy_from_config_table() -> None:
    policy = NamingPolicy.from_config(
        {"capsules": ["dev", "prod"], "pooled-tables": {"sessions": "pk",
         "events": {"partition-key": "tenant", "indexes": {"by-day": "tenant_day"}}}}
    )
    assert policy.pooled_tables["events"].indexes == {"by-day": "tenant_day"}
    with pytest.raises(ConfigurationError, match="unknown naming key"):
        NamingPolicy.from_config({"seperator": "-"})
    with pytest.raises(ConfigurationError, match="must be a list"):
        NamingPolicy.from_config({"capsules": "dev"})


def test_ssm_paths_carry_the_scope_as_their_first_segment() -> None:
    acme = POLICY.tenant("acme")
    assert POLICY.physical_name(acme, "ssm", "/app/db/password") == "/t-acme/app/db/password"
    assert POLICY.physical_name(acme, "ssm", "db-password") == "t-acme-db-password"
    assert POLICY.physical_name(POLICY.capsule("dev"), "ssm", "/app") == "/c-dev/app"
    assert POLICY.path_prefix(acme) == "/t-acme/"
    assert POLICY.path_prefix(ScopeRef("platform")) == ""
    assert POLICY.owner("/t-acme/app/db") == acme
    assert POLICY.owner("/t-acme") == acme
    assert POLICY.owner("/t-acme2/app") == POLICY.tenant("acme2")
    assert POLICY.owner("/app/t-acme/x") is None
    assert POLICY.owner("/t-acme\n") is None
    assert POLICY.physical_name(ScopeRef("platform"), "ssm", "/app/db") == "/app/db"


@pytest.mark.parametrize(
    "bad",
    ["/", "//app", "/app//db", "/app/", "/app/../db", "/./app", "/app/..", "app/db", "/app/d b",
     "/t-globex/x", "/t-globex", "/c-dev/x", "/t-acme-x/y"],
)
def test_bad_ssm_paths_are_refused_not_cleaned(bad: str) -> None:
    for scope in (POLICY.tenant("acme"), ScopeRef("platform")):
        with pytest.raises(InvalidName):
            POLICY.physical_name(scope, "ssm", bad)


def test_secret_names_may_be_paths_but_not_dot_or_empty_segments() -> None:
    acme = POLICY.tenant("acme")
    assert POLICY.physical_name(acme, "secretsmanager", "app/db+1=x.y@z_w") == (
        "t-acme-app/db+1=x.y@z_w")
    for bad in ("/app", "app/", "app//db", "app/../db", "./db", "app db"):
        with pytest.raises(InvalidName):
            POLICY.physical_name(acme, "secretsmanager", bad)


@given(scope=scopes.filter(lambda s: s.kind != "platform"), name=logical,
       service=st.sampled_from(["dynamodb", "sqs", "s3", "secretsmanager", "ssm"]))
def test_logical_name_inverts_physical_name(scope: ScopeRef, name: str, service: str) -> None:
    physical = physical_or_none(scope, service, name)
    assume(physical is not None)
    assert POLICY.logical_name(scope, service, physical) == name


@pytest.mark.parametrize(
    ("service", "physical"),
    [
        ("s3", "t-acme-" + "x" * 57),        # within the logical limit, over the bucket limit
        ("secretsmanager", "t-acme-../x"),   # an own prefix followed by a refused name
        ("ssm", "/t-acme/app//db"),
        ("dynamodb", "t-globex-orders"),     # another scope's
        ("dynamodb", "t-acme-t-acme-orders"),  # a remainder that itself looks scoped
    ],
)
def test_physical_names_that_no_logical_name_maps_to_are_refused(service: str, physical: str) -> None:
    with pytest.raises(InvalidName):
        POLICY.logical_name(POLICY.tenant("acme"), service, physical)
