"""Every operation of every covered service is classified, from botocore's own model.

A botocore upgrade that adds an operation or an identifier-like parameter fails here, so a new
API can never slip past the guard unclassified.
"""

from __future__ import annotations

import botocore
import botocore.session
import pytest

from scopeguard._guard import SERVICE_RULES
from scopeguard._guard.rules import IDENTIFIER_LIKE, Refuse, compile_plan

_SESSION = botocore.session.get_session()
COVERED = sorted(SERVICE_RULES)

# Operations classified for botocore 1.44 that 1.43.117 (the newest aiobotocore 3.10 supports, so
# the version the async tests run on) does not have yet. Classifying an operation ahead of the
# installed botocore is harmless; anything else that is not in the model is a stale entry.
_NEWER_THAN_1_43 = {
    "dynamodb": {"CancelBulkOperation", "DescribeBulkOperation", "ListBulkOperations",
                 "StartBulkPutItems"},
    "kinesis": {"AcknowledgeDeadLetterQueueRecords", "AcknowledgeQueueRecords", "CreateQueue",
                "DeleteQueue", "DescribeQueue", "ListQueues", "ReceiveDeadLetterQueueRecords",
                "ReceiveQueueRecords", "RestoreDeadLetterQueueRecords",
                "UpdateDeadLetterQueueRecordsVisibility", "UpdateQueue",
                "UpdateQueueRecordsVisibility"},
    "lambda": {"DeleteDurableExecution", "PauseDurableExecution", "ResumeDurableExecution"},
    "s3": {"GetBucketDefaultStorageClass", "GetPart", "PutBucketDefaultStorageClass"},
    "secretsmanager": {"AssociateCrossAccountReplica", "DisassociateCrossAccountReplica",
                       "ListResourcePolicies"},
    "ssm": {"DeregisterDefaultHostManagementConfiguration",
            "RegisterDefaultHostManagementConfiguration"},
}
_BOTOCORE_1_43 = tuple(int(p) for p in botocore.__version__.split(".")[:2]) < (1, 44)


def test_foundation_services_are_covered() -> None:
    assert {"dynamodb", "s3", "sqs"} <= set(COVERED)


@pytest.mark.parametrize("service", COVERED)
def test_every_operation_is_classified(service: str) -> None:
    model = _SESSION.get_service_model(service)
    rules = SERVICE_RULES[service]
    missing = sorted(set(model.operation_names) - set(rules.operations))
    stale = set(rules.operations) - set(model.operation_names)
    if _BOTOCORE_1_43:
        stale -= _NEWER_THAN_1_43.get(service, set())
    assert missing == [], f"{service}: classify these operations: {missing}"
    assert not stale, f"{service}: operations no longer in botocore: {sorted(stale)}"


@pytest.mark.parametrize("service", COVERED)
def test_every_identifier_parameter_is_classified(service: str) -> None:
    model = _SESSION.get_service_model(service)
    rules = SERVICE_RULES[service]
    unclassified = {
        op: plan.unclassified
        for op in model.operation_names
        if not isinstance(rules.operations[op], Refuse)
        and (plan := compile_plan(rules, model.operation_model(op))).unclassified
    }
    assert unclassified == {}


@pytest.mark.parametrize("service", COVERED)
def test_every_kind_used_has_a_handler(service: str) -> None:
    rules = SERVICE_RULES[service]
    kinds = set(rules.members.values()) - {"walk", "ignore"}
    assert kinds <= set(rules.kinds), sorted(kinds - set(rules.kinds))


@pytest.mark.parametrize("service", COVERED)
def test_checked_operations_that_name_a_resource_have_a_plan(service: str) -> None:
    """An operation whose input has a resource-looking member must check at least one."""
    model = _SESSION.get_service_model(service)
    rules = SERVICE_RULES[service]
    for op in model.operation_names:
        entry = rules.operations[op]
        if isinstance(entry, Refuse) or callable(entry):
            continue
        shape = model.operation_model(op).input_shape
        members = set(shape.members) if shape is not None else set()
        names_resource = any(IDENTIFIER_LIKE.search(m) and rules.members.get(m) not in (
            "ignore", None) for m in members)
        if names_resource:
            assert compile_plan(rules, model.operation_model(op)).steps, op
