#!/usr/bin/env bash
# Reconciliation benchmark: 1e8 envelopes vs 1e7 credits with Spark, and the same checks at 1e7 vs 1e6 in Spark and
# in PostgreSQL. Not a test. Usage: reconciliation-batch/bench/run-benchmark.sh [--data DIR] [benchmark args...]
# Needs: the module built (mvn -o -pl reconciliation-batch install -DskipTests), root (to run PostgreSQL as the
# postgres user via runuser), Debian's postgresql package (apt-get update && apt-get install -y postgresql).
# Data (about 3 GB for 1e8 envelopes + 1.2 GB CSV for PostgreSQL) is generated once under DIR and reused.
set -euo pipefail
MODULE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$MODULE"
DATA=/tmp/redpacket-bench
if [[ "${1:-}" == "--data" ]]; then DATA="$2"; shift 2; fi
mkdir -p "$DATA"
CP_FILE=target/bench.classpath
[[ -f "$CP_FILE" && "$CP_FILE" -nt pom.xml ]] || mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >&2
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:--Xmx6g} $OPENS -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.redpacket.avro -Djava.io.tmpdir="$DATA" \
  -Dredpacket.module="$MODULE" -cp "target/classes:target/test-classes:$(cat "$CP_FILE")" \
  io.redpacket.reconciliation.bench.ReconciliationBenchmark --data "$DATA" "$@"
