"""SQS guard through moto's HTTP server: queue URLs carry the endpoint path, as on LocalStack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from scopeguard import ClientFactory, ScopeViolation
from scopeguard.testing import MotoServer, test_session

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
def factory(server: MotoServer) -> Iterator[ClientFactory]:
    # account_id given: the factory would otherwise ask STS once, which the request counts below
    # would (rightly) see.
    yield ClientFactory(session=test_session(), endpoint_url=server.endpoint_url,
                        account_id=ACCOUNT)
    server.reset()


@pytest.fixture
def acme(factory: ClientFactory) -> Any:
    return factory.tenant("acme").client("sqs")


@pytest.fixture
def globex_url(factory: ClientFactory) -> str:
    url: str = factory.tenant("globex").client("sqs").create_queue(QueueName="jobs")["QueueUrl"]
    return url


def refused(server: MotoServer, client: Any, call: str, match: str, **params: Any) -> None:
    before = server.requests
    with pytest.raises(ScopeViolation, match=match):
        getattr(client, call)(**params)
    assert server.requests == before, "a refused request reached the emulator"


def test_tenant_queue_is_created_under_its_physical_name(server: MotoServer, acme: Any) -> None:
    url = acme.create_queue(QueueName="jobs")["QueueUrl"]
    assert url.endswith(f"/{ACCOUNT}/t-acme-jobs")
    assert url.startswith(server.endpoint_url)
    assert acme.get_queue_url(QueueName="jobs")["QueueUrl"] == url
    acme.send_message(QueueUrl=url, MessageBody="hello")
    messages = acme.receive_message(QueueUrl=url, WaitTimeSeconds=0)["Messages"]
    assert [m["Body"] for m in messages] == ["hello"]


def test_queue_url_of_another_tenant_is_refused(
    server: MotoServer, acme: Any, globex_url: str
) -> None:
    refused(server, acme, "send_message", "belongs to tenant:globex",
            QueueUrl=globex_url, MessageBody="x")
    refused(server, acme, "purge_queue", "belongs to tenant:globex", QueueUrl=globex_url)


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("https://sqs.eu-west-1.amazonaws.com/999999999999/t-acme-jobs", "account"),
        (f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/jobs", "not a resource of this scope"),
        (f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/t-acme-jobs/extra", "cannot parse"),
        (f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/t-acme-jobs?x=1", "cannot parse"),
        ("t-acme-jobs", "cannot parse"),
    ],
)
def test_malformed_or_foreign_queue_urls_are_refused(
    server: MotoServer, acme: Any, url: str, match: str
) -> None:
    refused(server, acme, "send_message", match, QueueUrl=url, MessageBody="x")


@pytest.mark.parametrize("url", [
    # Another spelling of a tenant's queue in the URL path: refused to the platform too, as to
    # a tenant (the emulator counts what reaches it).
    f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/%74-globex-jobs",
    f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/t-globex-jobs%20",
    # urlsplit drops a newline or tab anywhere: the name it reads is not the string sent.
    f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/jobs\n",
    f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/jo\tbs",
    f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/j\u00f6bs",
])
def test_queue_url_spellings_are_refused_in_platform_scope(
        server: MotoServer, factory: ClientFactory, url: str) -> None:
    refused(server, factory.platform().client("sqs"), "send_message",
            "does not name a queue|control or non-ASCII", QueueUrl=url, MessageBody="x")


def test_platform_queue_urls_and_arns_of_every_valid_name_pass(
        server: MotoServer, factory: ClientFactory) -> None:
    """The in-scope counterpart: the longest names, FIFO queues, '_' and '-' all pass."""
    platform = factory.platform().client("sqs")
    arns = []
    for name in ("a" * 80, "b_-9" * 18 + ".fifo", "jobs"):
        attributes = {"FifoQueue": "true"} if name.endswith(".fifo") else {}
        url = platform.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        assert url.endswith(f"/{ACCOUNT}/{name}")
        arns.append(platform.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"])
    platform.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": json.dumps(
        {"redrivePermission": "byQueue", "sourceQueueArns": arns})})


def test_queue_encrypted_under_another_accounts_key_is_refused(server: MotoServer,
                                                               acme: Any) -> None:
    foreign = "arn:aws:kms:eu-west-1:999999999999:key/k"
    refused(server, acme, "create_queue", "KmsMasterKeyId refused: ARN account", QueueName="q",
            Attributes={"KmsMasterKeyId": foreign})
    url = acme.create_queue(QueueName="q", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})[
        "QueueUrl"]
    refused(server, acme, "set_queue_attributes", "KmsMasterKeyId refused: ARN account",
            QueueUrl=url, Attributes={"KmsMasterKeyId": foreign})
    acme.set_queue_attributes(QueueUrl=url, Attributes={
        "KmsMasterKeyId": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/k"})


def test_url_host_is_not_trusted_for_routing(server: MotoServer, acme: Any) -> None:
    url = acme.create_queue(QueueName="jobs")["QueueUrl"]
    # Same account and queue, any host: accepted, and the request still goes to the pinned endpoint.
    foreign_host = url.replace(server.endpoint_url, "https://evil.example.com")
    before = server.requests
    acme.send_message(QueueUrl=foreign_host, MessageBody="x")
    assert server.requests == before + 1


def test_other_tenants_queue_name_and_owner_account_are_refused(server: MotoServer, acme: Any) -> None:
    refused(server, acme, "get_queue_url", "belongs to tenant:globex", QueueName="t-globex-jobs")
    refused(server, acme, "get_queue_url", "is not this scope's account", QueueName="jobs",
            QueueOwnerAWSAccountId="999999999999")


def test_list_queues_is_narrowed_to_the_tenant(factory: ClientFactory, acme: Any, globex_url: str) -> None:
    acme.create_queue(QueueName="jobs")
    acme.create_queue(QueueName="mail")
    urls = acme.list_queues()["QueueUrls"]
    assert sorted(u.rsplit("/", 1)[1] for u in urls) == ["t-acme-jobs", "t-acme-mail"]
    assert [u.rsplit("/", 1)[1] for u in acme.list_queues(QueueNamePrefix="ma")["QueueUrls"]] == [
        "t-acme-mail"]


def test_list_queues_with_another_tenants_prefix_is_refused(server: MotoServer, acme: Any) -> None:
    refused(server, acme, "list_queues", "belongs to tenant:globex", QueueNamePrefix="t-globex-")


def test_redrive_policy_target_in_another_tenant_is_refused(
    server: MotoServer, acme: Any, globex_url: str
) -> None:
    arn = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:t-globex-jobs"
    policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 3})
    refused(server, acme, "create_queue", "belongs to tenant:globex", QueueName="work",
            Attributes={"RedrivePolicy": policy})
    refused(server, acme, "create_queue", "not valid JSON", QueueName="work",
            Attributes={"RedrivePolicy": "{nope"})


def test_redrive_policy_within_the_tenant_works(acme: Any) -> None:
    acme.create_queue(QueueName="dead")
    arn = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:t-acme-dead"
    acme.create_queue(QueueName="work", Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 3})})


def test_queue_policy_and_permissions_are_refused_for_tenants(server: MotoServer, acme: Any) -> None:
    url = acme.create_queue(QueueName="jobs")["QueueUrl"]
    refused(server, acme, "set_queue_attributes", "Policy", QueueUrl=url,
            Attributes={"Policy": "{}"})
    refused(server, acme, "add_permission", "other accounts", QueueUrl=url, Label="x",
            AWSAccountIds=["999999999999"], Actions=["SendMessage"])


def test_message_move_task_arns_are_checked(server: MotoServer, acme: Any) -> None:
    refused(server, acme, "start_message_move_task", "belongs to tenant:globex",
            SourceArn=f"arn:aws:sqs:eu-west-1:{ACCOUNT}:t-globex-dead")


def test_batch_send_checks_queue_and_keeps_entries(acme: Any) -> None:
    url = acme.create_queue(QueueName="jobs")["QueueUrl"]
    out = acme.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "1", "MessageBody": "a"}, {"Id": "2", "MessageBody": "b"}])
    assert len(out["Successful"]) == 2


def test_presigned_url_for_another_tenants_queue_is_refused(
    server: MotoServer, acme: Any, globex_url: str
) -> None:
    before = server.requests
    with pytest.raises(ScopeViolation, match="tenant:globex"):
        acme.generate_presigned_url("send_message", Params={"QueueUrl": globex_url,
                                                           "MessageBody": "x"})
    assert server.requests == before


def test_own_account_is_looked_up_once_when_not_configured(server: MotoServer) -> None:
    factory = ClientFactory(session=test_session(), endpoint_url=server.endpoint_url)
    acme = factory.tenant("acme").client("sqs")
    url = acme.create_queue(QueueName="jobs")["QueueUrl"]
    for _ in range(5):
        acme.send_message(QueueUrl=url, MessageBody="x")
    assert factory.stats()["sts.get_caller_identity"] == 1
    server.reset()
