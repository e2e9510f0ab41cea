# A stand-in for the types-aiobotocore-xray stub package (a late-alphabet service the scope
# handles declare no async_client overload for), so the tests need not install it.
from typing import Any

from aiobotocore.client import AioBaseClient

class XRayClient(AioBaseClient):
    async def get_trace_summaries(self, *, StartTime: Any, EndTime: Any) -> dict[str, Any]: ...
