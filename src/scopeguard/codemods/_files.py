"""Which files ``scopeguard migrate`` looks at: the walker it shares with ``scopeguard report``
(``scopeguard._sourcefiles``), re-exported where the codemods have always found it."""

from __future__ import annotations

from .._sourcefiles import MissingPath, discover, is_test_path, missing_paths

__all__ = ["MissingPath", "discover", "is_test_path", "missing_paths"]
