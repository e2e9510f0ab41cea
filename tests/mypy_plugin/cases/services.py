from __future__ import annotations

from typing import Final

from cases.handles import factory

SERVICE: Final = "dynamodb"


def dynamic(name: str) -> None:
    factory().tenant("acme").client(name)  # a dynamic name is the lint rule's business (SG030)


reveal_type(factory().tenant("acme").client("dynamodb"))  # N: Revealed type is "scopeguard.typing.ScopedDynamoDBClient[scopeguard._scope.TenantScope]"
reveal_type(factory().capsule("dev").client("s3"))  # N: Revealed type is "scopeguard.typing.ScopedS3Client[scopeguard._scope.CapsuleScope]"
reveal_type(factory().platform().client(SERVICE))  # N: Revealed type is "scopeguard.typing.ScopedDynamoDBClient[scopeguard._scope.PlatformScope]"
reveal_type(factory().operator("123456789012").client("organizations"))  # N: Revealed type is "scopeguard.typing.ScopedOrganizationsClient[scopeguard._scope.OperatorScope]"
reveal_type(factory().tenant("acme").resource("s3"))  # N: Revealed type is "scopeguard.typing.ScopedS3ServiceResource[scopeguard._scope.TenantScope]"

# No scoped type for these: the plugin infers the stubs' exact class from their service map.
reveal_type(factory().platform().client("xray"))  # N: Revealed type is "types_boto3_xray.client.XRayClient"
reveal_type(factory().platform().resource("sqs"))  # N: Revealed type is "types_boto3_sqs.service_resource.SQSServiceResource"
# A service the stubs know but whose stub package is not installed: Any, as the stubs say.
reveal_type(factory().platform().client("wafv2"))  # N: Revealed type is "Any"

factory().tenant("acme").client("dynamdb")  # E: "dynamdb" is not an AWS service with a client in the installed boto3 stubs; did you mean "dynamodb"?  [scopeguard-unknown-service]
factory().tenant("acme").client("no-such-thing")  # E: "no-such-thing" is not an AWS service with a client in the installed boto3 stubs  [scopeguard-unknown-service]
factory().platform().resource("lambda")  # E: "lambda" is not an AWS service with a resource API in the installed boto3 stubs ...  [scopeguard-unknown-service]
factory().tenant("acme").client("dynamdb")  # type: ignore[scopeguard-unknown-service]

# Credentials and endpoints are the factory's: not client options.
factory().tenant("acme").client("dynamodb", region_name="eu-west-1")

# Tenant and capsule guards refuse every service they have no table for.
factory().tenant("acme").client("ses")  # E: a tenant scope refuses every request to "ses": its guard covers dynamodb, dynamodbstreams, events, kinesis, lambda, s3, secretsmanager, sns, sqs, ssm; use factory.platform() for shared infrastructure or factory.operator(...) for another account  [scopeguard-refused-service]
factory().capsule("dev").client("sts")  # E: a capsule scope refuses every request to "sts": its guard covers dynamodb, dynamodbstreams, events, kinesis, lambda, s3, secretsmanager, sns, sqs, ssm; use factory.platform() for shared infrastructure or factory.operator(...) for another account  [scopeguard-refused-service]
factory().platform().client("ses")
factory().operator("123456789012").client("organizations")
