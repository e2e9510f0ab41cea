"""flake8 plugin ``SG``: flags ad hoc AWS client creation outside the factory.

``Plugin`` is the flake8 entry point; ``RULES`` holds one rule per code, each with its own
examples; ``check_file`` runs them without flake8 (``scopeguard report`` uses it).
"""

from __future__ import annotations

from ._checker import FileResult, LintSettings, Reported, check_file, check_tree, settings_for
from ._plugin import Plugin
from .rules import RULES

__all__ = [
    "RULES",
    "FileResult",
    "LintSettings",
    "Plugin",
    "Reported",
    "check_file",
    "check_tree",
    "settings_for",
]
