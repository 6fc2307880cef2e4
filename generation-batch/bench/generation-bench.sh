#!/usr/bin/env bash
# Runs the generation benchmark (not a test; its classes live under src/test) on the classpath bin/redpacket builds
# for this module, plus the module's test classes.
# Usage: generation-batch/bench/generation-bench.sh --work /tmp/gen-bench [--envelopes 100000000] [--baseline-envelopes 5000000]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/bin/redpacket" validate --help >/dev/null   # builds the module and its classpath file if stale
offline=(); [[ "${REDPACKET_OFFLINE:-0}" == "1" ]] && offline=(-o)
(cd "$ROOT" && mvn -B -q "${offline[@]}" -pl generation-batch test-compile) >/dev/null   # the benchmark's own classes
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:--Xmx2g} $OPENS -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.redpacket.avro \
  -cp "$ROOT/generation-batch/target/classes:$ROOT/generation-batch/target/test-classes:$(cat "$ROOT/generation-batch/target/redpacket.classpath")" \
  io.redpacket.generation.bench.GenerationBenchmark "$@"
