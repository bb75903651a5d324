#!/usr/bin/env bash
# Reliability check for publishing (issue 7): N publishes to 8 channels with two external destinations (an HTTP
# webhook receiver and a directory), while the server and a separate worker are killed with kill -9 at random moments
# and restarted. Afterwards: every story is published exactly once per channel, and every destination received every
# delivery (by idempotency key) — none lost, and the directory holds exactly one file per key.
#
#   scripts/publishing/kill9.sh [publishes=1000] [kills=10]
# Needs: a built zhimei (ZHIMEI_BIN, default .build/debug/zhimei), curl, jq, sqlite3, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000}
KILLS=${2:-10}
BIN=${ZHIMEI_BIN:-.build/debug/zhimei}
PORT=${PORT:-18931}
RPORT=$((PORT + 1))
DIR=$(mktemp -d /tmp/zhimei-kill9.XXXXXX)
# Short leases, so a job whose worker was killed is picked up again quickly.
export ZHIMEI_JOB_LEASE_SECONDS=${ZHIMEI_JOB_LEASE_SECONDS:-10}
export ZHIMEI_DATA_DIR=$DIR ZHIMEI_BCRYPT_COST=4 ZHIMEI_LOG_LEVEL=error ZHIMEI_PUBLIC_URL=http://127.0.0.1:$PORT
export ZHIMEI_TEXT_DATA=${ZHIMEI_TEXT_DATA:-$PWD/data/text}
DB=$DIR/zhimei.sqlite
BASE=http://127.0.0.1:$PORT
SERVER= WORKER= RECEIVER=
cleanup() { for p in $SERVER $WORKER $RECEIVER; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# The webhook receiver: appends every Idempotency-Key it is sent to a file, answers 200.
cat > "$DIR/receiver.py" <<'PY'
import http.server, sys
log = open(sys.argv[2], "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        log.write(self.headers.get("Idempotency-Key", "-") + "\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$DIR/receiver.py" "$RPORT" "$DIR/received.log" & RECEIVER=$!

"$BIN" demo > /dev/null
# PID files: the killer removes a file when it kills that process; the main loop restarts what has no file.
start_server() {
  "$BIN" serve --port "$PORT" >> "$DIR/serve.log" 2>&1 & SERVER=$!; echo "$SERVER" > "$DIR/server.pid"
  for _ in $(seq 200); do curl -sf "$BASE/healthz" > /dev/null && return; sleep 0.05; done; echo "server did not start"; exit 1
}
start_worker() { "$BIN" worker >> "$DIR/worker.log" 2>&1 & WORKER=$!; echo "$WORKER" > "$DIR/worker.pid"; }
ensure_running() { [ -f "$DIR/server.pid" ] || start_server; [ -f "$DIR/worker.pid" ] || start_worker; }
start_server; start_worker
call() { # user method path body → body; retried while the server is down
  local user=$1 method=$2 path=$3 body=${4:-}
  local csrf cookie
  for _ in $(seq 100); do
    csrf=$(grep -o '"csrf_token":"[^"]*"' "$DIR/$user.json" | cut -d'"' -f4); cookie=$(awk '$6=="zm_session"{print $7}' "$DIR/$user.session")
    if out=$(curl -sf -X "$method" -H "Cookie: zm_session=$cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -H 'Accept: application/json' \
             ${body:+-d "$body"} "$BASE$path"); then echo "$out"; return 0; fi
    [ -f "$DIR/server.pid" ] || start_server
    sleep 0.1
  done
  echo "gave up: $method $path" >&2; return 1
}
for u in liuyang-admin liuyang-reporter liuyang-chief; do
  curl -sf -c "$DIR/$u.session" -H 'Content-Type: application/json' -d "{\"username\":\"$u\",\"password\":\"Zhimei@2026\"}" "$BASE/api/v1/session" > "$DIR/$u.json"
done
TENANT=$(jq -r .active_tenant_id "$DIR/liuyang-admin.json")
call liuyang-admin POST "/api/v1/publishing/tenants/$TENANT/destinations" "{\"name\":\"hook\",\"kind\":\"webhook\",\"target\":\"http://127.0.0.1:$RPORT/hook\",\"secret\":\"k\"}" > /dev/null
call liuyang-admin POST "/api/v1/publishing/tenants/$TENANT/destinations" '{"name":"files","kind":"directory","target":"kill9"}' > /dev/null

echo "creating $N approved stories…"
: > "$DIR/ids"
for i in $(seq "$N"); do
  call liuyang-reporter POST /api/v1/stories "{\"headline\":\"可靠性测试 $i\",\"categories\":[\"测试\"],\"body\":[{\"type\":\"paragraph\",\"spans\":[{\"text\":\"正文 $i\"}]}]}" | jq -r .id >> "$DIR/ids"
done
sqlite3 "$DB" "UPDATE stories SET status='approved'"

# The killer: kill -9 the server and the worker at random moments, restart them.
( for k in $(seq "$KILLS"); do
    sleep "$(awk -v r=$RANDOM 'BEGIN{print 0.5 + (r % 3000) / 1000}')"
    case $((RANDOM % 3)) in 0) victims="server" ;; 1) victims="worker" ;; *) victims="server worker" ;; esac
    for v in $victims; do
      if [ -f "$DIR/$v.pid" ]; then kill -9 "$(cat "$DIR/$v.pid")" 2>/dev/null || true; rm -f "$DIR/$v.pid"; echo "kill $k $v" >> "$DIR/kills.log"; fi
    done
  done ) &
KILLER=$!

echo "publishing $N stories while killing…"
CHANNELS='{"channels":["website","app","rss","atom","ninjs2","ninjs3","wechat","social"]}'
i=0
while read -r id; do
  i=$((i + 1))
  ensure_running
  until call liuyang-chief POST "/api/v1/publishing/stories/$id/publish" "$CHANNELS" > /dev/null 2>&1; do ensure_running; done
done < "$DIR/ids"
wait "$KILLER" || true
ensure_running
# A publish whose request was cut by a kill is retried above; make sure every story went live.
while read -r id; do call liuyang-chief POST "/api/v1/publishing/stories/$id/publish" "$CHANNELS" > /dev/null; done < "$DIR/ids"

echo "waiting for the delivery queue to drain…"
for _ in $(seq 600); do
  left=$(sqlite3 "$DB" "SELECT COUNT(*) FROM jobs WHERE kind='publishing.deliver' AND state IN ('queued','running')")
  [ "$left" = 0 ] && break; sleep 1
done

fail=0
check() { if [ "$2" = "$3" ]; then echo "ok   $1: $2"; else echo "FAIL $1: $2 (expected $3)"; fail=1; fi; }
KILLED=$(wc -l < "$DIR/kills.log" 2>/dev/null || echo 0)
echo "kills: $KILLED"
check "stories published" "$(sqlite3 "$DB" "SELECT COUNT(DISTINCT story_id) FROM publications WHERE state='published'")" "$N"
check "publications (story × channel)" "$(sqlite3 "$DB" "SELECT COUNT(*) FROM publications")" "$((N * 8))"
check "duplicate story × channel" "$(sqlite3 "$DB" "SELECT COUNT(*) FROM (SELECT story_id, channel FROM publications GROUP BY story_id, channel HAVING COUNT(*) > 1)")" 0
check "delivery rows" "$(sqlite3 "$DB" "SELECT COUNT(*) FROM publish_deliveries")" "$((N * 2))"
check "deliveries marked delivered" "$(sqlite3 "$DB" "SELECT COUNT(*) FROM publish_deliveries WHERE status='delivered'")" "$((N * 2))"
sqlite3 "$DB" "SELECT d.idempotency_key FROM publish_deliveries d JOIN publish_destinations t ON t.id = d.destination_id WHERE t.kind = 'webhook'" | sort > "$DIR/expected.keys"
sort -u "$DIR/received.log" > "$DIR/received.keys"
check "webhook: distinct keys received" "$(grep -c . "$DIR/received.keys" || true)" "$N"
check "webhook: expected keys never received" "$(comm -23 "$DIR/expected.keys" "$DIR/received.keys" | grep -c . || true)" 0
check "webhook: unknown keys received" "$(comm -13 "$DIR/expected.keys" "$DIR/received.keys" | grep -c . || true)" 0
OUTBOX=$(ls -d "$DIR"/publishing/outbox/*/kill9)
check "directory: files" "$(ls "$OUTBOX" | grep -c '\.json$' || true)" "$N"
check "directory: partial files left" "$(find "$OUTBOX" "$DIR"/publishing/partial -name '*.tmp-*' 2>/dev/null | grep -c . || true)" 0
echo "webhook requests in total: $(grep -c . "$DIR/received.log") (duplicates by key are dropped by the receiver: at-least-once sending, exactly-once by key)"
[ "$fail" = 0 ] && echo "RESULT: PASS" || echo "RESULT: FAIL (data in $DIR)"
[ "$fail" = 0 ] && rm -rf "$DIR"
exit "$fail"
