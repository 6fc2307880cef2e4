#!/usr/bin/env bash
# A fresh default campaign (8,000 users, about 3-4 minutes on 2 cores) for the notebooks to analyse, on free
# ports so that it can run next to another campaign. The directory is replaced if it exists (it lives in target/).
#   notebooks/run-campaign.sh WORK_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/python-env.sh"
if [[ $# -ne 1 ]]; then
  echo "usage: notebooks/run-campaign.sh WORK_DIR" >&2
  exit 2
fi
work="$1"
rm -rf "$work"
mkdir -p "$(dirname "$work")"
# Free ports; edges use consecutive ones (edge i: --edge-port + i - 1), so ask for pairs.
read -r kafka controller edge admin prom ui < <("$PY" - <<'PY'
import socket
def free(n=1):
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0)); base = s.getsockname()[1]
        if base + n > 65535:
            continue
        try:
            socks = [socket.socket() for _ in range(n)]
            for i, t in enumerate(socks):
                t.bind(("127.0.0.1", base + i))
            return base
        except OSError:
            continue
        finally:
            for t in socks:
                t.close()
print(free(), free(), free(2), free(2), free(), free())
PY
)
cd "$REPO_DIR"
exec bin/redpacket campaign --work "$work" --kafka-port "$kafka" --kafka-controller-port "$controller" \
  --edge-port "$edge" --admin-port "$admin" --prometheus-port "$prom" --flink-ui-port "$ui"
