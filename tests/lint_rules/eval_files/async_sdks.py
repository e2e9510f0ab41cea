# aioboto3 and aiobotocore.
import aioboto3
import aiobotocore.session
from aiobotocore.session import AioSession


async def aioboto3_session():
    session = aioboto3.Session()  # SG005
    async with session.client("s3") as s3:  # SG005
        return await s3.list_buckets()


async def aiobotocore_session():
    session = aiobotocore.session.get_session()  # SG005
    async with session.create_client("sqs") as sqs:  # SG005
        return sqs


async def aio_class():
    return AioSession().create_client("sns")  # SG005, SG005


async def metadata(session: aioboto3.Session):
    return await session.get_available_regions("s3")
