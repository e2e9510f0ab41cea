# Ignore comments that hold with and without the plugin, under warn_unused_ignores: no line here
# may report anything in either mode (test_both_modes.py runs this file without the plugin too).
from __future__ import annotations

import boto3

from cases.handles import factory, raw_dynamodb, save_order

platform = factory().platform().client("dynamodb")

# scopeguard-scope-mismatch is a sub-code of arg-type: the code plain mypy reports here.
save_order(platform)  # type: ignore[arg-type]
save_order(raw_dynamodb())  # type: ignore[arg-type]
save_order(
    platform,  # type: ignore[arg-type]
)
save_order(platform)  # type: ignore

# The other codes report what plain mypy does not see: without the plugin their ignore comment
# is unused, which unused-ignore in the same comment allows.
boto3.client("s3")  # type: ignore[scopeguard-raw-client, unused-ignore]
factory().tenant("acme").client("dynamdb")  # type: ignore[scopeguard-unknown-service, unused-ignore]
