"""Derived botocore sessions: configured like the application's, signing with other credentials.

``session_with_credentials`` gives the clients of one assumed role a session of their own that
copies the base session's configuration and shares its data loader, so service models are parsed
once per process, not once per account. It lives as long as whoever holds it (the factory caches
one per operator role and per scoped tenant or capsule). ``make_sts_client`` builds the STS client
the credential cache calls, on a session derived the same way.

botocore is imported inside the functions, never at module level: ``import scopeguard`` must not
load the SDK.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from ._exceptions import ConfigurationError

if TYPE_CHECKING:
    import boto3
    import botocore.session
    from botocore.credentials import Credentials
    from types_boto3_sts.client import STSClient

__all__ = ["ActiveScopeCredentials", "make_sts_client", "session_with_credentials"]

_S = TypeVar("_S", bound="botocore.session.Session")


class _FixedCredentialProvider:
    """A botocore ``credential_provider`` component that resolves to one credentials object."""

    def __init__(self, load: Callable[[], Credentials | None]) -> None:
        self._load = load

    def load_credentials(self) -> Credentials | None:
        return self._load()


class ActiveScopeCredentials:
    """The credentials of a botocore client shared by every scope with credentials of its own.

    Scopes that differ only in credentials (tenants and capsules on ``scoped_credentials``) share
    one botocore client per service; each call signs with the keys of the scope that is making
    it: the scope the guard has just checked the request against, read from the same context
    variable. Outside a scoped call there is no scope and no key: signing fails closed, so a
    request that went around the per-scope client (``_endpoint.make_request``, a stolen shared
    client) cannot borrow some tenant's credentials.

    ``resolve(scope)`` returns the scope's ``RefreshableCredentials`` from the credential cache.
    ``account_id`` is the role's account, which botocore's endpoint rules may read (it is the
    same for every scope of the role).
    """

    method = "scopeguard-active-scope"

    def __init__(self, resolve: Callable[[Any], Credentials], account_id: str) -> None:
        self._resolve = resolve
        self.account_id = account_id

    def get_frozen_credentials(self) -> Any:
        from ._exceptions import CredentialError
        from ._guard.hooks import _ACTIVE

        call = _ACTIVE.get()
        if call is None:
            raise CredentialError(
                "this client signs with the credentials of the scope calling it, and no scope "
                "is calling: use the client a scope handle returned, e.g. "
                "factory.tenant(t).client(...)"
            )
        return self._resolve(call.guard.scope).get_frozen_credentials()

    # botocore reads these straight off some credential objects; delegate, never store.
    @property
    def access_key(self) -> str:
        return str(self.get_frozen_credentials().access_key)

    @property
    def secret_key(self) -> str:
        return str(self.get_frozen_credentials().secret_key)

    @property
    def token(self) -> str | None:
        token = self.get_frozen_credentials().token
        return None if token is None else str(token)

    def get_deferred_property(self, name: str) -> Callable[[], Any]:
        return lambda: getattr(self, name, None)


@overload
def _derived_session(
    base: botocore.session.Session, load: Callable[[], Credentials | None]
) -> botocore.session.Session: ...
@overload
def _derived_session(
    base: botocore.session.Session,
    load: Callable[[], Credentials | None],
    *,
    session_cls: type[_S],
) -> _S: ...
def _derived_session(
    base: botocore.session.Session,
    load: Callable[[], Credentials | None],
    *,
    session_cls: type[botocore.session.Session] | None = None,
) -> botocore.session.Session:
    """A ``session_cls`` (default ``botocore.session.Session``) configured like ``base``.

    ``session_cls`` is any subclass with botocore's constructor, e.g. aiobotocore's
    ``AioSession``, so async clients get the same derived session. The default is resolved in
    the body, not the signature, so that importing this module does not load botocore.
    """
    boto3_methods = session_cls is None
    if session_cls is None:
        import botocore.session

        session_cls = botocore.session.Session
    session = session_cls()
    if boto3_methods:
        # boto3 adds the S3 transfer methods (upload_file, download_fileobj, copy...) to a
        # client class through its session's handlers, which a plain botocore session lacks:
        # operator and scoped-credentials S3 clients had none. (The scoped client class wraps
        # them to force the classic, guarded transfer path.)
        from boto3.utils import lazy_call

        session.register("creating-client-class.s3",
                         lazy_call("boto3.s3.inject.inject_s3_transfer_methods"))
    # Same configuration as base: profile, region and anything set via set_config_variable (the
    # file and environment layers are read the same way by construction).
    for name, value in base.instance_variables().items():
        session.set_config_variable(name, value)
    session.set_default_client_config(base.get_default_client_config())
    session.user_agent_name = base.user_agent_name
    session.user_agent_version = base.user_agent_version
    session.user_agent_extra = base.user_agent_extra
    # One loader for every session: service models are parsed once per process, not per account.
    session.register_component("data_loader", base.get_component("data_loader"))
    session.register_component("credential_provider", _FixedCredentialProvider(load))
    return session


def session_with_credentials(
    base: botocore.session.Session, credentials: Credentials
) -> botocore.session.Session:
    """A botocore session configured like ``base`` whose clients sign with ``credentials``.

    It shares ``base``'s data loader (service models are loaded once) and copies its
    configuration; its only credential is the given object, so a ``RefreshableCredentials`` from
    ``CredentialCache`` keeps refreshing for every client created on it. Wrap it in
    ``boto3.Session(botocore_session=...)`` for the resource API and the S3 transfer methods.
    """
    return _derived_session(base, lambda: credentials)


def make_sts_client(
    session: boto3.Session, *, region: str | None, endpoint_url: str | None
) -> STSClient:
    """The STS client the credential cache calls: bounded retries and timeouts, regional endpoint.

    Standard retry mode with 4 attempts total backs off on throttling and 5xx without piling up
    behind a dead endpoint; 2 s to connect and 5 s to read bound the worst single call to about
    half a minute. The regional endpoint (``sts.<region>.amazonaws.com``) is forced on a private
    copy of the session, whatever ``AWS_STS_REGIONAL_ENDPOINTS`` says: the legacy global endpoint
    is a single-region dependency. ``endpoint_url`` (moto, LocalStack) wins over both;
    endpoint overrides from the environment and config file are ignored.
    """
    from botocore.config import Config

    base = session._session  # boto3 has no public accessor for its botocore session
    region = region or base.get_config_variable("region")
    if not region:
        raise ConfigurationError(
            "STS needs a region for its regional endpoint: set OperatorSettings.sts_region "
            "or the session's region_name"
        )
    sts_session = _derived_session(base, base.get_credentials)
    sts_session.set_config_variable("sts_regional_endpoints", "regional")
    # AWS_ENDPOINT_URL(_STS) and endpoint_url in the config file would let anything that can set
    # the environment route AssumeRole to a server of its choosing, which could answer with
    # credentials of its choosing. Only the explicit endpoint_url counts. (Passed through a dict:
    # botocore-stubs do not know this Config option yet.)
    pinned: dict[str, Any] = {"ignore_configured_endpoint_urls": True}
    config = Config(
        retries={"mode": "standard", "total_max_attempts": 4},
        connect_timeout=2,
        read_timeout=5,
        **pinned,
    )
    client = sts_session.create_client(
        "sts", region_name=region, endpoint_url=endpoint_url, config=config
    )
    return cast("STSClient", client)
