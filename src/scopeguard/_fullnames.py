"""The one table of dotted names through which the static tools know the runtime and the SDKs.

The lint rules, the mypy plugin and the codemods never import the runtime; they match these
strings. ``tests/test_fullnames.py`` resolves every runtime name here by importing it, so a rename
in the runtime fails the tests instead of silently blinding the tools.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ASYNC_SESSION_FACTORIES",
    "BOTO3_CLIENT_FACTORIES",
    "BOTO3_DEFAULT_SESSION",
    "BOTO3_SESSION_CLASSES",
    "BOTOCORE_SESSION_FACTORIES",
    "CLIENT_FACTORY",
    "CREDENTIAL_ARGUMENTS",
    "ISOLATED_SCOPES",
    "ISOLATED_SCOPE_SERVICES",
    "RUNTIME_NAMES",
    "SCOPE_CLASSES",
    "SCOPE_METHODS",
    "SCOPED_ASYNC_CLIENT_CLASSES",
    "SCOPED_CLIENT_CLASSES",
    "SCOPED_RESOURCE_CLASSES",
    "SESSION_CLIENT_METHODS",
    "SESSION_METADATA_METHODS",
]

# -- the runtime ------------------------------------------------------------------------------

CLIENT_FACTORY: Final = "scopeguard.ClientFactory"
CLIENT_FACTORY_IMPL: Final = "scopeguard._factory.ClientFactory"

# Scope handle classes, by scope kind: what factory.tenant(...) etc. return.
SCOPE_CLASSES: Final = {
    "platform": "scopeguard._scope.PlatformScope",
    "tenant": "scopeguard._scope.TenantScope",
    "capsule": "scopeguard._scope.CapsuleScope",
    "operator": "scopeguard._scope.OperatorScope",
}
# ClientFactory method name -> scope kind it returns.
SCOPE_METHODS: Final = {
    "scopeguard._factory.ClientFactory.platform": "platform",
    "scopeguard._factory.ClientFactory.tenant": "tenant",
    "scopeguard._factory.ClientFactory.capsule": "capsule",
    "scopeguard._factory.ClientFactory.operator": "operator",
}
SCOPE_CLIENT_METHODS: Final = ("client", "resource")
# The scopes whose guard refuses every service it has no operation table for, and the services
# it has one for (``scopeguard._guard.SERVICE_RULES``; a test keeps the two equal). The static
# tools flag ``factory.tenant(t).client("ses")`` from this table without importing the guard.
ISOLATED_SCOPES: Final = ("tenant", "capsule")
ISOLATED_SCOPE_SERVICES: Final = (
    "dynamodb",
    "dynamodbstreams",
    "events",
    "kinesis",
    "lambda",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
)
SCOPE_ASYNC_CLIENT_METHOD: Final = "async_client"
ASYNC_CLIENT_REQUEST: Final = "scopeguard._async.AsyncClientRequest"
NAMING_POLICY: Final = "scopeguard._naming.NamingPolicy"
SCOPE_VIOLATION: Final = "scopeguard.ScopeViolation"

# -- scope-typed clients (scopeguard.typing) and the stubs' service map -----------------------

SCOPE_BASE: Final = "scopeguard._scope.Scope"
TYPING_MODULE: Final = "scopeguard.typing"
# Service name -> generic scoped class (a subclass of the types-boto3 class, parametrised by the
# handle class). Services not listed get the exact unscoped stub class from the plugin.
SCOPED_CLIENT_CLASSES: Final = {
    service: f"scopeguard.typing.Scoped{cls}"
    for service, cls in (
        ("dynamodb", "DynamoDBClient"),
        ("events", "EventBridgeClient"),
        ("kinesis", "KinesisClient"),
        ("lambda", "LambdaClient"),
        ("organizations", "OrganizationsClient"),
        ("s3", "S3Client"),
        ("secretsmanager", "SecretsManagerClient"),
        ("sns", "SNSClient"),
        ("sqs", "SQSClient"),
        ("ssm", "SSMClient"),
        ("sts", "STSClient"),
    )
}
# The same services for async clients: subclasses of the types-aiobotocore classes.
SCOPED_ASYNC_CLIENT_CLASSES: Final = {
    service: fullname.replace(".Scoped", ".ScopedAsync")
    for service, fullname in SCOPED_CLIENT_CLASSES.items()
}
SCOPED_RESOURCE_CLASSES: Final = {
    "dynamodb": "scopeguard.typing.ScopedDynamoDBServiceResource",
    "s3": "scopeguard.typing.ScopedS3ServiceResource",
}
# The stubs' own service map: boto3.session.Session.client/resource are overloaded on a
# Literal service name per service; the plugin reads it instead of keeping its own list.
STUBS_SESSION: Final = "boto3.session.Session"
# types-aiobotocore's map: AioSession.create_client, overloaded the same way; each item returns
# ClientCreatorContext[<client class>].
ASYNC_STUBS_SESSION: Final = "aiobotocore.session.AioSession"

RUNTIME_NAMES: Final = (
    CLIENT_FACTORY,
    CLIENT_FACTORY_IMPL,
    *SCOPE_CLASSES.values(),
    *SCOPE_METHODS,
    NAMING_POLICY,
    SCOPE_VIOLATION,
    SCOPE_BASE,
    *SCOPED_CLIENT_CLASSES.values(),
    *SCOPED_ASYNC_CLIENT_CLASSES.values(),
    *SCOPED_RESOURCE_CLASSES.values(),
    ASYNC_CLIENT_REQUEST,
)

# -- the SDKs the tools flag ------------------------------------------------------------------

BOTO3_CLIENT_FACTORIES: Final = ("boto3.client", "boto3.resource")
BOTO3_SESSION_CLASSES: Final = ("boto3.Session", "boto3.session.Session")
BOTO3_DEFAULT_SESSION: Final = (
    "boto3.setup_default_session",
    "boto3.DEFAULT_SESSION",
    "boto3._get_default_session",
)
BOTOCORE_SESSION_FACTORIES: Final = ("botocore.session.get_session", "botocore.session.Session")
ASYNC_SESSION_FACTORIES: Final = (
    "aioboto3.Session",
    "aioboto3.session.Session",
    "aiobotocore.session.get_session",
    "aiobotocore.session.AioSession",
)
# Methods on a session object that create a client (flagged) ...
SESSION_CLIENT_METHODS: Final = ("client", "resource", "create_client")
# ... and methods that only read metadata (never flagged).
SESSION_METADATA_METHODS: Final = (
    "get_available_regions",
    "get_available_services",
    "get_available_resources",
    "get_available_partitions",
    "get_partition_for_region",
    "get_service_model",
    "get_service_data",
    "get_config_variable",
    "available_profiles",
    "region_name",
    "profile_name",
    "events",
)
CREDENTIAL_ARGUMENTS: Final = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
