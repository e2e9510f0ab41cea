"""Reading a serialised request back into the parameters it names (REST and query protocols).

At signing time the request about to be signed is the truth, whatever happened to it after the
parameter check: a handler may have rewritten its URL, headers or body. For S3 (rest-xml), Lambda
(rest-json) and SNS (query) the operation's top-level members are read back from where the
protocol puts them, as the service will read them: URI labels from the path (percent-decoded
once), query-string and header members, the JSON or XML body, the form-encoded body. The guard
then runs the same checks on them.

What a service reads from a request also decides *which operation* it runs, so a request is
refused when it carries what would make it another operation of the service: a different HTTP
method, a path the operation's URI template does not match, a sub-resource key of another
operation's template (S3 ``?policy``, ``?acl``), a resource header of another operation
(``x-amz-copy-source`` on a PutObject makes it a copy), or a query-protocol ``Action`` of another
operation. Anything ambiguous (a member given twice, undecodable percent-encoding, form
parameters the operation does not have) is refused, never guessed.

S3 puts the bucket in the host (virtual-hosted style) or in the first path segment: the
service's ``ServiceRules.addressing`` says how to split it off.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

from .._exceptions import ScopeViolation
from .checks import ScopeGuard
from .rules import Addressing

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape

__all__ = ["WireReader", "header_items"]


def header_items(headers: Any) -> Any:
    """The (name, value) pairs of a request's headers, duplicates included."""
    # HTTPHeaders is an email.message.Message: items() runs every value through the e-mail
    # policy's sanitiser, which costs more than the whole check; the raw list is the same pairs.
    raw = getattr(headers, "_headers", None)
    return raw if isinstance(raw, list) else headers.items()


_LABEL: Final = re.compile(r"\{([^}]+?)(\+?)\}")
# Query-protocol form keys every request carries, which are not members.
_QUERY_ENVELOPE: Final = frozenset({"Action", "Version"})


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where one operation's members are in a serialised request."""

    method: str
    path: re.Pattern[str]
    labels: tuple[tuple[str, str], ...]  # (regex group, member)
    host_member: str | None  # member the addressing function reads from host or path (Bucket)
    host_label: str | None  # member botocore puts in front of the host instead (hostPrefix)
    static_query: frozenset[str]  # sub-resource keys of the URI template: must be present
    query: Mapping[str, str]  # query key -> member
    headers: Mapping[str, str]  # lower-case header name -> member
    body: Mapping[str, str]  # JSON body key -> member (rest-json members without a location)
    payload: tuple[str, Shape] | None  # structure payload member and its shape
    foreign_query: frozenset[str]  # sub-resource keys of other operations
    foreign_headers: frozenset[str]  # resource headers of other operations
    readable: frozenset[str]  # the members a request of this layout carries (``readable``)
    # What each header name, spelt as sent, is to this layout (``_header_kind``); filled as
    # requests are read, so most headers cost one lookup. Exact ``str`` names only.
    header_kinds: dict[str, object] = field(default_factory=dict, compare=False)


_FOREIGN: Final = object()
_HOST: Final = object()


def _header_kind(layout: _Layout, name: str) -> object:
    """What a header is to an operation: the member it carries, ``_FOREIGN`` (a resource
    header of another operation), ``_HOST``, or None (not read)."""
    low = str.lower(name)
    member = layout.headers.get(low)
    if member is not None:
        return member
    if low in layout.foreign_headers:
        return _FOREIGN
    return _HOST if low == "host" else None


def _decode(guard: ScopeGuard, text: str, what: str) -> str:
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise guard.refuse(f"the request's {what} does not decode as UTF-8") from None


def _split_url(guard: ScopeGuard, url: str) -> tuple[str, str, str]:
    """(netloc, path, query) of an absolute URL. botocore percent-encodes every "#" it
    serialises, and an HTTP client drops a fragment: what follows one would be checked but not
    sent, so a raw "#" is refused."""
    if "#" in url:
        raise guard.refuse("the request URL has a fragment")
    scheme_end = url.find("://")
    rest = url[scheme_end + 3:] if scheme_end >= 0 else url
    rest, _, query = rest.partition("?")
    slash = rest.find("/")
    if slash < 0:
        return rest, "", query
    return rest[:slash], rest[slash:], query


class WireReader:
    """Reads the top-level members of one service's serialised requests. One per shared client.

    ``classified`` tells which members name a resource or grant access (a kind other than
    "ignore" in the service's table): as headers on another operation's request they are
    refused, since they could turn it into that operation."""

    def __init__(self, service_model: ServiceModel, classified: Callable[[str], bool],
                 addressing: Addressing | None) -> None:
        self._model = service_model
        self._protocol = service_model.protocol
        self._addressing = addressing
        self._classified = classified
        self._layouts: dict[tuple[str, str], _Layout] = {}
        self._fields: dict[str, tuple[tuple[str, str, Shape | None], ...]] = {}
        self._hosts: dict[tuple[str | None, str], Any] = {}
        self._readable: dict[str, frozenset[str]] = {}
        static: set[str] = set()
        headers: set[str] = set()
        for name in service_model.operation_names:
            operation = service_model.operation_model(name)
            _, _, template_query = operation.http.get("requestUri", "/").partition("?")
            static.update(_query_keys(template_query))
            shape = operation.input_shape
            for member, member_shape in (shape.members.items() if shape is not None else ()):
                if (member_shape.serialization.get("location") == "header"
                        and classified(member)):
                    headers.add(member_shape.serialization.get("name", member).lower())
        self._static_keys = frozenset(static)
        self._resource_headers = frozenset(headers)

    # -- layouts --------------------------------------------------------------------------------

    def _layout(self, operation: OperationModel) -> _Layout:
        # Keyed by the URI template too: botocore strips S3's "/{Bucket}" from the model the
        # first time an operation runs.
        uri = operation.http.get("requestUri", "/")
        key = (operation.name, uri)
        layout = self._layouts.get(key)
        if layout is None:
            layout = self._layouts[key] = self._compile(operation, uri)
        return layout

    def _compile(self, operation: OperationModel, uri: str) -> _Layout:
        shape = operation.input_shape
        members: Mapping[str, Shape] = shape.members if shape is not None else {}
        by_label: dict[str, str] = {}
        query: dict[str, str] = {}
        headers: dict[str, str] = {}
        body: dict[str, str] = {}
        for member, member_shape in members.items():
            location = member_shape.serialization.get("location")
            name = member_shape.serialization.get("name", member)
            if location == "uri":
                by_label[name] = member
            elif location == "querystring":
                query[name] = member
            elif location == "header":
                headers[name.lower()] = member
            elif location is None:
                body[name] = member
        payload_name = shape.serialization.get("payload") if shape is not None else None
        payload = None
        if payload_name is not None:
            body.pop(members[payload_name].serialization.get("name", payload_name), None)
            if members[payload_name].type_name == "structure":
                payload = (payload_name, members[payload_name])
        path_template, _, template_query = uri.partition("?")
        host_member = None
        if self._addressing is not None and "Bucket" in by_label and \
                path_template.startswith("/{Bucket}"):
            path_template = path_template[len("/{Bucket}"):]
        if self._addressing is not None and "Bucket" in by_label and "{Bucket}" not in path_template:
            host_member = by_label["Bucket"]
        host_labels = [member for member, member_shape in members.items()
                       if member_shape.serialization.get("hostLabel")]
        pattern, labels = _template(path_template or "/", by_label)
        static = frozenset(_query_keys(template_query))
        own_headers = frozenset(headers)
        readable = {member for _, member in labels}
        readable.update(query.values(), headers.values())
        readable.update(m for m in (host_member, host_labels[0] if len(host_labels) == 1
                                    else None) if m is not None)
        if self._protocol == "rest-json":
            readable.update(body.values())
        if payload is not None:
            readable.add(payload[0])
        return _Layout(
            method=operation.http.get("method", "POST"),
            path=pattern,
            labels=labels,
            host_member=host_member,
            host_label=host_labels[0] if len(host_labels) == 1 else None,
            static_query=static,
            query=query,
            headers=headers,
            body=body,
            payload=payload,
            foreign_query=self._static_keys - static - frozenset(query),
            foreign_headers=self._resource_headers - own_headers,
            readable=frozenset(readable),
        )

    def readable(self, operation: OperationModel) -> frozenset[str]:
        """The members ``read`` can return for ``operation``: where the protocol puts them in a
        request (a blob payload, such as S3's object body, is not read back)."""
        if self._protocol != "query":
            return self._layout(operation).readable
        members = self._readable.get(operation.name)
        if members is None:
            shape = operation.input_shape
            members = frozenset(shape.members) if shape is not None else frozenset()
            self._readable[operation.name] = members
        return members

    # -- reading ------------------------------------------------------------------------------

    def read(self, guard: ScopeGuard, operation: OperationModel, request: Any,
             signed_as: str) -> dict[str, Any]:
        """The top-level members ``request`` names, as the service will read them."""
        try:
            if self._protocol == "query":
                return self._read_query(guard, operation, request, signed_as)
            return self._read_rest(guard, operation, request, signed_as)
        except ScopeViolation as exc:
            raise ScopeViolation(exc.reason, scope=str(guard.scope), service=self._model.service_name,
                                 operation=operation.name, parameter=exc.parameter) from None

    def _read_rest(self, guard: ScopeGuard, operation: OperationModel, request: Any,
                   signed_as: str) -> dict[str, Any]:
        layout = self._layout(operation)
        # A presigned POST is approved as CreateBucket and signed as PutObject (platform scope
        # only): its method is botocore's, not the template's.
        if signed_as == operation.name and request.method != layout.method:
            raise guard.refuse(f"the request method {request.method} is not {operation.name}'s "
                               f"{layout.method}")
        netloc, path, query = _split_url(guard, request.url)
        params: dict[str, Any] = {}
        host_label: str | None = None
        if self._addressing is not None and layout.host_member is not None:
            resource, path = self._address(guard, netloc, path)
            if resource is None:
                raise guard.refuse(f"the request's host and path address no bucket; "
                                   f"{operation.name} needs one")
            params[layout.host_member] = resource
        elif self._addressing is not None:
            # No bucket in this operation (ListBuckets): one in the host would make it another.
            # Its path is matched whole below, so a bucket there is refused too.
            in_host = self._address(guard, netloc, "/")[0]
            if in_host is not None and layout.host_label is None:
                raise guard.refuse(f"the request's host addresses bucket {in_host!r}, which "
                                   f"{operation.name} does not")
            host_label = in_host  # WriteGetObjectResponse's route, also sent as a header
        # A template that is only the bucket ("/{Bucket}", stripped to "") is the bucket's root:
        # "/" virtual-hosted, nothing after the bucket path-style.
        match = layout.path.fullmatch(path or "/")
        if match is None:
            raise guard.refuse(f"the request path {path!r} is not {operation.name}'s")
        for group, member in layout.labels:
            params[member] = _decode(guard, match.group(group), "path")
        if query:
            self._read_url_query(guard, layout, query, params)
        elif layout.static_query:
            raise guard.refuse(f"the request lacks {operation.name}'s sub-resource "
                               f"{sorted(layout.static_query)[0]!r}")
        kinds = layout.header_kinds
        for name, value in header_items(request.headers):
            if type(name) is not str:
                # A bytes or str-subclass name is sent as what it holds, whatever it says.
                raise guard.refuse(f"header name {name!r} is not an exact string")
            kind = kinds.get(name, _MISSING)
            if kind is _MISSING:
                kind = _header_kind(layout, name)
                if len(kinds) < 256:
                    kinds[name] = kind
            if kind is None:
                continue
            if type(value) is not str:
                # Compared with what was approved, a subclass could claim to be it.
                raise guard.refuse(f"header {name!r} is not an exact string")
            if kind is _FOREIGN:
                raise guard.refuse(f"header {name!r} belongs to another operation than "
                                   f"{operation.name}")
            if kind is _HOST:
                if value != netloc:
                    # Sent and signed as is, it would route the request (S3: to another
                    # bucket) whatever the URL says; botocore derives the host from the URL.
                    raise guard.refuse(f"the Host header {value!r} is not the URL's host")
                continue
            assert isinstance(kind, str)
            if kind in params:
                raise guard.refuse(f"header {name!r} is given twice", kind)
            params[kind] = value
        if host_label is not None and layout.host_label is not None:
            if params.setdefault(layout.host_label, host_label) != host_label:
                raise guard.refuse("the host and the headers name different routes",
                                   layout.host_label)
        if layout.payload is not None or layout.body:
            self._read_body(guard, layout, request.data, params)
        return params

    def _address(self, guard: ScopeGuard, netloc: str, path: str) -> tuple[str | None, str]:
        # What a host addresses depends on the host and the pinned endpoint only, and hosts are
        # few: remember it, so that most requests only split the path.
        assert self._addressing is not None
        key = (guard.pinned_host, netloc)
        in_host = self._hosts.get(key, _MISSING)
        if in_host is _MISSING:
            in_host = self._addressing(guard, netloc, "/")[0]
            if len(self._hosts) < 1024:
                self._hosts[key] = in_host
        if in_host is not None:
            return in_host, path
        return self._addressing(guard, netloc, path)

    def _read_url_query(self, guard: ScopeGuard, layout: _Layout, query: str,
                        params: dict[str, Any]) -> None:
        seen: set[str] = set()
        for pair in query.split("&"):
            raw_key, _, raw_value = pair.partition("=")
            key = _decode(guard, raw_key, "query string")
            if key in seen:
                raise guard.refuse(f"query parameter {key!r} is given twice")
            seen.add(key)
            member = layout.query.get(key)
            if member is not None:
                if member in params:
                    raise guard.refuse(f"{member} is given twice", member)
                params[member] = _decode(guard, raw_value, "query string")
            elif key in layout.foreign_query:
                raise guard.refuse(f"query parameter {key!r} makes this another operation")
        missing = layout.static_query - seen
        if missing:
            raise guard.refuse(f"the request lacks the sub-resource {sorted(missing)[0]!r}")

    def _read_body(self, guard: ScopeGuard, layout: _Layout, body: Any,
                   params: dict[str, Any]) -> None:
        if not body:
            return
        if not isinstance(body, bytes | str):
            raise guard.refuse("the request body is not the serialised document botocore "
                               "produces")
        if self._protocol == "rest-xml":
            if layout.payload is not None:
                params[layout.payload[0]] = _parse_xml(guard, layout.payload[1], body)
            return
        try:
            document = json.loads(body)
        except (TypeError, ValueError):
            raise guard.refuse("the request body is not the JSON botocore produces") from None
        if layout.payload is not None:
            params[layout.payload[0]] = document
            return
        if not isinstance(document, dict):
            raise guard.refuse("the request body is not a JSON object")
        for key, value in document.items():
            member = layout.body.get(key)
            if member is None:
                continue
            if member in params:
                raise guard.refuse(f"{member} is given in the body and elsewhere", member)
            params[member] = value

    def _read_query(self, guard: ScopeGuard, operation: OperationModel, request: Any,
                    signed_as: str) -> dict[str, Any]:
        query = _split_url(guard, request.url)[2]
        body = request.data
        form: dict[str, str] = {}
        if isinstance(body, Mapping):
            # Not yet encoded: botocore's serializer leaves the form as a dict of strings, and
            # urlencodes it when the request is prepared (a list value would become several
            # pairs, a str subclass could encode itself differently: both refused).
            for key, value in body.items():
                if type(key) is not str or type(value) is not str:
                    raise guard.refuse("the form body holds something other than strings")
                form[key] = value
        elif body:
            if isinstance(body, bytes):
                try:
                    body = body.decode("ascii")
                except UnicodeDecodeError:
                    raise guard.refuse("the form body is not the ASCII botocore produces"
                                       ) from None
            if not isinstance(body, str):
                raise guard.refuse("the request body is not the form botocore produces")
            _read_form(guard, body, form)
        # The service reads parameters from the query string and the body alike.
        if query:
            _read_form(guard, query, form)
        action = form.get("Action")
        if action != operation.name or (signed_as != operation.name):
            raise guard.refuse(f"the request's Action {action!r} is not {operation.name}")
        params: dict[str, Any] = {}
        consumed: set[str] = set()
        read = 0
        for member, key, shape in self._form_fields(operation):
            if shape is None:  # a scalar: its key is the member's
                value = form.get(key, _MISSING)
                read += value is not _MISSING
            else:
                value = _unflatten(guard, shape, key, form, consumed)
            if value is not _MISSING:
                params[member] = value
        read += len(consumed) + ("Action" in form) + ("Version" in form)
        if read != len(form):
            extra = set(form) - consumed - set(_QUERY_ENVELOPE) - {
                key for _, key, shape in self._form_fields(operation) if shape is None}
            raise guard.refuse(f"the request carries form parameters {operation.name} does not "
                               f"have: {', '.join(sorted(extra))}")
        return params

    def _form_fields(self, operation: OperationModel
                     ) -> tuple[tuple[str, str, Shape | None], ...]:
        """(member, form key, shape if not a scalar) of a query-protocol operation's members."""
        fields = self._fields.get(operation.name)
        if fields is None:
            shape = operation.input_shape
            members: Mapping[str, Shape] = shape.members if shape is not None else {}
            fields = self._fields[operation.name] = tuple(
                (member, member_shape.serialization.get("name", member),
                 member_shape if member_shape.type_name in ("structure", "list", "map") else None)
                for member, member_shape in members.items())
        return fields


def _read_form(guard: ScopeGuard, encoded: str, form: dict[str, str]) -> None:
    for pair in encoded.split("&"):
        raw_key, _, raw_value = pair.partition("=")
        key = _decode(guard, raw_key.replace("+", " "), "form")
        if key in form:
            raise guard.refuse(f"form parameter {key!r} is given twice")
        form[key] = _decode(guard, raw_value.replace("+", " "), "form")


def _query_keys(query: str) -> set[str]:
    return {pair.partition("=")[0] for pair in query.split("&") if pair}


def _template(path: str, by_label: Mapping[str, str]
              ) -> tuple[re.Pattern[str], tuple[tuple[str, str], ...]]:
    """A regex matching exactly the paths ``path`` (a URI template) renders to."""
    parts: list[str] = []
    labels: list[tuple[str, str]] = []
    end = 0
    for i, label in enumerate(_LABEL.finditer(path)):
        parts.append(re.escape(path[end:label.start()]))
        group = f"g{i}"
        # botocore encodes "/" inside a label, except in a greedy one.
        parts.append(f"(?P<{group}>{'.+' if label.group(2) else '[^/]+'})")
        labels.append((group, by_label.get(label.group(1), label.group(1))))
        end = label.end()
    parts.append(re.escape(path[end:]))
    return re.compile("".join(parts), re.DOTALL), tuple(labels)


def _parse_xml(guard: ScopeGuard, shape: Shape, body: bytes | str) -> Any:
    from botocore.parsers import RestXMLParser

    # botocore's own response parser reads a request payload too: same shapes, same XML.
    parser: Any = RestXMLParser()
    try:
        return parser._parse_shape(shape, parser._parse_xml_string_to_dom(body))
    except Exception:
        raise guard.refuse("the request body is not the XML botocore produces") from None


_MISSING: Final = object()


def _unflatten(guard: ScopeGuard, shape: Shape, prefix: str, form: Mapping[str, str],
               consumed: set[str]) -> Any:
    """The value botocore's query serializer wrote under ``prefix``, or _MISSING. Keys it reads
    are added to ``consumed``; a list or map index after a gap is left unread, and so refused."""
    kind = shape.type_name
    if kind == "structure":
        found: dict[str, Any] = {}
        for member, member_shape in shape.members.items():  # type: ignore[attr-defined]
            key = f"{prefix}.{member_shape.serialization.get('name', member)}"
            value = _unflatten(guard, member_shape, key, form, consumed)
            if value is not _MISSING:
                found[member] = value
        return found if found else _MISSING
    if kind == "list":
        member_shape = shape.member  # type: ignore[attr-defined]
        if form.get(prefix) == "":  # an empty list is written as "Prefix="
            consumed.add(prefix)
            return []
        if shape.serialization.get("flattened"):
            base = prefix
        else:
            base = f"{prefix}.{member_shape.serialization.get('name', 'member')}"
        items: list[Any] = []
        while True:
            value = _unflatten(guard, member_shape, f"{base}.{len(items) + 1}", form, consumed)
            if value is _MISSING:
                break
            items.append(value)
        return items if items else _MISSING
    if kind == "map":
        base = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
        key_name = shape.key.serialization.get("name", "key")  # type: ignore[attr-defined]
        value_name = shape.value.serialization.get("name", "value")  # type: ignore[attr-defined]
        entries: dict[str, Any] = {}
        while f"{base}.{len(entries) + 1}.{key_name}" in form:
            entry = f"{base}.{len(entries) + 1}"
            key = form[f"{entry}.{key_name}"]
            consumed.add(f"{entry}.{key_name}")
            value = _unflatten(guard, shape.value, f"{entry}.{value_name}",  # type: ignore[attr-defined]
                               form, consumed)
            if key in entries or value is _MISSING:
                raise guard.refuse(f"map entry {entry} repeats a key or has no value")
            entries[key] = value
        return entries if entries else _MISSING
    if prefix not in form:
        return _MISSING
    consumed.add(prefix)
    return form[prefix]
