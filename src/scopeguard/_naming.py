"""The naming policy: how a (scope, logical name) pair becomes the physical name AWS sees.

One ``NamingPolicy`` object is shared by the runtime guard, the IAM session-policy generator and the
static tools, so all of them agree on what belongs to whom. It is cheap to import (no boto3) because
the lint rules and the mypy plugin use it too.

The default layout, with separator ``-``::

    platform            orders                (as written; must not look scoped)
    tenant  acme        t-acme-orders         marker "t", tenant ID, separator, logical name
    capsule dev         c-dev-orders          marker "c", capsule code, separator, logical name
    pooled table/bucket sessions              shared; partition keys / object keys carry t-acme/
    SSM parameter path  /t-acme/app/db        the scope is the first path segment (see below)

Why this is injective: a scope ID is drawn from ``[a-z0-9]`` and never contains the separator, the
markers differ, and a logical name may never itself look scoped. So the first two separators of a
scoped physical name delimit (marker, ID) unambiguously, and no platform or logical name can be
read as a scoped one. ``tests/test_naming.py`` checks this property with hypothesis.

SSM parameter names are flat (``db``, mapped like any name to ``t-acme-db``) or hierarchical
(``/app/db``). A hierarchical name gets the scope as its first path segment, ``/t-acme/app/db``,
so IAM can grant ``parameter/t-acme/*`` and ``GetParametersByPath("/t-acme")`` returns one
scope's parameters. The path form stays injective: a flat name never starts with ``/``, and a
hierarchical logical name may not start with a scope-looking segment.

Names that may contain ``/`` (SSM paths, Secrets Manager names) are checked as paths: no empty
segment (``//``, a leading ``/`` on a secret, a trailing ``/``) and no ``.`` or ``..`` segment.
Nothing is cleaned: such names are refused.

Nothing is normalised: an ID that is not already canonical is refused with ``InvalidScope``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from ._exceptions import ConfigurationError, InvalidName, InvalidScope

__all__ = [
    "DEFAULT_POLICY",
    "NAME_RULES",
    "NameRule",
    "NamingPolicy",
    "PooledTable",
    "ScopeKind",
    "ScopeRef",
]

ScopeKind = Literal["platform", "tenant", "capsule", "operator"]

_ID_RE: Final = re.compile(r"[a-z0-9]+")
_ACCOUNT_RE: Final = re.compile(r"[0-9]{12}")


@dataclass(frozen=True, slots=True)
class ScopeRef:
    """The readable identity of a scope: ``tenant:acme``, ``capsule:dev``, ``platform``."""

    kind: ScopeKind
    id: str = ""
    role: str = ""  # operator scopes only: the role assumed in account ``id``

    def __str__(self) -> str:
        text = f"{self.kind}:{self.id}" if self.id else self.kind
        return f"{text}/{self.role}" if self.role else text


@dataclass(frozen=True, slots=True)
class NameRule:
    """What AWS accepts as a name of one resource kind: alphabet, length, allowed suffixes."""

    kind: str
    alphabet: re.Pattern[str]
    max_len: int
    min_len: int = 1
    suffixes: tuple[str, ...] = ()
    must_end_alnum: bool = False


def _rule(kind: str, chars: str, max_len: int, **kw: object) -> NameRule:
    return NameRule(kind, re.compile(f"[{chars}]+"), max_len, **kw)  # type: ignore[arg-type]


NAME_RULES: Final[Mapping[str, NameRule]] = {
    # Per service: the resource a bare name in that service's API refers to.
    "dynamodb": _rule("table", r"A-Za-z0-9_.\-", 255, min_len=3),
    # Dots are valid in bucket names but break virtual-host TLS and look like a path; refuse them.
    "s3": _rule("bucket", r"a-z0-9\-", 63, min_len=3, must_end_alnum=True),
    "sqs": _rule("queue", r"A-Za-z0-9_\-", 80, suffixes=(".fifo",)),
    "sns": _rule("topic", r"A-Za-z0-9_\-", 256, suffixes=(".fifo",)),
    "secretsmanager": _rule("secret", r"A-Za-z0-9/_+=.@\-", 512),
    "ssm": _rule("parameter", r"A-Za-z0-9_.\-", 1011),
    "events": _rule("event bus", r"A-Za-z0-9_.\-", 256),
    "kinesis": _rule("stream", r"A-Za-z0-9_.\-", 128),
    "lambda": _rule("function", r"A-Za-z0-9_\-", 64),
}


@dataclass(frozen=True, slots=True)
class PooledTable:
    """A DynamoDB table shared by many scopes; each item's partition key starts with the scope's
    key prefix. ``indexes`` maps a GSI name to its partition-key attribute, which must carry the
    prefix too; queries on indexes not listed here are refused."""

    partition_key: str
    indexes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NamingPolicy:
    """Maps (scope, logical name) to physical names and back. Immutable; share one per app."""

    separator: str = "-"
    tenant_marker: str = "t"
    capsule_marker: str = "c"
    key_delimiter: str = "/"
    max_tenant_id: int = 24
    max_capsule_code: int = 12
    capsules: frozenset[str] | None = None
    pooled_tables: Mapping[str, PooledTable] = field(default_factory=dict)
    pooled_buckets: frozenset[str] = frozenset()
    _scoped_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _path_re: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sep = self.separator
        if sep not in ("-", "_"):
            raise ConfigurationError(
                f"naming separator {sep!r} must be '-' or '_' (the only characters valid in every "
                "covered service's names)"
            )
        for label, marker in (("tenant", self.tenant_marker), ("capsule", self.capsule_marker)):
            if not _ID_RE.fullmatch(marker):
                raise ConfigurationError(f"{label} marker {marker!r} must match [a-z0-9]+")
        if self.tenant_marker == self.capsule_marker:
            raise ConfigurationError("tenant and capsule markers must differ")
        if self.key_delimiter not in ("/", "#", ":", "|"):
            raise ConfigurationError("key delimiter must be one of / # : |")
        if self.capsules is not None:
            for code in self.capsules:
                self._check_id("capsule code", code, self.max_capsule_code)
        markers = "|".join(re.escape(m) for m in (self.tenant_marker, self.capsule_marker))
        object.__setattr__(
            self,
            "_scoped_re",
            re.compile(f"({markers}){re.escape(sep)}([a-z0-9]+){re.escape(sep)}(.*)", re.DOTALL),
        )
        object.__setattr__(
            self, "_path_re", re.compile(f"/({markers}){re.escape(sep)}([a-z0-9]+)(?:/|\\Z)")
        )
        for logical in (*self.pooled_tables, *self.pooled_buckets):
            if self._scoped_re.match(logical):
                raise ConfigurationError(f"pooled resource name {logical!r} looks scoped")

    # -- scope identifiers ------------------------------------------------------------------

    @staticmethod
    def _check_id(label: str, value: object, max_len: int) -> str:
        if not isinstance(value, str):
            raise InvalidScope(f"{label} must be a str, got {type(value).__name__}")
        if not value:
            raise InvalidScope(f"{label} is empty")
        if len(value) > max_len:
            raise InvalidScope(f"{label} {value!r} is {len(value)} characters; the limit is {max_len}")
        if not _ID_RE.fullmatch(value):
            raise InvalidScope(
                f"{label} {value!r} is not canonical: use lowercase ASCII letters and digits only "
                "(no separators, whitespace, upper case or non-ASCII; nothing is normalised)"
            )
        return value

    def tenant(self, tenant_id: str) -> ScopeRef:
        """Validate a tenant ID and return its scope; raise ``InvalidScope`` if not canonical."""
        return ScopeRef("tenant", self._check_id("tenant ID", tenant_id, self.max_tenant_id))

    def capsule(self, code: str) -> ScopeRef:
        """Validate a capsule code (and the allow-list, if configured) and return its scope."""
        self._check_id("capsule code", code, self.max_capsule_code)
        if self.capsules is not None and code not in self.capsules:
            known = ", ".join(sorted(self.capsules))
            raise InvalidScope(f"capsule code {code!r} is not configured; known capsules: {known}")
        return ScopeRef("capsule", code)

    @staticmethod
    def account(account_id: str) -> ScopeRef:
        """Validate a 12-digit AWS account ID and return the operator scope for it."""
        if not isinstance(account_id, str) or not _ACCOUNT_RE.fullmatch(account_id):
            raise InvalidScope(f"account ID {account_id!r} must be exactly 12 ASCII digits")
        return ScopeRef("operator", account_id)

    # -- names ------------------------------------------------------------------------------

    def marker(self, scope: ScopeRef) -> str:
        return self.tenant_marker if scope.kind == "tenant" else self.capsule_marker

    def name_prefix(self, scope: ScopeRef) -> str:
        """Prefix of every physical name a tenant/capsule owns, e.g. ``t-acme-``."""
        if scope.kind not in ("tenant", "capsule"):
            return ""
        return f"{self.marker(scope)}{self.separator}{scope.id}{self.separator}"

    def path_prefix(self, scope: ScopeRef) -> str:
        """Prefix of every hierarchical SSM parameter name a scope owns, e.g. ``/t-acme/``."""
        if scope.kind not in ("tenant", "capsule"):
            return ""
        return f"/{self.marker(scope)}{self.separator}{scope.id}/"

    def key_prefix(self, scope: ScopeRef) -> str:
        """Prefix of every partition key / object key a scope owns in pooled resources,
        e.g. ``t-acme/``. Ends in the delimiter so ``acme`` never matches ``acme2``."""
        if scope.kind not in ("tenant", "capsule"):
            return ""
        return f"{self.marker(scope)}{self.separator}{scope.id}{self.key_delimiter}"

    def owner(self, physical: str) -> ScopeRef | None:
        """The tenant/capsule a physical name belongs to, or None for shared names.

        Hierarchical SSM names (``/t-acme/...``, and the bare ``/t-acme`` path) belong to the
        scope named by their first segment."""
        m = (self._path_re if physical.startswith("/") else self._scoped_re).match(physical)
        if m is None:
            return None
        kind: ScopeKind = "tenant" if m.group(1) == self.tenant_marker else "capsule"
        return ScopeRef(kind, m.group(2))

    def key_owner(self, key: str) -> ScopeRef | None:
        """The tenant/capsule a pooled key belongs to, or None."""
        sep, delim = re.escape(self.separator), re.escape(self.key_delimiter)
        for kind, marker in (("tenant", self.tenant_marker), ("capsule", self.capsule_marker)):
            m = re.match(f"{re.escape(marker)}{sep}([a-z0-9]+){delim}", key)
            if m:
                return ScopeRef(kind, m.group(1))  # type: ignore[arg-type]
        return None

    def is_pooled(self, service: str, logical: str) -> bool:
        if service == "dynamodb":
            return logical in self.pooled_tables
        if service == "s3":
            return logical in self.pooled_buckets
        return False

    def physical_name(self, scope: ScopeRef, service: str, logical: str) -> str:
        """The physical name of ``logical`` in ``scope`` for ``service``'s main resource kind.

        Raises ``InvalidName`` when the logical name is not valid for the service, looks scoped
        itself, or the result would exceed the service's length limit (never truncated)."""
        rule = NAME_RULES.get(service)
        if rule is None:
            raise InvalidName(
                f"{service!r} has no naming rule; scoped names exist for: {', '.join(NAME_RULES)}"
            )
        self.check_logical(service, logical)
        if self.is_pooled(service, logical) or scope.kind in ("platform", "operator"):
            return logical
        # Same length either way: "/t-acme" + "/app" or "t-acme-" + "app".
        prefix = (self.path_prefix(scope)[:-1] if logical.startswith("/")
                  else self.name_prefix(scope))
        physical = prefix + logical
        if len(physical) > rule.max_len:
            room = rule.max_len - len(prefix)
            raise InvalidName(
                f"{rule.kind} name {physical!r} for {scope} is {len(physical)} characters; "
                f"{service} allows {rule.max_len}: use a logical name of at most {room} characters"
            )
        return physical

    def logical_name(self, scope: ScopeRef, service: str, physical: str) -> str:
        """The inverse of ``physical_name`` for a tenant/capsule: the logical name ``physical``
        is the image of. Raises ``InvalidName`` when it is not the image of any valid logical name
        (another scope's, or an own prefix followed by something ``physical_name`` would refuse,
        such as ``t-acme-../x``), so accepting a physical name never admits more than mapping a
        logical one would."""
        path, flat = self.path_prefix(scope), self.name_prefix(scope)
        if service == "ssm" and physical.startswith(path):
            logical = physical[len(path) - 1:]
        elif flat and physical.startswith(flat):
            logical = physical[len(flat):]
        else:
            raise InvalidName(f"{physical!r} is not a {service} name of {scope}")
        # Mapping back checks the logical name and the service's length limit on the result.
        if self.physical_name(scope, service, logical) != physical:
            raise InvalidName(f"{physical!r} is not a {service} name of {scope}")
        return logical

    def check_logical(self, service: str, logical: object) -> str:
        """Validate a logical name for ``service`` (alphabet, length, not scoped-looking)."""
        rule = NAME_RULES[service]
        if not isinstance(logical, str):
            raise InvalidName(f"{rule.kind} name must be a str, got {type(logical).__name__}")
        if service == "ssm" and logical.startswith("/"):
            return self._check_path(rule, logical)
        stem = logical
        for suffix in rule.suffixes:
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        if not stem or not rule.alphabet.fullmatch(stem):
            raise InvalidName(
                f"{rule.kind} name {logical!r} is not valid for {service}: allowed characters are "
                f"{rule.alphabet.pattern[1:-2]}"
            )
        if len(logical) < rule.min_len or len(logical) > rule.max_len:
            raise InvalidName(
                f"{rule.kind} name {logical!r} must be {rule.min_len}..{rule.max_len} characters"
            )
        if "/" in logical or logical in (".", ".."):
            # A bare "." or ".." is one path segment too: in any service whose names may hold
            # "/" (secrets, parameters) it would read as a relative path.
            self._check_segments(rule, logical, logical.split("/"))
        if rule.must_end_alnum and not (logical[0].isalnum() and logical[-1].isalnum()):
            raise InvalidName(f"{rule.kind} name {logical!r} must start and end with a letter or digit")
        if self._scoped_re.match(logical):
            raise InvalidName(
                f"{rule.kind} name {logical!r} looks like a scoped physical name (marker, ID, "
                "separator); logical names must not, so that no name is ambiguous"
            )
        return logical

    def _check_path(self, rule: NameRule, logical: str) -> str:
        """A hierarchical SSM name: ``/`` then non-empty segments; the first never scope-like."""
        segments = logical[1:].split("/")
        self._check_segments(rule, logical, segments)
        if len(logical) > rule.max_len:
            raise InvalidName(f"{rule.kind} name {logical!r} must be at most {rule.max_len} "
                              "characters")
        if self._scoped_re.match(segments[0]) or self._path_re.match(logical):
            raise InvalidName(
                f"{rule.kind} name {logical!r} starts with a scope-like path segment; "
                "hierarchical logical names must not, so that no name is ambiguous"
            )
        return logical

    @staticmethod
    def _check_segments(rule: NameRule, logical: str, segments: list[str]) -> None:
        for segment in segments:
            if not segment or segment in (".", ".."):
                raise InvalidName(
                    f"{rule.kind} name {logical!r} has an empty, '.' or '..' path segment "
                    "('//', a leading or trailing '/'); names are compared exactly, so such "
                    "names are refused rather than cleaned"
                )
            if not rule.alphabet.fullmatch(segment):
                raise InvalidName(
                    f"{rule.kind} name {logical!r} is not valid: allowed characters are "
                    f"{rule.alphabet.pattern[1:-2]}"
                )

    @classmethod
    def from_config(cls, table: Mapping[str, object]) -> NamingPolicy:
        """Build a policy from the ``[tool.scopeguard.naming]`` table (keys use dashes)."""
        known = {
            "separator": str,
            "tenant-marker": str,
            "capsule-marker": str,
            "key-delimiter": str,
            "max-tenant-id": int,
            "max-capsule-code": int,
            "capsules": list,
            "pooled-tables": dict,
            "pooled-buckets": list,
        }
        kwargs: dict[str, object] = {}
        for key, value in table.items():
            expected = known.get(key)
            if expected is None:
                raise ConfigurationError(
                    f"unknown naming key {key!r}; known keys: {', '.join(sorted(known))}"
                )
            if not isinstance(value, expected) or isinstance(value, bool):
                raise ConfigurationError(
                    f"naming key {key!r} must be a {expected.__name__}, got {type(value).__name__}"
                )
            kwargs[key.replace("-", "_")] = value
        if "capsules" in kwargs:
            kwargs["capsules"] = frozenset(_strs("capsules", kwargs["capsules"]))  # type: ignore[arg-type]
        if "pooled_buckets" in kwargs:
            kwargs["pooled_buckets"] = frozenset(
                _strs("pooled-buckets", kwargs["pooled_buckets"])  # type: ignore[arg-type]
            )
        if "pooled_tables" in kwargs:
            tables: dict[str, PooledTable] = {}
            for name, spec in kwargs["pooled_tables"].items():  # type: ignore[attr-defined]
                if isinstance(spec, str):
                    tables[name] = PooledTable(spec)
                elif isinstance(spec, dict) and isinstance(spec.get("partition-key"), str):
                    tables[name] = PooledTable(
                        spec["partition-key"], dict(spec.get("indexes", {}))
                    )
                else:
                    raise ConfigurationError(
                        f"pooled table {name!r}: give the partition-key attribute name, or a "
                        "table with 'partition-key' and optional 'indexes'"
                    )
            kwargs["pooled_tables"] = tables
        return cls(**kwargs)  # type: ignore[arg-type]


def _strs(key: str, values: Iterable[object]) -> list[str]:
    out = list(values)
    if not all(isinstance(v, str) for v in out):
        raise ConfigurationError(f"naming key {key!r} must be a list of strings")
    return out  # type: ignore[return-value]


DEFAULT_POLICY: Final = NamingPolicy()
