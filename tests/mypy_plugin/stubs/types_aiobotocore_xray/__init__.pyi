from .client import XRayClient as XRayClient
