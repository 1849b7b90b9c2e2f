"""Walks a dataset's table-data with Python `mohawk`, as the data-flow pipeline does.

Run by the `mohawk_walks_a_dataset_by_next_links` test with SIGNPOST_URL, PUBLIC_URL
(what clients sign for; `next` links are built on it), HAWK_ID, HAWK_KEY, DATASET
(`<organisation>/<dataset>`), ROWS (the rows the dataset holds: column `id` is
1..ROWS) and PAGE_SIZE. Follows `next` in both orientations, verifying every
response's `Server-Authorization`, and checks the ids are exactly 1..ROWS in
order, the values typed (integers as numbers, booleans as booleans), every page
but the last full, every `next` naming the version; then table-structure.
Prints one line per check and "mohawk dataset: all checks passed" at the end.
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

import mohawk

SERVER = os.environ["SIGNPOST_URL"].rstrip("/")
PUBLIC = os.environ["PUBLIC_URL"].rstrip("/")
CREDENTIALS = {"id": os.environ["HAWK_ID"], "key": os.environ["HAWK_KEY"], "algorithm": "sha256"}
DATASET = os.environ["DATASET"]
ROWS = int(os.environ["ROWS"])
PAGE_SIZE = int(os.environ["PAGE_SIZE"])
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail and not ok else ""))
    if not ok:
        failures.append(name)
    return ok


def signed_get(url):
    assert url.startswith(PUBLIC + "/"), url
    sender = mohawk.Sender(CREDENTIALS, url, "GET", content=b"", content_type="")
    request = urllib.request.Request(SERVER + url[len(PUBLIC):], method="GET")
    request.add_header("Authorization", sender.request_header)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    try:
        sender.accept_response(
            headers.get("Server-Authorization"), content=body, content_type=headers.get("Content-Type")
        )
        signed = True
    except Exception as error:  # mohawk raises its own exception types
        signed = repr(error)
    return status, body, signed


def walk(orientation):
    url = f"{PUBLIC}/api/v1/table-data/{DATASET}?orientation={orientation}"
    ids, sizes, versions = [], [], set()
    typed = True
    while url is not None and len(sizes) <= ROWS // PAGE_SIZE + 2:
        status, body, signed = signed_get(url)
        if not check(f"{orientation} page {len(sizes) + 1}: 200", status == 200, f"{status} {body[:200]!r}"):
            return None
        check(f"{orientation} page {len(sizes) + 1}: Server-Authorization verified", signed is True, signed)
        page = json.loads(body)
        if orientation == "records":
            rows = page["results"]
        else:
            rows = [dict(zip(page["headers"], values)) for values in page["values"]]
        for row in rows:
            ids.append(row["id"])
            typed &= isinstance(row["id"], int) and isinstance(row["open"], bool)
        sizes.append(len(rows))
        url = page["next"]
        if url is not None:
            versions.update(urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("version", []))
    check(f"{orientation}: ids are 1..{ROWS} in order", ids == list(range(1, ROWS + 1)), f"{len(ids)} ids")
    check(f"{orientation}: values typed", typed)
    check(
        f"{orientation}: pages of {PAGE_SIZE}",
        all(size == PAGE_SIZE for size in sizes[:-1]) and 0 < sizes[-1] <= PAGE_SIZE,
        repr(sizes),
    )
    check(f"{orientation}: every next names one version", len(versions) == 1, repr(versions))


for orientation in ("records", "tabular"):
    walk(orientation)

status, body, signed = signed_get(f"{PUBLIC}/api/v1/table-structure/{DATASET}")
check("table-structure: 200, signed", status == 200 and signed is True, f"{status} {signed}")
columns = {c["name"]: c["type"] for c in json.loads(body)["columns"]} if status == 200 else {}
check("table-structure: types", columns == {"id": "integer", "name": "text", "open": "boolean"}, repr(columns))

status, body, signed = signed_get(f"{PUBLIC}/api/v1/table-data/{DATASET}_missing?orientation=records")
check("unknown dataset: 404 {} signed", status == 404 and body == b"{}" and signed is True, f"{status} {body!r}")

if failures:
    print(f"mohawk dataset: {len(failures)} checks failed")
    sys.exit(1)
print("mohawk dataset: all checks passed")
