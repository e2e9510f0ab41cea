"""The in-process guard: refuses out-of-scope requests before they are signed.

``rules`` holds what the guard knows about a service and the plans compiled from botocore's
model, ``checks`` the per-scope ``ScopeGuard`` (name and ARN resolution, running a plan),
``hooks`` the botocore hooks and the per-call state, ``private`` the private copy of a request's
parameters and ``wire`` the reading back of a signed request; one module per covered service
holds its operation table.
"""

from . import dynamodb, dynamodbstreams, events, kinesis, lambda_, s3, secretsmanager, sns, sqs, ssm
from .checks import ScopeGuard
from .hooks import enter, enter_local, install_hooks, leave, private_arguments, scope_call
from .rules import SERVICE_RULES

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
