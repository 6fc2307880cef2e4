#!/usr/bin/env bash
# Sourced by edge-bench.sh and shake-cost.sh (with ROOT set to the repository root): installs dispatch-edge and what it
# needs, compiles its tests and writes their class path to dispatch-edge/target/bench.classpath.
# REDPACKET_OFFLINE=0 lets Maven download what is missing.
mvn_flags=(-B -q)
[[ "${REDPACKET_OFFLINE:-1}" == "1" ]] && mvn_flags+=(-o)
(cd "$ROOT" && mvn "${mvn_flags[@]}" -pl dispatch-edge -am install -DskipTests >&2 \
  && mvn "${mvn_flags[@]}" -pl dispatch-edge test-compile dependency:build-classpath -Dmdep.includeScope=test \
       -Dmdep.outputFile="$ROOT/dispatch-edge/target/bench.classpath" >&2)
