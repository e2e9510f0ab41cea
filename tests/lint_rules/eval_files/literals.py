# Credentials, keys and scoped physical names.
import boto3


def credentials(key, secret, token):
    return boto3.client(  # SG001
        "s3",
        aws_access_key_id=key,  # SG010
        aws_secret_access_key=secret,  # SG010
        aws_session_token=token,  # SG010
    )


def wrapper_with_credentials(make, key):
    return make(aws_access_key_id=key)  # SG010


def physical_names(scope):
    ddb = scope.client("dynamodb")
    ddb.get_item(TableName="t-acme-orders", Key={})  # SG020
    ddb.batch_get_item(RequestItems={"c-dev-orders": {"Keys": []}})  # SG020
    ddb.get_item(TableName="orders", Key={})
    s3 = scope.resource("s3")
    s3.Bucket("t-globex-reports")  # SG020
    s3.Object("reports", "t-acme-key")
    sqs = scope.client("sqs")
    sqs.send_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/t-acme-jobs", MessageBody="x")  # SG020
    sqs.get_queue_url(QueueName="jobs")


def dynamic(service, **options):
    return boto3.client(service, **options)  # SG001, SG030


def dynamic_session(session: boto3.Session, name):
    return session.client(service_name=name)  # SG003, SG030
