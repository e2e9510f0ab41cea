"""The per-scope client class: a subclass of a shared botocore (or aiobotocore) client's class
whose entry points activate one scope's guard.

A scoped client is ``object.__new__`` of that subclass with the shared client's attribute dict
copied in (endpoint, serialiser, event system, connection pool) plus ``_scopeguard``: creating one
costs about a microsecond and no botocore work. Its ``_make_api_call``, presigning and S3
transfer methods put the guard in the context variable the shared hooks read (see
``_guard.hooks``); the transfer methods are also forced onto the classic, hook-running path.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from ._exceptions import ConfigurationError

if TYPE_CHECKING:
    from ._guard import ScopeGuard

__all__ = ["_scoped_instance"]

_SCOPED_CLASSES: dict[type, type] = {}
_SCOPED_LOCK = threading.Lock()


def _scoped_instance(shared: Any, guard: ScopeGuard) -> Any:
    """A per-scope instance of the shared client's class: same attributes (endpoint, serializer,
    event system, connection pool), plus the guard its entry points activate."""
    base = type(shared)
    cls = _SCOPED_CLASSES.get(base)
    if cls is None:
        with _SCOPED_LOCK:
            cls = _SCOPED_CLASSES.get(base) or _make_scoped_class(base)
            _SCOPED_CLASSES[base] = cls
    # object.__new__: no botocore __init__ (it would build a new endpoint and event system).
    client: Any = object.__new__(cls)
    client.__dict__.update(shared.__dict__)
    client._scopeguard = guard
    return client


def _make_scoped_class(base: type) -> type:
    import inspect

    if inspect.iscoroutinefunction(base._make_api_call):  # type: ignore[attr-defined]
        from ._async import async_scoped_namespace

        namespace = async_scoped_namespace(base)
    else:
        namespace = _sync_scoped_namespace(base)
    namespace["__module__"] = base.__module__
    namespace["scope"] = property(lambda self: self._scopeguard.scope,
                                  doc="The ScopeRef this client is bound to.")
    return type(base)(base.__name__, (base,), namespace)


def note_physical_names(exc: BaseException, client: Any, api_params: dict[str, Any]) -> None:
    """Add a PEP 678 note to a service error naming the physical resources the call used.

    botocore's errors name nothing (``ResourceNotFoundException ... Requested resource not
    found``) or the physical name the application never wrote; the note says which of its
    logical names became which physical name, in which scope, e.g.
    ``scopeguard: tenant:acme: TableName 'orders' -> 't-acme-orders'``. Top-level name
    parameters only; the guard rewrote them in place, so each is read back as this scope's
    physical name (a name the naming policy cannot invert is not one of the scope's).
    Costs nothing on success: it runs only on the error path.
    """
    from ._exceptions import InvalidName

    guard = client._scopeguard
    if not guard.isolated:
        return
    service = client.meta.service_model.service_name
    mapped = []
    for parameter, value in api_params.items():
        if isinstance(value, str) and guard.naming.owner(value) == guard.scope:
            try:
                logical = guard.naming.logical_name(guard.scope, service, value)
            except (InvalidName, KeyError, ValueError):
                continue
            mapped.append(f"{parameter} {logical!r} -> {value!r}")
    if mapped:
        exc.add_note(f"scopeguard: {guard.scope}: {', '.join(mapped)}")


def _sync_scoped_namespace(base: type) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    from ._guard.hooks import _ACTIVE as active
    from ._guard.hooks import _Call as Call

    def _make_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        # enter() and leave() inlined: the per-call hot path.
        token = active.set(Call(self._scopeguard))
        try:
            return base._make_api_call(self, operation_name, api_params)  # type: ignore[attr-defined]
        except ClientError as exc:
            note_physical_names(exc, self, api_params)
            raise
        finally:
            active.reset(token)

    namespace: dict[str, Any] = {"_make_api_call": _make_api_call}
    for name in ("generate_presigned_url", "generate_presigned_post"):
        original = getattr(base, name, None)
        if original is not None:
            namespace[name] = _presign_wrapper(original)
    for name in _TRANSFER_METHODS:
        original = getattr(base, name, None)
        if original is not None:
            namespace[name] = _classic_transfer(original)
    for name in LOCAL_TOKEN_METHODS:
        original = getattr(base, name, None)
        if original is not None:
            namespace[name] = _local_token(original)
    return namespace


# Presigners that sign a request of their own making without sending it (database passwords):
# they never reach the parameter hook, so they run in a call marked as local.
LOCAL_TOKEN_METHODS: Final = ("generate_db_auth_token", "generate_db_connect_auth_token",
                              "generate_db_connect_admin_auth_token")


def _local_token(original: Callable[..., Any]) -> Callable[..., Any]:
    from ._guard import enter_local, leave

    @functools.wraps(original)
    def token(self: Any, *args: Any, **kwargs: Any) -> Any:
        entered = enter_local(self._scopeguard, original.__name__)
        try:
            return original(self, *args, **kwargs)
        finally:
            leave(entered)
    return token


# boto3's S3 transfer methods may pick the CRT transfer client, which builds a botocore session of
# its own and so skips every hook of this client. Scoped clients always use the classic path.
_TRANSFER_METHODS: Final = ("upload_file", "download_file", "upload_fileobj", "download_fileobj",
                            "copy")


def _classic_transfer(original: Callable[..., Any]) -> Callable[..., Any]:
    import inspect

    signature = inspect.signature(original)

    @functools.wraps(original)
    def transfer(self: Any, *args: Any, **kwargs: Any) -> Any:
        from boto3.s3.transfer import TransferConfig

        bound = signature.bind(self, *args, **kwargs)
        config = bound.arguments.get("Config")
        if config is None:
            config = TransferConfig()
        elif getattr(config, "preferred_transfer_client", "auto") == "crt":
            raise ConfigurationError(
                "the CRT transfer client bypasses scopeguard's guard (it builds its own botocore "
                "session); scoped clients use the classic transfer client: drop "
                "preferred_transfer_client='crt'"
            )
        else:
            config = copy.copy(config)
        config.preferred_transfer_client = "classic"
        bound.arguments["Config"] = config
        source = bound.arguments.get("SourceClient")
        if source is not None and getattr(source, "_scopeguard", None) is not self._scopeguard:
            raise ConfigurationError(
                "copy(SourceClient=...) must be a client of the same scope; the source is read "
                "with it, outside this client's guard"
            )
        return original(*bound.args, **bound.kwargs)
    return transfer


def _presign_wrapper(original: Callable[..., Any]) -> Callable[..., Any]:
    from ._guard import enter, leave, private_arguments

    @functools.wraps(original)
    def presign(self: Any, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = private_arguments(self._scopeguard, args, kwargs)
        token = enter(self._scopeguard)
        try:
            return original(self, *args, **kwargs)
        finally:
            leave(token)
    return presign
