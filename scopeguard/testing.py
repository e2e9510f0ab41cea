"""pytest fixtures and helpers for testing code that uses a ClientFactory against moto."""

from __future__ import annotations

__all__: list[str] = []
