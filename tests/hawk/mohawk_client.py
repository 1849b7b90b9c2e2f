"""Signs requests to Signpost with Python `mohawk`, as existing data pipelines do.

Run by the `mohawk_clients_interoperate` test with SIGNPOST_URL (where the server
listens), PUBLIC_URL (what clients sign for: the server is "behind a proxy"),
HAWK_ID and HAWK_KEY. Checks that mohawk-signed POST and GET are accepted and their
responses verify with mohawk, and that a replay, a tampered body, a wrong key, a
stale timestamp and the wrong host are refused. Prints one line per check.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import mohawk

SERVER = os.environ["SIGNPOST_URL"].rstrip("/")
PUBLIC = os.environ["PUBLIC_URL"].rstrip("/")
CREDENTIALS = {"id": os.environ["HAWK_ID"], "key": os.environ["HAWK_KEY"], "algorithm": "sha256"}
failures = []


def send(method, path, body=b"", content_type="", authorization=None):
    request = urllib.request.Request(SERVER + path, data=body if method == "POST" else None, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    if authorization:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail and not ok else ""))
    if not ok:
        failures.append(name)


def signed(method, path, body=b"", content_type="", credentials=CREDENTIALS, public=PUBLIC, **extra):
    return mohawk.Sender(credentials, public + path, method, content=body, content_type=content_type, **extra)


# POST, response verified by mohawk.
body = json.dumps({"query": "{ providers { nodes { name } } }"}).encode()
sender = signed("POST", "/graphql", body, "application/json")
status, headers, content = send("POST", "/graphql", body, "application/json", sender.request_header)
check("signed POST accepted", status == 200, f"{status} {content[:200]!r}")
try:
    sender.accept_response(headers.get("Server-Authorization"), content=content, content_type=headers.get("Content-Type"))
    check("POST response verified", True)
except Exception as error:  # mohawk raises its own exception types
    check("POST response verified", False, repr(error))
check("POST data", b"Mohawk Provider" in content, content[:200])

# GET with a query string, response verified.
path = "/graphql?" + urllib.parse.urlencode({"query": "{ providers { totalCount } }"})
sender = signed("GET", path)
status, headers, content = send("GET", path, authorization=sender.request_header)
check("signed GET accepted", status == 200, f"{status} {content[:200]!r}")
try:
    sender.accept_response(headers.get("Server-Authorization"), content=content, content_type=headers.get("Content-Type"))
    check("GET response verified", True)
except Exception as error:
    check("GET response verified", False, repr(error))

# Refusals.
sender = signed("POST", "/graphql", body, "application/json")
first = send("POST", "/graphql", body, "application/json", sender.request_header)[0]
again = send("POST", "/graphql", body, "application/json", sender.request_header)[0]
check("replay refused", first == 200 and again == 401, f"{first} then {again}")

sender = signed("POST", "/graphql", body, "application/json")
tampered = body.replace(b"providers", b"services ")
check("tampered body refused", send("POST", "/graphql", tampered, "application/json", sender.request_header)[0] == 401)

wrong_key = dict(CREDENTIALS, key="not-the-right-key-0000")
sender = signed("POST", "/graphql", body, "application/json", credentials=wrong_key)
check("wrong key refused", send("POST", "/graphql", body, "application/json", sender.request_header)[0] == 401)

sender = signed("POST", "/graphql", body, "application/json", _timestamp=int(time.time()) - 3600)
check("stale timestamp refused", send("POST", "/graphql", body, "application/json", sender.request_header)[0] == 401)

sender = signed("POST", "/graphql", body, "application/json", public=SERVER)
check("wrong host refused", send("POST", "/graphql", body, "application/json", sender.request_header)[0] == 401)

if failures:
    print("mohawk interop: FAILED: " + ", ".join(failures))
    sys.exit(1)
print("mohawk interop: all checks passed")
