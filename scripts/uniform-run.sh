#!/usr/bin/env bash
# One `slotload --scenario uniform -c 64 -P PIPELINE` run of 10 s against a fresh slotd, for comparing two builds
# run after run (interleave them: this machine's speed drifts). Prints one line: label, pipeline, requests/s, p99
# of the booking op in ms, slotd's CPU time per request in microseconds (set-up and the final check included), and
# the verdict. With SLOTCTL, slotd requires authentication: an admin token (which such a server needs to start)
# and an operator token are made offline with it, and slotload runs as the operator (SLOTD_TOKEN). SLOTD_ARGS adds
# flags to slotd's (its HTTP port is `--http-port 0` unless they say otherwise: `SLOTD_ARGS="--http-port off"`
# runs it without metrics). SLOTLOAD_ARGS adds flags to slotload's (`--subscribers 4`). WEBHOOK_URL creates one
# webhook for every event, pointing there, before the run (slotd then needs `--allow-private-webhooks` in
# SLOTD_ARGS for a local receiver).
# Usage: [SLOTD_ARGS=...] [SLOTLOAD_ARGS=...] [WEBHOOK_URL=...] scripts/uniform-run.sh LABEL SLOTD_BINARY
#        SLOTLOAD_BINARY PIPELINE [SLOTCTL_BINARY]
set -euo pipefail
label=$1 slotd=$2 slotload=$3 pipeline=$4 slotctl=${5:-}
dir=$(mktemp -d /tmp/perf.XXXX)
auth=()
read -r -a extra <<< "${SLOTD_ARGS:---http-port 0}"
read -r -a load_extra <<< "${SLOTLOAD_ARGS:-}"
if [ -n "$slotctl" ]; then
    "$slotctl" token create --data-dir "$dir/data" --snapshot-dir "$dir/snap" --role admin --name ops > /dev/null
    SLOTD_TOKEN=$("$slotctl" token create --data-dir "$dir/data" --snapshot-dir "$dir/snap" --role operator \
        --name load --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
    export SLOTD_TOKEN
    auth=(--auth required)
fi
"$slotd" --port 0 "${auth[@]}" "${extra[@]}" --data-dir "$dir/data" --snapshot-dir "$dir/snap" > "$dir/out" 2> "$dir/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.1; done
port=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["port"])' "$dir/out")
if [ -n "${WEBHOOK_URL:-}" ]; then
    python3 - "$port" "$WEBHOOK_URL" <<'PY'
import json,os,socket,sys
lines=[{"id":1,"op":"auth","token":os.environ["SLOTD_TOKEN"]}] if os.environ.get("SLOTD_TOKEN") else []
lines.append({"id":2,"op":"create_webhook","url":sys.argv[2]})
connection=socket.create_connection(("127.0.0.1",int(sys.argv[1])))
connection.sendall("".join(json.dumps(line)+"\n" for line in lines).encode())
read=connection.makefile().readline
for _ in lines:
    reply=json.loads(read())
    if not reply.get("ok"): sys.exit(f"create_webhook: {reply}")
PY
fi
"$slotload" --port "$port" --scenario uniform -c 64 -P "$pipeline" --duration-seconds 10 "${load_extra[@]}" --json "$dir/r.json" > /dev/null 2>&1 || true
ticks=$(awk '{print $14+$15}' /proc/$pid/stat)
kill -TERM $pid; wait $pid || true
python3 - "$dir/r.json" "$label" "$pipeline" "$ticks" <<'PY'
import json,sys
r=json.load(open(sys.argv[1]))
lat=r["latency_ms"]; op=next(iter(lat))
cpu_us=int(sys.argv[4])/100*1e6/max(1,r["requests"])
print(sys.argv[2], "P"+sys.argv[3], round(r["requests_per_second"]), "p99_ms", lat[op]["p99"], "cpu_us_per_request", round(cpu_us,1), r["verdict"],
      *(["events"] + [s["events"] for s in r["subscribers"]] if r.get("subscribers") else []), *r["verdict_reasons"][:3])
PY
rm -rf "$dir"
