"""scopeguard: scope-bound boto3 clients for multi-tenant AWS services.

    factory = scopeguard.ClientFactory(session=boto3.Session(region_name="eu-west-1"))
    orders = factory.tenant("acme").client("dynamodb")
    orders.put_item(TableName="orders", Item={"pk": {"S": "o-1"}})   # lands in t-acme-orders

Importing scopeguard does not import boto3; the SDK is loaded when the first factory is built.
"""

from ._assume_role import OperatorSettings
from ._credentials import CredentialStore, MemoryCredentialStore, StoredCredentials
from ._credentials._redis import RedisCredentialStore
from ._exceptions import (
    ConfigurationError,
    CredentialError,
    InvalidName,
    InvalidScope,
    ScopeguardError,
    ScopeViolation,
    StoreEntryUnreadable,
)
from ._factory import ClientFactory
from ._fanout import AccountResult
from ._naming import NamingPolicy, PooledTable, ScopeRef
from ._otel import enable_opentelemetry
from ._policy import TenantRoleSettings
from ._scope import CapsuleScope, OperatorScope, PlatformScope, Scope, TenantScope
from ._version import __version__

__all__ = [
    "AccountResult",
    "CapsuleScope",
    "ClientFactory",
    "ConfigurationError",
    "CredentialError",
    "CredentialStore",
    "InvalidName",
    "InvalidScope",
    "MemoryCredentialStore",
    "NamingPolicy",
    "OperatorScope",
    "OperatorSettings",
    "PlatformScope",
    "PooledTable",
    "RedisCredentialStore",
    "Scope",
    "ScopeRef",
    "ScopeViolation",
    "ScopeguardError",
    "StoreEntryUnreadable",
    "StoredCredentials",
    "TenantRoleSettings",
    "TenantScope",
    "__version__",
    "enable_opentelemetry",
]
