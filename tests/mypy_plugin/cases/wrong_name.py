from __future__ import annotations

from typing import Final

from cases.handles import factory

PROD_ORDERS: Final = "c-prod-orders"
ORDERS: Final = "orders"
table_name = "c-prod-orders"  # not Final: its value is not known at the call

dev = factory().capsule("dev").client("dynamodb")
dev.put_item(TableName="c-prod-orders", Item={})  # E: TableName="c-prod-orders" is a physical name of capsule:prod; a capsule-scoped client takes logical names and adds its own scope's prefix: write "orders"  [scopeguard-wrong-name]
dev.get_item(TableName=PROD_ORDERS, Key={})  # E: TableName="c-prod-orders" is a physical name of capsule:prod; ...  [scopeguard-wrong-name]
dev.put_item(TableName="orders", Item={})
dev.put_item(TableName=ORDERS, Item={})
dev.put_item(TableName=table_name, Item={})

tenant_files = factory().tenant("acme").client("s3")
tenant_files.get_object(Bucket="t-globex-uploads", Key="a")  # E: Bucket="t-globex-uploads" is a physical name of tenant:globex; a tenant-scoped client takes logical names and adds its own scope's prefix: write "uploads"  [scopeguard-wrong-name]
tenant_files.get_object(Bucket="uploads", Key="t-globex/a")

queue = factory().tenant("acme").client("sqs")
queue.send_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/t-globex-jobs", MessageBody="x")  # E: QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/t-globex-jobs" is a physical name of tenant:globex; ...  [scopeguard-wrong-name]
topics = factory().capsule("dev").client("sns")
topics.publish(TopicArn="arn:aws:sns:eu-west-1:123456789012:c-prod-events", Message="x")  # E: TopicArn="arn:aws:sns:eu-west-1:123456789012:c-prod-events" is a physical name of capsule:prod; ...  [scopeguard-wrong-name]

shared = factory().platform().client("dynamodb")
shared.get_item(TableName="t-acme-orders", Key={})  # E: TableName="t-acme-orders" belongs to tenant:acme; a platform-scoped client refuses tenant and capsule names: use factory.tenant("acme").client("dynamodb") and the logical name "orders"  [scopeguard-wrong-name]
shared.get_item(TableName="metrics", Key={})

# An operator client addresses another account's resources as that account names them.
factory().operator("123456789012").client("dynamodb").get_item(TableName="t-acme-orders", Key={})

# The resource API: sub-resources named positionally.
factory().capsule("dev").resource("dynamodb").Table("c-prod-orders")  # E: Table("c-prod-orders") is a physical name of capsule:prod; ...  [scopeguard-wrong-name]
factory().capsule("dev").resource("dynamodb").Table("orders")
