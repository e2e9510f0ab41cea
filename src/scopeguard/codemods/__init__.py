"""LibCST codemods behind ``scopeguard migrate``: legacy client creation into factory calls.

Requires the ``migrate`` extra (``pip install scopeguard[migrate]``, LibCST). The runtime never
imports this package.
"""

from ._migration import FileResult, migrate_source
from ._settings import FactoryAccessor, MigrateSettings, ScopeRule
from ._sites import SiteRecord
from .mark_raw_sessions import MarkRawSessions
from .mark_remaining_findings import MarkRemainingFindings
from .remove_dead_sessions import RemoveDeadSessions
from .rewrite_client_calls import RewriteClientCalls

__all__ = [
    "FactoryAccessor",
    "FileResult",
    "MarkRawSessions",
    "MarkRemainingFindings",
    "MigrateSettings",
    "RemoveDeadSessions",
    "RewriteClientCalls",
    "ScopeRule",
    "SiteRecord",
    "migrate_source",
]
