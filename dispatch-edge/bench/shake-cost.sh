#!/usr/bin/env bash
# What one shake costs by stage, in-process, one thread, under JMH (ShakeCostBenchmark, run by ShakeCost): the session
# check, EdgeService.shake, the whole HTTP path on an embedded channel, the bare pipeline; time and bytes per request.
# Usage: dispatch-edge/bench/shake-cost.sh [--requests 100000] [--pool 20000] [--warmups 5] [--iterations 5] [--forks 1]
#          [--cases sessionVerified,sessionRemembered,serviceNewUser,httpNewUser,httpPool,httpBare] [--profiler jfr]
#          [--dir target/shake-cost]
# JMH's results: <dir>/jmh-result.json. JAVA_OPTS adds JVM flags (the measured JVM, JMH's fork, inherits the runner's).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=build-classpath.sh
source "$ROOT/dispatch-edge/bench/build-classpath.sh"
cd "$ROOT/dispatch-edge"
# The measured JVM runs with the full JIT, as production does: a test build's C1-only setting must not reach it.
unset JAVA_TOOL_OPTIONS
echo "shake-cost: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
java -Xms3g -Xmx3g -Xmn2g ${JAVA_OPTS:-} -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.redpacket.avro \
  -Dlog4j2.level=WARN -Dlog4j.configurationFile=log4j2.xml \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.redpacket.edge.ShakeCost "$@"
echo "shake-cost: load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
