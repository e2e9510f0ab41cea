# A stand-in for the types-boto3-xray stub package (a late-alphabet service the scope handles
# declare no overload for), so the tests and the benchmark need not install it.
from typing import Any

from botocore.client import BaseClient

class XRayClient(BaseClient):
    def get_trace_summaries(self, *, StartTime: Any, EndTime: Any) -> dict[str, Any]: ...
