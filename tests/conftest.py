"""Shared test setup: no test ever sees the developer's AWS environment or reaches AWS."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

# No per-example deadline: CI machines are shared and timing says nothing about correctness here.
# In CI the examples are derandomized, so a run is reproducible and cannot turn red by chance;
# local runs keep exploring new examples.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(autouse=True)
def _clean_aws_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Real credentials, profiles or endpoint overrides from the developer's shell must never leak
    # into a test: moto would accept them, and a missing mock would then talk to AWS.
    for name in list(os.environ):
        if name.startswith("AWS_") or name.startswith("SCOPEGUARD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    yield


# Sample projects used as data by the codemod and lint tests (they run them in subprocesses with
# their own sys.path); collecting them here would import them out of context.
collect_ignore_glob = ["codemods/legacy_app/*", "*/sample_*/*", "*/samples/*"]
