#!/usr/bin/env bash
# Edge benchmark: bare Netty vs edge shake (sessions verified) vs Redis+Lua shake vs edge open, wrk on the same machine.
# Usage: dispatch-edge/bench/edge-bench.sh [--seconds 10] [--warmup 3] [--repeat 3] [--connections 32] [--open-connections 256] [--wrk-threads 2]
#        [--io-threads 2] [--envelopes 5000000] [--redis-envelopes 3000000] [--open-tokens 400000] [--sessions 1500000] [--dir target/edge-bench]
# Needs wrk and redis-server (Debian: apt-get install wrk redis-server). Results: <dir>/results.txt, GC log <dir>/gc.log
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for tool in wrk redis-server; do
  command -v "$tool" >/dev/null || { echo "edge-bench: $tool not found (apt-get install wrk redis-server)" >&2; exit 2; }
done
# The work directory (--dir, relative to dispatch-edge/ like the benchmark's own default) holds the GC log too:
# create it before the JVM starts, which opens its GC log before main() runs.
dir="target/edge-bench"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ "${args[$i]}" == "--dir" && $((i + 1)) -lt ${#args[@]} ]]; then dir="${args[$((i + 1))]}"; fi
done
cd "$ROOT"
# shellcheck source=build-classpath.sh
source "$ROOT/dispatch-edge/bench/build-classpath.sh"
cd "$ROOT/dispatch-edge"
mkdir -p "$dir"
echo "edge-bench: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xms3g -Xmx3g -Xmn2g "-Xlog:gc:file=$dir/gc.log" -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.redpacket.avro -Dlog4j2.level=WARN \
  -Dlog4j.configurationFile=log4j2.xml \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.redpacket.edge.EdgeBenchmark "$@"
echo "edge-bench: load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
