#!/usr/bin/env bash
# Two `signpost serve` replicas on one PostgreSQL database and one object store
# (the `sql` store, in that database), each sent `triggerIngest` for the same
# source at the same moment: every file must be loaded exactly once and the row
# counts exact. Run by .ci/run after the tests; needs PGHOST, PGPORT and the
# debug binary the tests built.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CARGO_TARGET_DIR:-target}/debug/signpost"
DB="signpost_replicas_$$"
WORK=$(mktemp -d /tmp/signpost-replicas.XXXXXX)
PIDS=()
finish() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -rf "$WORK"
}
trap finish EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sql() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -d "$DB" -qAt -c "$1"; }

psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -q -c "CREATE DATABASE $DB"
export DATABASE_URL="postgres://postgres@$PGHOST:$PGPORT/$DB"

# The source: six postcode files of 1,000 rows behind an index page.
FILES=6 ROWS=1000
mkdir -p "$WORK/source"
python3 - "$WORK/source" "$FILES" "$ROWS" <<'PY'
import sys
out, files, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
links = []
for f in range(files):
    name = f"onspd-part-{f}.csv"
    with open(f"{out}/{name}", "w") as file:
        file.write("pcd,pcds,doterm,lat,long\n")
        for r in range(rows):
            file.write(f"X,Z{f}{r // 100} {r % 100:02d}X,,53.{r:04d},-1.{r:04d}\n")
    links.append(f'<a href="{name}">{name}</a>')
with open(f"{out}/index.html", "w") as index:
    index.write("<html><body>" + "<br>".join(links) + "</body></html>")
PY
SOURCE_PORT=$(free_port)
python3 -m http.server "$SOURCE_PORT" --bind 127.0.0.1 --directory "$WORK/source" >"$WORK/source.log" 2>&1 &
PIDS+=($!)
cat >"$WORK/signpost.toml" <<TOML
[[ingest.sources]]
name = "onspd"
list = { kind = "index", url = "http://127.0.0.1:$SOURCE_PORT/index.html", link_regex = 'onspd-part-\d+\.csv$' }
loader = { kind = "postcodes" }
TOML

SECRET="replicas-test-secret-long-enough-for-hs256"
"$BIN" migrate up >/dev/null
PORTS=()
for replica in 1 2; do
  port=$(free_port)
  PORTS+=("$port")
  SIGNPOST_CONFIG="$WORK/signpost.toml" SIGNPOST_BIND="127.0.0.1:$port" SIGNPOST_JWT_SECRET="$SECRET" \
    SIGNPOST_OBJECTSTORE='{"type":"sql"}' SIGNPOST_DATA_DIR="$WORK/replica-$replica" RUST_LOG=warn \
    "$BIN" serve --no-migrate >"$WORK/replica-$replica.log" 2>&1 &
  PIDS+=($!)
done
for port in "${PORTS[@]}"; do
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready" && break; sleep 0.2; done
  curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready" || { cat "$WORK"/replica-*.log; exit 1; }
done
TOKEN=$(python3 - "$SECRET" <<'PY'
import base64, hashlib, hmac, json, sys, time
def b64(data): return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
claims = b64(json.dumps({"sub": "ci", "exp": int(time.time()) + 600, "roles": ["admin"]}).encode())
signature = hmac.new(sys.argv[1].encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
print(f"{header}.{claims}.{b64(signature)}")
PY
)
QUERY='{"query":"mutation { triggerIngest(source: \"onspd\") { id state } }"}'
for port in "${PORTS[@]}"; do
  curl -fs -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "$QUERY" "http://127.0.0.1:$port/graphql" >"$WORK/trigger-$port.json" &
done
sleep 0.1
for _ in $(seq 1 300); do
  [ "$(sql "SELECT COUNT(*) FROM ingest_runs")" = 2 ] && [ "$(sql "SELECT COUNT(*) FROM ingest_runs WHERE state IN ('queued', 'running')")" = 0 ] && break
  sleep 0.2
done
cat "$WORK"/trigger-*.json; echo
sql "SELECT holder, state, files_seen, files_fetched, files_loaded, files_failed, coalesce(error_message, '') FROM ingest_runs"
runs=$(sql "SELECT COUNT(*) FROM ingest_runs WHERE state IN ('completed', 'failed')")
loaded=$(sql "SELECT SUM(files_loaded) FROM ingest_runs")
processed=$(sql "SELECT COUNT(*) FROM data_files WHERE state = 'processed'")
rows=$(sql "SELECT SUM(rows_loaded) FROM data_files")
postcodes=$(sql "SELECT COUNT(*) FROM postcodes")
echo "runs finished $runs, files loaded $loaded, files processed $processed, rows $rows, postcodes $postcodes"
[ "$runs" = 2 ] && [ "$loaded" = "$FILES" ] && [ "$processed" = "$FILES" ] \
  && [ "$rows" = $((FILES * ROWS)) ] && [ "$postcodes" = $((FILES * ROWS)) ] \
  || { echo "two replicas: each file was not loaded exactly once" >&2; cat "$WORK"/replica-*.log >&2; exit 1; }
echo "two replicas: every file loaded once"
