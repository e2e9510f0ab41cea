"""The in-process guard: refuses out-of-scope requests before they are signed.

``core`` holds the per-scope ``ScopeGuard`` (name and ARN resolution), the model-driven plan
compiler and the botocore hooks; one module per covered service holds its operation table.
"""

from . import dynamodb, dynamodbstreams, events, kinesis, lambda_, s3, secretsmanager, sns, sqs, ssm
from .core import (
    SERVICE_RULES,
    ScopeGuard,
    enter,
    enter_local,
    install_hooks,
    leave,
    private_arguments,
    scope_call,
)

__all__ = [
    "SERVICE_RULES",
    "ScopeGuard",
    "dynamodb",
    "dynamodbstreams",
    "enter",
    "enter_local",
    "events",
    "install_hooks",
    "kinesis",
    "lambda_",
    "leave",
    "private_arguments",
    "s3",
    "scope_call",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
]
