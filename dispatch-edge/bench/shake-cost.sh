#!/usr/bin/env bash
# CPU per shake, in-process on one thread (ShakeCost): session check, EdgeService.shake, the whole HTTP path, the bare pipeline.
# Usage: dispatch-edge/bench/shake-cost.sh [--rounds-of 100000] [--pool 20000] [--dir target/shake-cost]
# JAVA_OPTS adds JVM flags, e.g. JAVA_OPTS='-XX:StartFlightRecording=filename=target/shake.jfr,settings=profile' for a profile.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=build-classpath.sh
source "$ROOT/dispatch-edge/bench/build-classpath.sh"
cd "$ROOT/dispatch-edge"
echo "shake-cost: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
java -Xms3g -Xmx3g -Xmn2g ${JAVA_OPTS:-} -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.redpacket.avro -Dlog4j2.level=WARN \
  -Dlog4j.configurationFile=log4j2.xml \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.redpacket.edge.ShakeCost "$@"
echo "shake-cost: load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
