"""Scope identifiers as applications already have them: slugs, UUIDs, and a compact UUID form.

A tenant ID is accepted in one of three canonical spellings (``NamingPolicy.tenant_ids`` chooses
which; all three by default):

``slug``      ``acme``: lower-case ASCII letters and digits, at most ``max_tenant_id`` (24)
``uuid``      ``3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f``: ``str(uuid.uuid4())``, lower case, dashed
``uuid-hex``  ``3f2b9c1e5d4a4c1b9e8f0a1b2c3d4e5f``: ``uuid.uuid1().hex``, 32 lower-case hex digits

Nothing is normalised: ``3F2B…`` is refused with the expression that canonicalises it. The
spelling is part of the identity (``str(u)`` and ``u.hex`` are two scopes), as everywhere else in
scopeguard: an application uses one spelling, and a second one would be a second tenant.

Slugs of 8 or 12 hex digits next to dashed UUIDs: ``12345678`` is the first group of
``12345678-1234-…`` and ``123456789abc`` the last, so the IAM pattern ``t-12345678-*`` also
matches a UUID tenant's ``t-12345678-1234-…-orders``. Names read UUID-first (the guard gives that
name to the UUID tenant), and ``NamingPolicy.deny_patterns`` gives the slug tenant's session
policy an explicit Deny for the UUID-shaped continuation; the guard refuses the same names, so
the two agree. Where no Deny can be written (a pooled key template such as ``{tenant}-``, whose
keys IAM matches with ``dynamodb:LeadingKeys``), such slugs are refused as IDs instead.

The compact form exists for S3 bucket names (63 characters: ``t-`` + 36 + ``-`` leaves 24 for
the logical name). It writes the UUID's 128 bits in base 36 with a fixed width of 25 digits
(36**25 > 2**128), prefixed by ``u`` for the dashed spelling (26 characters), so the two
spellings stay two scopes. Slugs are at most 24 characters, so a 25- or 26-character token is
never a slug: the encoding is injective over every accepted ID, and decoding is exact (a token
whose value exceeds 128 bits, or whose re-encoding differs, decodes to nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from ._exceptions import ConfigurationError, InvalidScope

__all__ = ["ID_FORMATS", "compact", "expand", "id_regex", "is_uuid_group", "token_regex"]

ID_FORMATS: Final = ("slug", "uuid", "uuid-hex")

UUID_RE: Final = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
HEX_RE: Final = r"[0-9a-f]{32}"
_UUID: Final = re.compile(UUID_RE)
_HEX: Final = re.compile(HEX_RE)
_UUID_ANY_CASE: Final = re.compile(UUID_RE, re.IGNORECASE)
_HEX_ANY_CASE: Final = re.compile(HEX_RE, re.IGNORECASE)
_SLUG: Final = re.compile(r"[a-z0-9]+")
_GROUP: Final = re.compile(r"[0-9a-f]{8}|[0-9a-f]{12}")

COMPACT_WIDTH: Final = 25
_DIGITS: Final = "0123456789abcdefghijklmnopqrstuvwxyz"
_COMPACT: Final = re.compile(r"u?[a-z0-9]{25}")


def check_formats(formats: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(formats)
    unknown = sorted(chosen - set(ID_FORMATS))
    if unknown or not chosen:
        raise ConfigurationError(
            f"tenant ID formats {sorted(chosen)!r} are not valid: choose one or more of "
            f"{', '.join(ID_FORMATS)}"
        )
    return chosen


def check_tenant_id(value: object, formats: frozenset[str], max_slug: int,
                    refuse_groups: bool = False) -> str:
    """Return ``value`` if it is a canonical tenant ID in one of ``formats``; raise otherwise."""
    label = "tenant ID"
    if not isinstance(value, str):
        raise InvalidScope(f"{label} must be a str, got {type(value).__name__}")
    if not value:
        raise InvalidScope(f"{label} is empty")
    if "uuid" in formats and _UUID.fullmatch(value):
        return value
    if "uuid-hex" in formats and _HEX.fullmatch(value):
        return value
    if _UUID_ANY_CASE.fullmatch(value) or _HEX_ANY_CASE.fullmatch(value):
        if value.isascii() and value != value.lower():
            raise InvalidScope(
                f"{label} {value!r} is not canonical: UUIDs are written in lower case. "
                "Canonicalise it once, where the ID enters the application: str(uuid.UUID(value)) "
                "for the dashed form, uuid.UUID(value).hex for 32 hex digits (nothing is "
                "normalised here)"
            )
        raise InvalidScope(
            f"{label} {value!r} is a UUID, but this naming policy accepts tenant IDs as "
            f"{', '.join(sorted(formats))} only (NamingPolicy.tenant_ids)"
        )
    if "slug" not in formats:
        raise InvalidScope(
            f"{label} {value!r} is not canonical: this naming policy accepts "
            f"{', '.join(sorted(formats))} only (NamingPolicy.tenant_ids)"
        )
    if len(value) > max_slug:
        raise InvalidScope(f"{label} {value!r} is {len(value)} characters; the limit is {max_slug}")
    if not _SLUG.fullmatch(value):
        raise InvalidScope(
            f"{label} {value!r} is not canonical: use lowercase ASCII letters and digits only "
            "(no separators, whitespace, upper case or non-ASCII; nothing is normalised)"
        )
    if refuse_groups and "uuid" in formats and _GROUP.fullmatch(value):
        raise InvalidScope(
            f"{label} {value!r} has {len(value)} hex digits, the length of a UUID's first or "
            "last group; with dashed UUIDs also accepted and a key template such as "
            "'{tenant}-', its keys would be a prefix of a UUID tenant's, which IAM's "
            "dynamodb:LeadingKeys cannot tell apart. Use the full UUID, or set tenant_ids "
            "without 'uuid'"
        )
    return value


def is_uuid_group(value: str) -> bool:
    """Whether a slug is 8 or 12 hex digits: a dashed UUID's first or last group."""
    return _GROUP.fullmatch(value) is not None


def id_regex(formats: frozenset[str], max_slug: int) -> str:
    """A regex alternation matching every accepted ID, longest spelling first: the dashed UUID
    must be tried before the slug that is its first group."""
    parts = []
    if "uuid" in formats:
        parts.append(UUID_RE)
    if "uuid-hex" in formats:
        parts.append(HEX_RE)
    if "slug" in formats:
        parts.append(f"[a-z0-9]{{1,{max_slug}}}")
    return "|".join(parts)


def token_regex(formats: frozenset[str], max_slug: int) -> str:
    """The IDs as they appear in a compacted service's names: UUIDs as compact tokens."""
    parts = []
    if "uuid" in formats:
        parts.append(f"u[a-z0-9]{{{COMPACT_WIDTH}}}")
    if "uuid-hex" in formats:
        parts.append(f"[a-z0-9]{{{COMPACT_WIDTH}}}")
    if "slug" in formats:
        parts.append(f"[a-z0-9]{{1,{max_slug}}}")
    return "|".join(parts)


def _base36(number: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits)).rjust(COMPACT_WIDTH, "0")


def compact(scope_id: str) -> str:
    """The compact token of a UUID tenant ID; slugs (and capsule codes) are returned as is."""
    if _UUID.fullmatch(scope_id):
        return "u" + _base36(int(scope_id.replace("-", ""), 16))
    if _HEX.fullmatch(scope_id):
        return _base36(int(scope_id, 16))
    return scope_id


def expand(token: str) -> str | None:
    """The ID a name token stands for in a compacted service: a compact token's UUID, a slug as
    is, or None for a 25/26-character token that is no UUID's (over 128 bits)."""
    if not _COMPACT.fullmatch(token):
        return token
    dashed = len(token) == COMPACT_WIDTH + 1
    number = int(token[1:] if dashed else token, 36)
    if number >= 1 << 128:
        return None
    hex_id = f"{number:032x}"
    if not dashed:
        return hex_id
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"
