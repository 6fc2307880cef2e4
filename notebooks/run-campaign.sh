#!/usr/bin/env bash
# A fresh default campaign (8,000 users, about 3-4 minutes on 2 cores) for the notebooks to analyse, on free
# ports so that it can run next to another campaign. The directory is replaced if it exists (it lives in target/).
#   notebooks/run-campaign.sh WORK_DIR [more bin/redpacket campaign options, e.g. --session-attacks --seed 7]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/python-env.sh"
if [[ $# -lt 1 ]]; then
  echo "usage: notebooks/run-campaign.sh WORK_DIR [campaign options]" >&2
  exit 2
fi
work="$1"
shift
rm -rf "$work"
mkdir -p "$(dirname "$work")"
# Free ports; edges use consecutive ones (edge i: --edge-port + i - 1), so ask for ranges. As in the tests'
# io.redpacket.kafka.FreePorts: below the kernel's ephemeral range, which the campaign's own outgoing
# connections and any-port servers draw from between choosing a port and binding it; none handed out twice.
read -r kafka controller edge admin prom ui identity < <("$PY" - <<'PY'
import random, socket
try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        below = int(f.read().split()[0])
except (OSError, ValueError):
    below = 0
taken = set()
def bindable(port):
    with socket.socket() as t:
        try:
            t.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
def free(n=1):
    while True:
        if below - n > 10000:
            base = random.randrange(10000, below - n)
        else:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0)); base = s.getsockname()[1]
        if base + n > 65535:
            continue
        ports = range(base, base + n)
        if all(p not in taken and bindable(p) for p in ports):
            taken.update(ports)
            return base
print(free(), free(), free(2), free(2), free(), free(), free())
PY
)
cd "$REPO_DIR"
exec bin/redpacket campaign --work "$work" --kafka-port "$kafka" --kafka-controller-port "$controller" \
  --edge-port "$edge" --admin-port "$admin" --prometheus-port "$prom" --flink-ui-port "$ui" --identity-port "$identity" "$@"
