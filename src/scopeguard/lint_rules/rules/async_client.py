"""SG005: an aioboto3 / aiobotocore session or client created outside the factory."""

from __future__ import annotations

from collections.abc import Iterator

from .._analysis import Site
from .._rule import Context, Finding, Rule


class AsyncClient(Rule):
    code = "SG005"
    VALID = (
        '''\
async def read(scope, key):
    async with scope.async_client("s3") as s3:
        return await s3.get_object(Bucket="reports", Key=key)
''',
        '''\
async def send(factory, tenant_id, body):
    sqs = await factory.tenant(tenant_id).async_client("sqs")  # shared; factory.aclose() closes it
    await sqs.send_message(QueueUrl="jobs", MessageBody=body)
''',
    )
    INVALID = (
        '''\
import aioboto3

async def read(key):
    session = aioboto3.Session()  # SG005
    async with session.client("s3") as s3:  # SG005
        return await s3.get_object(Bucket="reports", Key=key)
''',
        '''\
from aiobotocore.session import get_session

async def send(body):
    async with get_session().create_client("sqs") as sqs:  # SG005, SG005
        await sqs.send_message(QueueUrl="jobs", MessageBody=body)
''',
    )

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        for site in sites:
            if site.kind in ("async-session", "async-client"):
                yield self.finding(site, f"{site.target}()")
