# Tenant and capsule scopes refuse every service their guard has no table for (SG040).
from scopeguard import ClientFactory, PlatformScope, TenantScope


def direct(factory: ClientFactory, tenant_id: str):
    return factory.tenant(tenant_id).client("ses")  # SG040


def keyword(factory: ClientFactory):
    return factory.capsule("dev").client(service_name="cloudwatch")  # SG040


def through_a_variable(factory: ClientFactory, tenant_id: str):
    scope = factory.tenant(tenant_id)
    return scope.client("dynamodb"), scope.client("stepfunctions")  # SG040


def annotated(scope: TenantScope):
    return scope.resource("s3"), scope.resource("ec2")  # SG040


async def asynchronous(scope: TenantScope):
    return await scope.async_client("athena")  # SG040


def shared(factory: ClientFactory, platform: PlatformScope):
    return factory.platform().client("ses"), platform.client("cloudwatch")


def another_account(factory: ClientFactory):
    return factory.operator("123456789012", role_name="audit").client("organizations")


def unknown_kind(scope):
    return scope.client("ses")


def variable_service(scope: TenantScope, service: str):
    return scope.client(service)
