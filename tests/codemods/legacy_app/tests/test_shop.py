from __future__ import annotations

from shop import admin, orders


def test_placed_order_can_be_read_back() -> None:
    orders.place_order("o-1", 42)
    assert orders.get_order("o-1") == {"pk": "o-1", "total": 42}


def test_invoice_is_written() -> None:
    orders.place_order("o-2", 7)
    assert orders.invoice("o-2") == {"total": 7}


def test_order_event_is_published() -> None:
    orders.place_order("o-3", 1)
    assert admin.events() == ['{"placed": "o-3"}']


def test_unknown_order_is_none() -> None:
    assert orders.get_order("missing") is None


def test_regions_are_listed() -> None:
    assert "eu-west-1" in admin.regions()
