"""``scopeguard-refused-service``: a tenant or capsule handle asked for a service its guard
always refuses (``factory.tenant(t).client("ses")``).

The guard of those scopes has operation tables for ``ISOLATED_SCOPE_SERVICES`` only and refuses
every request to any other service, so the literal alone settles it. The check wraps the
``client``/``resource``/``async_client`` signature hooks: it judges the receiver's scope class
and the literal service on the ``str`` fallback overload item, which mypy checks for every call,
so each call reports at most once (and never from inside overload matching).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from mypy.plugin import MethodSigContext
from mypy.types import FunctionLike, Instance, get_proper_type

from scopeguard._fullnames import ISOLATED_SCOPE_SERVICES, ISOLATED_SCOPES, SCOPE_CLASSES

from ._errors import REFUSED_SERVICE
from ._literals import str_value
from ._services import ServiceMap, is_fallback, service_argument

__all__ = ["refusing"]

MethodSigHook = Callable[[MethodSigContext], FunctionLike]

_ISOLATED: Final = {SCOPE_CLASSES[kind]: kind for kind in ISOLATED_SCOPES}


def refusing(services: ServiceMap, method: str, inner: MethodSigHook) -> MethodSigHook:
    """``inner``, preceded by the refused-service check for ``method``. A name that is no AWS
    service at all is left to ``scopeguard-unknown-service``."""

    def hook(ctx: MethodSigContext) -> FunctionLike:
        receiver = get_proper_type(ctx.type)
        kind = _ISOLATED.get(receiver.type.fullname) if isinstance(receiver, Instance) else None
        sig = ctx.default_signature
        if kind is not None and is_fallback(sig, method):
            expr = service_argument(ctx.args, sig)
            name = str_value(expr) if expr is not None else None
            known = services.get(method) or services.get("client")
            refused = name is not None and name not in ISOLATED_SCOPE_SERVICES
            if refused and (not known or name in known):
                ctx.api.fail(
                    f'a {kind} scope refuses every request to "{name}": its guard covers '
                    f"{', '.join(ISOLATED_SCOPE_SERVICES)}; use factory.platform() for shared "
                    "infrastructure or factory.operator(...) for another account",
                    expr or ctx.context,
                    code=REFUSED_SERVICE,
                )
        return inner(ctx)

    return hook
