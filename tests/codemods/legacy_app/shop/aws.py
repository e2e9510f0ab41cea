"""Composition root: the only module allowed to touch boto3 directly (factory-modules)."""

from __future__ import annotations

import boto3

import scopeguard

_factory: scopeguard.ClientFactory | None = None


def get_factory() -> scopeguard.ClientFactory:
    global _factory
    if _factory is None:
        _factory = scopeguard.ClientFactory(session=boto3.Session(region_name="eu-west-1"))
    return _factory


def reset() -> None:
    """Tests call this so each test builds its clients inside its own moto mock."""
    global _factory
    _factory = None
