"""A Python reference of a sign-in, for `npm run bench:functions -- --python` (issue #22).

Written for this benchmark (not taken from any sample): the calls a boto3 Lambda that opens
SageMaker Studio makes per sign-in, with its clients made once per process as Lambda code does:
DynamoDB GetItem of the user's row and of the LOB's record, STS AssumeRole of the LOB's access
role, then, with those credentials, SageMaker DescribeUserProfile and CreatePresignedDomainUrl.
Every call goes to the same loopback fake as the Node functions (scripts/lib/fake-aws.ts); the
credentials come from the environment, as on Lambda.

Usage: python3 reference.py cold|warm N  (settings as JSON in REFERENCE_SETTINGS)
Prints one JSON line: cold {"init_ms", "first_ms"}; warm {"ms": [...], "cpu_ms": per request}.
"""

import json
import os
import sys
import time

START = time.perf_counter()

import boto3  # noqa: E402  (timed: the import is most of a cold start)

SETTINGS = json.loads(os.environ["REFERENCE_SETTINGS"])
ENDPOINT = SETTINGS["endpoint"]
REGION = os.environ.get("AWS_REGION", "us-east-1")

DYNAMODB = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name=REGION)
STS = boto3.client("sts", endpoint_url=ENDPOINT, region_name=REGION)
INIT_MS = (time.perf_counter() - START) * 1000


def sign_in(username, team, lob):
    row = DYNAMODB.get_item(
        TableName=SETTINGS["usersTable"],
        Key={"lob": {"S": lob}, "userTeam": {"S": f"{username}#{team}"}},
        ConsistentRead=True,
    ).get("Item")
    if row is None:
        return {"statusCode": 403}
    record = DYNAMODB.get_item(
        TableName=SETTINGS["lobsTable"], Key={"lob": {"S": lob}}, ConsistentRead=True
    ).get("Item")
    if record is None or not record.get("enabled", {}).get("BOOL", False):
        return {"statusCode": 404}
    credentials = STS.assume_role(
        RoleArn=record["accessRoleArn"]["S"], RoleSessionName="studio-access-reference"
    )["Credentials"]
    sagemaker = boto3.client(
        "sagemaker",
        endpoint_url=ENDPOINT,
        region_name=record["region"]["S"],
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    domain = record["domainId"]["S"]
    profile = row["profileName"]["S"]
    sagemaker.describe_user_profile(DomainId=domain, UserProfileName=profile)
    url = sagemaker.create_presigned_domain_url(
        DomainId=domain,
        UserProfileName=profile,
        ExpiresInSeconds=int(SETTINGS["urlExpiresSeconds"]),
        SessionExpirationDurationInSeconds=int(SETTINGS["sessionExpiresSeconds"]),
    )["AuthorizedUrl"]
    return {"statusCode": 302, "headers": {"Location": url}}


def request():
    response = sign_in(SETTINGS["username"], SETTINGS["team"], SETTINGS["lob"])
    if response["statusCode"] != 302:
        raise SystemExit(f"reference sign-in answered {response['statusCode']}")


def main():
    mode = sys.argv[1]
    if mode == "cold":
        started = time.perf_counter()
        request()
        first_ms = (time.perf_counter() - started) * 1000
        print(json.dumps({"init_ms": INIT_MS, "first_ms": first_ms}))
        return
    count = int(sys.argv[2])
    request()
    times = []
    cpu = time.process_time()
    for _ in range(count):
        started = time.perf_counter()
        request()
        times.append((time.perf_counter() - started) * 1000)
    cpu_ms = (time.process_time() - cpu) * 1000 / count
    print(json.dumps({"ms": times, "cpu_ms": cpu_ms}))


main()
