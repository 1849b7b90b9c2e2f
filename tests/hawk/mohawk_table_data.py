"""Pages through the Data Store Service-compatible table routes with Python `mohawk`,
as an existing data pipeline does.

Run by the `mohawk_pages_table_data_by_next_links` test with SIGNPOST_URL (where
the server listens), PUBLIC_URL (what clients sign for: the server is "behind a
proxy", and `next` links are built on it), HAWK_ID, HAWK_KEY, TABLE (a table of
schema `directory`) and EXPECTED_IDS (every id of that table, comma-separated).
Optional: PAGE_SIZE (every page but the last holds exactly that many rows) and
DELETED_IDS (comma-separated ids that must come back as tombstones, `deleted_at`
set; every other row must have it null).

Follows `next` links from `GET /api/v1/table-data/directory/<TABLE>` in both
orientations, verifying every response's `Server-Authorization` with mohawk, and
checks the rows seen are exactly EXPECTED_IDS, in ascending order, none repeated
or missing. Then checks table-structure, an unknown table (404 `{}`, signed) and a
wrong key (401, empty body). Prints one line per check.
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
TABLE = os.environ["TABLE"]
EXPECTED_IDS = [i for i in os.environ["EXPECTED_IDS"].split(",") if i]
DELETED_IDS = {i for i in os.environ.get("DELETED_IDS", "").split(",") if i}
PAGE_SIZE = int(os.environ["PAGE_SIZE"]) if os.environ.get("PAGE_SIZE") else None
# More pages than this means `next` does not move on.
MAX_PAGES = len(EXPECTED_IDS) + 5
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail and not ok else ""))
    if not ok:
        failures.append(name)
    return ok


def send(path, authorization):
    request = urllib.request.Request(SERVER + path, method="GET")
    request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def public_to_path(url):
    """The path and query of a URL on PUBLIC_URL (what is sent to SIGNPOST_URL)."""
    if not url.startswith(PUBLIC + "/"):
        return None
    return url[len(PUBLIC):]


def signed_get(url, credentials=CREDENTIALS):
    """GETs `url` (an absolute URL on PUBLIC_URL), signed for exactly that URL with
    the hash of an empty payload. Returns (sender, status, headers, body)."""
    path = public_to_path(url)
    sender = mohawk.Sender(credentials, url, "GET", content=b"", content_type="")
    status, headers, body = send(path, sender.request_header)
    return sender, status, headers, body


def verified(name, sender, headers, body):
    """Checks the response's Server-Authorization with mohawk."""
    try:
        sender.accept_response(
            headers.get("Server-Authorization"), content=body, content_type=headers.get("Content-Type")
        )
        return check(name, True)
    except Exception as error:  # mohawk raises its own exception types
        return check(name, False, repr(error))


def page_through(orientation):
    """Follows `next` from the first page; returns the ids in the order seen, or None."""
    label = f"{TABLE} {orientation}"
    url = f"{PUBLIC}/api/v1/table-data/directory/{TABLE}?orientation={orientation}"
    ids, sizes, pages = [], [], 0
    all_verified, all_shaped = True, True
    deleted_ok = True
    while url is not None:
        pages += 1
        if pages > MAX_PAGES:
            check(f"{label}: paging ends", False, f"still going after {MAX_PAGES} pages at {url}")
            return None
        sender, status, headers, body = signed_get(url)
        if not check(f"{label} page {pages}: 200", status == 200, f"{status} {body[:200]!r}"):
            return None
        all_verified &= verified(f"{label} page {pages}: Server-Authorization verified", sender, headers, body)
        try:
            page = json.loads(body)
        except ValueError as error:
            check(f"{label} page {pages}: JSON body", False, repr(error))
            return None
        if orientation == "records":
            rows = page.get("results")
            if not check(f"{label} page {pages}: results is a list of objects",
                         isinstance(rows, list) and all(isinstance(r, dict) for r in rows), body[:200]):
                return None
            for row in rows:
                ids.append(row.get("id"))
                if DELETED_IDS and (row.get("deleted_at") is not None) != (row.get("id") in DELETED_IDS):
                    deleted_ok = False
                    check(f"{label}: tombstone {row.get('id')}", False, f"deleted_at={row.get('deleted_at')!r}")
            sizes.append(len(rows))
        else:
            headers_, values = page.get("headers"), page.get("values")
            shaped = (
                isinstance(headers_, list)
                and "id" in headers_
                and isinstance(values, list)
                and all(isinstance(v, list) and len(v) == len(headers_) for v in values)
            )
            all_shaped &= shaped
            if not check(f"{label} page {pages}: headers contain id, rows as long as headers", shaped, body[:300]):
                return None
            at = headers_.index("id")
            ids.extend(v[at] for v in values)
            sizes.append(len(values))
        if "next" not in page:
            check(f"{label} page {pages}: has next", False, body[:200])
            return None
        url = page["next"]
        if url is not None:
            path = public_to_path(url)
            expected_start = f"/api/v1/table-data/directory/{TABLE}?"
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
            ok = (
                path is not None
                and path.startswith(expected_start)
                and query.get("orientation") == [orientation]
                and len(query.get("next-id", [])) == 1
            )
            if not check(f"{label} page {pages}: next is a {orientation} link on PUBLIC_URL", ok, repr(url)):
                return None
    check(f"{label}: more than one page", pages > 1, f"{pages} page(s)")
    if PAGE_SIZE is not None:
        full = all(size == PAGE_SIZE for size in sizes[:-1]) and 0 < sizes[-1] <= PAGE_SIZE
        check(f"{label}: pages of {PAGE_SIZE}", full, repr(sizes))
    check(f"{label}: every response verified", all_verified)
    if orientation == "tabular":
        check(f"{label}: every page well shaped", all_shaped)
    if DELETED_IDS and orientation == "records":
        check(f"{label}: tombstones included with deleted_at, live rows without", deleted_ok)
    return ids


def same_ids(label, ids):
    seen = set(ids)
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    missing = [i for i in EXPECTED_IDS if i not in seen]
    extra = sorted(seen - set(EXPECTED_IDS), key=str)
    check(f"{label}: no id repeated", not repeated, repr(repeated))
    check(f"{label}: no id missing", not missing, repr(missing))
    check(f"{label}: no unexpected id", not extra, repr(extra))
    check(f"{label}: ids ascending", ids == sorted(ids, key=str), repr(ids))
    check(f"{label}: exactly EXPECTED_IDS in order", ids == EXPECTED_IDS, f"{len(ids)} ids vs {len(EXPECTED_IDS)}")


check("EXPECTED_IDS given", len(EXPECTED_IDS) > 0)

for orientation in ("records", "tabular"):
    ids = page_through(orientation)
    if ids is not None:
        same_ids(f"{TABLE} {orientation}", ids)

# Table structure.
sender, status, headers, body = signed_get(f"{PUBLIC}/api/v1/table-structure/directory/{TABLE}")
if check("table-structure: 200", status == 200, f"{status} {body[:200]!r}"):
    verified("table-structure: Server-Authorization verified", sender, headers, body)
    try:
        columns = {c["name"]: c["type"] for c in json.loads(body)["columns"]}
    except (ValueError, KeyError, TypeError) as error:
        columns = {}
        check("table-structure: columns", False, repr(error))
    check("table-structure: id is UUID", columns.get("id") == "UUID", repr(columns.get("id")))
    check(
        "table-structure: updated_at is TIMESTAMP WITH TIME ZONE",
        columns.get("updated_at") == "TIMESTAMP WITH TIME ZONE",
        repr(columns.get("updated_at")),
    )

# Unknown table: 404 with `{}`, still signed.
sender, status, headers, body = signed_get(f"{PUBLIC}/api/v1/table-data/directory/no_such_table?orientation=records")
check("unknown table: 404", status == 404, f"{status} {body[:200]!r}")
check("unknown table: body {}", body == b"{}", repr(body[:200]))
verified("unknown table: Server-Authorization verified", sender, headers, body)

# Wrong key: 401 with an empty body.
wrong_key = dict(CREDENTIALS, key="not-the-right-key-0000")
sender, status, headers, body = signed_get(
    f"{PUBLIC}/api/v1/table-data/directory/{TABLE}?orientation=records", credentials=wrong_key
)
check("wrong key: 401", status == 401, f"{status} {body[:200]!r}")
check("wrong key: empty body", body == b"", repr(body[:200]))

if failures:
    print("mohawk table-data: FAILED: " + ", ".join(failures))
    sys.exit(1)
print("mohawk table-data: all checks passed")
