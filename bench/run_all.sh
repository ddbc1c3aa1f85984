#!/usr/bin/env bash
# Every backbone benchmark with its defaults (issue 2). Not part of `make test`.
#
#   bench/run_all.sh [OUT_DIR]        # JSON results go to OUT_DIR (default: a temp dir)
#
# Each benchmark starts and stops its own embedded PostgreSQL and Tansu on free ports of
# 127.0.0.1, in temp directories it removes; nothing else on the machine is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
OUT=${1:-$(mktemp -d "${TMPDIR:-/tmp}/porchlight-bench.XXXXXX")}
mkdir -p "$OUT"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
status=0

echo "== pipeline: drain + throughput (30,000 events) + latency (HTTP POST /v1/notes, 500/s for 20 s)"
"$PY" bench/pipeline.py --json "$OUT/pipeline.json" || status=1

echo "== pipeline: latency of the backbone alone (outbox.add, one event per transaction, 500/s for 20 s)"
"$PY" bench/pipeline.py --mode latency --source outbox --json "$OUT/pipeline-latency-outbox.json" || status=1

echo "== startup: porchlight run, 3 times (first with initdb), then SIGINT"
"$PY" bench/startup.py --json "$OUT/startup.json" || status=1

echo "== results in $OUT"
exit $status
