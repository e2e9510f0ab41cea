"""A catalogue of attacks by a tenant, a capsule and the platform on other scopes' resources,
across the guarded services: every one is refused with nothing sent.

Each entry is an attempt an application bug or a hostile caller holding one scope's client could
make: another scope's name in every spelling the service accepts (physical names, ARNs, partial
ARNs, URLs, aliases, selectors, case and encoding tricks), pooled-table and pooled-bucket keys of
another scope, cross-service references (notification targets, dead-letter queues, event
sources, replication and log destinations), and grants to other principals. The service
modules' own tests check each rule in depth; this catalogue is the regression net over the
whole guard, so a change that reopens any path fails here by name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from guard_helpers import skip_unless_in_model

from scopeguard import ClientFactory, NamingPolicy, PooledTable, ScopeViolation
from scopeguard.testing import count_requests, moto_factory

A = "123456789012"
R = "us-east-1"
NAMING = NamingPolicy(pooled_tables={"sessions": PooledTable("pk", {"by-user": "user_pk"})},
                      pooled_buckets=frozenset({"shared"}))
GX_TABLE = f"arn:aws:dynamodb:{R}:{A}:table/t-globex-orders"
GX_QUEUE = f"arn:aws:sqs:{R}:{A}:t-globex-jobs"
GX_QUEUE_URL = f"https://sqs.{R}.amazonaws.com/{A}/t-globex-jobs"
OWN_QUEUE_URL = f"https://sqs.{R}.amazonaws.com/{A}/t-acme-jobs"
GX_FUNCTION = f"arn:aws:lambda:{R}:{A}:function:t-globex-f"
GX_TOPIC = f"arn:aws:sns:{R}:{A}:t-globex-alerts"
OWN_TOPIC = f"arn:aws:sns:{R}:{A}:t-acme-alerts"
GX_BUCKET_ARN = "arn:aws:s3:::t-globex-uploads"
GX_STREAM = f"arn:aws:kinesis:{R}:{A}:stream/t-globex-events"
GX_BUS = f"arn:aws:events:{R}:{A}:event-bus/t-globex-bus"
SESSIONS = f"arn:aws:dynamodb:{R}:{A}:table/sessions"
KEY = {"pk": {"S": "o1"}}
EVENT = {"Source": "a", "DetailType": "b", "Detail": "{}"}


@dataclass(frozen=True)
class Attack:
    name: str
    service: str
    call: str
    params: dict[str, Any] = field(default_factory=dict)
    scope: str = "tenant"  # tenant acme, platform, or capsule dev


def _ddb_table_params() -> dict[str, Any]:
    return {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"}


ATTACKS = [
    # -- DynamoDB: names, ARNs, transactions, PartiQL -------------------------------------------
    Attack("table ARN", "dynamodb", "get_item", {"TableName": GX_TABLE, "Key": KEY}),
    Attack("table ARN, odd case", "dynamodb", "get_item",
           {"TableName": GX_TABLE.replace("table/", "TABLE/"), "Key": KEY}),
    Attack("describe", "dynamodb", "describe_table", {"TableName": "t-globex-orders"}),
    Attack("transact get", "dynamodb", "transact_get_items", {"TransactItems": [
        {"Get": {"TableName": "t-globex-orders", "Key": KEY}}]}),
    Attack("transact condition check", "dynamodb", "transact_write_items", {"TransactItems": [
        {"ConditionCheck": {"TableName": "t-globex-orders", "Key": KEY,
                            "ConditionExpression": "attribute_exists(pk)"}}]}),
    Attack("restore into another's name", "dynamodb", "restore_table_to_point_in_time",
           {"SourceTableName": "orders", "TargetTableName": "t-globex-x"}),
    Attack("export another's table", "dynamodb", "export_table_to_point_in_time",
           {"TableArn": GX_TABLE, "S3Bucket": "uploads"}),
    Attack("tags of another's table", "dynamodb", "list_tags_of_resource",
           {"ResourceArn": GX_TABLE}),
    Attack("resource policy", "dynamodb", "get_resource_policy", {"ResourceArn": GX_TABLE}),
    Attack("table with a resource policy", "dynamodb", "create_table",
           {"TableName": "x", "ResourcePolicy": "{}", **_ddb_table_params()}),
    Attack("import from a bucket", "dynamodb", "import_table", {
        "S3BucketSource": {"S3Bucket": "shared", "S3KeyPrefix": "t-globex/"},
        "InputFormat": "CSV", "TableCreationParameters": {"TableName": "x",
                                                          **_ddb_table_params()}}),
    Attack("table key of another account", "dynamodb", "update_table", {
        "TableName": "orders", "SSESpecification": {
            "Enabled": True, "SSEType": "KMS",
            "KMSMasterKeyId": f"arn:aws:kms:{R}:999999999999:key/x"}}),
    Attack("stream to another's Kinesis", "dynamodb", "enable_kinesis_streaming_destination",
           {"TableName": "orders", "StreamArn": GX_STREAM}),
    Attack("PartiQL batch", "dynamodb", "batch_execute_statement", {"Statements": [
        {"Statement": "SELECT * FROM \"t-globex-orders\" WHERE pk='o1'"}]}),
    Attack("PartiQL transaction", "dynamodb", "execute_transaction", {"TransactStatements": [
        {"Statement": "SELECT * FROM \"t-globex-orders\" WHERE pk=?",
         "Parameters": [{"S": "o1"}]}]}),
    # -- DynamoDB: the pooled table -------------------------------------------------------------
    Attack("pooled: another's key", "dynamodb", "get_item",
           {"TableName": "sessions", "Key": {"pk": {"S": "t-globex/s1"}}}),
    Attack("pooled: number key", "dynamodb", "get_item",
           {"TableName": "sessions", "Key": {"pk": {"N": "1"}}}),
    Attack("pooled: prefix without delimiter", "dynamodb", "get_item",
           {"TableName": "sessions", "Key": {"pk": {"S": "t-acme"}}}),
    Attack("pooled: scan", "dynamodb", "scan", {"TableName": "sessions"}),
    Attack("pooled: scan an index", "dynamodb", "scan",
           {"TableName": "sessions", "IndexName": "by-user"}),
    Attack("pooled: index query, another's key", "dynamodb", "query", {
        "TableName": "sessions", "IndexName": "by-user",
        "KeyConditionExpression": "user_pk = :u",
        "ExpressionAttributeValues": {":u": {"S": "t-globex/u1"}}}),
    Attack("pooled: index query on the table's key", "dynamodb", "query", {
        "TableName": "sessions", "IndexName": "by-user", "KeyConditionExpression": "pk = :u",
        "ExpressionAttributeValues": {":u": {"S": "t-acme/x"}}}),
    Attack("pooled: #name for the key", "dynamodb", "query", {
        "TableName": "sessions", "KeyConditionExpression": "#p = :u",
        "ExpressionAttributeNames": {"#p": "pk"},
        "ExpressionAttributeValues": {":u": {"S": "t-globex/s1"}}}),
    Attack("pooled: #name for another attribute", "dynamodb", "query", {
        "TableName": "sessions", "KeyConditionExpression": "#p = :u",
        "ExpressionAttributeNames": {"#p": "user_pk"},
        "ExpressionAttributeValues": {":u": {"S": "t-acme/u1"}}}),
    Attack("pooled: key twice", "dynamodb", "query", {
        "TableName": "sessions", "KeyConditionExpression": "pk = :a AND ((pk = :g))",
        "ExpressionAttributeValues": {":a": {"S": "t-acme/x"}, ":g": {"S": "t-globex/s1"}}}),
    Attack("pooled: legacy and expression", "dynamodb", "query", {
        "TableName": "sessions", "KeyConditionExpression": "pk = :a",
        "KeyConditions": {"pk": {"ComparisonOperator": "EQ",
                                 "AttributeValueList": [{"S": "t-globex/s1"}]}},
        "ExpressionAttributeValues": {":a": {"S": "t-acme/x"}}}),
    Attack("pooled: batch get", "dynamodb", "batch_get_item",
           {"RequestItems": {"sessions": {"Keys": [{"pk": {"S": "t-globex/s1"}}]}}}),
    Attack("pooled: transact condition check", "dynamodb", "transact_write_items", {
        "TransactItems": [{"ConditionCheck": {
            "TableName": "sessions", "Key": {"pk": {"S": "t-globex/s1"}},
            "ConditionExpression": "attribute_exists(pk)"}}]}),
    Attack("pooled: write another's index key", "dynamodb", "put_item", {
        "TableName": "sessions",
        "Item": {"pk": {"S": "t-acme/s9"}, "user_pk": {"S": "t-globex/u1"}}}),
    Attack("pooled: update to another's index key", "dynamodb", "update_item", {
        "TableName": "sessions", "Key": {"pk": {"S": "t-acme/s1"}},
        "UpdateExpression": "SET user_pk = :g",
        "ExpressionAttributeValues": {":g": {"S": "t-globex/u1"}}}),
    *(Attack(f"pooled PartiQL: {sql}", "dynamodb", "execute_statement",
             {"Statement": sql, **({"Parameters": params} if params else {})})
      for sql, params in [
          ("SELECT * FROM sessions WHERE pk=?", [{"S": "t-globex/s1"}]),
          ("SELECT * FROM sessions WHERE pk='t-globex/s1'", None),
          ("SELECT * FROM sessions WHERE pk=? OR pk=?",
           [{"S": "t-acme/s1"}, {"S": "t-globex/s1"}]),
          ("SELECT * FROM sessions", None),
          ('SELECT * FROM sessions."by-user" WHERE user_pk=?', [{"S": "t-globex/u1"}]),
          ("SELECT * FROM orders WHERE pk='x' -- FROM \"t-globex-orders\"", None),
      ]),
    # -- S3 ----------------------------------------------------------------------------------
    Attack("another's bucket", "s3", "get_object", {"Bucket": "t-globex-uploads", "Key": "doc"}),
    Attack("bucket policy", "s3", "get_bucket_policy", {"Bucket": "t-globex-uploads"}),
    Attack("access point ARN", "s3", "get_object",
           {"Bucket": f"arn:aws:s3:{R}:{A}:accesspoint/t-globex-ap", "Key": "doc"}),
    Attack("Object Lambda ARN", "s3", "get_object",
           {"Bucket": f"arn:aws:s3-object-lambda:{R}:{A}:accesspoint/t-globex-ap", "Key": "d"}),
    Attack("directory bucket", "s3", "get_object",
           {"Bucket": "t-globex-uploads--use1-az4--x-s3", "Key": "doc"}),
    Attack("foreign expected owner", "s3", "get_object",
           {"Bucket": "uploads", "Key": "doc", "ExpectedBucketOwner": "999999999999"}),
    *(Attack(f"copy source {source!r}", "s3", "copy_object",
             {"Bucket": "uploads", "Key": "stolen", "CopySource": source})
      for source in ["t-globex-uploads/doc", "/t-globex-uploads/doc", "t-globex-uploads%2Fdoc",
                     {"Bucket": "t-globex-uploads", "Key": "doc"}, "shared/t-globex/doc",
                     "shared/t-acme/../t-globex/doc",
                     f"arn:aws:s3:{R}:{A}:accesspoint/x/object/doc"]),
    Attack("upload part copy", "s3", "upload_part_copy", {
        "Bucket": "uploads", "Key": "k", "UploadId": "u", "PartNumber": 1,
        "CopySource": "t-globex-uploads/doc"}),
    Attack("restore output", "s3", "restore_object", {
        "Bucket": "uploads", "Key": "doc", "RestoreRequest": {"Type": "SELECT", "OutputLocation": {
            "S3": {"BucketName": "t-globex-uploads", "Prefix": "x"}}}}),
    Attack("pooled: another's key", "s3", "get_object", {"Bucket": "shared", "Key": "t-globex/doc"}),
    Attack("pooled: NUL and dots", "s3", "get_object",
           {"Bucket": "shared", "Key": "t-acme/\x00/../../t-globex/doc"}),
    Attack("pooled: list everything", "s3", "list_objects_v2", {"Bucket": "shared"}),
    Attack("pooled: prefix without delimiter", "s3", "list_objects_v2",
           {"Bucket": "shared", "Prefix": "t-acme"}),
    Attack("pooled: StartAfter", "s3", "list_objects_v2",
           {"Bucket": "shared", "Prefix": "t-acme/", "StartAfter": "t-globex/"}),
    Attack("pooled: Marker", "s3", "list_objects",
           {"Bucket": "shared", "Prefix": "t-acme/", "Marker": "t-a"}),
    Attack("pooled: versions", "s3", "list_object_versions", {"Bucket": "shared"}),
    Attack("pooled: uploads", "s3", "list_multipart_uploads", {"Bucket": "shared"}),
    Attack("pooled: delete several", "s3", "delete_objects", {"Bucket": "shared", "Delete": {
        "Objects": [{"Key": "t-acme/x"}, {"Key": "t-globex/doc"}]}}),
    Attack("pooled: select", "s3", "select_object_content", {
        "Bucket": "shared", "Key": "t-globex/doc", "Expression": "select * from s3object",
        "ExpressionType": "SQL", "InputSerialization": {"CSV": {}},
        "OutputSerialization": {"CSV": {}}}),
    Attack("public-read grant", "s3", "put_object", {
        "Bucket": "uploads", "Key": "x", "Body": b"1",
        "GrantRead": 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'}),
    Attack("bucket policy write", "s3", "put_bucket_policy", {"Bucket": "uploads", "Policy": "{}"}),
    Attack("default encryption under another account's key", "s3", "put_bucket_encryption", {
        "Bucket": "uploads", "ServerSideEncryptionConfiguration": {"Rules": [{
            "ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms",
                "KMSMasterKeyID": f"arn:aws:kms:{R}:999999999999:key/x"}}]}}),
    Attack("Object Lambda response", "s3", "write_get_object_response",
           {"RequestRoute": "x", "RequestToken": "y", "Body": b"z"}),
    Attack("notify another's queue", "s3", "put_bucket_notification_configuration", {
        "Bucket": "uploads", "NotificationConfiguration": {"QueueConfigurations": [
            {"QueueArn": GX_QUEUE, "Events": ["s3:ObjectCreated:*"]}]}}),
    Attack("notify another's function", "s3", "put_bucket_notification_configuration", {
        "Bucket": "uploads", "NotificationConfiguration": {"LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": GX_FUNCTION, "Events": ["s3:ObjectCreated:*"]}]}}),
    Attack("notify another's topic", "s3", "put_bucket_notification_configuration", {
        "Bucket": "uploads", "NotificationConfiguration": {"TopicConfigurations": [
            {"TopicArn": GX_TOPIC, "Events": ["s3:ObjectCreated:*"]}]}}),
    Attack("replicate into another's bucket", "s3", "put_bucket_replication", {
        "Bucket": "uploads", "ReplicationConfiguration": {
            "Role": f"arn:aws:iam::{A}:role/r",
            "Rules": [{"Status": "Enabled", "Destination": {"Bucket": GX_BUCKET_ARN}}]}}),
    Attack("log into another's bucket", "s3", "put_bucket_logging", {
        "Bucket": "uploads", "BucketLoggingStatus": {"LoggingEnabled": {
            "TargetBucket": "t-globex-uploads", "TargetPrefix": "x"}}}),
    Attack("inventory into another's bucket", "s3", "put_bucket_inventory_configuration", {
        "Bucket": "uploads", "Id": "i", "InventoryConfiguration": {
            "Destination": {"S3BucketDestination": {"Bucket": GX_BUCKET_ARN, "Format": "CSV"}},
            "IsEnabled": True, "Id": "i", "IncludedObjectVersions": "All",
            "Schedule": {"Frequency": "Daily"}}}),
    # -- SQS -------------------------------------------------------------------------------
    Attack("another's queue", "sqs", "receive_message", {"QueueUrl": GX_QUEUE_URL}),
    Attack("URL with ..", "sqs", "receive_message", {"QueueUrl": OWN_QUEUE_URL + "/../t-globex-jobs"}),
    Attack("URL encoded", "sqs", "receive_message",
           {"QueueUrl": f"https://sqs.{R}.amazonaws.com/{A}/t-globex%2Djobs"}),
    Attack("ARN for URL", "sqs", "send_message", {"QueueUrl": GX_QUEUE, "MessageBody": "x"}),
    Attack("another account", "sqs", "send_message", {
        "QueueUrl": f"https://sqs.{R}.amazonaws.com/999999999999/t-acme-jobs", "MessageBody": "x"}),
    Attack("move messages to another's", "sqs", "start_message_move_task", {
        "SourceArn": f"arn:aws:sqs:{R}:{A}:t-acme-dlq", "DestinationArn": GX_QUEUE}),
    Attack("dead letters to another's", "sqs", "set_queue_attributes", {
        "QueueUrl": OWN_QUEUE_URL, "Attributes": {"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": GX_QUEUE, "maxReceiveCount": 1})}}),
    Attack("queue key of another account", "sqs", "create_queue", {
        "QueueName": "q", "Attributes": {"KmsMasterKeyId": f"arn:aws:kms:{R}:999999999999:key/x"}}),
    Attack("queue policy", "sqs", "set_queue_attributes",
           {"QueueUrl": OWN_QUEUE_URL, "Attributes": {"Policy": "{}"}}),
    Attack("grant another account", "sqs", "add_permission", {
        "QueueUrl": OWN_QUEUE_URL, "Label": "x", "AWSAccountIds": ["999999999999"],
        "Actions": ["*"]}),
    Attack("another's dead-letter sources", "sqs", "list_dead_letter_source_queues",
           {"QueueUrl": GX_QUEUE_URL}),
    Attack("another's move tasks", "sqs", "list_message_move_tasks", {"SourceArn": GX_QUEUE}),
    # -- SNS -------------------------------------------------------------------------------
    Attack("another's topic", "sns", "publish", {"TopicArn": GX_TOPIC, "Message": "x"}),
    Attack("TargetArn", "sns", "publish", {"TargetArn": GX_TOPIC, "Message": "x"}),
    Attack("batch", "sns", "publish_batch", {
        "TopicArn": GX_TOPIC, "PublishBatchRequestEntries": [{"Id": "1", "Message": "x"}]}),
    Attack("subscribe another's queue", "sns", "subscribe",
           {"TopicArn": OWN_TOPIC, "Protocol": "sqs", "Endpoint": GX_QUEUE}),
    Attack("subscribe another's queue by URL", "sns", "subscribe",
           {"TopicArn": OWN_TOPIC, "Protocol": "sqs", "Endpoint": GX_QUEUE_URL}),
    Attack("subscribe another's function", "sns", "subscribe",
           {"TopicArn": OWN_TOPIC, "Protocol": "lambda", "Endpoint": GX_FUNCTION}),
    Attack("subscribe to another's topic", "sns", "subscribe",
           {"TopicArn": GX_TOPIC, "Protocol": "email", "Endpoint": "a@b.c"}),
    Attack("confirm on another's topic", "sns", "confirm_subscription",
           {"TopicArn": GX_TOPIC, "Token": "x"}),
    Attack("unsubscribe another's", "sns", "unsubscribe", {"SubscriptionArn": f"{GX_TOPIC}:abc"}),
    Attack("dead letters to another's", "sns", "set_subscription_attributes", {
        "SubscriptionArn": f"{OWN_TOPIC}:abc", "AttributeName": "RedrivePolicy",
        "AttributeValue": json.dumps({"deadLetterTargetArn": GX_QUEUE})}),
    Attack("topic policy", "sns", "set_topic_attributes",
           {"TopicArn": OWN_TOPIC, "AttributeName": "Policy", "AttributeValue": "{}"}),
    # -- Lambda ----------------------------------------------------------------------------
    *(Attack(f"invoke {name}", "lambda", "invoke", {"FunctionName": name})
      for name in ["t-globex-f", f"{A}:function:t-globex-f", GX_FUNCTION, "t-globex-f:prod",
                   GX_FUNCTION + ":$LATEST", "f:..%2Ft-globex-f"]),
    Attack("invoke async", "lambda", "invoke_async",
           {"FunctionName": "t-globex-f", "InvokeArgs": b"{}"}),
    Attack("another's policy", "lambda", "get_policy", {"FunctionName": "t-globex-f"}),
    Attack("grant invoke", "lambda", "add_permission", {
        "FunctionName": "f", "StatementId": "x", "Action": "lambda:InvokeFunction",
        "Principal": "*"}),
    Attack("public function URL", "lambda", "create_function_url_config",
           {"FunctionName": "f", "AuthType": "NONE"}),
    Attack("another's role", "lambda", "create_function", {
        "FunctionName": "f2", "Role": f"arn:aws:iam::{A}:role/t-globex-role",
        "Code": {"ZipFile": b"x"}, "Runtime": "python3.12", "Handler": "a.b"}),
    Attack("code from another's bucket", "lambda", "create_function", {
        "FunctionName": "g", "Role": f"arn:aws:iam::{A}:role/t-acme-r",
        "Code": {"S3Bucket": "t-globex-uploads", "S3Key": "x.zip"}, "Runtime": "python3.12",
        "Handler": "a.b"}),
    Attack("another's layer", "lambda", "update_function_configuration", {
        "FunctionName": "f", "Layers": [f"arn:aws:lambda:{R}:{A}:layer:t-globex-l:1"]}),
    Attack("dead letters to another's", "lambda", "update_function_configuration",
           {"FunctionName": "f", "DeadLetterConfig": {"TargetArn": GX_QUEUE}}),
    Attack("KMS key of another account", "lambda", "update_function_configuration",
           {"FunctionName": "f", "KMSKeyArn": f"arn:aws:kms:{R}:999999999999:key/x"}),
    Attack("destination another's", "lambda", "put_function_event_invoke_config", {
        "FunctionName": "f", "DestinationConfig": {"OnSuccess": {"Destination": GX_QUEUE}}}),
    Attack("events from another's queue", "lambda", "create_event_source_mapping",
           {"FunctionName": "f", "EventSourceArn": GX_QUEUE}),
    Attack("events from another's stream", "lambda", "create_event_source_mapping", {
        "FunctionName": "f", "EventSourceArn": GX_STREAM, "StartingPosition": "LATEST"}),
    Attack("events from another's table stream", "lambda", "create_event_source_mapping", {
        "FunctionName": "f", "EventSourceArn": GX_TABLE + "/stream/2020",
        "StartingPosition": "LATEST"}),
    Attack("events from the pooled table's stream", "lambda", "create_event_source_mapping", {
        "FunctionName": "f", "EventSourceArn": f"arn:aws:dynamodb:{R}:{A}:table/sessions/stream/x",
        "StartingPosition": "LATEST"}),
    # -- Secrets Manager -------------------------------------------------------------------
    *(Attack(f"secret {sid}", "secretsmanager", "get_secret_value", {"SecretId": sid})
      for sid in ["t-globex-db", f"arn:aws:secretsmanager:{R}:{A}:secret:t-globex-db",
                  f"arn:aws:secretsmanager:{R}:{A}:secret:t-globex-db-AbCdEf",
                  "t-globex-db-AbCdEf"]),
    Attack("batch by IDs", "secretsmanager", "batch_get_secret_value",
           {"SecretIdList": ["db", "t-globex-db"]}),
    Attack("batch by filters", "secretsmanager", "batch_get_secret_value",
           {"Filters": [{"Key": "name", "Values": ["t-"]}]}),
    Attack("list with filters", "secretsmanager", "list_secrets",
           {"Filters": [{"Key": "name", "Values": ["t-globex"]}]}),
    Attack("rotation by another's function", "secretsmanager", "rotate_secret",
           {"SecretId": "db", "RotationLambdaARN": GX_FUNCTION}),
    Attack("secret policy", "secretsmanager", "put_resource_policy",
           {"SecretId": "db", "ResourcePolicy": "{}"}),
    Attack("replica key of another account", "secretsmanager", "create_secret", {
        "Name": "x", "SecretString": "y", "AddReplicaRegions": [
            {"Region": "eu-west-1", "KmsKeyId": "arn:aws:kms:eu-west-1:999999999999:key/x"}]}),
    # -- SSM -------------------------------------------------------------------------------
    *(Attack(f"parameter {name}", "ssm", "get_parameter", {"Name": name})
      for name in ["/t-globex-db", "t-globex-db", f"arn:aws:ssm:{R}:{A}:parameter/t-globex-db",
                   "/t-globex-db:1", "t-globex-db:label", "//t-globex-db",
                   "/t-acme-db/../t-globex-db"]),
    Attack("history", "ssm", "get_parameter_history", {"Name": "t-globex-db"}),
    Attack("label", "ssm", "label_parameter_version", {"Name": "t-globex-db", "Labels": ["x"]}),
    Attack("describe by name prefix", "ssm", "describe_parameters", {"ParameterFilters": [
        {"Key": "Name", "Option": "BeginsWith", "Values": ["t-globex"]}]}),
    Attack("describe another's path", "ssm", "describe_parameters", {"ParameterFilters": [
        {"Key": "Path", "Option": "Recursive", "Values": ["/t-globex"]}]}),
    Attack("path with ..", "ssm", "get_parameters_by_path", {"Path": "/app/../../t-globex"}),
    *(Attack(f"tags of {rid}", "ssm", "list_tags_for_resource",
             {"ResourceType": "Parameter", "ResourceId": rid})
      for rid in ["/t-globex/app/db", "t-globex-db", "/t-globex-db"]),
    # -- Kinesis ---------------------------------------------------------------------------
    Attack("name and ARN disagree", "kinesis", "put_record", {
        "StreamName": "events", "StreamARN": GX_STREAM, "Data": b"x", "PartitionKey": "p"}),
    Attack("another's stream", "kinesis", "get_shard_iterator", {
        "StreamARN": GX_STREAM, "ShardId": "s", "ShardIteratorType": "TRIM_HORIZON"}),
    Attack("another's consumer", "kinesis", "describe_stream_consumer",
           {"ConsumerARN": GX_STREAM + "/consumer/c:1"}),
    Attack("consumer on another's", "kinesis", "register_stream_consumer",
           {"StreamARN": GX_STREAM, "ConsumerName": "c"}),
    Attack("stream policy", "kinesis", "put_resource_policy", {
        "ResourceARN": f"arn:aws:kinesis:{R}:{A}:stream/t-acme-events", "Policy": "{}"}),
    # -- EventBridge -----------------------------------------------------------------------
    Attack("another's bus", "events", "put_events",
           {"Entries": [{"EventBusName": "t-globex-bus", **EVENT}]}),
    Attack("another's bus ARN", "events", "put_events",
           {"Entries": [{"EventBusName": GX_BUS, **EVENT}]}),
    Attack("the default bus", "events", "put_events", {"Entries": [EVENT]}),
    Attack("global endpoint", "events", "put_events",
           {"EndpointId": "abc.xyz", "Entries": [{"EventBusName": "bus", **EVENT}]}),
    Attack("rule on another's bus", "events", "put_rule",
           {"Name": "r", "EventBusName": GX_BUS, "EventPattern": "{}"}),
    Attack("rule on the default bus", "events", "put_rule", {"Name": "r", "EventPattern": "{}"}),
    *(Attack(f"target {arn.split(':')[2]} of another's", "events", "put_targets",
             {"Rule": "r", "EventBusName": "bus", "Targets": [{"Id": "1", "Arn": arn}]})
      for arn in [GX_QUEUE, GX_FUNCTION, GX_STREAM, GX_BUS]),
    Attack("target dead letters to another's", "events", "put_targets", {
        "Rule": "r", "EventBusName": "bus", "Targets": [{
            "Id": "1", "Arn": f"arn:aws:sqs:{R}:{A}:t-acme-jobs",
            "DeadLetterConfig": {"Arn": GX_QUEUE}}]}),
    Attack("grant on the bus", "events", "put_permission", {
        "EventBusName": "bus", "Action": "events:PutEvents", "Principal": "*",
        "StatementId": "s"}),
    Attack("archive another's bus", "events", "create_archive",
           {"ArchiveName": "a", "EventSourceArn": GX_BUS}),
    # -- DynamoDB Streams ------------------------------------------------------------------
    Attack("another's table stream", "dynamodbstreams", "describe_stream",
           {"StreamArn": GX_TABLE + "/stream/2020-01-01T00:00:00.000"}),
    Attack("the pooled table's stream", "dynamodbstreams", "describe_stream",
           {"StreamArn": f"arn:aws:dynamodb:{R}:{A}:table/sessions/stream/2020-01-01T00:00:00.000"}),
    # -- the platform, on tenants' resources -----------------------------------------------
    *(Attack(f"platform: {a.name}", a.service, a.call, a.params, "platform") for a in [
        Attack("table ARN", "dynamodb", "get_item", {"TableName": GX_TABLE, "Key": KEY}),
        Attack("PartiQL quoted", "dynamodb", "execute_statement",
               {"Statement": 'SELECT * FROM "t-globex-orders"'}),
        Attack("batch get", "dynamodb", "batch_get_item",
               {"RequestItems": {"t-globex-orders": {"Keys": [KEY]}}}),
        Attack("bucket", "s3", "get_object", {"Bucket": "t-globex-uploads", "Key": "doc"}),
        Attack("copy from a tenant", "s3", "copy_object",
               {"Bucket": "shared", "Key": "x", "CopySource": "t-globex-uploads/doc"}),
        Attack("partial function ARN", "lambda", "invoke",
               {"FunctionName": f"{A}:function:t-globex-f"}),
        Attack("qualified function", "lambda", "invoke", {"FunctionName": "t-globex-f:1"}),
        Attack("queue URL", "sqs", "receive_message", {"QueueUrl": GX_QUEUE_URL}),
        Attack("queue name", "sqs", "get_queue_url", {"QueueName": "t-globex-jobs"}),
        Attack("queue URL, percent-encoded", "sqs", "receive_message",
               {"QueueUrl": f"https://sqs.{R}.amazonaws.com/{A}/%74-globex-jobs"}),
        Attack("queue URL, a newline urlsplit drops", "sqs", "receive_message",
               {"QueueUrl": f"https://sqs.{R}.amazonaws.com/{A}/t-globex-jobs\n"}),
        Attack("SSM /name:version", "ssm", "get_parameter", {"Name": "/t-globex-db:1"}),
        Attack("SSM names", "ssm", "get_parameters", {"Names": ["shared", "/t-globex-db"]}),
        Attack("SSM secret reference", "ssm", "get_parameter",
               {"Name": "/aws/reference/secretsmanager/t-globex-db", "WithDecryption": True}),
        Attack("SSM secret reference, odd case", "ssm", "get_parameter",
               {"Name": "/AWS/reference/secretsmanager/t-globex-db"}),
        Attack("bus", "events", "put_events",
               {"Entries": [{"EventBusName": "t-globex-bus", **EVENT}]}),
        Attack("target a tenant's queue", "events", "put_targets",
               {"Rule": "r", "Targets": [{"Id": "1", "Arn": GX_QUEUE}]}),
        Attack("subscribe a tenant's queue", "sns", "subscribe", {
            "TopicArn": f"arn:aws:sns:{R}:{A}:shared", "Protocol": "sqs", "Endpoint": GX_QUEUE}),
        Attack("events from a tenant's queue", "lambda", "create_event_source_mapping",
               {"FunctionName": "f", "EventSourceArn": GX_QUEUE}),
        Attack("a tenant's table stream", "dynamodbstreams", "describe_stream",
               {"StreamArn": GX_TABLE + "/stream/2020-01-01T00:00:00.000"}),
        Attack("export the pooled table into a tenant's bucket", "dynamodb",
               "export_table_to_point_in_time",
               {"TableArn": SESSIONS, "S3Bucket": "t-globex-uploads", "S3Prefix": "x"}),
        Attack("import from a tenant's bucket", "dynamodb", "import_table", {
            "S3BucketSource": {"S3Bucket": "t-globex-uploads"}, "InputFormat": "CSV",
            "TableCreationParameters": {"TableName": "x", **_ddb_table_params()}}),
        Attack("stream the pooled table into a tenant's", "dynamodb",
               "enable_kinesis_streaming_destination",
               {"TableName": "sessions", "StreamArn": GX_STREAM}),
        *(Attack(f"notify a tenant's {kind}", "s3", "put_bucket_notification_configuration", {
            "Bucket": "shared", "NotificationConfiguration": {configurations: [
                {member: arn, "Events": ["s3:ObjectCreated:*"]}]}})
          for kind, configurations, member, arn in [
              ("queue", "QueueConfigurations", "QueueArn", GX_QUEUE),
              ("topic", "TopicConfigurations", "TopicArn", GX_TOPIC),
              ("function alias", "LambdaFunctionConfigurations", "LambdaFunctionArn",
               GX_FUNCTION + ":live")]),
        Attack("archive a tenant's bus", "events", "create_archive",
               {"ArchiveName": "audit", "EventSourceArn": GX_BUS}),
        Attack("replay a tenant-named archive", "events", "start_replay", {
            "ReplayName": "r", "EventSourceArn": f"arn:aws:events:{R}:{A}:archive/t-globex-a",
            "EventStartTime": 0, "EventEndTime": 1,
            "Destination": {"Arn": f"arn:aws:events:{R}:{A}:event-bus/default"}}),
        Attack("failed events into a tenant's bucket", "lambda",
               "put_function_event_invoke_config", {
                   "FunctionName": "f",
                   "DestinationConfig": {"OnFailure": {"Destination": GX_BUCKET_ARN}}}),
        Attack("grant a shared function to a tenant's bucket", "lambda", "add_permission", {
            "FunctionName": "f", "StatementId": "s", "Action": "lambda:InvokeFunction",
            "Principal": "s3.amazonaws.com", "SourceArn": GX_BUCKET_ARN}),
        Attack("command output into a tenant's bucket", "ssm", "send_command", {
            "DocumentName": "AWS-RunShellScript", "InstanceIds": ["i-0123456789abcdef0"],
            "OutputS3BucketName": "t-globex-uploads"}),
        Attack("account inventory synced into a tenant's bucket", "ssm",
               "create_resource_data_sync", {"SyncName": "s", "S3Destination": {
                   "BucketName": "t-globex-uploads", "SyncFormat": "JsonSerDe", "Region": R}}),
        Attack("a tenant's role", "ssm", "send_command", {
            "DocumentName": "AWS-RunShellScript", "InstanceIds": ["i-0123456789abcdef0"],
            "ServiceRoleArn": f"arn:aws:iam::{A}:role/t-globex-role"}),
        Attack("a tenant's role for Firehose delivery", "sns", "subscribe", {
            "TopicArn": f"arn:aws:sns:{R}:{A}:shared", "Protocol": "firehose",
            "Endpoint": f"arn:aws:firehose:{R}:{A}:deliverystream/shared",
            "Attributes": {"SubscriptionRoleArn": f"arn:aws:iam::{A}:role/t-globex-role"}}),
        Attack("replicate with a tenant's role", "s3", "put_bucket_replication", {
            "Bucket": "shared", "ReplicationConfiguration": {
                "Role": f"arn:aws:iam::{A}:role/t-globex-role",
                "Rules": [{"Status": "Enabled",
                           "Destination": {"Bucket": "arn:aws:s3:::shared-backup"}}]}}),
        Attack("legacy notification to a tenant's queue", "s3", "put_bucket_notification", {
            "Bucket": "shared", "NotificationConfiguration": {
                "QueueConfiguration": {"Queue": GX_QUEUE}}}),
    ]),
    # -- a capsule, on another capsule ------------------------------------------------------
    Attack("capsule: prod table", "dynamodb", "get_item",
           {"TableName": "c-prod-orders", "Key": KEY}, "capsule"),
    Attack("capsule: prod key in the pooled table", "dynamodb", "get_item",
           {"TableName": "sessions", "Key": {"pk": {"S": "c-prod/s1"}}}, "capsule"),
    Attack("capsule: a tenant's bucket", "s3", "get_object",
           {"Bucket": "t-globex-uploads", "Key": "doc"}, "capsule"),
]


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    with moto_factory(region_name=R, naming=NAMING, account_id=A) as factory:
        yield factory


def _scope(factory: ClientFactory, scope: str) -> Any:
    return {"tenant": factory.tenant("acme"), "platform": factory.platform(),
            "capsule": factory.capsule("dev")}[scope]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: f"{a.scope}-{a.service}-{a.name}")
def test_attack_is_refused_with_nothing_sent(factory: ClientFactory, attack: Attack) -> None:
    client = _scope(factory, attack.scope).client(attack.service)
    skip_unless_in_model(client, client.meta.method_to_api_mapping[attack.call])
    with count_requests(client) as sent, pytest.raises(ScopeViolation):
        getattr(client, attack.call)(**attack.params)
    assert sent.total == 0


def test_the_catalogue_covers_every_guarded_service_and_scope() -> None:
    from scopeguard._guard.rules import SERVICE_RULES

    assert {a.service for a in ATTACKS} == set(SERVICE_RULES)
    assert {a.scope for a in ATTACKS} == {"tenant", "platform", "capsule"}
    assert len({(a.scope, a.service, a.name) for a in ATTACKS}) == len(ATTACKS)
