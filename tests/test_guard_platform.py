"""Platform scope decides ownership on the canonical name, lists shared resources only, and
refuses tenants' resources named through another service (DynamoDB Streams)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from guard_helpers import refused

from scopeguard import ClientFactory
from scopeguard.testing import moto_factory

ACCOUNT = "123456789012"
REGION = "eu-west-1"


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    with moto_factory() as factory:
        yield factory


@pytest.fixture(scope="module")
def platform(factory: ClientFactory) -> Any:
    return factory.platform()


@pytest.fixture(scope="module")
def ssm(factory: ClientFactory) -> Any:
    for scope in (factory.tenant("globex"), factory.platform()):
        scope.client("ssm").put_parameter(Name="db", Value=str(scope.scope), Type="String")
        scope.client("ssm").put_parameter(Name="/app/db", Value=str(scope.scope), Type="String")
    return factory.platform().client("ssm")


# -- canonical names -----------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "params"), [
    ("get_parameter", {"Name": "/t-globex-db"}),
    ("get_parameter", {"Name": "/t-globex-db:1"}),
    ("put_parameter", {"Name": "/t-globex-db", "Value": "x", "Type": "String",
                       "Overwrite": True}),
    ("get_parameters", {"Names": ["/t-globex-db"]}),
    ("get_parameter_history", {"Name": "/t-globex-db"}),
    ("label_parameter_version", {"Name": "/t-globex-db", "Labels": ["x"]}),
    ("delete_parameters", {"Names": ["/t-globex-db"]}),
    ("delete_parameter", {"Name": "/t-globex-db"}),
])
def test_a_leading_slash_does_not_hide_a_tenants_parameter(ssm: Any, call: str,
                                                           params: dict[str, Any]) -> None:
    refused(ssm, call, "is the parameter 't-globex-db', which belongs to tenant:globex",
            **params)


def test_the_same_spelling_is_refused_in_another_tenants_scope(factory: ClientFactory,
                                                               ssm: Any) -> None:
    acme = factory.tenant("acme").client("ssm")
    refused(acme, "get_parameter", "belongs to tenant:globex", Name="/t-globex-db")


@pytest.mark.parametrize("name", [
    f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter//t-globex-db",
    f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/t-globex-db",
    f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/t-globex/app/db",
])
def test_parameter_arns_are_read_on_their_canonical_name(ssm: Any, name: str) -> None:
    refused(ssm, "get_parameter", "t-globex", Name=name)


def test_platform_parameters_spelled_either_way_still_work(ssm: Any) -> None:
    assert ssm.get_parameter(Name="db")["Parameter"]["Value"] == "platform"
    assert ssm.get_parameter(Name="/app/db")["Parameter"]["Value"] == "platform"


@pytest.mark.parametrize(("service", "call", "params"), [
    ("secretsmanager", "get_secret_value",
     {"SecretId": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:t-globex-db"}),
    ("secretsmanager", "get_secret_value",
     {"SecretId": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:t-globex-db-AbCdEf"}),
    ("lambda", "invoke", {"FunctionName": "t-globex-fn:live"}),
    ("lambda", "invoke", {"FunctionName": f"{ACCOUNT}:function:t-globex-fn"}),
    ("lambda", "invoke",
     {"FunctionName": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-globex-fn:1"}),
    ("sqs", "send_message", {"MessageBody": "x",
                             "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/t-globex-q"}),
    ("sns", "publish", {"Message": "x", "TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:t-globex-t"}),
    ("kinesis", "put_record", {"Data": b"x", "PartitionKey": "k",
                               "StreamARN": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/t-globex-s"}),
    ("dynamodb", "get_item", {"Key": {"pk": {"S": "x"}},
                              "TableName": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t-globex-o"}),
    ("s3", "get_object",
     {"Key": "x", "Bucket": f"arn:aws:s3:{REGION}:{ACCOUNT}:accesspoint/t-globex-ap"}),
])
def test_every_spelling_of_a_tenants_resource_is_refused_to_the_platform(
    platform: Any, service: str, call: str, params: dict[str, Any]
) -> None:
    refused(platform.client(service), call, "belongs to tenant:globex", **params)


# -- listings span every scope: platform scope sees shared items only -----------------------


def test_parameter_listings_drop_tenants_parameters(ssm: Any) -> None:
    found = ssm.get_parameters_by_path(Path="/", Recursive=True)["Parameters"]
    assert found and {p["Value"] for p in found} == {"platform"}
    described = ssm.describe_parameters()["Parameters"]
    assert {p["Name"] for p in described} == {"db", "/app/db"}


def test_secret_listings_and_filters_drop_tenants_secrets(factory: ClientFactory) -> None:
    for scope in (factory.tenant("globex"), factory.platform()):
        scope.client("secretsmanager").create_secret(Name="api", SecretString=str(scope.scope))
    client = factory.platform().client("secretsmanager")
    assert [s["Name"] for s in client.list_secrets()["SecretList"]] == ["api"]
    values = client.batch_get_secret_value(
        Filters=[{"Key": "name", "Values": ["t-", "api"]}])["SecretValues"]
    assert [v["SecretString"] for v in values] == ["platform"]


def test_name_listings_drop_tenants_resources(factory: ClientFactory) -> None:
    for scope in (factory.tenant("globex"), factory.platform()):
        scope.client("sqs").create_queue(QueueName="jobs")
        scope.client("sns").create_topic(Name="news")
        scope.client("kinesis").create_stream(StreamName="clicks", ShardCount=1)
        scope.client("events").create_event_bus(Name="bus")
        scope.client("s3").create_bucket(
            Bucket="files", CreateBucketConfiguration={"LocationConstraint": REGION})
        scope.client("dynamodb").create_table(
            TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
    p = factory.platform()
    assert [u.rsplit("/", 1)[1] for u in p.client("sqs").list_queues()["QueueUrls"]] == ["jobs"]
    assert [t["TopicArn"].rsplit(":", 1)[1]
            for t in p.client("sns").list_topics()["Topics"]] == ["news"]
    streams = p.client("kinesis").list_streams()
    assert streams["StreamNames"] == ["clicks"]
    assert [s["StreamName"] for s in streams.get("StreamSummaries", [])] in ([], ["clicks"])
    assert "t-globex-bus" not in [b["Name"] for b in p.client("events").list_event_buses()[
        "EventBuses"]]
    assert [b["Name"] for b in p.client("s3").list_buckets()["Buckets"]] == ["files"]
    assert p.client("dynamodb").list_tables()["TableNames"] == ["orders"]
    # The operator scope is the whole account: nothing is dropped.
    operator = factory.operator(ACCOUNT)
    assert "t-globex-orders" in operator.client("dynamodb").list_tables()["TableNames"]


def test_lambda_listings_drop_tenants_mappings_and_layers(factory: ClientFactory) -> None:
    """A tenant's event source mappings (its function, its queue) and layers are its own: an
    unfiltered platform listing would name them. The platform's own ones stay listed."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    code = buffer.getvalue()
    trust = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": '
             '{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
    iam = factory.platform().client("iam")
    for scope, role in ((factory.tenant("globex"), "t-globex-mapper"),
                        (factory.platform(), "mapper")):
        arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        functions = scope.client("lambda")
        functions.create_function(FunctionName="mapper", Runtime="python3.12", Role=arn,
                                  Handler="app.handler", Code={"ZipFile": code})
        queue = scope.client("sqs").create_queue(QueueName="mapped")["QueueUrl"]
        source = scope.client("sqs").get_queue_attributes(
            QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        functions.create_event_source_mapping(FunctionName="mapper", EventSourceArn=source)
        functions.publish_layer_version(LayerName="libs", Content={"ZipFile": code})
    platform = factory.platform().client("lambda")
    mappings = platform.list_event_source_mappings()["EventSourceMappings"]
    assert [(m["FunctionArn"].rsplit(":", 1)[1], m["EventSourceArn"].rsplit(":", 1)[1])
            for m in mappings] == [("mapper", "mapped")]
    assert [layer["LayerName"] for layer in platform.list_layers()["Layers"]] == ["libs"]
    # The operator scope is the whole account: nothing is dropped.
    operator = factory.operator(ACCOUNT).client("lambda")
    assert len(operator.list_event_source_mappings()["EventSourceMappings"]) == 2
    assert {layer["LayerName"] for layer in operator.list_layers()["Layers"]} == {
        "libs", "t-globex-libs"}


# -- services that name a covered service's resources ---------------------------------------


def test_dynamodb_streams_of_tenants_tables_are_refused_to_the_platform(
    factory: ClientFactory,
) -> None:
    spec: dict[str, Any] = {
        "TableName": "events", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}}
    arns = {}
    for scope in (factory.tenant("globex"), factory.platform()):
        table = scope.client("dynamodb").create_table(**spec)["TableDescription"]
        arns[scope.scope.kind] = table["LatestStreamArn"]
    streams = factory.platform().client("dynamodbstreams")
    assert [s["TableName"] for s in streams.list_streams()["Streams"]] == ["events"]
    shard = streams.describe_stream(StreamArn=arns["platform"])["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(StreamArn=arns["platform"], ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    streams.get_records(ShardIterator=iterator)
    refused(streams, "describe_stream", "belongs to tenant:globex", StreamArn=arns["tenant"])
    refused(streams, "get_shard_iterator", "belongs to tenant:globex", StreamArn=arns["tenant"],
            ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
    refused(streams, "get_records", "belongs to tenant:globex",
            ShardIterator=arns["tenant"] + iterator[len(arns["platform"]):])
    refused(streams, "list_streams", "belongs to tenant:globex", TableName="t-globex-events")
    refused(streams, "get_records", "cannot read", ShardIterator="opaque")
    refused(factory.tenant("globex").client("dynamodbstreams"), "list_streams",
            "not covered in tenant and capsule scope")
