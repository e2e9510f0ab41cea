# Shared fixtures of the cases: typed helpers that take scope-typed clients.
from __future__ import annotations

from types_boto3_dynamodb.client import DynamoDBClient

from scopeguard import ClientFactory, Scope
from scopeguard.typing import ScopedDynamoDBClient, TenantDynamoDBClient, TenantS3Client


def factory() -> ClientFactory:
    raise NotImplementedError


def raw_dynamodb() -> DynamoDBClient:
    raise NotImplementedError


def save_order(orders: TenantDynamoDBClient) -> None: ...
def save_file(files: TenantS3Client | None = None) -> None: ...
def any_dynamodb(orders: DynamoDBClient) -> None: ...
def any_scope(orders: ScopedDynamoDBClient[Scope]) -> None: ...


class OrderRepository:
    def __init__(self, orders: TenantDynamoDBClient) -> None:
        self.orders = orders

    def copy_to(self, target: TenantDynamoDBClient) -> None: ...
