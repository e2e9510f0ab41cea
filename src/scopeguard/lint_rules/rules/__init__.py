"""Every lint rule, one per module, in code order."""

from __future__ import annotations

from typing import Final

from .._rule import Rule
from .access_key_literal import AccessKeyLiteral
from .async_client import AsyncClient
from .default_session import DefaultSession
from .dynamic_client import DynamicClient
from .explicit_credentials import ExplicitCredentials
from .import_time_client import ImportTimeClient
from .named_session_client import NamedSessionClient
from .physical_name import PhysicalNameLiteral
from .raw_client import RawClient
from .raw_session import RawSession
from .refused_service import RefusedService
from .session_client import SessionClient

__all__ = ["RULES"]

RULES: Final[tuple[Rule, ...]] = tuple(
    sorted(
        (
            RawClient(),
            RawSession(),
            SessionClient(),
            DefaultSession(),
            AsyncClient(),
            ExplicitCredentials(),
            AccessKeyLiteral(),
            PhysicalNameLiteral(),
            DynamicClient(),
            ImportTimeClient(),
            NamedSessionClient(),
            RefusedService(),
        ),
        key=lambda rule: rule.code,
    )
)
