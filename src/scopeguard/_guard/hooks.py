"""The botocore hooks: how a request is checked on its way through a shared client.

How a request is checked
------------------------
Clients are shared per (credentials, service, region, config) and each scope gets a thin subclass
instance of the shared client whose API entry points run inside ``scope_call(guard)``. Two hooks on
the shared client's event system (and, for JSON-protocol services, the serialiser) read the active
guard from a context variable:

* ``before-parameter-build`` (registered first among the service-wide handlers, so before
  botocore's service-wide handlers rewrite anything; botocore's few operation-specific handlers,
  such as S3's ``CopySource`` quoting, run before it and the service module accounts for them):
  first replaces the parameters by a private copy in exact builtin types (``private``), so no
  object of the caller's is read again; then resolves every resource identifier the
  operation's input shape names, rewrites logical names to physical ones, runs the service's
  extra checks, and stamps the request context. It keeps a snapshot of what it approved: the
  parameters' marshal image (JSON protocol), or the members the signing hook reads back (REST
  and query protocols).
* the serialiser (JSON-protocol services): takes the parameters' marshal image again; equal to
  the approved one, it serialises a copy loaded from it, otherwise a private copy checked again,
  so the body it produces names only approved resources. Batches included.
* ``before-sign`` (fires on every path, including presigning and ``_endpoint.make_request``):
  refuses any request whose context was not stamped by the first hook for this very call, and any
  request whose host is not the pinned endpoint. A JSON body that is not the very object the
  serialiser produced is parsed and checked again in full, and its ``X-Amz-Target`` must name
  the operation it is checked as. REST and query requests (S3, SNS, Lambda) are read back from
  their URL, headers and body as the service will read them (``wire``); unless what is read
  back equals, member for member, what the parameter hook approved, it is checked again.
* ``before-send`` (after every ``request-created`` handler, including those that run after
  botocore's signer): the prepared request's URL and body must be those the signing hook
  approved in this call.

No active guard means the call did not come through a scope handle: refused. This is what makes
sharing one botocore client between 10,000 tenants safe and cheap.
"""

from __future__ import annotations

import contextvars
import json
import marshal
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

from .._exceptions import ScopeViolation
from .checks import ScopeGuard, _recheck, _unreadable
from .private import FILE_TYPES, Unreadable, builtin_copy, private_copy
from .rules import Plan, ServiceRules, _mistyped, compile_plan
from .wire import WireReader, header_items

if TYPE_CHECKING:
    from botocore.model import OperationModel

__all__ = [
    "enter",
    "enter_local",
    "install_hooks",
    "leave",
    "private_arguments",
    "scope_call",
]

# -- hooks -------------------------------------------------------------------------------------


class _Call:
    """The guard's state for one API call. Made on every call: a plain slotted class, not a
    dataclass with default factories."""

    __slots__ = ("approved", "guard", "local", "pending", "signed")

    def __init__(self, guard: ScopeGuard) -> None:
        self.guard = guard
        # Stamps of the requests this call approved, each mapped to what the signing hook
        # compares the request with: for the JSON protocol the body serialised from the
        # approved parameters (None until then), for REST and query the members approved
        # (``_wire_view``), else None. A mapping, not one value: botocore may
        # make nested requests inside a call (S3 Express CreateSession, region-redirect
        # HeadBucket) through the shared client, and their approval must not replace the outer
        # request's. Each stamp is a fresh (object, operation) pair, held here, so it cannot be
        # forged or reused.
        self.approved: dict[tuple[object, str], Any] = {}
        # The parameters just approved (the dict botocore goes on with), their stamp, context
        # and a snapshot of them as approved (their marshal image, or a private copy where
        # marshal refuses them), until the serialiser picks them up.
        self.pending: tuple[dict[str, Any], tuple[object, str], Mapping[str, Any],
                            Any] | None = None
        # What each request this call signed looked like when the signing hook approved it:
        # its URL, query parameters and body (a dict body as a copy: the request holds it).
        self.signed: list[tuple[str, Any, Any, Any]] = []
        # Set for a local token generator (rds.generate_db_auth_token, ...): it signs a request
        # of its own making that is never sent, only returned as a database password.
        self.local = False


_ACTIVE: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("scopeguard_call",
                                                                       default=None)
_APPROVAL: Final = "scopeguard.approved"


@contextmanager
def scope_call(guard: ScopeGuard) -> Iterator[None]:
    """Run one API call (or presign) on behalf of ``guard``'s scope."""
    token = _ACTIVE.set(_Call(guard))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def enter(guard: ScopeGuard) -> contextvars.Token[_Call | None]:
    """``scope_call`` without the context-manager overhead, for the per-call hot path."""
    return _ACTIVE.set(_Call(guard))


def enter_local(guard: ScopeGuard, method: str) -> contextvars.Token[_Call | None]:
    """``enter`` for a local token generator: refused in tenant and capsule scope (the services
    they sign for are not covered there); elsewhere the signature they make is allowed."""
    if guard.isolated:
        exc = guard.refuse(f"{method} signs for a database service that is not covered in "
                           f"{guard.scope.kind} scope", op=method)
        guard.on_refusal(exc)
        raise exc
    call = _Call(guard)
    call.local = True
    return _ACTIVE.set(call)


def leave(token: contextvars.Token[_Call | None]) -> None:
    _ACTIVE.reset(token)


def private_arguments(guard: ScopeGuard, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Private copies of a presigner's arguments (``Params``, ``Fields``, ``Conditions``):
    botocore rewrites ``Params`` in place, and the caller may reuse or share it."""
    try:
        return (tuple(private_copy(a) for a in args),
                {str.__str__(k): private_copy(v) for k, v in kwargs.items()})
    except Unreadable as exc:
        raise guard.refuse(exc.reason) from None


def _unscoped(operation: str) -> ScopeViolation:
    return ScopeViolation(
        "the request did not come through a scope handle (a shared client was used directly, or "
        "an internal botocore path was called); use factory.<scope>(...).client(...)",
        scope="unscoped", operation=operation,
    )


_WIRE_PROTOCOLS: Final = frozenset({"rest-xml", "rest-json", "query"})


def _private(guard: ScopeGuard, params: dict[str, Any], service: str, op: str) -> Any:
    """The parameters copied into exact builtin types (``private``), where marshal cannot copy
    them: the guard checks and botocore serialises only that copy, never the caller's objects."""
    try:
        return builtin_copy(params)
    except Unreadable as exc:
        raise guard.refuse(exc.reason, service=service, op=op) from None


def _not_strings(value: Any) -> bool:
    """A map of strings (S3's Metadata) holding anything else: botocore's own handler would
    fail on it with an AttributeError before the guard's hook runs. Read with dict's own
    methods: a subclass's code is not run here."""
    return isinstance(value, dict) and not all(
        isinstance(k, str) and isinstance(v, str) for k, v in dict.items(value))


def _strings(form: dict[Any, Any]) -> bool:
    # A loop, not all() over a generator: this runs on every query-protocol request.
    for key, value in form.items():
        if type(key) is not str or type(value) is not str:
            return False
    return True


def _as_signed(prepared: Any, signed: list[tuple[str, Any, Any, Any]]) -> bool:
    """Whether a prepared request is, URL and body, one of the requests approved at signing.

    Exact types only (a ``str`` subclass could compare equal and be sent as another). A form
    body (a dict, encoded when the request is prepared, after every ``request-created``
    handler) is compared as the dict the request still holds against its copy taken at
    signing, which costs less than encoding it again."""
    url = prepared.url
    if type(url) is not str:
        return False
    body = prepared.body
    for approved_url, params, data, request in reversed(signed):
        if params:
            from urllib.parse import urlencode

            approved_url += ("&" if "?" in approved_url else "?") + urlencode(
                list(params.items()), doseq=True)
        if url != approved_url:
            continue
        if body is data or (not body and not data):
            return True
        if type(data) is dict:
            now = request.data
            if type(now) is dict and _strings(now) and now == data:
                return True
        elif type(data) in (bytes, str) and type(body) is type(data) and body == data:
            return True
    return False


def _recheck_json(guard: ScopeGuard, rules: ServiceRules, model: OperationModel, request: Any,
                  plan: Plan) -> None:
    # ``data`` is what the serialiser produced and what will be sent; ``body`` would re-prepare
    # the whole request on every access (~30 µs).
    body = request.data
    if not body:
        return
    if not isinstance(body, bytes | str):
        raise guard.refuse("the request body is not the serialised JSON botocore produces",
                           service=rules.service, op=model.name)
    try:
        sent = json.loads(body)
    except (TypeError, ValueError):
        raise guard.refuse("the serialised request body is not the JSON botocore produces",
                           service=rules.service, op=model.name) from None
    if not isinstance(sent, dict):
        raise guard.refuse("the serialised request body is not a JSON object",
                           service=rules.service, op=model.name)
    _recheck(guard, rules, model, sent, plan, request.context)


def _wire_view(params: Mapping[str, Any], readable: frozenset[str],
               unread: frozenset[str]) -> Any:
    """A private copy of the members a ``WireReader`` reads back from a signed request (but
    those no check reads), as ``params`` holds them."""
    members = {key: value for key, value in params.items()
               if key in readable and key not in unread}
    try:
        return marshal.loads(marshal.dumps(members, 2))
    except ValueError:
        return private_copy(members)


class _CheckingSerializer:
    """A shared client's serializer, re-checking approved parameters as it serialises them.

    The parameter hook replaced the parameters' contents with a private copy (``private``),
    checked it and kept its marshal image as approved; but later
    ``before-parameter-build`` and ``before-endpoint-resolution`` handlers still hold the dict
    botocore goes on with and may change it (botocore itself adds idempotency tokens). So the
    serialiser takes its marshal image again: equal to the approved one, the parameters are
    what was approved, and it serialises a copy loaded from that image, which nothing else can
    reach, so the bytes produced are the image of what it holds. Otherwise (or where the
    parameters hold what marshal does not take, such as a datetime) it serialises a private
    copy, checked again first unless it equals the approved one; the check on parameters that
    are already approved and physical changes nothing (its handlers copy on write, so
    unchanged members compare by identity), so a change means a handler put something
    unapproved in. The signing hook then only has to see that the request still carries that
    very body object (bytes are immutable: any rewrite is a new object) and can skip parsing
    it, batches included; any other body is parsed and checked in full.

    A marshal image costs a few hundred nanoseconds for a simple call and about 9 µs for a
    25-item batch, in C; the copies and the comparison it replaces cost three to four times
    that, and a batch's body was parsed and checked again at signing."""

    __slots__ = ("_inner", "_plan_for", "_rules")

    def __init__(self, inner: Any, rules: ServiceRules,
                 plan_for: Callable[[OperationModel], Plan]) -> None:
        self._inner = inner
        self._rules = rules
        self._plan_for = plan_for

    def serialize_to_request(self, parameters: Any, operation_model: OperationModel) -> Any:
        call = _ACTIVE.get()
        pending = None if call is None else call.pending
        if call is None or pending is None or pending[0] is not parameters:
            # Not this call's approved parameters (unscoped, or a path that skipped the
            # parameter hook): serialised as is, and the signing hook checks in full or refuses.
            return self._inner.serialize_to_request(parameters, operation_model)
        call.pending = None
        guard = call.guard
        approved = pending[3]
        try:
            private: Any = None
            if type(approved) is bytes:
                # The marshal image of the parameters now, equal to the one taken at approval:
                # they hold what was approved, and loading that image gives a copy no one else
                # holds (loading depends on the bytes only).
                try:
                    now: bytes | None = marshal.dumps(parameters, 2)
                except ValueError:
                    now = None
                if now == approved:
                    private = marshal.loads(approved)
            if private is None:
                try:
                    private = private_copy(parameters)
                except Unreadable as exc:
                    raise guard.refuse(exc.reason, service=self._rules.service,
                                       op=operation_model.name) from None
                # Equal to the copy taken when they were approved (both copies hold only
                # exact builtin types, so == runs no code of anyone else's): nothing to check
                # again. Otherwise a handler changed them after approval: checked again.
                if type(approved) is bytes or private != approved:
                    _recheck(guard, self._rules, operation_model, private,
                             self._plan_for(operation_model), pending[2])
        except ScopeViolation as exc:
            guard.on_refusal(exc)
            raise
        request = self._inner.serialize_to_request(private, operation_model)
        body = request.get("body")
        if type(body) is bytes or type(body) is str:
            call.approved[pending[1]] = body
        return request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def install_hooks(client: Any, rules: ServiceRules | None,
                  on_refusal: Callable[[ScopeViolation], None], *,
                  recheck_serialized: bool = True,
                  prepare: Callable[[dict[str, Any], OperationModel], None] | None = None) -> None:
    """Register the two guard hooks on a shared client's event system.

    ``prepare`` runs on the parameters before they are copied and checked: the resource API's
    client turns Python values and condition objects into the wire format there, so the guard
    checks what will be sent, not what the caller wrote."""
    service_model = client.meta.service_model
    service_id = service_model.service_id.hyphenize()
    plans: dict[str, Plan] = {}
    # For JSON-protocol services the serialised body is the parameters again, so the signing
    # hook can re-run the same checks on exactly what will be sent: a handler that rewrote the
    # request after the parameter check cannot smuggle a foreign name past the guard.
    recheck_body = recheck_serialized and rules is not None and service_model.protocol == "json"
    # For the REST and query protocols the parameters are spread over the URL, headers and body:
    # the signing hook reads them back from there and checks them again.
    wire: WireReader | None = None
    if recheck_serialized and rules is not None and service_model.protocol in _WIRE_PROTOCOLS:
        members = rules.members
        wire = WireReader(service_model,
                          lambda member: members.get(member) not in (None, "ignore", "walk"),
                          rules.addressing)
    unread = rules.unread if rules is not None else frozenset()

    # Operations whose parameters marshal refused: copied by ``builtin_copy`` directly.
    by_builtin_copy: set[str] = set()
    # Endpoint URLs whose host check passed, with the pinned host it was checked against.
    endpoint_urls: set[tuple[str | None, str]] = set()
    # botocore's own cache of operation models builds a key on every lookup.
    models: dict[str, OperationModel] = {}
    target_prefix = service_model.metadata.get("targetPrefix", "")
    targets: dict[str, str] = {}

    def plan_for(model: OperationModel) -> Plan:
        plan = plans.get(model.name)
        if plan is None:
            assert rules is not None
            plan = plans[model.name] = compile_plan(rules, model)
        return plan

    def check_params(params: dict[str, Any], model: OperationModel, context: dict[str, Any],
                     **_: Any) -> None:
        # The per-call hot path, one frame: inside botocore's pipeline every extra Python frame
        # costs several times what it does in a tight loop. It replaces the contents of the
        # dict botocore goes on with by a private copy in exact builtin types (``private``), so
        # no object of the caller's is read again; checks that copy; and keeps its marshal
        # image as approved for the serialiser (a few hundred nanoseconds in C, a 25-item batch
        # included, and no Python code of anyone's runs while it is taken).
        call = _ACTIVE.get()
        if call is None:
            exc = _unscoped(model.name)
            on_refusal(exc)
            raise exc
        guard = call.guard
        op = model.name
        try:
            if rules is None:
                if guard.isolated:
                    raise guard.refuse(
                        f"service {service_id!r} is not covered in {guard.scope.kind} scope",
                        service=service_id, op=op,
                    )
            else:
                if prepare is not None:
                    prepare(params, model)
                if type(params) is not dict:
                    raise guard.refuse("the parameters are not a dict", service=service_id, op=op)
                if op in by_builtin_copy:
                    copied = _private(guard, params, service_id, op)
                else:
                    try:
                        copied = marshal.loads(marshal.dumps(params, 2))
                    except ValueError:  # a file object, datetime or subclass: the other copy
                        copied = _private(guard, params, service_id, op)
                        # An S3 body is always a file object by now (botocore's own handler
                        # wraps bytes): no marshal attempt, and no exception, for such calls.
                        # Not for other causes: one call with a str subclass in it must not
                        # send every later batch of the operation down the slower copy.
                        if any(type(value) in FILE_TYPES for value in copied.values()):
                            by_builtin_copy.add(op)
                dict.clear(params)
                dict.update(params, copied)
                plan = plans.get(op)
                if plan is None:
                    plan = plan_for(model)
                try:
                    guard.check(rules, model, params, plan, context)
                except ScopeViolation:
                    raise
                except Exception as exc:  # noqa: BLE001  (any failure reading input: fail closed)
                    raise _unreadable(guard, rules, model, params, exc) from None
        except ScopeViolation as exc:
            guard.on_refusal(exc)
            raise
        stamp = (object(), op)
        if wire is not None:
            # For the REST and query protocols: the members the signing hook will read back,
            # as approved (see check_sign).
            call.approved[stamp] = _wire_view(params, wire.readable(model), unread)
        else:
            call.approved[stamp] = None
            if recheck_body:
                try:
                    snapshot: Any = marshal.dumps(params, 2)
                except ValueError:  # a datetime or Decimal: not marshallable
                    snapshot = builtin_copy(params)
                call.pending = (params, stamp, context, snapshot)
        context[_APPROVAL] = stamp

    def check_types(params: Any, model: OperationModel, **_: Any) -> None:
        # provide-client-params: before every before-parameter-build handler, botocore's
        # operation-specific ones included (its S3 SSE-C handler hashes a key it assumes is
        # bytes), so a top-level member of the wrong type ends in ParamValidationError here.
        if not isinstance(params, dict):
            return
        plan = plan_for(model)
        allowed_types = plan.members
        for name, value in params.items():
            allowed = allowed_types.get(name)
            if (allowed is not None and type(value) not in allowed
                    and _mistyped(value, allowed)) or (
                        name in plan.string_maps and _not_strings(value)):
                from botocore.validate import validate_parameters

                if model.input_shape is not None:
                    validate_parameters(params, model.input_shape)
                call = _ACTIVE.get()
                exc = ScopeViolation(f"{name} is not of the type {model.name} takes",
                                     scope=str(call.guard.scope) if call else "unscoped",
                                     service=service_id, operation=model.name, parameter=name)
                on_refusal(exc)
                raise exc

    def check_send(request: Any, **_: Any) -> None:
        # before-send: after every request-created handler, however it was registered, and just
        # before the bytes leave. The request must still be one the signing hook approved in
        # this call: a handler that ran after signing and rewrote the URL or body is refused.
        call = _ACTIVE.get()
        if call is not None:
            signed = call.signed
            if signed:
                # The usual case first: the request just signed, a body of bytes sent as the
                # very object approved, no query parameters still to encode.
                url, params, data, _request = signed[-1]
                sent_url = request.url
                if params is None and type(sent_url) is str and sent_url == url \
                        and request.body is data and data is not None:
                    return
            if _as_signed(request, signed):
                return
        exc = (_unscoped("send") if call is None else call.guard.refuse(
            "the request was changed after it was checked and signed (a request-created "
            "handler that runs after signing?)", service=service_id))
        (on_refusal if call is None else call.guard.on_refusal)(exc)
        raise exc

    def check_sign(request: Any, operation_name: str, **_: Any) -> None:
        call = _ACTIVE.get()
        if call is not None and call.local:
            # A database auth token: signed locally and returned, never sent (its host is the
            # database's, not an endpoint of the factory's).
            return
        stamp = request.context.get(_APPROVAL)
        # Not compared with operation_name: a presigned POST is approved as CreateBucket (the
        # operation botocore emits parameters for) and signed as PutObject.
        if call is None or stamp not in call.approved:
            exc = _unscoped(operation_name)
            on_refusal(exc)
            raise exc
        guard = call.guard
        url = request.url
        try:
            if type(url) is not str:
                # Every check below reads the URL through str's methods, which a subclass
                # may override; and a presigned URL is made of whatever it holds.
                raise guard.refuse("the request URL is not an exact string",
                                   service=service_id, op=operation_name)
            # The host check's verdict depends on the pinned host and on the URL's scheme and
            # authority only, so it is remembered per endpoint root ("https://host/", up to
            # the third "/"), which every URL of an endpoint shares, S3 keys and Lambda paths
            # included. (Searching from 8 skips "https://" and "http://": a URL whose
            # authority is empty or not followed by "/" is checked every time.)
            root = (guard.pinned_host, url[:url.find("/", 8) + 1])
            if root not in endpoint_urls:
                guard.check_host(url, operation_name)
                if len(endpoint_urls) < 16 and root[1].count("/") == 3:
                    endpoint_urls.add(root)
            if recheck_body:
                # The checks below read the body as operation_name's parameters: the service
                # must run that operation, or a body approved for GetItem could be a Scan. One
                # X-Amz-Target header (in any letter case), an exact str naming it.
                target = targets.get(operation_name)
                if target is None:
                    target = targets[operation_name] = f"{target_prefix}.{operation_name}"
                named = 0
                for name, value in header_items(request.headers):
                    if len(name) == 12 and name.lower() == "x-amz-target":
                        named += 1 if type(value) is str and value == target else 2
                if named != 1:
                    raise guard.refuse(f"the request's X-Amz-Target is not {target}",
                                       service=service_id, op=operation_name)
                serialised = call.approved[stamp]
                # The body the serialiser produced from re-checked parameters of this very
                # operation, untouched since: nothing to parse.
                if serialised is None or request.data is not serialised \
                        or stamp[1] != operation_name:
                    assert rules is not None
                    model = service_model.operation_model(operation_name)
                    _recheck_json(guard, rules, model, request, plan_for(model))
            elif wire is not None:
                assert rules is not None
                # Read as the operation that was approved: a presigned POST is approved as
                # CreateBucket, whose bucket-only URL it is, and signed as PutObject.
                model = models.get(stamp[1])
                if model is None:
                    model = models[stamp[1]] = service_model.operation_model(stamp[1])
                sent = wire.read(guard, model, request, operation_name)
                # What the service will read is, member for member, what the parameter check
                # approved, plus members no check reads (exact builtin types on both sides, so
                # == runs no one else's code): nothing to check again. Anything else (a member
                # changed, added or dropped after approval, or read back in another form) is
                # checked again in full.
                if {key: value for key, value in sent.items() if key not in unread} \
                        != call.approved[stamp]:
                    _recheck(guard, rules, model, sent, plan_for(model), request.context)
        except ScopeViolation as exc:
            guard.on_refusal(exc)
            raise
        data = request.data
        params = request.params
        call.signed.append((url, dict(params) if params else None,
                            dict(data) if type(data) is dict else data, request))

    def filter_listing(parsed: Any, model: OperationModel, **_: Any) -> None:
        call = _ACTIVE.get()
        if call is None or call.guard.scope.kind != "platform" or not isinstance(parsed, dict):
            return
        assert rules is not None
        listing = rules.listings.get(model.name)
        if listing is not None:
            listing(call.guard, parsed)

    events = client.meta.events
    for listed in (rules.listings if rules is not None else ()):
        events.register(f"after-call.{service_id}.{listed}", filter_listing,
                        unique_id=f"scopeguard-listing-{service_id}-{listed}")
    events.register_first(f"before-send.{service_id}", check_send,
                          unique_id=f"scopeguard-send-{service_id}")
    if rules is not None and rules.early_types and prepare is None:
        # (A resource API's parameters are Python values until ``prepare`` has run.)
        events.register_first(f"provide-client-params.{service_id}", check_types,
                              unique_id=f"scopeguard-types-{service_id}")
    events.register_first(f"before-parameter-build.{service_id}", check_params,
                          unique_id=f"scopeguard-params-{service_id}")
    events.register_last(f"before-sign.{service_id}", check_sign,
                         unique_id=f"scopeguard-sign-{service_id}")
    if recheck_body and rules is not None and not isinstance(client._serializer,
                                                             _CheckingSerializer):
        # Scope handles copy the shared client's attributes when they are made, after this.
        client._serializer = _CheckingSerializer(client._serializer, rules, plan_for)
