"""A fake data-flow server (the Airflow experimental REST API behind HAWK), for
the `dataflow` tests: Signpost triggers DAG runs on it and follows them.

Run by the tests with the venv's Python. Settings, from the environment:

  HAWK_ID, HAWK_KEY   the only credentials accepted (sha256)
  PORT                where to listen on 127.0.0.1 (default 0: any free port);
                      also accepted as the first argument
  FAIL_TRIGGERS       the first N trigger POSTs answer 503 (data-flow down); default 0
  RUNNING_POLLS       each run answers `running` to its first K polls; default 1
  RUN_OUTCOME         what a run ends as after those polls: success (default) or failed
  TAMPER_RESPONSES    when 1, every signed answer's body is changed after it was
                      signed, as a man in the middle would: Signpost must refuse it

The first line on stdout is `PORT <n>`; everything else (a line per request) goes
to stderr.

Every request to /api/ must carry a HAWK `Authorization` that `mohawk.Receiver`
verifies: sha256, the payload hash of the exact body and its content type (a GET
hashes an empty body with content type ""), a nonce never seen before; anything
else is answered 401 and recorded as rejected. Answers are signed with
`receiver.respond(...)` into `Server-Authorization`, over the body and its
content type.

  POST /api/experimental/dags/<dag>/dag_runs            records the trigger, answers
                                                         {"run_id": "manual__<n>", ...}
  GET  /api/experimental/dags/<dag>/dag_runs/<run_id>   {"state": ...}

Unsigned admin endpoint for the tests: `GET /_triggers` answers JSON with
`triggers` (each: dag_id, conf, run_id, hawk_id, hashed), `rejected` (each:
method, path, reason), `unavailable` (POSTs answered 503), `polls` (run id ->
polls answered) and `unknown_runs` (polls of runs never triggered).
"""

import json
import os
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import mohawk
from mohawk.exc import HawkFail

HAWK_ID = os.environ["HAWK_ID"]
HAWK_KEY = os.environ["HAWK_KEY"]
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("PORT", "0"))
FAIL_TRIGGERS = int(os.environ.get("FAIL_TRIGGERS", "0"))
RUNNING_POLLS = int(os.environ.get("RUNNING_POLLS", "1"))
RUN_OUTCOME = os.environ.get("RUN_OUTCOME", "success")
TAMPER = os.environ.get("TAMPER_RESPONSES") == "1"

TRIGGER = re.compile(r"^/api/experimental/dags/([^/]+)/dag_runs$")
RUN = re.compile(r"^/api/experimental/dags/([^/]+)/dag_runs/([^/]+)$")

lock = threading.Lock()
state = {
    "triggers": [],
    "rejected": [],
    "unavailable": 0,
    "polls": {},
    "unknown_runs": [],
}
posts_seen = 0
nonces = set()


def log(message):
    print(f"fake data-flow: {message}", file=sys.stderr, flush=True)


def credentials_for(sender_id):
    if sender_id != HAWK_ID:
        raise LookupError(sender_id)
    return {"id": HAWK_ID, "key": HAWK_KEY, "algorithm": "sha256"}


def seen_nonce(sender_id, nonce, timestamp):
    key = (sender_id, nonce, timestamp)
    with lock:
        if key in nonces:
            return True
        nonces.add(key)
        return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        log(f"{self.command} {self.path} -> " + (format % args))

    def send(self, status, body, content_type="application/json", server_authorization=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if server_authorization is not None:
            self.send_header("Server-Authorization", server_authorization)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def receive(self, content):
        """The verified `mohawk.Receiver`, or None after answering 401."""
        header = self.headers.get("Authorization")
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_port}"
        url = f"http://{host}{self.path}"
        content_type = self.headers.get("Content-Type") or ""
        reason = None
        if not header or "hash=" not in header:
            # mohawk would accept an unhashed empty GET: Signpost always hashes.
            reason = "no Authorization with a payload hash"
        else:
            try:
                return mohawk.Receiver(
                    credentials_for,
                    header,
                    url,
                    self.command,
                    content=content,
                    content_type=content_type,
                    seen_nonce=seen_nonce,
                )
            except HawkFail as error:
                reason = f"{type(error).__name__}: {error}"
            except Exception as error:  # a malformed header, say
                reason = f"{type(error).__name__}: {error}"
        with lock:
            state["rejected"].append({"method": self.command, "path": self.path, "reason": reason})
        log(f"REJECTED {self.command} {self.path}: {reason}")
        self.send(401, json.dumps({"error": reason}).encode())
        return None

    def signed(self, receiver, answer):
        body = json.dumps(answer).encode()
        header = receiver.respond(content=body, content_type="application/json")
        if TAMPER:
            body = json.dumps(dict(answer, tampered=True)).encode()
        self.send(200, body, server_authorization=header)

    def do_GET(self):
        if self.path == "/_triggers":
            with lock:
                body = json.dumps(state).encode()
            self.send(200, body)
            return
        path = urllib.parse.urlsplit(self.path).path
        match = RUN.match(path)
        if not match:
            self.send(404, b'{"error": "not found"}')
            return
        receiver = self.receive(b"")
        if receiver is None:
            return
        dag, run = (urllib.parse.unquote(part) for part in match.groups())
        with lock:
            known = any(t["run_id"] == run and t["dag_id"] == dag for t in state["triggers"])
            polls = state["polls"].get(run, 0) + 1
            if known:
                state["polls"][run] = polls
            else:
                state["unknown_runs"].append({"dag_id": dag, "run_id": run})
        if not known:
            log(f"poll of an unknown run {dag}/{run}")
            self.send(404, json.dumps({"error": f"no run {run} of {dag}"}).encode())
            return
        run_state = "running" if polls <= RUNNING_POLLS else RUN_OUTCOME
        log(f"run {dag}/{run} poll {polls}: {run_state}")
        self.signed(receiver, {"state": run_state})

    def do_POST(self):
        global posts_seen
        content = self.body()
        path = urllib.parse.urlsplit(self.path).path
        match = TRIGGER.match(path)
        if not match:
            self.send(404, b'{"error": "not found"}')
            return
        receiver = self.receive(content)
        if receiver is None:
            return
        with lock:
            posts_seen += 1
            down = posts_seen <= FAIL_TRIGGERS
            if down:
                state["unavailable"] += 1
        if down:
            log(f"trigger {posts_seen} answered 503 (data-flow down)")
            self.send(503, b'{"error": "data-flow is down"}')
            return
        dag = urllib.parse.unquote(match.group(1))
        try:
            conf = json.loads(content)["conf"]
        except (ValueError, KeyError, TypeError) as error:
            self.send(400, json.dumps({"error": f"no conf: {error!r}"}).encode())
            return
        with lock:
            run_id = f"manual__{len(state['triggers']) + 1}"
            state["triggers"].append(
                {
                    "dag_id": dag,
                    "conf": conf,
                    "run_id": run_id,
                    "hawk_id": receiver.parsed_header["id"],
                    "hashed": "hash" in receiver.parsed_header,
                }
            )
        log(f"triggered {dag} as {run_id} with conf {json.dumps(conf)}")
        self.signed(receiver, {"run_id": run_id, "message": f"Created <DagRun {dag} @ {run_id}>"})


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
print(f"PORT {server.server_port}", flush=True)
log(
    f"listening on 127.0.0.1:{server.server_port} (fail_triggers={FAIL_TRIGGERS}, "
    f"running_polls={RUNNING_POLLS}, outcome={RUN_OUTCOME}, tamper={TAMPER})"
)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
