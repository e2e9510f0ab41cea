"""Rewrite ad hoc boto3/botocore client creation into ``factory.<scope>.client(...)`` calls.

    boto3.client("s3", region_name=r)       -> get_factory().platform().client("s3", region_name=r)
    boto3.Session(region_name=r).resource(s) -> get_factory().platform().resource(s, region_name=r)
    s = boto3.Session(); s.client("sqs")     -> get_factory().platform().client("sqs")
    botocore.session.get_session().create_client("s3")
                                             -> get_factory().platform().client("s3")
    async with get_session().create_client("sqs") as sqs:
                            -> async with get_factory().platform().async_client("sqs") as sqs:

Aliases and function-local imports are followed by LibCST's ``QualifiedNameProvider``. A site is
rewritten only when every argument has a place in the scope handle's signature; otherwise it is left
working as it is, with a ``# scopeguard: TODO(SG0xx) reason`` marker above its statement: explicit
credentials or profiles (SG010), ``**kwargs`` or a service name that is not a literal (SG030), a
client made once per process (SG031), a per-client ``endpoint_url`` (SG032), a session variable
bound more than once (SG003), or a factory/scope expression whose names are not bound at the site
(SG001).

aioboto3/aiobotocore clients are rewritten into ``scope.async_client(...)`` only as the context
manager of an ``async with``. There the code's meaning survives the move to a shared client:
entering gives the client, and leaving, which closed the raw client, now leaves the pool to the
factory (``await factory.aclose()``). Any other use (awaited, ``enter_async_context``, kept and
closed by hand) and aioboto3 resources, which have no factory equivalent, stay as they are. An
async site left as is is SG005 to the lint rules whatever stopped it, so its marker is SG005,
with the reason.

The session assignments left without readers are removed by ``RemoveDeadSessions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.helpers import get_full_name_for_node
from libcst.metadata import FunctionScope, GlobalScope, ImportAssignment, Scope, ScopeProvider

from .._fullnames import (
    ASYNC_SESSION_FACTORIES,
    BOTO3_CLIENT_FACTORIES,
    BOTO3_SESSION_CLASSES,
    BOTOCORE_SESSION_FACTORIES,
)
from ._markers import MarkingCommand, code_of
from ._settings import MigrateSettings
from ._evidence import Evidence, find_evidence
from ._settings import names_in
from ._sites import (
    CLIENT_SIGNATURE,
    SESSION_SIGNATURE,
    Verdict,
    client_verdict,
    literal_string,
    session_verdict,
    temporary_credentials,
    without_credentials,
)

__all__ = ["REWRITTEN_SESSIONS_KEY", "RewriteClientCalls"]

REWRITTEN_SESSIONS_KEY: Final = "scopeguard.rewritten_sessions"
_SESSION_KINDS: Final = {
    **{name: "boto3" for name in BOTO3_SESSION_CLASSES},
    **{name: "botocore" for name in BOTOCORE_SESSION_FACTORIES},
    **{
        name: "aiobotocore" if name.startswith("aiobotocore.") else "aioboto3"
        for name in ASYNC_SESSION_FACTORIES
    },
}
_ASYNC_SDKS: Final = frozenset({"aioboto3", "aiobotocore"})
# Which session methods make a client, per SDK, and what the scope handle calls them. A method an
# SDK does not have (``AioSession().client``) is no site here; the last pass marks what lint sees.
_METHODS: Final = {
    "boto3": {"client": "client", "resource": "resource"},
    "botocore": {"create_client": "client"},
    "aioboto3": {"client": "async_client", "resource": "resource"},
    "aiobotocore": {"create_client": "async_client"},
}
# What the lint rules report on an async client site besides SG005 (SG031 is added on its own).
_ASYNC_ALSO: Final = frozenset({"SG010", "SG030"})
_SCOPED_CREDENTIALS_DOC: Final = "docs/scoped-credentials.md"
# What a rewrite into each scope changes at run time, per site (--report json "runtime").
_CHANGES: Final[dict[str, tuple[str, ...]]] = {
    "tenant": (
        "resource names are mapped by the naming policy (a logical name gets the tenant's "
        "prefix; the tenant's own physical names pass as is; any other is refused)",
        "the tenant ID is validated: InvalidScope unless it is canonical under the naming policy",
    ),
    "capsule": (
        "resource names are mapped by the naming policy (a logical name gets the capsule's "
        "prefix; the capsule's own physical names pass as is; any other is refused)",
        "the capsule code is validated: InvalidScope unless it is canonical (and configured)",
    ),
    "operator": ("the client runs on a role assumed in the given account",),
}
_TVM_CHANGE: Final = (
    "the credentials passed here are no longer used: the factory assumes the tenant's role "
    "itself (scoped_credentials)"
)


def _service_code(call: cst.Call) -> str:
    return code_of(call.args[0].value) if call.args and not call.args[0].star else "..."


def _scope_names(scope_call: str) -> frozenset[str]:
    expression = cst.parse_expression(scope_call)
    assert isinstance(expression, cst.Call)
    names: set[str] = set()
    for arg in expression.args:
        names |= names_in(arg.value)
    return frozenset(names)


@dataclass(frozen=True)
class _Session:
    """A ``name = boto3.Session(...)`` binding a client site may come from."""

    call: cst.Call
    kind: str
    scope: Scope | None


@dataclass(frozen=True)
class _Site:
    method: str
    sdk: str
    sdk_root: cst.BaseExpression | None
    session_call: cst.Call | None = None
    session_name: str | None = None
    session: _Session | None = None

    @property
    def asynchronous(self) -> bool:
        return self.sdk in _ASYNC_SDKS


class RewriteClientCalls(MarkingCommand):
    """Turn each decidable client-creation site into a scoped factory call; mark the rest."""

    DESCRIPTION = "Rewrite boto3/botocore client creation into ClientFactory scope calls."

    def __init__(self, context: CodemodContext, settings: MigrateSettings | None = None) -> None:
        super().__init__(context, settings)
        self._sessions: dict[cst.CSTNode, _Session] = {}
        self._local_imports: dict[cst.CSTNode, set[tuple[str, str, str]]] = {}
        # Context managers of ``async with`` items: the only place an async client is rewritten.
        self._async_with_items: set[cst.CSTNode] = set()
        self._evidence_cache: dict[cst.CSTNode, list[Evidence]] = {}

    # -- session bindings ---------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        outer = self

        class _Bindings(cst.CSTVisitor):
            def visit_Assign(self, assign: cst.Assign) -> None:
                if len(assign.targets) == 1:
                    outer._bind(assign.targets[0].target, assign.value)

            def visit_AnnAssign(self, assign: cst.AnnAssign) -> None:
                if assign.value is not None:
                    outer._bind(assign.target, assign.value)

        node.visit(_Bindings())

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not isinstance(target, cst.Name) or not isinstance(value, cst.Call):
            return
        kind = self._session_kind(value)
        if kind is not None:
            scope = self.get_metadata(ScopeProvider, target, None)
            self._sessions[target] = _Session(value, kind, scope)

    def _session_kind(self, call: cst.Call) -> str | None:
        for qualified in self.qualified_names(call.func):
            if qualified.name in _SESSION_KINDS:
                return _SESSION_KINDS[qualified.name]
        return None

    def visit_With(self, node: cst.With) -> None:
        if node.asynchronous is not None:
            self._async_with_items.update(item.item for item in node.items)

    # -- sites --------------------------------------------------------------------------------

    def _match(self, call: cst.Call) -> _Site | None:
        func = call.func
        for qualified in self.qualified_names(func):
            if qualified.name in BOTO3_CLIENT_FACTORIES:
                return _Site(qualified.name.rpartition(".")[2], "boto3", func)
        if not isinstance(func, cst.Attribute):
            return None
        holder, attr = func.value, func.attr.value
        if isinstance(holder, cst.Call):
            kind = self._session_kind(holder)
            if kind is not None and attr in _METHODS[kind]:
                return _Site(_METHODS[kind][attr], kind, holder.func, session_call=holder)
        elif isinstance(holder, cst.Name):
            referents = self._referents(holder)
            sessions = [self._sessions[r] for r in referents if r in self._sessions]
            if not sessions:
                return None
            kind = sessions[0].kind
            if attr not in _METHODS[kind]:
                return None
            only = sessions[0] if len(referents) == 1 else None
            return _Site(
                _METHODS[kind][attr],
                kind,
                sessions[0].call.func,
                session_call=only.call if only else None,
                session_name=holder.value,
                session=only,
            )
        return None

    def _referents(self, name: cst.Name) -> list[cst.CSTNode]:
        scope = self.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return []
        return [
            assignment.node
            for access in scope.accesses[name]
            if access.node is name
            for assignment in access.referents
            if hasattr(assignment, "node")
        ]

    def _judge(self, original: cst.Call, updated: cst.Call, site: _Site) -> Verdict:
        if not site.asynchronous:
            return self._judge_call(original, updated, site)
        if site.method == "resource":
            return Verdict(
                "SG005",
                "aioboto3 resources have no factory equivalent; scope handles have "
                "async_client() only",
            )
        if original not in self._async_with_items:
            return Verdict(
                "SG005",
                "used outside `async with`; the factory's async client is shared and closed by "
                "factory.aclose(), so move this code to `await scope.async_client(...)` by hand",
            )
        verdict = self._judge_call(original, updated, site)
        if verdict.rewritable:
            return verdict
        return Verdict("SG005", verdict.reason)

    def _judge_call(self, original: cst.Call, updated: cst.Call, site: _Site) -> Verdict:
        # Temporary credentials on the client or its session: a tenant's, from a token vending
        # machine. With scoped_credentials the factory assumes the tenant's role itself.
        tvm = temporary_credentials(updated.args, CLIENT_SIGNATURE) or (
            site.session_call is not None
            and site.sdk in ("boto3", "aioboto3")
            and temporary_credentials(site.session_call.args, SESSION_SIGNATURE)
        )
        scope = self._scope(original, site, tvm)
        if not scope.rewritable:
            return scope
        once = self.runs_once(original)
        if once is not None and not self._shared_is_fine(scope, once):
            return Verdict("SG031", once)
        region: cst.Arg | None = None
        if site.session_name is not None and site.session is None:
            return Verdict(
                "SG003",
                f"{site.session_name!r} is bound more than once; "
                "cannot tell which session this client comes from",
            )
        if site.session_call is not None:
            if site.sdk in ("botocore", "aiobotocore"):
                if site.session_call.args:
                    return Verdict(
                        "SG030", f"{site.sdk} session arguments have no factory equivalent"
                    )
            else:
                session_args = (
                    without_credentials(site.session_call.args) if tvm else site.session_call.args
                )
                if session_args is None:
                    return Verdict("SG010", self._tvm_advice(original, site, scope.scope_call))
                verdict = session_verdict(session_args)
                if not verdict.rewritable:
                    return verdict
                region = verdict.region
            if region is not None and site.session is not None:
                same_scope = site.session.scope is self.get_metadata(ScopeProvider, original, None)
                if literal_string(region.value) is None and not same_scope:
                    return Verdict(
                        "SG003",
                        f"session {site.session_name!r} sets region_name from an expression in "
                        "another scope; carry it to the client by hand",
                    )
        client_args = without_credentials(updated.args) if tvm else updated.args
        if client_args is None:
            return Verdict("SG010", self._tvm_advice(original, site, scope.scope_call))
        verdict = client_verdict(client_args, self.settings.endpoint_url)
        if not verdict.rewritable:
            return verdict
        clash = self._name_clash(original)
        if clash is not None:
            return Verdict("SG001", clash)
        needed = self.settings.factory.required_names | _scope_names(scope.scope_call)
        for name in sorted(needed):
            if not self.is_bound(original, name):
                return Verdict(
                    "SG001",
                    f"{name!r} is not bound here; the factory expression "
                    f"{self.settings.factory.expression}.{scope.scope_call} needs it",
                )
        args = list(verdict.args)
        if region is not None and not any(
            a.keyword is not None and a.keyword.value == "region_name" for a in args
        ):
            args.append(
                region.with_changes(
                    keyword=cst.Name("region_name"),
                    equal=cst.AssignEqual(
                        whitespace_before=cst.SimpleWhitespace(""),
                        whitespace_after=cst.SimpleWhitespace(""),
                    ),
                )
            )
        changes = scope.changes + (_TVM_CHANGE,) * tvm
        return Verdict(None, args=tuple(args), scope_call=scope.scope_call, changes=changes)

    def _name_clash(self, original: cst.Call) -> str | None:
        """Why importing the accessor would break this site: its name already means something
        else here (a parameter, a local, a function of the module, another import)."""
        accessor = self.settings.factory
        name, module = accessor.import_name, accessor.import_module
        scope = self.get_metadata(ScopeProvider, original, None)
        if name is None or scope is None:
            return None
        for assignment in scope[name]:
            node = getattr(assignment, "node", None)
            if isinstance(assignment, ImportAssignment) and isinstance(node, cst.ImportFrom):
                source = get_full_name_for_node(node.module) if node.module else None
                if source == module and not node.relative:
                    continue
            what = (
                "a parameter" if isinstance(node, cst.Param)
                else "a function" if isinstance(node, cst.FunctionDef)
                else "a class" if isinstance(node, cst.ClassDef)
                else "an import of something else" if isinstance(assignment, ImportAssignment)
                else "a variable"
            )
            return (
                f"{name!r} is already {what} here, so `from {module} import {name}` would "
                f"clash; rename it, then re-run"
            )
        return None

    # -- the scope ----------------------------------------------------------------------------

    def _shared_is_fine(self, scope: Verdict, once: str) -> bool:
        """A platform client made once per process is the intended Lambda pattern: the factory
        shares its clients anyway, and an imported accessor is lazy. A tenant or capsule client
        needs a per-request ID, which import time does not have."""
        return (
            scope.scope_call == "platform()"
            and self.settings.factory.import_name is not None
            and "default argument" not in once
        )

    def _evidence(self, original: cst.Call) -> list[Evidence]:
        holder: cst.CSTNode | None = self.enclosing_function or self.context.module
        if holder is None:
            return []
        if holder not in self._evidence_cache:
            scope = self.get_metadata(ScopeProvider, original, None)
            names = frozenset(a.name for a in scope.assignments) if scope is not None else frozenset()
            if isinstance(scope, GlobalScope):
                names = frozenset()  # a module-level tenant name is a constant, not a request's
            self._evidence_cache[holder] = find_evidence(holder, self.settings.config.naming, names)
        return self._evidence_cache[holder]

    def _scope(self, original: cst.Call, site: _Site, tvm: bool) -> Verdict:
        """The scope call for a site (``Verdict.scope_call``), or the SG001 marker saying why
        none can be chosen without guessing."""
        factory = self.settings.factory.expression
        method = f"{site.method}({_service_code(original)})"
        rule = self.settings.matched_scope(self.context.filename)
        evidence = self._evidence(original)
        owned = [e for e in evidence if not e.via_name]
        named = [e for e in evidence if e.via_name]
        kinds = sorted({e.kind for e in owned} | ({"tenant"} if tvm else set()))
        if len(kinds) > 1:
            listed = ", ".join(e.literal for e in owned[:3])
            return Verdict(
                "SG001",
                f"the code here names resources of a tenant and of a capsule ({listed}); "
                "choose the scope by hand",
            )
        if kinds:
            kind = kinds[0]
            why = owned[0].literal if owned else "per-tenant STS credentials"
            if rule is not None and rule.kind == kind and not tvm:
                return Verdict(None, scope_call=rule.call, changes=_CHANGES[kind])
            if rule is not None and rule.kind != "platform":
                return Verdict(
                    "SG001",
                    f"the scopes glob {rule.pattern!r} says {rule.call} but the code names "
                    f"{kind}-owned {why}; choose the scope by hand",
                )
            expression = next((e.expression for e in owned if e.expression), None)
            if expression is None and tvm and len(named) == 1:
                expression = named[0].literal
            if expression is None:
                expression = self.settings.id_expression(kind)
            if tvm and rule is not None and rule.kind == "tenant":
                expression = rule.call.removeprefix("tenant(").removesuffix(")")
            if tvm and (expression is None or not self.settings.scoped_credentials):
                call = f"tenant({expression})" if expression else "tenant(<tenant ID>)"
                return Verdict("SG010", self._tvm_advice(original, site, call))
            if expression is None:
                return Verdict(
                    "SG001",
                    f"{why} is {kind}-owned under the naming policy, so platform() would be "
                    f"refused at run time: write {factory}.{kind}(<{kind} ID>).{method} "
                    f"(or set {kind}-id in [tool.scopeguard.migrate])",
                )
            return Verdict(None, scope_call=f"{kind}({expression})", changes=_CHANGES[kind])
        if rule is not None:
            return Verdict(None, scope_call=rule.call, changes=_CHANGES.get(rule.kind, ()))
        if named:
            name = named[0].literal
            return Verdict(
                "SG001",
                f"{name!r} is in scope: if this client serves that tenant write "
                f"{factory}.tenant({name}).{method}, else {factory}.platform().{method}",
            )
        if self.settings.default_scope == "todo":
            return Verdict(
                "SG001",
                'no scopes glob matches this path and default-scope = "todo": write '
                f"{factory}.platform().{method} or the tenant/capsule scope it serves",
            )
        return Verdict(None, scope_call="platform()")

    def _tvm_advice(self, call: cst.Call, site: _Site, scope_call: str) -> str:
        return (
            "per-tenant STS credentials (a token vending machine): on a ClientFactory built with "
            f"scoped_credentials write {self.settings.factory.expression}.{scope_call}."
            f"{site.method}({_service_code(call)}) and drop the credential plumbing "
            f"(then set scoped-credentials = true); see {_SCOPED_CREDENTIALS_DOC}"
        )

    def _also(
        self, original: cst.Call, updated: cst.Call, site: _Site, primary: Verdict
    ) -> list[tuple[str, str]]:
        """The other codes the lint rules report for a site left as is, so each is acknowledged:
        the site's own kind (SG001 raw client, SG002 + SG003 chained session, SG003 session
        variable; SG005 for async sites is always the primary) and any further problem besides
        the one that decided it."""
        extra: list[tuple[str, str]] = []
        # The same marker line carries the primary code's reason, which covers these too.
        see_above = ""
        once = self.runs_once(original)
        if once is not None and primary.code != "SG031":
            extra.append(("SG031", see_above if once == primary.reason else once))
        client = client_verdict(updated.args, self.settings.endpoint_url)
        if site.asynchronous:
            found = [client]
            if site.sdk == "aioboto3" and site.session_call is not None and not site.session_name:
                # A chained session's keys are on the same statement; a variable's get their own
                # marker from MarkRawSessions.
                found.append(session_verdict(site.session_call.args))
            for verdict in found:
                if verdict.code in _ASYNC_ALSO:
                    reason = see_above if verdict.reason == primary.reason else verdict.reason
                    extra.append((verdict.code, reason))
            return extra
        if client.code is not None and client.code != primary.code:
            extra.append((client.code, client.reason))
        kinds: tuple[str, ...]
        if site.session_name is not None:
            kinds = ("SG003",)
        elif site.session_call is not None:
            kinds = ("SG002", "SG003")
        else:
            kinds = ("SG001",)
        extra.extend((k, see_above) for k in kinds if k != primary.code)
        return extra

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if self.inert:
            return updated_node
        site = self._match(original_node)
        if site is None:
            return updated_node
        verdict = self._judge(original_node, updated_node, site)
        if not verdict.rewritable:
            assert verdict.code is not None
            self.mark(original_node, verdict.code, verdict.reason)
            for code, reason in self._also(original_node, updated_node, site, verdict):
                self.mark(original_node, code, reason, record=False)
            return updated_node
        template = cst.parse_expression(
            f"{self.settings.factory.expression}.{verdict.scope_call}.{site.method}()"
        )
        assert isinstance(template, cst.Call)
        last_comma = updated_node.args[-1].comma if updated_node.args else cst.MaybeSentinel.DEFAULT
        args: list[cst.Arg] = []
        for index, arg in enumerate(verdict.args):
            if index == len(verdict.args) - 1:
                arg = arg.with_changes(comma=last_comma)
            elif arg.comma is cst.MaybeSentinel.DEFAULT:
                arg = arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args.append(arg)
        rewritten = template.with_changes(
            args=args,
            whitespace_before_args=updated_node.whitespace_before_args,
            lpar=updated_node.lpar,
            rpar=updated_node.rpar,
        )
        self._add_factory_import(original_node, site)
        # What the replacement keeps of the call: the argument values it carries over (a
        # session's region_name among them); references there still use their imports.
        carried = {id(arg.value) for arg in verdict.args}
        kept = [
            before.value
            for before, after in zip(original_node.args, updated_node.args)
            if id(after.value) in carried
        ]
        if site.session_call is not None:
            kept += [arg.value for arg in site.session_call.args if id(arg.value) in carried]
        self.remove_unused_imports_of(original_node, tuple(kept))
        if site.session_name is not None:
            self.context.scratch.setdefault(REWRITTEN_SESSIONS_KEY, set()).add(site.session_name)
        self.record(
            original_node, "rewritten", None, "", after=rewritten, runtime=verdict.changes
        )
        return rewritten

    # -- the factory import -------------------------------------------------------------------

    def _add_factory_import(self, call: cst.Call, site: _Site) -> None:
        accessor = self.settings.factory
        if accessor.import_module is None or accessor.import_name is None:
            return
        local = self._local_import_of(site.sdk_root) if site.sdk_root is not None else None
        if local is None:
            AddImportsVisitor.add_needed_import(
                self.context, accessor.import_module, accessor.import_name
            )
            return
        function, statement = local
        self._local_imports.setdefault(function, set()).add(
            (statement, accessor.import_module, accessor.import_name)
        )

    def _local_import_of(self, root: cst.BaseExpression) -> tuple[cst.CSTNode, str] | None:
        """The function and import statement that bind the SDK name, when it is a local import."""
        dotted = get_full_name_for_node(root)
        scope = self.get_metadata(ScopeProvider, root, None)
        if scope is None or dotted is None:
            return None
        parts = dotted.split(".")
        prefixes = (".".join(parts[:n]) for n in range(len(parts), 0, -1))
        assignments = next((found for p in prefixes if (found := scope[p])), set())
        for assignment in assignments:
            if (
                isinstance(assignment, ImportAssignment)
                and isinstance(assignment.scope, FunctionScope)
                and isinstance(assignment.scope.node, cst.FunctionDef)
            ):
                return assignment.scope.node, code_of(assignment.node)
        return None

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        wanted = self._local_imports.pop(original_node, None)
        if not wanted:
            return updated_node
        body = updated_node.body
        for statement, module, name in sorted(wanted):
            body = _insert_after_import(body, statement, f"from {module} import {name}")
        return updated_node.with_changes(body=body)


class _InsertAfter(cst.CSTTransformer):
    """Insert one statement after the first line holding ``import_code``, outside nested defs."""

    def __init__(self, import_code: str, line: cst.SimpleStatementLine) -> None:
        super().__init__()
        self.import_code = import_code
        self.line = line
        self.done = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        if self.done or not any(code_of(s) == self.import_code for s in updated_node.body):
            return updated_node
        self.done = True
        return cst.FlattenSentinel([updated_node, self.line])


def _insert_after_import(
    body: cst.BaseSuite, import_code: str, statement: str
) -> cst.BaseSuite:
    line = cst.parse_statement(statement)
    assert isinstance(line, cst.SimpleStatementLine)
    inserter = _InsertAfter(import_code, line)
    new_body = body.visit(inserter)
    assert isinstance(new_body, cst.BaseSuite)
    if inserter.done or not isinstance(new_body, cst.IndentedBlock):
        return new_body
    return new_body.with_changes(body=[line, *new_body.body])
