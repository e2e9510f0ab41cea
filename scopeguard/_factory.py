"""The ClientFactory: one per application, hands out guarded clients per scope."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Final

from ._credentials import OperatorSettings
from ._naming import DEFAULT_POLICY, NamingPolicy, ScopeRef
from ._scope import CapsuleScope, OperatorScope, PlatformScope, TenantScope

if TYPE_CHECKING:
    import boto3

__all__ = ["ENDPOINT_ENV", "ClientFactory"]

ENDPOINT_ENV: Final = "SCOPEGUARD_ENDPOINT_URL"


class ClientFactory:
    """Lives as long as the application: create one at the composition root and inject it."""

    def __init__(
        self,
        session: boto3.Session | None = None,
        *,
        endpoint_url: str | None = None,
        naming: NamingPolicy = DEFAULT_POLICY,
        operator: OperatorSettings | None = None,
    ) -> None:
        if session is None:
            import boto3

            session = boto3.Session()
        self._session = session
        self.endpoint_url = endpoint_url if endpoint_url is not None else os.environ.get(ENDPOINT_ENV)
        self.naming = naming
        self.operator_settings = operator or OperatorSettings()

    def platform(self) -> PlatformScope:
        return PlatformScope(self, ScopeRef("platform"))

    def tenant(self, tenant_id: str) -> TenantScope:
        return TenantScope(self, self.naming.tenant(tenant_id))

    def capsule(self, capsule_code: str) -> CapsuleScope:
        return CapsuleScope(self, self.naming.capsule(capsule_code))

    def operator(self, account_id: str, role_name: str | None = None) -> OperatorScope:
        ref = self.naming.account(account_id)
        role = role_name or self.operator_settings.role_name
        return OperatorScope(self, ScopeRef("operator", ref.id, role))

    def _scoped_client(self, scope: ScopeRef, service_name: str, options: dict[str, Any]) -> Any:
        raise NotImplementedError  # filled in by the guard/client-cache change

    def _scoped_resource(self, scope: ScopeRef, service_name: str, options: dict[str, Any]) -> Any:
        raise NotImplementedError
