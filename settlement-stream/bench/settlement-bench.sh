#!/usr/bin/env bash
# Runs settlement's benchmarks (not tests; JUnit classes under src/test, picked by name, so the test JVM keeps the full
# JIT: root pom, profile full-jit) and prints their results.
# Usage: settlement-stream/bench/settlement-bench.sh [--opens 3000000] [--latency-rate 10000] [--latency-seconds 10]
#          [--pg-seconds 20] [--pg-clients 8] [--checkpoint-ms 3000] [--order file|id] [--heap]
#          [--flink "key=value;key=value"]   # more Flink options for the mini cluster (what a config.yaml would carry)
#          [--no-devices]                     # opens without device ids: the job without the live device flag's state
#          [--runs N]                         # the benchmark N times over (one run's noise on a shared host exceeds
#                                             # many changes): every report kept, one summary line per run at the end
#        settlement-stream/bench/settlement-bench.sh --state [--envelopes 300000]   # ClaimStateBenchmark: state bytes per envelope
# REDPACKET_OFFLINE=0 lets Maven download what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bench=SettlementBenchmark
result=settlement-benchmark.txt
props=()
runs=1
while (($#)); do
  case "$1" in
    --opens) props+=("-Dbench.opens=$2"); shift 2 ;;
    --latency-rate) props+=("-Dbench.latencyRate=$2"); shift 2 ;;
    --latency-seconds) props+=("-Dbench.latencySeconds=$2"); shift 2 ;;
    --pg-seconds) props+=("-Dbench.pgSeconds=$2"); shift 2 ;;
    --pg-clients) props+=("-Dbench.pgClients=$2"); shift 2 ;;
    --checkpoint-ms) props+=("-Dbench.checkpointMs=$2"); shift 2 ;;
    --order) props+=("-Dbench.order=$2"); shift 2 ;;
    --heap) props+=("-Dbench.rocksdb=false"); shift ;;
    --flink) props+=("-Dbench.flink=$2"); shift 2 ;;
    --no-devices) props+=("-Dbench.devices=false"); shift ;;
    --runs) runs="$2"; shift 2 ;;
    --state) bench=ClaimStateBenchmark; result=claim-state-benchmark.txt; shift ;;
    --envelopes) props+=("-Dbench.envelopes=$2"); shift 2 ;;
    *) echo "settlement-bench: unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
mvn_flags=(-B -q)
[[ "${REDPACKET_OFFLINE:-1}" == "1" ]] && mvn_flags+=(-o)
echo "settlement-bench: $bench, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$ROOT" && mvn "${mvn_flags[@]}" -pl settlement-stream -am install -DskipTests >&2)
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "settlement-bench: --runs needs a positive number, was $runs" >&2; exit 2; }
out="$ROOT/settlement-stream/target/bench/$result"
for ((k = 1; k <= runs; k++)); do
  (cd "$ROOT" && mvn "${mvn_flags[@]}" -pl settlement-stream test "-Dtest=$bench" -Dsurefire.failIfNoSpecifiedTests=false \
    "${props[@]}")
  echo "settlement-bench: load average at end of run $k: $(cut -d' ' -f1-3 /proc/loadavg)"
  cat "$out"
  ((runs == 1)) || cp "$out" "${out%.txt}-run-$k.txt"
done
if ((runs > 1)) && [[ "$bench" == SettlementBenchmark ]]; then
  echo "settlement-bench: $runs runs (reports: ${out%.txt}-run-K.txt)"
  for ((k = 1; k <= runs; k++)); do
    f="${out%.txt}-run-$k.txt"
    steady="$(grep -oE 'opens/s\): [0-9.]+ us Flink job, [0-9.]+ us broker' "$f" | cut -d' ' -f2- || true)"
    echo "run $k: $(grep -oE '[0-9,]+ opens/s from first credit' "$f" | cut -d' ' -f1-2);" \
      "from submit $(grep -oE 'from submit: [0-9.]+ us Flink job, [0-9.]+ us broker' "$f" | cut -d' ' -f3-);" \
      "steady half ${steady:-not measured};" \
      "$(grep -oE 'p99 [0-9]+ ms' "$f" | head -1); $(grep -oE 'PostgreSQL [0-9,]+ opens/s = [0-9.]+x' "$f")"
  done
fi
