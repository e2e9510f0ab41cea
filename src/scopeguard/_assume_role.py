"""What an operator scope assumes: its settings, IAM's limits, and the exact AssumeRole request.

Two objects, two lifetimes:

* ``OperatorSettings`` is configuration, fixed when the factory is built: which role, which
  ExternalId and SourceIdentity, how long credentials live and are reused.
* ``AssumeRoleSpec`` is one complete AssumeRole request, built per account (or per scope, with a
  session policy) and kept: it is the credential cache's key, so equal specs share credentials.

Both refuse, on construction, anything IAM or STS would refuse, with IAM's own alphabets and
limits; ``_policy`` validates ``TenantRoleSettings`` against the same rules.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ._exceptions import ConfigurationError, InvalidScope
from ._naming import NamingPolicy

__all__ = ["AssumeRoleSpec", "OperatorSettings", "role_session_name"]

# IAM's own alphabets (IAM API reference, "CreateRole" / STS "AssumeRole"). ASCII spelled out:
# Python's \w would also accept non-ASCII letters that IAM refuses.
_NAME_CHARS: Final = "ASCII letters, digits and _+=,.@-"
_CLASS: Final = r"A-Za-z0-9_+=,.@\-"
_ROLE_NAME_RE: Final = re.compile(rf"[{_CLASS}]{{1,64}}")
_PATH_PART_RE: Final = re.compile(rf"[{_CLASS}]+")
_SESSION_NAME_RE: Final = re.compile(rf"[{_CLASS}]{{2,64}}")
_PREFIX_RE: Final = re.compile(rf"[{_CLASS}]{{1,32}}")
_SUBJECT_RE: Final = re.compile(r"[A-Za-z0-9_+=,@\-]+")  # no ".": it marks hashed session names
_EXTERNAL_ID_RE: Final = re.compile(rf"[{_CLASS}:/]{{2,1224}}")
_SOURCE_IDENTITY_RE: Final = re.compile(rf"[{_CLASS}]{{2,64}}")
_PARTITION_RE: Final = re.compile(r"aws(-[a-z]+)*")
_REGION_RE: Final = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
_POLICY_ARN_RE: Final = re.compile(r"arn:aws(-[a-z]+)*:iam::([0-9]{12}|aws):policy/[\x21-\x7e]+")

_MIN_DURATION: Final = 900
_MAX_DURATION: Final = 43_200
_MAX_POLICY_CHARS: Final = 2048


def _fail(setting: str, value: object, why: str) -> ConfigurationError:
    return ConfigurationError(f"OperatorSettings.{setting}={value!r} is refused: {why}")


def _check_role_name(role_name: object, setting: str = "role_name") -> str:
    """A role name, optionally with an IAM path: ``Ops`` or ``team/ops/Ops`` (no leading ``/``)."""
    if not isinstance(role_name, str) or not role_name:
        raise _fail(setting, role_name, "give the role name, e.g. 'OrganizationAccountAccessRole'")
    *path, name = role_name.split("/")
    if not _ROLE_NAME_RE.fullmatch(name):
        raise _fail(setting, role_name, f"a role name is 1-64 characters: {_NAME_CHARS}")
    # IAM would accept "." and ".." as path segments and never resolve them; nothing downstream
    # should have to wonder whether something did, so they are refused (THREATS.md).
    if (
        any(not _PATH_PART_RE.fullmatch(p) or p in (".", "..") for p in path)
        or name in (".", "..")
        or len(role_name) - len(name) > 511
    ):
        raise _fail(
            setting,
            role_name,
            "an IAM path is written 'a/b/RoleName': no leading or doubled '/', no '.' or '..' "
            f"segments, segments of {_NAME_CHARS}, at most 512 characters",
        )
    return role_name


@dataclass(frozen=True, slots=True)
class OperatorSettings:
    """How operator scopes assume roles in other accounts of the Organization.

    Validated on construction; an instance that exists is usable.

    Timing, all in seconds: credentials are cached for ``min(ttl_seconds, expiry - margin_seconds)``
    after each AssumeRole, then refreshed. During an STS outage, credentials that still have more
    than ``margin_seconds`` left keep being served, and STS is retried at most once per
    ``retry_interval_seconds`` per role. Each refresh point is moved earlier by a random part of
    ``refresh_jitter`` (a fraction of the lifetime, at most 0.5): processes and roles fetched
    together do not all refresh in the same second. It only ever moves earlier, so credentials
    are still never used with less than ``margin_seconds`` left. Raise ``duration_seconds`` above ``ttl_seconds +
    margin_seconds`` to get such an outage allowance: with the defaults there is none.
    """

    role_name: str = "OrganizationAccountAccessRole"
    external_id: str | None = None
    source_identity: str | None = None
    session_name_prefix: str = "scopeguard"
    duration_seconds: int = 3600
    ttl_seconds: int = 55 * 60
    margin_seconds: int = 5 * 60
    sts_region: str | None = None
    denied_ttl_seconds: int = 60
    max_cached: int = 1024
    retry_interval_seconds: int = 30
    refresh_jitter: float = 0.1

    def __post_init__(self) -> None:
        _check_role_name(self.role_name)
        if self.external_id is not None and not _EXTERNAL_ID_RE.fullmatch(self.external_id):
            raise _fail("external_id", "…", f"2-1224 characters: {_NAME_CHARS}:/")
        if self.source_identity is not None and (
            not _SOURCE_IDENTITY_RE.fullmatch(self.source_identity)
            or self.source_identity.lower().startswith("aws:")
        ):
            raise _fail(
                "source_identity",
                self.source_identity,
                f"2-64 characters: {_NAME_CHARS}, not starting with 'aws:'",
            )
        if not isinstance(self.session_name_prefix, str) or not _PREFIX_RE.fullmatch(
            self.session_name_prefix
        ):
            raise _fail(
                "session_name_prefix",
                self.session_name_prefix,
                f"1-32 characters: {_NAME_CHARS} (the account ID and a separator follow it)",
            )
        for name in (
            "duration_seconds",
            "ttl_seconds",
            "margin_seconds",
            "denied_ttl_seconds",
            "max_cached",
            "retry_interval_seconds",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise _fail(name, value, "give a whole number")
        # botocore refreshes RefreshableCredentials when fewer than 15 minutes (its advisory
        # window) remain. A credential that lives 900 s or less is born inside that window, so
        # every request made with it under botocore's defaults would call AssumeRole again. The
        # credentials the cache builds use windows derived from the margin instead (see
        # _credentials.CredentialCache._new_credentials), but a 15-minute session leaves at most ten minutes of
        # use per STS call and invites exactly that storm wherever the keys are handed to plain
        # botocore code. Refuse it rather than tune around it.
        if not _MIN_DURATION < self.duration_seconds <= _MAX_DURATION:
            raise _fail(
                "duration_seconds",
                self.duration_seconds,
                f"must be above {_MIN_DURATION} (botocore's advisory refresh window: shorter "
                f"sessions are refreshed on every request) and at most {_MAX_DURATION}",
            )
        if self.ttl_seconds <= 0:
            raise _fail("ttl_seconds", self.ttl_seconds, "must be positive")
        if self.margin_seconds < 60:
            raise _fail(
                "margin_seconds",
                self.margin_seconds,
                "must be at least 60: it absorbs clock skew and requests in flight at expiry",
            )
        lifetime = min(self.ttl_seconds, self.duration_seconds - self.margin_seconds)
        if lifetime < 300:
            raise _fail(
                "margin_seconds",
                self.margin_seconds,
                f"with ttl_seconds={self.ttl_seconds} and duration_seconds="
                f"{self.duration_seconds} credentials would be reused for only {lifetime} s; "
                "keep min(ttl, duration - margin) at 300 s or more",
            )
        if (
            not isinstance(self.refresh_jitter, (int, float))
            or isinstance(self.refresh_jitter, bool)
            or not 0 <= self.refresh_jitter <= 0.5
        ):
            raise _fail(
                "refresh_jitter",
                self.refresh_jitter,
                "a fraction of the lifetime between 0 (refresh exactly at its end) and 0.5",
            )
        if self.sts_region is not None and not _REGION_RE.fullmatch(self.sts_region):
            raise _fail("sts_region", self.sts_region, "give a region code such as 'eu-west-1'")
        if not 30 <= self.denied_ttl_seconds <= 120:
            raise _fail(
                "denied_ttl_seconds",
                self.denied_ttl_seconds,
                "AccessDenied is remembered for 30-120 s: long enough to spare STS, short "
                "enough that a fixed trust policy is picked up quickly",
            )
        if self.max_cached < 1:
            raise _fail("max_cached", self.max_cached, "the cache must hold at least one role")
        if not 1 <= self.retry_interval_seconds <= self.margin_seconds:
            raise _fail(
                "retry_interval_seconds",
                self.retry_interval_seconds,
                f"must be between 1 and margin_seconds ({self.margin_seconds})",
            )

    @property
    def lifetime_seconds(self) -> int:
        """How long one AssumeRole is reused when STS grants the full requested duration."""
        return min(self.ttl_seconds, self.duration_seconds - self.margin_seconds)


def role_session_name(prefix: str, subject: str) -> str:
    """The deterministic RoleSessionName CloudTrail shows for ``subject`` (an account, a tenant).

    ``prefix-subject`` when it fits in 64 characters, which it always does for a 12-digit account
    and a valid prefix. Longer subjects keep a readable head and gain a hash of the whole subject
    after a ``.``; subjects may not contain ``.``, so for one prefix the readable and hashed forms
    never meet and the mapping stays injective (up to a 96-bit hash collision).
    """
    if not _PREFIX_RE.fullmatch(prefix):
        raise ConfigurationError(f"session name prefix {prefix!r}: 1-32 characters: {_NAME_CHARS}")
    if not _SUBJECT_RE.fullmatch(subject):
        raise InvalidScope(f"session subject {subject!r}: {_NAME_CHARS} except '.'")
    name = f"{prefix}-{subject}"
    if len(name) <= 64:
        return name
    digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
    head = 64 - len(prefix) - 1 - 1 - len(digest)
    return f"{prefix}-{subject[:head]}.{digest}"


def _canonical_policy(policy: Mapping[str, Any] | str) -> str:
    try:
        data = json.loads(policy) if isinstance(policy, str) else policy
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"session policy is not JSON: {exc}") from None
    if len(text) > _MAX_POLICY_CHARS:
        raise ConfigurationError(
            f"session policy is {len(text)} characters once compacted; STS accepts "
            f"{_MAX_POLICY_CHARS}: split the scope or use managed policy ARNs"
        )
    return text


@dataclass(frozen=True, slots=True)
class AssumeRoleSpec:
    """The complete shape of one AssumeRole request: the credential cache's key.

    Every input that changes the credentials STS returns is a field, so two specs compare equal
    only when the credentials they would produce are interchangeable: the role ARN (partition,
    account, path and name), session name, external ID, source identity, session policy (kept in
    canonical JSON, compared by content), managed policy ARNs, session tags and transitive tag
    keys, duration, the STS region and endpoint asked, and the source principal asking. Leaving
    any of these out would let two different requests share one credential, for instance a
    tenant's narrowly scoped session reusing an operator's unscoped one.

    ``assume_role_kwargs()`` is the exact request; nothing else is sent.
    """

    role_arn: str
    role_session_name: str
    duration_seconds: int
    external_id: str | None = None
    source_identity: str | None = None
    policy: str | None = field(default=None, repr=False)
    policy_arns: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    sts_region: str | None = None
    sts_endpoint: str | None = None
    # A CredentialCache is bound to one STS client and thus one base identity, so it leaves this
    # empty. Anything sharing specs across base identities must set it (e.g. the caller's ARN).
    source_principal: str = ""

    def __post_init__(self) -> None:
        parts = self.role_arn.split(":", 5)
        if (
            len(parts) != 6
            or parts[0] != "arn"
            or not _PARTITION_RE.fullmatch(parts[1])
            or parts[2:4] != ["iam", ""]
            or not parts[5].startswith("role/")
        ):
            raise ConfigurationError(f"{self.role_arn!r} is not an IAM role ARN")
        NamingPolicy.account(parts[4])
        _check_role_name(parts[5].removeprefix("role/"), "role ARN")
        if not _SESSION_NAME_RE.fullmatch(self.role_session_name):
            raise ConfigurationError(
                f"RoleSessionName {self.role_session_name!r}: 2-64 characters: {_NAME_CHARS}"
            )
        if not _MIN_DURATION <= self.duration_seconds <= _MAX_DURATION:
            raise ConfigurationError(f"DurationSeconds {self.duration_seconds}: 900-43200")
        if self.policy is not None and _canonical_policy(self.policy) != self.policy:
            raise ConfigurationError(
                "session policy must be canonical JSON: build the spec with AssumeRoleSpec.create"
            )
        if len(self.policy_arns) > 10 or not all(
            _POLICY_ARN_RE.fullmatch(a) for a in self.policy_arns
        ):
            raise ConfigurationError("policy_arns: at most 10 IAM managed policy ARNs")
        keys = [k for k, _ in self.tags]
        if (
            len(self.tags) > 50
            or list(self.tags) != sorted(self.tags)
            or len({k.lower() for k in keys}) != len(keys)
            or not all(1 <= len(k) <= 128 and len(v) <= 256 for k, v in self.tags)
        ):
            raise ConfigurationError(
                "tags: at most 50, keys unique ignoring case, sorted; build with create()"
            )
        if not set(self.transitive_tag_keys) <= set(keys) or list(
            self.transitive_tag_keys
        ) != sorted(set(self.transitive_tag_keys)):
            raise ConfigurationError("transitive_tag_keys must be sorted keys of tags")

    @classmethod
    def create(
        cls,
        *,
        account_id: str,
        role_name: str,
        session_name: str,
        duration_seconds: int,
        partition: str = "aws",
        external_id: str | None = None,
        source_identity: str | None = None,
        policy: Mapping[str, Any] | str | None = None,
        policy_arns: Iterable[str] = (),
        tags: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        transitive_tag_keys: Iterable[str] = (),
        sts_region: str | None = None,
        sts_endpoint: str | None = None,
        source_principal: str = "",
    ) -> AssumeRoleSpec:
        """Validate the parts and build the spec, canonicalising the policy and tag order.

        Order carries no meaning to STS for tags, tag keys or policy ARNs, and JSON object key
        order none for IAM, so those are sorted: equal requests get equal keys.
        """
        if not _PARTITION_RE.fullmatch(partition):
            raise ConfigurationError(f"partition {partition!r} is not an AWS partition name")
        NamingPolicy.account(account_id)
        _check_role_name(role_name)
        pairs = tags.items() if isinstance(tags, Mapping) else tags
        return cls(
            role_arn=f"arn:{partition}:iam::{account_id}:role/{role_name}",
            role_session_name=session_name,
            duration_seconds=duration_seconds,
            external_id=external_id,
            source_identity=source_identity,
            policy=None if policy is None else _canonical_policy(policy),
            policy_arns=tuple(sorted(set(policy_arns))),
            tags=tuple(sorted(pairs)),
            transitive_tag_keys=tuple(sorted(set(transitive_tag_keys))),
            sts_region=sts_region,
            sts_endpoint=sts_endpoint,
            source_principal=source_principal,
        )

    @property
    def partition(self) -> str:
        return self.role_arn.split(":", 2)[1]

    @property
    def account_id(self) -> str:
        return self.role_arn.split(":", 5)[4]

    @property
    def policy_sha256(self) -> str | None:
        """Hash of the canonical session policy, for logs and audit (the policy can be 2 KB)."""
        return None if self.policy is None else hashlib.sha256(self.policy.encode()).hexdigest()

    def assume_role_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``sts.assume_role``: exactly what this spec stands for."""
        kwargs: dict[str, Any] = {
            "RoleArn": self.role_arn,
            "RoleSessionName": self.role_session_name,
            "DurationSeconds": self.duration_seconds,
        }
        if self.external_id is not None:
            kwargs["ExternalId"] = self.external_id
        if self.source_identity is not None:
            kwargs["SourceIdentity"] = self.source_identity
        if self.policy is not None:
            kwargs["Policy"] = self.policy
        if self.policy_arns:
            kwargs["PolicyArns"] = [{"arn": a} for a in self.policy_arns]
        if self.tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in self.tags]
        if self.transitive_tag_keys:
            kwargs["TransitiveTagKeys"] = list(self.transitive_tag_keys)
        return kwargs
