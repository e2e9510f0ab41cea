"""The async tests need aiobotocore, which pins botocore below the newest release: they run in
the second half of the README's test command, after ``pip install -e ".[test,async]"``."""

from __future__ import annotations

import importlib.util

if importlib.util.find_spec("aiobotocore") is None:
    collect_ignore_glob = ["test_*.py"]
