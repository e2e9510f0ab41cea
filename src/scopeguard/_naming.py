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
from pathlib import Path
from typing import Final, Literal

from ._exceptions import ConfigurationError, InvalidName, InvalidScope
from ._scope_ids import (
    ID_FORMATS,
    UUID_RE,
    check_formats,
    check_tenant_id,
    compact,
    expand,
    id_regex,
    is_uuid_group,
    token_regex,
)
from ._templates import Template, TemplateKind, check_disjoint

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
# Any ID a default-layout name can carry: the dashed UUID first, or its first group would be read
# as a slug ID. Deliberately wider than what tenant() accepts (conservative ownership).
_ANY_ID: Final = f"(?:{UUID_RE}|[a-z0-9]+)"
# A UUID's first groups, 32 hex digits, or a compact token: what every UUID tenant's name holds.
_UUID_LIKE: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}|[0-9a-f]{32}|[a-z0-9]{25}")
# Services whose names may hold "/" as path segments.
_PATH_SERVICES: Final = frozenset({"ssm", "secretsmanager"})
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
    """Maps (scope, logical name) to physical names and back. Immutable; share one per app.

    Without templates, every service uses the default layout above. ``templates`` (tenant
    scopes) and ``capsule_templates`` describe an existing convention instead, keyed by service
    (``"dynamodb": "{logical}-{tenant}"``) or by one logical name of a service
    (``"dynamodb:settings": "settings-{tenant}"``); ``variables`` fill placeholders such as
    ``{app}``. ``key_templates`` give a pooled table's or bucket's key prefix
    (``"Product-pooled": "{tenant}-"``). ``tenant_ids`` chooses the accepted ID spellings
    (``_scope_ids``), ``compact_ids`` the services whose names carry UUIDs compacted (S3: 63
    characters). A set of templates two of which could produce one name is refused here."""

    separator: str = "-"
    tenant_marker: str = "t"
    capsule_marker: str = "c"
    key_delimiter: str = "/"
    max_tenant_id: int = 24
    max_capsule_code: int = 12
    capsules: frozenset[str] | None = None
    pooled_tables: Mapping[str, PooledTable] = field(default_factory=dict)
    pooled_buckets: frozenset[str] = frozenset()
    tenant_ids: frozenset[str] = frozenset(ID_FORMATS)
    templates: Mapping[str, str] = field(default_factory=dict)
    capsule_templates: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, str] = field(default_factory=dict)
    key_templates: Mapping[str, str] = field(default_factory=dict)
    compact_ids: frozenset[str] = frozenset({"s3"})
    _scoped_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _path_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _flat: dict[str, re.Pattern[str]] = field(init=False, repr=False, compare=False)
    _paths: dict[str, re.Pattern[str]] = field(init=False, repr=False, compare=False)
    # (kind, service) -> [(template, fixed logical name or None, compiled regex)]
    _parsed: dict[tuple[str, str], list[tuple[Template, str | None, re.Pattern[str]]]] = field(
        init=False, repr=False, compare=False)
    _keys: dict[str, tuple[Template, re.Pattern[str]]] = field(
        init=False, repr=False, compare=False)

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
        object.__setattr__(self, "tenant_ids", check_formats(self.tenant_ids))
        unknown = sorted(set(self.compact_ids) - set(NAME_RULES))
        if unknown:
            raise ConfigurationError(f"compact_ids names unknown services {unknown}")
        if self.compact_ids and self.max_tenant_id >= 25:
            # A compact token is 25 or 26 characters: a slug that long could be mistaken for one.
            raise ConfigurationError(
                "max_tenant_id must be at most 24 while compact_ids is set (compact UUID tokens "
                "are 25 and 26 characters long)"
            )
        if self.capsules is not None:
            for code in self.capsules:
                self._check_id("capsule code", code, self.max_capsule_code)
        markers = "|".join(re.escape(m) for m in (self.tenant_marker, self.capsule_marker))
        object.__setattr__(
            self,
            "_scoped_re",
            re.compile(f"({markers}){re.escape(sep)}({_ANY_ID}){re.escape(sep)}(.*)", re.DOTALL),
        )
        object.__setattr__(
            self, "_path_re", re.compile(f"/({markers}){re.escape(sep)}({_ANY_ID})(?:/|\\Z)")
        )
        flat, paths = {}, {}
        for kind, marker in (("tenant", self.tenant_marker), ("capsule", self.capsule_marker)):
            m, s = re.escape(marker), re.escape(sep)
            flat[kind] = re.compile(f"{m}{s}(?P<id>{_ANY_ID}){s}(?P<logical>.*)", re.DOTALL)
            paths[kind] = re.compile(f"/{m}{s}(?P<id>{_ANY_ID})(?P<logical>/.*|)", re.DOTALL)
        object.__setattr__(self, "_flat", flat)
        object.__setattr__(self, "_paths", paths)
        self._parse_templates()
        for logical in (*self.pooled_tables, *self.pooled_buckets):
            if self._scoped_re.match(logical):
                raise ConfigurationError(f"pooled resource name {logical!r} looks scoped")
        for service, names in (("dynamodb", self.pooled_tables), ("s3", self.pooled_buckets)):
            for logical in names:
                if self.owner(logical, service) is not None:
                    raise ConfigurationError(
                        f"pooled resource name {logical!r} reads as a name of "
                        f"{self.owner(logical, service)} under the configured templates")

    def _parse_templates(self) -> None:
        variables = dict(self.variables)
        for name, value in variables.items():
            if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name in (
                    "logical", "tenant", "capsule"):
                raise ConfigurationError(f"naming variable name {name!r} is not valid")
            if not isinstance(value, str) or not value or any(c in value for c in "{}*?$"):
                raise ConfigurationError(f"naming variable {name!r} must be a non-empty string "
                                         "without braces or IAM wildcards")
        parsed: dict[tuple[str, str], list[tuple[Template, str | None, re.Pattern[str]]]] = {}
        kinds: tuple[tuple[TemplateKind, Mapping[str, str]], ...] = (
            ("tenant", self.templates), ("capsule", self.capsule_templates))
        for kind, table in kinds:
            for key, text in table.items():
                service, _, logical = key.partition(":")
                where = f"{kind} template {key!r}"
                rule = NAME_RULES.get(service)
                if rule is None:
                    raise ConfigurationError(
                        f"{where}: unknown service {service!r}; known: {', '.join(NAME_RULES)}")
                tpl = Template.parse(text, kind, variables, rule.alphabet, where,
                                     needs_logical=not logical)
                if "/" in text and service not in _PATH_SERVICES:
                    raise ConfigurationError(f"{where}: {service} names cannot contain '/'")
                if service == "ssm" and "/" in tpl.head + (tpl.middle or "") + tpl.tail and (
                        not tpl.head.startswith("/")):
                    raise ConfigurationError(
                        f"{where}: an SSM parameter name with '/' must start with '/'")
                entry = (tpl, logical or None,
                         re.compile(tpl.regex(self._token_re(kind, service)), re.DOTALL))
                # A logical name's own template is tried before its service's.
                entries = parsed.setdefault((kind, service), [])
                entries.insert(0 if logical else len(entries), entry)
        for (scope_kind, service), entries in parsed.items():
            if all(fixed is not None for _, fixed, _ in entries):
                # Only some logical names have their own template: the rest keep the default.
                default = self._default_template(
                    "tenant" if scope_kind == "tenant" else "capsule")
                entries.append((default, None, re.compile(
                    default.regex(self._token_re(scope_kind, service)), re.DOTALL)))
        object.__setattr__(self, "_parsed", parsed)
        keys: dict[str, tuple[Template, re.Pattern[str]]] = {}
        for resource, text in self.key_templates.items():
            if resource not in self.pooled_tables and resource not in self.pooled_buckets:
                raise ConfigurationError(
                    f"key template for {resource!r}: not a pooled table or bucket")
            any_chars = re.compile(r"[^*?$]+")
            tpl = Template.parse(text, "tenant", variables, any_chars,
                                 f"key template {resource!r}", needs_logical=False)
            # A template that ends in {tenant} names one partition per tenant (the key *is*
            # the ID, as in a tenants table); its keys are compared whole, never as prefixes.
            # Buckets have no partitions: an object key equal to the ID would be one object.
            exact = not tpl.tail and resource in self.pooled_tables
            if tpl.middle is not None or not (exact or tpl.tail) or (
                    tpl.tail and tpl.tail[0] in "abcdefghijklmnopqrstuvwxyz0123456789"):
                raise ConfigurationError(
                    f"key template {resource!r} must end in a delimiter after {{tenant}} (such as "
                    f"'{{tenant}}-' or '{{tenant}}/'), so that one ID's keys never start "
                    "another's" + ("" if resource not in self.pooled_tables else
                                   ", or in {tenant} when the partition key is the ID itself"))
            keys[resource] = (tpl, re.compile(
                tpl.regex(id_regex(self.tenant_ids, self.max_tenant_id)), re.DOTALL))
        object.__setattr__(self, "_keys", keys)
        if parsed or keys:
            self._check_injective()

    def _default_template(self, kind: TemplateKind) -> Template:
        marker = self.tenant_marker if kind == "tenant" else self.capsule_marker
        return Template(f"{marker}{self.separator}{{{kind}}}{self.separator}{{logical}}", kind,
                        marker + self.separator, self.separator, "", True)

    def _token_re(self, kind: str, service: str) -> str:
        if kind == "capsule":
            return f"[a-z0-9]{{1,{self.max_capsule_code}}}"
        if service in self.compact_ids:
            return token_regex(self.tenant_ids, self.max_tenant_id)
        return id_regex(self.tenant_ids, self.max_tenant_id)

    def _check_injective(self) -> None:
        """Languages that must not share a string: per service, every template (tenant and
        capsule, the default layout where a kind has none) and the pooled names; per pooled
        resource, the tenant key prefixes and the capsule ones."""
        for service, rule in NAME_RULES.items():
            if ("tenant", service) not in self._parsed and ("capsule", service) not in self._parsed:
                continue
            chars = rule.alphabet.pattern[:-1]  # "[...]" of the service's name characters
            if service in _PATH_SERVICES:
                chars = chars[:-1] + "/]"
            languages: list[tuple[str, str]] = []
            for kind in self._kinds():
                entries = self._parsed.get((kind, service))
                if entries is None:
                    marker = self.tenant_marker if kind == "tenant" else self.capsule_marker
                    default = self._default_template(kind)
                    languages.append((f"the default {kind} layout",
                                      default.regex(self._token_re(kind, service), chars + "*")))
                    if service == "ssm":
                        languages.append((f"the default {kind} SSM path layout",
                                          "/" + re.escape(marker + self.separator)
                                          + f"({self._token_re(kind, service)})(/{chars}*)?"))
                    continue
                for tpl, fixed, _ in entries:
                    label = f"{kind} template {tpl.text!r}" + (f" for {fixed!r}" if fixed else "")
                    languages.append((label, tpl.regex(self._token_re(kind, service),
                                                        chars + "+")))
            pooled = self.pooled_tables if service == "dynamodb" else (
                self.pooled_buckets if service == "s3" else ())
            languages += [(f"pooled {rule.kind} {name!r}", re.escape(name)) for name in pooled]
            check_disjoint(f"naming templates for {service}", languages)
        for resource, (tpl, _) in self._keys.items():
            capsule = (re.escape(self.capsule_marker + self.separator)
                       + f"[a-z0-9]{{1,{self.max_capsule_code}}}"
                       + re.escape(self.key_delimiter) + ".*")
            if self._kinds() == ("tenant",):
                continue
            # A prefix template owns every key it starts; a whole-key template only itself.
            rest = ".*" if tpl.tail else ""
            check_disjoint(f"key templates for {resource!r}", [
                (f"tenant key template {tpl.text!r}",
                 tpl.regex(id_regex(self.tenant_ids, self.max_tenant_id)) + rest),
                ("the capsule key prefix", capsule),
            ])

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
        """Validate a tenant ID (a slug or a UUID, as ``tenant_ids`` allows) and return its
        scope; raise ``InvalidScope`` if it is not canonical."""
        dashed_keys = any(tpl.tail.startswith("-") for tpl, _ in self._keys.values())
        return ScopeRef("tenant", check_tenant_id(tenant_id, self.tenant_ids, self.max_tenant_id,
                                                  refuse_groups=dashed_keys))

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

    def token(self, scope: ScopeRef, service: str) -> str:
        """The scope ID as it appears in ``service``'s names (compacted where configured)."""
        if scope.kind == "tenant" and service in self.compact_ids:
            return compact(scope.id)
        return scope.id

    def name_prefix(self, scope: ScopeRef) -> str:
        """Prefix of every default-layout physical name a tenant/capsule owns, e.g. ``t-acme-``.
        See ``listing_prefix`` for the prefix of one service's names under templates."""
        if scope.kind not in ("tenant", "capsule"):
            return ""
        return f"{self.marker(scope)}{self.separator}{scope.id}{self.separator}"

    def path_prefix(self, scope: ScopeRef) -> str:
        """Prefix of every hierarchical SSM parameter name a scope owns, e.g. ``/t-acme/``;
        under an SSM template of the form ``/{app}/{tenant}/{logical}``, ``/app/<id>/``. Empty
        when the scope's parameters have no common path (then by-path calls are refused)."""
        if scope.kind not in ("tenant", "capsule"):
            return ""
        entries = self._parsed.get((scope.kind, "ssm"))
        if entries is None:
            return f"/{self.marker(scope)}{self.separator}{scope.id}/"
        service_tpl = next(tpl for tpl, fixed, _ in entries if fixed is None)
        root = service_tpl.root(scope.id)
        if len(entries) > 1 or root is None or not root.startswith("/") or not root.endswith("/"):
            return ""
        return root

    def listing_prefix(self, scope: ScopeRef, service: str) -> str | None:
        """The prefix every one of the scope's ``service`` names starts with, or None when the
        service's template does not start with the scope (listings cannot be narrowed)."""
        if scope.kind not in ("tenant", "capsule"):
            return ""
        entries = self._parsed.get((scope.kind, service))
        token = self.token(scope, service)
        if entries is None:
            return f"{self.marker(scope)}{self.separator}{token}{self.separator}"
        if len(entries) > 1:
            return None
        return entries[0][0].root(token)

    def name_patterns(self, scope: ScopeRef, service: str) -> list[str]:
        """IAM resource-name patterns matching exactly the scope's ``service`` names: the
        template with the logical name as ``*`` (flat and path forms for SSM)."""
        token = self.token(scope, service)
        entries = self._parsed.get((scope.kind, service))
        if entries is None:
            flat = f"{self.marker(scope)}{self.separator}{token}{self.separator}*"
            return [flat] if service != "ssm" else [flat, f"/{flat[:-2]}/*", f"/{flat[:-2]}"]
        return [tpl.iam_pattern(token) if tpl.has_logical else tpl.render(token, "")
                for tpl, _, _ in entries]

    def deny_patterns(self, scope: ScopeRef, service: str) -> list[str]:
        """IAM name patterns inside ``name_patterns`` that are other scopes' names: for a slug
        tenant of 8 (12) hex digits next to dashed UUIDs, names where the ID goes on as a UUID
        (``t-12345678-????-????-????-????????????-*``). The guard refuses them too."""
        if (len(scope.id) not in (8, 12) or scope.kind != "tenant"
                or "uuid" not in self.tenant_ids or service in self.compact_ids
                or not is_uuid_group(scope.id)):
            return []
        entries = self._parsed.get(("tenant", service))
        templates = [self._default_template("tenant")] if entries is None else [
            tpl for tpl, _, _ in entries]
        out = []
        for tpl in templates:
            if tpl.middle is None:
                continue
            if tpl.scope_first and len(scope.id) == 8 and tpl.middle.startswith("-"):
                out.append(tpl.render(scope.id + "-????-????-????-????????????", "*"))
            elif not tpl.scope_first and len(scope.id) == 12 and tpl.middle.endswith("-"):
                out.append(tpl.render("????????-????-????-????-" + scope.id, "*"))
        return out

    def key_prefix(self, scope: ScopeRef, resource: str | None = None) -> str:
        """Prefix of every partition key / object key a scope owns in pooled resources,
        e.g. ``t-acme/``. Ends in the delimiter so ``acme`` never matches ``acme2``.
        ``resource`` names the pooled table or bucket (its ``key_templates`` entry applies);
        where ``exact_key`` holds, this is the whole partition key instead."""
        if scope.kind not in ("tenant", "capsule"):
            return ""
        if scope.kind == "tenant" and resource in self._keys:
            return self._keys[resource][0].render(scope.id, "")
        return f"{self.marker(scope)}{self.separator}{scope.id}{self.key_delimiter}"

    def _kinds(self) -> tuple[TemplateKind, ...]:
        # An empty capsule allow-list admits no capsule: no name can be a capsule's, and the
        # capsule layout takes no part in the injectivity check.
        return ("tenant",) if self.capsules is not None and not self.capsules else (
            "tenant", "capsule")

    def _read(self, physical: str, service: str) -> tuple[ScopeRef, str] | None:
        """The one (scope, logical name) reading of ``physical`` in ``service``, or None."""
        for kind in self._kinds():
            entries = self._parsed.get((kind, service))
            if entries is not None:
                for tpl, fixed, pattern in entries:
                    m = pattern.fullmatch(physical)
                    if m is not None:
                        return self._scope_of(kind, service, m["id"]), (fixed or m["logical"])
                continue
            m = (self._paths if physical.startswith("/") else self._flat)[kind].fullmatch(physical)
            if m is not None:
                return self._scope_of(kind, service, m["id"]), m["logical"]
        return None

    def _scope_of(self, kind: str, service: str, token: str) -> ScopeRef:
        if kind == "tenant" and service in self.compact_ids:
            # A token that is no UUID's stays as read: no tenant ID can equal it, so the name is
            # nobody's to use but still not the platform's.
            token = expand(token) or token
        return ScopeRef(kind, token)  # type: ignore[arg-type]

    def owner(self, physical: str, service: str | None = None) -> ScopeRef | None:
        """The tenant/capsule a physical name belongs to, or None for shared names.

        Hierarchical SSM names (``/t-acme/...``, and the bare ``/t-acme`` path) belong to the
        scope named by their first segment. With ``service``, that service's templates decide;
        without, a name is a scope's if it is one in any service (what the static tools ask of
        a string literal whose service they do not know)."""
        if service is not None:
            read = self._read(physical, service)
            return None if read is None else read[0]
        if not self._parsed:
            m = (self._path_re if physical.startswith("/") else self._scoped_re).match(physical)
            if m is None:
                return None
            kind: ScopeKind = "tenant" if m.group(1) == self.tenant_marker else "capsule"
            return ScopeRef(kind, m.group(2))
        for name in NAME_RULES:
            read = self._read(physical, name)
            if read is not None:
                return read[0]
        return None

    def exact_key(self, scope: ScopeRef, resource: str | None) -> bool:
        """Whether ``scope``'s partition key in pooled table ``resource`` must equal
        ``key_prefix(scope, resource)`` (a key template ending in ``{tenant}``, such as
        ``TENANT#{tenant}``: one partition per tenant) rather than start with it."""
        entry = self._keys.get(resource) if resource is not None else None
        return scope.kind == "tenant" and entry is not None and not entry[0].tail

    def key_owner(self, key: str, resource: str | None = None) -> ScopeRef | None:
        """The tenant/capsule a pooled key belongs to, or None."""
        if resource in self._keys:
            tpl, pattern = self._keys[resource]
            m = pattern.match(key) if tpl.tail else pattern.fullmatch(key)
            if m:
                return ScopeRef("tenant", m["id"])
        sep, delim = re.escape(self.separator), re.escape(self.key_delimiter)
        for kind, marker in (("tenant", self.tenant_marker), ("capsule", self.capsule_marker)):
            if kind == "tenant" and resource in self._keys:
                continue
            m = re.match(f"{re.escape(marker)}{sep}({_ANY_ID}){delim}", key)
            if m:
                return ScopeRef(kind, m.group(1))  # type: ignore[arg-type]
        return None

    def might_hold_scoped_name(self, text: str) -> bool:
        """The static tools' cheap pre-filter for configured templates: can ``text`` contain a
        scope's name? (The default layout's marker pattern is the tools' own filter.)"""
        if not self._parsed and not self._keys:
            return False
        if "slug" in self.tenant_ids or self.capsule_templates:
            return True  # a slug can be any word: no cheap filter exists
        return _UUID_LIKE.search(text) is not None

    def is_pooled(self, service: str, logical: str) -> bool:
        if service == "dynamodb":
            return logical in self.pooled_tables
        if service == "s3":
            return logical in self.pooled_buckets
        return False

    def physical_name(self, scope: ScopeRef, service: str, logical: str) -> str:
        """The physical name of ``logical`` in ``scope`` for ``service``'s main resource kind.

        Raises ``InvalidName`` when the logical name is not valid for the service, looks scoped
        itself, or the result would exceed the service's length limit (never truncated), or
        would read back as another (scope, logical name) pair."""
        rule = NAME_RULES.get(service)
        if rule is None:
            raise InvalidName(
                f"{service!r} has no naming rule; scoped names exist for: {', '.join(NAME_RULES)}"
            )
        self.check_logical(service, logical)
        if self.is_pooled(service, logical) or scope.kind in ("platform", "operator"):
            return logical
        token = self.token(scope, service)
        entries = self._parsed.get((scope.kind, service))
        if entries is None:
            # Same length either way: "/t-acme" + "/app" or "t-acme-" + "app".
            marked = f"{self.marker(scope)}{self.separator}{token}"
            prefix = f"/{marked}" if logical.startswith("/") else marked + self.separator
            physical = prefix + logical
        else:
            tpl = next(t for t, fixed, _ in entries if fixed in (logical, None))
            physical = tpl.render(token, logical)
            self._check_physical(rule, service, physical)
        if len(physical) > rule.max_len:
            room = rule.max_len - (len(physical) - len(logical))
            raise InvalidName(
                f"{rule.kind} name {physical!r} for {scope} is {len(physical)} characters; "
                f"{service} allows {rule.max_len}: use a logical name of at most {room} characters"
            )
        # The default layout reads back by construction (the ID ends at the separator, a dashed
        # UUID has a fixed shape, and the one overlap, a slug that is a UUID's first group, is
        # what the deny patterns catch); a template set is checked by reading the name back.
        deny = self.deny_patterns(scope, service)
        if (deny and any(_iam_match(p, physical) for p in deny)) or (
                entries is not None and self._read(physical, service) != (scope, logical)):
            raise InvalidName(
                f"{rule.kind} name {physical!r} for {scope} and {logical!r} would be read as "
                f"another scope's (a UUID tenant's, or {self._read(physical, service)}); choose "
                "another logical name"
            )
        return physical

    def logical_name(self, scope: ScopeRef, service: str, physical: str) -> str:
        """The inverse of ``physical_name`` for a tenant/capsule: the logical name ``physical``
        is the image of. Raises ``InvalidName`` when it is not the image of any valid logical name
        (another scope's, or an own prefix followed by something ``physical_name`` would refuse,
        such as ``t-acme-../x``), so accepting a physical name never admits more than mapping a
        logical one would."""
        read = self._read(physical, service) if service in NAME_RULES else None
        if read is None or read[0] != scope:
            raise InvalidName(f"{physical!r} is not a {service} name of {scope}")
        logical = read[1]
        if service != "ssm" and logical.startswith("/") and (scope.kind, service) not in self._parsed:
            raise InvalidName(f"{physical!r} is not a {service} name of {scope}")
        # Mapping back checks the logical name and the service's length limit on the result.
        if self.physical_name(scope, service, logical) != physical:
            raise InvalidName(f"{physical!r} is not a {service} name of {scope}")
        return logical

    def _check_physical(self, rule: NameRule, service: str, physical: str) -> None:
        """A templated name must itself be a valid name of the service."""
        if service == "ssm" and physical.startswith("/"):
            self._check_segments(rule, physical, physical[1:].split("/"))
            return
        if "/" in physical and service in _PATH_SERVICES and service != "ssm":
            self._check_segments(rule, physical, physical.split("/"))
            return
        stem = physical
        for suffix in rule.suffixes:
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        if not rule.alphabet.fullmatch(stem):
            raise InvalidName(f"{rule.kind} name {physical!r} is not valid for {service}")
        if rule.must_end_alnum and not (physical[0].isalnum() and physical[-1].isalnum()):
            raise InvalidName(f"{rule.kind} name {physical!r} must start and end with a letter or digit")

    def _templated_path(self, service: str) -> bool:
        entries = self._parsed.get(("tenant", service))
        return service == "ssm" and entries is not None and any(
            "/" in tpl.head for tpl, _, _ in entries)

    def check_logical(self, service: str, logical: object) -> str:
        """Validate a logical name for ``service`` (alphabet, length, not scoped-looking)."""
        rule = NAME_RULES[service]
        if not isinstance(logical, str):
            raise InvalidName(f"{rule.kind} name must be a str, got {type(logical).__name__}")
        if service == "ssm" and logical.startswith("/"):
            return self._check_path(rule, logical)
        if "/" in logical and self._templated_path(service):
            # Under a path template (/{app}/{tenant}/{logical}) a relative path is a name.
            self._check_segments(rule, logical, logical.split("/"))
            if self.owner(logical, service) is not None:
                raise InvalidName(f"{rule.kind} name {logical!r} looks like a scoped name")
            return logical
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
        if self._scoped_re.match(logical) or (
                self._parsed and self.owner(logical, service) is not None):
            raise InvalidName(
                f"{rule.kind} name {logical!r} looks like a scoped physical name (marker, ID, "
                "separator, or a configured template); logical names must not, so that no name "
                "is ambiguous"
            )
        return logical

    def _check_path(self, rule: NameRule, logical: str) -> str:
        """A hierarchical SSM name: ``/`` then non-empty segments; the first never scope-like."""
        segments = logical[1:].split("/")
        self._check_segments(rule, logical, segments)
        if len(logical) > rule.max_len:
            raise InvalidName(f"{rule.kind} name {logical!r} must be at most {rule.max_len} "
                              "characters")
        if self._scoped_re.match(segments[0]) or self._path_re.match(logical) or (
                self._parsed and self.owner(logical, "ssm") is not None):
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
    def from_pyproject(cls, start: str | Path = ".", *,
                       pyproject: str | Path | None = None) -> NamingPolicy:
        """The policy of ``[tool.scopeguard.naming]`` in the nearest ``pyproject.toml`` above
        ``start`` (the default policy if there is none): the same loader the lint rules, the
        mypy plugin and ``scopeguard migrate`` use, so the runtime and the tools agree."""
        from ._config import load_config  # _config imports this module

        return load_config(start, pyproject=pyproject).naming

    @classmethod
    def from_config(cls, table: Mapping[str, object]) -> NamingPolicy:
        """Build a policy from the ``[tool.scopeguard.naming]`` table (keys use dashes:
        ``tenant-ids``, ``templates``, ``capsule-templates``, ``variables``, ``key-templates``,
        ``compact-ids`` besides the layout keys); see docs/adopting.md."""
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
            "tenant-ids": list,
            "templates": dict,
            "capsule-templates": dict,
            "variables": dict,
            "key-templates": dict,
            "compact-ids": list,
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
        for key in ("tenant_ids", "compact_ids"):
            if key in kwargs:
                kwargs[key] = frozenset(_strs(key.replace("_", "-"), kwargs[key]))  # type: ignore[arg-type]
        for key in ("templates", "capsule_templates", "variables", "key_templates"):
            if key in kwargs:
                table_value: dict[str, object] = kwargs[key]  # type: ignore[assignment]
                if not all(isinstance(v, str) for v in table_value.values()):
                    raise ConfigurationError(
                        f"naming key {key.replace('_', '-')!r} must map names to strings")
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


def _iam_match(pattern: str, name: str) -> bool:
    """IAM's wildcard match: ``*`` any run of characters, ``?`` any one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, name, re.DOTALL) is not None


def _strs(key: str, values: Iterable[object]) -> list[str]:
    out = list(values)
    if not all(isinstance(v, str) for v in out):
        raise ConfigurationError(f"naming key {key!r} must be a list of strings")
    return out  # type: ignore[return-value]


DEFAULT_POLICY: Final = NamingPolicy()
