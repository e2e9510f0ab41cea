"""Scope-typed client names for annotations: the compile-time half of scoping.

A client from ``factory.tenant(t).client("dynamodb")`` has the type
``ScopedDynamoDBClient[TenantScope]`` (spelled ``TenantDynamoDBClient`` for short). It is a subclass
of types-boto3's ``DynamoDBClient``, so it keeps every method signature and is accepted wherever a
plain ``DynamoDBClient`` is; the scope is its type argument, so a function that asks for a
``TenantDynamoDBClient`` rejects a platform, capsule or operator one, and a raw
``boto3.client("dynamodb")``, in mypy and in pyright, with or without the scopeguard mypy plugin.

The type argument is covariant: ``ScopedDynamoDBClient[Scope]`` means "a DynamoDB client of any
scope, but not a raw one".

``handle.async_client("dynamodb")`` is typed the same way over types-aiobotocore's classes:
awaiting it (or ``async with``) gives a ``ScopedAsyncDynamoDBClient[TenantScope]``
(``TenantAsyncDynamoDBClient``), whose methods are the stubs' coroutines.

Names exist for the services the guard covers in tenant and capsule scopes, plus STS and
Organizations (platform and operator code). For every other service, the mypy plugin infers the
exact types-boto3 client class from the service-name literal (see ``docs/mypy.md``).

Everything here is for annotations. The stub packages are imported only while type checking; at run
time each name is a small subscriptable placeholder, so ``import scopeguard.typing`` costs nothing
and needs no stubs installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

from ._fullnames import (
    SCOPE_CLASSES,
    SCOPED_ASYNC_CLIENT_CLASSES,
    SCOPED_CLIENT_CLASSES,
    SCOPED_RESOURCE_CLASSES,
)

if TYPE_CHECKING:
    from typing import TypeAlias

    from botocore.config import Config
    from types_aiobotocore_dynamodb.client import DynamoDBClient as AsyncDynamoDBClient
    from types_aiobotocore_events.client import EventBridgeClient as AsyncEventBridgeClient
    from types_aiobotocore_kinesis.client import KinesisClient as AsyncKinesisClient
    from types_aiobotocore_lambda.client import LambdaClient as AsyncLambdaClient
    from types_aiobotocore_organizations.client import (
        OrganizationsClient as AsyncOrganizationsClient,
    )
    from types_aiobotocore_s3.client import S3Client as AsyncS3Client
    from types_aiobotocore_secretsmanager.client import (
        SecretsManagerClient as AsyncSecretsManagerClient,
    )
    from types_aiobotocore_sns.client import SNSClient as AsyncSNSClient
    from types_aiobotocore_sqs.client import SQSClient as AsyncSQSClient
    from types_aiobotocore_ssm.client import SSMClient as AsyncSSMClient
    from types_aiobotocore_sts.client import STSClient as AsyncSTSClient
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.service_resource import DynamoDBServiceResource
    from types_boto3_events.client import EventBridgeClient
    from types_boto3_kinesis.client import KinesisClient
    from types_boto3_lambda.client import LambdaClient
    from types_boto3_organizations.client import OrganizationsClient
    from types_boto3_s3.client import S3Client
    from types_boto3_s3.service_resource import S3ServiceResource
    from types_boto3_secretsmanager.client import SecretsManagerClient
    from types_boto3_sns.client import SNSClient
    from types_boto3_sqs.client import SQSClient
    from types_boto3_ssm.client import SSMClient
    from types_boto3_sts.client import STSClient

    from ._scope import CapsuleScope, OperatorScope, PlatformScope, Scope, TenantScope

__all__ = [
    "CapsuleAsyncDynamoDBClient",
    "CapsuleAsyncEventBridgeClient",
    "CapsuleAsyncKinesisClient",
    "CapsuleAsyncLambdaClient",
    "CapsuleAsyncOrganizationsClient",
    "CapsuleAsyncS3Client",
    "CapsuleAsyncSNSClient",
    "CapsuleAsyncSQSClient",
    "CapsuleAsyncSSMClient",
    "CapsuleAsyncSTSClient",
    "CapsuleAsyncSecretsManagerClient",
    "CapsuleDynamoDBClient",
    "CapsuleDynamoDBServiceResource",
    "CapsuleEventBridgeClient",
    "CapsuleKinesisClient",
    "CapsuleLambdaClient",
    "CapsuleOrganizationsClient",
    "CapsuleS3Client",
    "CapsuleS3ServiceResource",
    "CapsuleSNSClient",
    "CapsuleSQSClient",
    "CapsuleSSMClient",
    "CapsuleSTSClient",
    "CapsuleSecretsManagerClient",
    "ClientOptions",
    "OperatorAsyncDynamoDBClient",
    "OperatorAsyncEventBridgeClient",
    "OperatorAsyncKinesisClient",
    "OperatorAsyncLambdaClient",
    "OperatorAsyncOrganizationsClient",
    "OperatorAsyncS3Client",
    "OperatorAsyncSNSClient",
    "OperatorAsyncSQSClient",
    "OperatorAsyncSSMClient",
    "OperatorAsyncSTSClient",
    "OperatorAsyncSecretsManagerClient",
    "OperatorDynamoDBClient",
    "OperatorDynamoDBServiceResource",
    "OperatorEventBridgeClient",
    "OperatorKinesisClient",
    "OperatorLambdaClient",
    "OperatorOrganizationsClient",
    "OperatorS3Client",
    "OperatorS3ServiceResource",
    "OperatorSNSClient",
    "OperatorSQSClient",
    "OperatorSSMClient",
    "OperatorSTSClient",
    "OperatorSecretsManagerClient",
    "PlatformAsyncDynamoDBClient",
    "PlatformAsyncEventBridgeClient",
    "PlatformAsyncKinesisClient",
    "PlatformAsyncLambdaClient",
    "PlatformAsyncOrganizationsClient",
    "PlatformAsyncS3Client",
    "PlatformAsyncSNSClient",
    "PlatformAsyncSQSClient",
    "PlatformAsyncSSMClient",
    "PlatformAsyncSTSClient",
    "PlatformAsyncSecretsManagerClient",
    "PlatformDynamoDBClient",
    "PlatformDynamoDBServiceResource",
    "PlatformEventBridgeClient",
    "PlatformKinesisClient",
    "PlatformLambdaClient",
    "PlatformOrganizationsClient",
    "PlatformS3Client",
    "PlatformS3ServiceResource",
    "PlatformSNSClient",
    "PlatformSQSClient",
    "PlatformSSMClient",
    "PlatformSTSClient",
    "PlatformSecretsManagerClient",
    "ScopeT",
    "ScopedAsyncDynamoDBClient",
    "ScopedAsyncEventBridgeClient",
    "ScopedAsyncKinesisClient",
    "ScopedAsyncLambdaClient",
    "ScopedAsyncOrganizationsClient",
    "ScopedAsyncS3Client",
    "ScopedAsyncSNSClient",
    "ScopedAsyncSQSClient",
    "ScopedAsyncSSMClient",
    "ScopedAsyncSTSClient",
    "ScopedAsyncSecretsManagerClient",
    "ScopedDynamoDBClient",
    "ScopedDynamoDBServiceResource",
    "ScopedEventBridgeClient",
    "ScopedKinesisClient",
    "ScopedLambdaClient",
    "ScopedOrganizationsClient",
    "ScopedS3Client",
    "ScopedS3ServiceResource",
    "ScopedSNSClient",
    "ScopedSQSClient",
    "ScopedSSMClient",
    "ScopedSTSClient",
    "ScopedSecretsManagerClient",
    "TenantAsyncDynamoDBClient",
    "TenantAsyncEventBridgeClient",
    "TenantAsyncKinesisClient",
    "TenantAsyncLambdaClient",
    "TenantAsyncOrganizationsClient",
    "TenantAsyncS3Client",
    "TenantAsyncSNSClient",
    "TenantAsyncSQSClient",
    "TenantAsyncSSMClient",
    "TenantAsyncSTSClient",
    "TenantAsyncSecretsManagerClient",
    "TenantDynamoDBClient",
    "TenantDynamoDBServiceResource",
    "TenantEventBridgeClient",
    "TenantKinesisClient",
    "TenantLambdaClient",
    "TenantOrganizationsClient",
    "TenantS3Client",
    "TenantS3ServiceResource",
    "TenantSNSClient",
    "TenantSQSClient",
    "TenantSSMClient",
    "TenantSTSClient",
    "TenantSecretsManagerClient",
]

ScopeT = TypeVar("ScopeT", bound="Scope")
"""The handle type in ``Scope.client``'s overloads: a TenantScope handle gives ``[TenantScope]``."""

_S_co = TypeVar("_S_co", bound="Scope", covariant=True)


class ClientOptions(TypedDict, total=False):
    """The options a scope handle's ``client()`` accepts. Credentials and ``endpoint_url`` are
    the factory's to decide, so they are not options: passing one is a type error, and refused at
    run time."""

    region_name: str | None
    api_version: str | None
    use_ssl: bool | None
    verify: bool | str | None
    config: Config | None


if TYPE_CHECKING:
    class ScopedDynamoDBClient(DynamoDBClient, Generic[_S_co]): ...
    class ScopedEventBridgeClient(EventBridgeClient, Generic[_S_co]): ...
    class ScopedKinesisClient(KinesisClient, Generic[_S_co]): ...
    class ScopedLambdaClient(LambdaClient, Generic[_S_co]): ...
    class ScopedOrganizationsClient(OrganizationsClient, Generic[_S_co]): ...
    class ScopedS3Client(S3Client, Generic[_S_co]): ...
    class ScopedSecretsManagerClient(SecretsManagerClient, Generic[_S_co]): ...
    class ScopedSNSClient(SNSClient, Generic[_S_co]): ...
    class ScopedSQSClient(SQSClient, Generic[_S_co]): ...
    class ScopedSSMClient(SSMClient, Generic[_S_co]): ...
    class ScopedSTSClient(STSClient, Generic[_S_co]): ...
    # async_client(): the same scopes over types-aiobotocore's classes.
    class ScopedAsyncDynamoDBClient(AsyncDynamoDBClient, Generic[_S_co]): ...
    class ScopedAsyncEventBridgeClient(AsyncEventBridgeClient, Generic[_S_co]): ...
    class ScopedAsyncKinesisClient(AsyncKinesisClient, Generic[_S_co]): ...
    class ScopedAsyncLambdaClient(AsyncLambdaClient, Generic[_S_co]): ...
    class ScopedAsyncOrganizationsClient(AsyncOrganizationsClient, Generic[_S_co]): ...
    class ScopedAsyncS3Client(AsyncS3Client, Generic[_S_co]): ...
    class ScopedAsyncSecretsManagerClient(AsyncSecretsManagerClient, Generic[_S_co]): ...
    class ScopedAsyncSNSClient(AsyncSNSClient, Generic[_S_co]): ...
    class ScopedAsyncSQSClient(AsyncSQSClient, Generic[_S_co]): ...
    class ScopedAsyncSSMClient(AsyncSSMClient, Generic[_S_co]): ...
    class ScopedAsyncSTSClient(AsyncSTSClient, Generic[_S_co]): ...
    class ScopedDynamoDBServiceResource(DynamoDBServiceResource, Generic[_S_co]): ...
    class ScopedS3ServiceResource(S3ServiceResource, Generic[_S_co]): ...

    PlatformDynamoDBClient: TypeAlias = ScopedDynamoDBClient[PlatformScope]
    TenantDynamoDBClient: TypeAlias = ScopedDynamoDBClient[TenantScope]
    CapsuleDynamoDBClient: TypeAlias = ScopedDynamoDBClient[CapsuleScope]
    OperatorDynamoDBClient: TypeAlias = ScopedDynamoDBClient[OperatorScope]

    PlatformEventBridgeClient: TypeAlias = ScopedEventBridgeClient[PlatformScope]
    TenantEventBridgeClient: TypeAlias = ScopedEventBridgeClient[TenantScope]
    CapsuleEventBridgeClient: TypeAlias = ScopedEventBridgeClient[CapsuleScope]
    OperatorEventBridgeClient: TypeAlias = ScopedEventBridgeClient[OperatorScope]

    PlatformKinesisClient: TypeAlias = ScopedKinesisClient[PlatformScope]
    TenantKinesisClient: TypeAlias = ScopedKinesisClient[TenantScope]
    CapsuleKinesisClient: TypeAlias = ScopedKinesisClient[CapsuleScope]
    OperatorKinesisClient: TypeAlias = ScopedKinesisClient[OperatorScope]

    PlatformLambdaClient: TypeAlias = ScopedLambdaClient[PlatformScope]
    TenantLambdaClient: TypeAlias = ScopedLambdaClient[TenantScope]
    CapsuleLambdaClient: TypeAlias = ScopedLambdaClient[CapsuleScope]
    OperatorLambdaClient: TypeAlias = ScopedLambdaClient[OperatorScope]

    PlatformOrganizationsClient: TypeAlias = ScopedOrganizationsClient[PlatformScope]
    TenantOrganizationsClient: TypeAlias = ScopedOrganizationsClient[TenantScope]
    CapsuleOrganizationsClient: TypeAlias = ScopedOrganizationsClient[CapsuleScope]
    OperatorOrganizationsClient: TypeAlias = ScopedOrganizationsClient[OperatorScope]

    PlatformS3Client: TypeAlias = ScopedS3Client[PlatformScope]
    TenantS3Client: TypeAlias = ScopedS3Client[TenantScope]
    CapsuleS3Client: TypeAlias = ScopedS3Client[CapsuleScope]
    OperatorS3Client: TypeAlias = ScopedS3Client[OperatorScope]

    PlatformSecretsManagerClient: TypeAlias = ScopedSecretsManagerClient[PlatformScope]
    TenantSecretsManagerClient: TypeAlias = ScopedSecretsManagerClient[TenantScope]
    CapsuleSecretsManagerClient: TypeAlias = ScopedSecretsManagerClient[CapsuleScope]
    OperatorSecretsManagerClient: TypeAlias = ScopedSecretsManagerClient[OperatorScope]

    PlatformSNSClient: TypeAlias = ScopedSNSClient[PlatformScope]
    TenantSNSClient: TypeAlias = ScopedSNSClient[TenantScope]
    CapsuleSNSClient: TypeAlias = ScopedSNSClient[CapsuleScope]
    OperatorSNSClient: TypeAlias = ScopedSNSClient[OperatorScope]

    PlatformSQSClient: TypeAlias = ScopedSQSClient[PlatformScope]
    TenantSQSClient: TypeAlias = ScopedSQSClient[TenantScope]
    CapsuleSQSClient: TypeAlias = ScopedSQSClient[CapsuleScope]
    OperatorSQSClient: TypeAlias = ScopedSQSClient[OperatorScope]

    PlatformSSMClient: TypeAlias = ScopedSSMClient[PlatformScope]
    TenantSSMClient: TypeAlias = ScopedSSMClient[TenantScope]
    CapsuleSSMClient: TypeAlias = ScopedSSMClient[CapsuleScope]
    OperatorSSMClient: TypeAlias = ScopedSSMClient[OperatorScope]

    PlatformSTSClient: TypeAlias = ScopedSTSClient[PlatformScope]
    TenantSTSClient: TypeAlias = ScopedSTSClient[TenantScope]
    CapsuleSTSClient: TypeAlias = ScopedSTSClient[CapsuleScope]
    OperatorSTSClient: TypeAlias = ScopedSTSClient[OperatorScope]

    PlatformAsyncDynamoDBClient: TypeAlias = ScopedAsyncDynamoDBClient[PlatformScope]
    TenantAsyncDynamoDBClient: TypeAlias = ScopedAsyncDynamoDBClient[TenantScope]
    CapsuleAsyncDynamoDBClient: TypeAlias = ScopedAsyncDynamoDBClient[CapsuleScope]
    OperatorAsyncDynamoDBClient: TypeAlias = ScopedAsyncDynamoDBClient[OperatorScope]

    PlatformAsyncEventBridgeClient: TypeAlias = ScopedAsyncEventBridgeClient[PlatformScope]
    TenantAsyncEventBridgeClient: TypeAlias = ScopedAsyncEventBridgeClient[TenantScope]
    CapsuleAsyncEventBridgeClient: TypeAlias = ScopedAsyncEventBridgeClient[CapsuleScope]
    OperatorAsyncEventBridgeClient: TypeAlias = ScopedAsyncEventBridgeClient[OperatorScope]

    PlatformAsyncKinesisClient: TypeAlias = ScopedAsyncKinesisClient[PlatformScope]
    TenantAsyncKinesisClient: TypeAlias = ScopedAsyncKinesisClient[TenantScope]
    CapsuleAsyncKinesisClient: TypeAlias = ScopedAsyncKinesisClient[CapsuleScope]
    OperatorAsyncKinesisClient: TypeAlias = ScopedAsyncKinesisClient[OperatorScope]

    PlatformAsyncLambdaClient: TypeAlias = ScopedAsyncLambdaClient[PlatformScope]
    TenantAsyncLambdaClient: TypeAlias = ScopedAsyncLambdaClient[TenantScope]
    CapsuleAsyncLambdaClient: TypeAlias = ScopedAsyncLambdaClient[CapsuleScope]
    OperatorAsyncLambdaClient: TypeAlias = ScopedAsyncLambdaClient[OperatorScope]

    PlatformAsyncOrganizationsClient: TypeAlias = ScopedAsyncOrganizationsClient[PlatformScope]
    TenantAsyncOrganizationsClient: TypeAlias = ScopedAsyncOrganizationsClient[TenantScope]
    CapsuleAsyncOrganizationsClient: TypeAlias = ScopedAsyncOrganizationsClient[CapsuleScope]
    OperatorAsyncOrganizationsClient: TypeAlias = ScopedAsyncOrganizationsClient[OperatorScope]

    PlatformAsyncS3Client: TypeAlias = ScopedAsyncS3Client[PlatformScope]
    TenantAsyncS3Client: TypeAlias = ScopedAsyncS3Client[TenantScope]
    CapsuleAsyncS3Client: TypeAlias = ScopedAsyncS3Client[CapsuleScope]
    OperatorAsyncS3Client: TypeAlias = ScopedAsyncS3Client[OperatorScope]

    PlatformAsyncSecretsManagerClient: TypeAlias = ScopedAsyncSecretsManagerClient[PlatformScope]
    TenantAsyncSecretsManagerClient: TypeAlias = ScopedAsyncSecretsManagerClient[TenantScope]
    CapsuleAsyncSecretsManagerClient: TypeAlias = ScopedAsyncSecretsManagerClient[CapsuleScope]
    OperatorAsyncSecretsManagerClient: TypeAlias = ScopedAsyncSecretsManagerClient[OperatorScope]

    PlatformAsyncSNSClient: TypeAlias = ScopedAsyncSNSClient[PlatformScope]
    TenantAsyncSNSClient: TypeAlias = ScopedAsyncSNSClient[TenantScope]
    CapsuleAsyncSNSClient: TypeAlias = ScopedAsyncSNSClient[CapsuleScope]
    OperatorAsyncSNSClient: TypeAlias = ScopedAsyncSNSClient[OperatorScope]

    PlatformAsyncSQSClient: TypeAlias = ScopedAsyncSQSClient[PlatformScope]
    TenantAsyncSQSClient: TypeAlias = ScopedAsyncSQSClient[TenantScope]
    CapsuleAsyncSQSClient: TypeAlias = ScopedAsyncSQSClient[CapsuleScope]
    OperatorAsyncSQSClient: TypeAlias = ScopedAsyncSQSClient[OperatorScope]

    PlatformAsyncSSMClient: TypeAlias = ScopedAsyncSSMClient[PlatformScope]
    TenantAsyncSSMClient: TypeAlias = ScopedAsyncSSMClient[TenantScope]
    CapsuleAsyncSSMClient: TypeAlias = ScopedAsyncSSMClient[CapsuleScope]
    OperatorAsyncSSMClient: TypeAlias = ScopedAsyncSSMClient[OperatorScope]

    PlatformAsyncSTSClient: TypeAlias = ScopedAsyncSTSClient[PlatformScope]
    TenantAsyncSTSClient: TypeAlias = ScopedAsyncSTSClient[TenantScope]
    CapsuleAsyncSTSClient: TypeAlias = ScopedAsyncSTSClient[CapsuleScope]
    OperatorAsyncSTSClient: TypeAlias = ScopedAsyncSTSClient[OperatorScope]

    PlatformDynamoDBServiceResource: TypeAlias = ScopedDynamoDBServiceResource[PlatformScope]
    TenantDynamoDBServiceResource: TypeAlias = ScopedDynamoDBServiceResource[TenantScope]
    CapsuleDynamoDBServiceResource: TypeAlias = ScopedDynamoDBServiceResource[CapsuleScope]
    OperatorDynamoDBServiceResource: TypeAlias = ScopedDynamoDBServiceResource[OperatorScope]

    PlatformS3ServiceResource: TypeAlias = ScopedS3ServiceResource[PlatformScope]
    TenantS3ServiceResource: TypeAlias = ScopedS3ServiceResource[TenantScope]
    CapsuleS3ServiceResource: TypeAlias = ScopedS3ServiceResource[CapsuleScope]
    OperatorS3ServiceResource: TypeAlias = ScopedS3ServiceResource[OperatorScope]

else:
    # Run time: one subscriptable generic per scoped class, and the aliases built from them, so
    # annotations evaluated at run time (no ``from __future__ import annotations``) still work.
    import types

    from . import _scope

    def _placeholder(name: str) -> Any:
        def body(ns: dict[str, Any]) -> None:
            ns["__module__"] = __name__
            ns["__doc__"] = "Annotation only: the class with client methods is for type checkers."

        return types.new_class(name, (Generic[_S_co],), exec_body=body)

    for _fullname in (
        *SCOPED_CLIENT_CLASSES.values(),
        *SCOPED_ASYNC_CLIENT_CLASSES.values(),
        *SCOPED_RESOURCE_CLASSES.values(),
    ):
        _name = _fullname.rpartition(".")[2]
        _generic = globals()[_name] = _placeholder(_name)
        for _kind, _scope_fullname in SCOPE_CLASSES.items():
            _handle = getattr(_scope, _scope_fullname.rpartition(".")[2])
            globals()[_kind.capitalize() + _name.removeprefix("Scoped")] = _generic[_handle]
    del _fullname, _name, _generic, _kind, _scope_fullname, _handle
