"""Order notifications for the async API (aiobotocore)."""

from __future__ import annotations

import json

from aiobotocore.session import get_session


async def notify(order_id: str) -> None:
    session = get_session()
    async with session.create_client("sns", region_name="eu-west-1") as sns:
        await sns.publish(TopicArn="order-events", Message=json.dumps({"placed": order_id}))


async def open_queue(stack):
    # Kept open by the caller: the migration must leave this alone and mark it.
    return await stack.enter_async_context(get_session().create_client("sqs"))
