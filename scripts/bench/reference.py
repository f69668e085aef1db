"""Python references of a sign-in, for `npm run bench:functions -- --python` (issue #22).

Written for this benchmark (no sample's code is copied): the calls a boto3 Lambda that opens
SageMaker Studio makes per sign-in, in two shapes (REFERENCE_SHAPE):

- "sample": the shape of the presigned-URL Lambda of the AWS sample this project replaces
  (aws-samples/multiaccount-sagemaker-studio-private-access, PresignedFunction): its module imports
  boto3 and `requests` (unused, but part of its cold start); per request it makes a DynamoDB
  resource and reads two items through its tables (the user's LOB, the LOB's account), makes an STS
  client and assumes the LOB's access role, makes a SageMaker client with those credentials, lists
  the domains for the one InService, and presigns. Five AWS calls, three clients per request.
- "careful": the same sign-in as a careful boto3 Lambda would make it: clients made once per
  process, DynamoDB GetItem of the user's row and of the LOB's record, AssumeRole, then
  DescribeUserProfile and CreatePresignedDomainUrl (the SageMaker client per request: its
  credentials are the assumed role's). Five AWS calls.

Every call goes to the same loopback fake as the Node functions (scripts/lib/fake-aws.ts); the
credentials come from the environment, as on Lambda. Debian's boto3 predates AWS_ENDPOINT_URL, so
each client is given the fake's address.

Usage: python3 reference.py cold|warm N  (settings as JSON in REFERENCE_SETTINGS, REFERENCE_SHAPE)
Prints one JSON line: cold {"init_ms", "first_ms"}; warm {"ms": [...], "cpu_ms": per request}.
"""

import json
import os
import sys
import time

START = time.perf_counter()

import boto3  # noqa: E402  (timed: the import is most of a cold start)

SHAPE = os.environ.get("REFERENCE_SHAPE", "careful")
if SHAPE == "sample":
    import requests  # noqa: E402,F401  (the sample's module imports it; its cold start pays for it)

SETTINGS = json.loads(os.environ["REFERENCE_SETTINGS"])
# One address per service (over TLS, as AWS's are separate hosts); AWS_CA_BUNDLE names the fake's CA.
ENDPOINTS = SETTINGS["endpoints"]
REGION = os.environ.get("AWS_REGION", "us-east-1")

if SHAPE == "careful":
    DYNAMODB = boto3.client("dynamodb", endpoint_url=ENDPOINTS["dynamodb"], region_name=REGION)
    STS = boto3.client("sts", endpoint_url=ENDPOINTS["sts"], region_name=REGION)
INIT_MS = (time.perf_counter() - START) * 1000


def sample_sign_in(username):
    """The sample's shape: every client made in the request, the domain found by listing."""
    dynamodb = boto3.resource("dynamodb", endpoint_url=ENDPOINTS["dynamodb"], region_name=REGION)
    lob = dynamodb.Table(SETTINGS["sampleUsersTable"]).get_item(Key={"PK": username})["Item"]["LOB"]
    account = dynamodb.Table(SETTINGS["sampleLobsTable"]).get_item(Key={"PK": lob})["Item"][
        "ACCOUNT_ID"
    ]
    sts = boto3.client("sts", endpoint_url=ENDPOINTS["sts"], region_name=REGION)
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{SETTINGS['accessRoleName']}",
        RoleSessionName="studio-access-reference",
    )["Credentials"]
    sagemaker = boto3.client(
        "sagemaker",
        endpoint_url=ENDPOINTS["sagemaker"],
        region_name=REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    domain = None
    for candidate in sagemaker.list_domains()["Domains"]:
        if candidate["Status"] == "InService":
            domain = candidate["DomainId"]
    url = sagemaker.create_presigned_domain_url(
        DomainId=domain, UserProfileName=SETTINGS["profileName"], ExpiresInSeconds=20
    )["AuthorizedUrl"]
    return {"statusCode": 302, "headers": {"Location": url}}


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
        endpoint_url=ENDPOINTS["sagemaker"],
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
    if SHAPE == "sample":
        response = sample_sign_in(SETTINGS["username"])
    else:
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
