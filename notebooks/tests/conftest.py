"""Small synthetic runs written in the campaign's layout: Parquet under settlement/, Avro for the gateway and identity logs."""

import json
import sys
from pathlib import Path

import fastavro
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from redpacket_analysis.logs import GATEWAY_COLUMNS  # noqa: E402

AVRO_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "src" / "main" / "resources" / "avro"


def write_avro(path: Path, schema_file: str, rows: list[dict]) -> None:
    """An Avro container file with the project's own schema (what the identity service writes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = fastavro.parse_schema(json.loads((AVRO_SCHEMAS / schema_file).read_text()))
    with path.open("wb") as f:
        fastavro.writer(f, schema, rows)


def write_users(root: Path, rows: list[dict]) -> None:
    """``crowd/users.avro`` as the crowd writes it; each row needs ``userId, behaviour, fraud``, the rest defaults."""
    full = []
    for r in rows:
        u = {"deviceId": "d", "ip": "i", "homeEdge": 1, "population": "", "groupId": None, **r}
        u.setdefault("deviceIds", [u["deviceId"]])
        u.setdefault("ips", [u["ip"]])
        full.append(u)
    write_avro(root / "crowd" / "users.avro", "CrowdAccount.avsc", full)


def write_parquet(path: Path, rows: list[dict], schema: pa.Schema) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


OPEN_SCHEMA = pa.schema([("eventId", pa.string()), ("token", pa.string()), ("userId", pa.string()), ("deviceId", pa.string()),
                         ("ip", pa.string()), ("clientVersion", pa.string()), ("edgeId", pa.int32()), ("shakeTimeMs", pa.int64()),
                         ("openTimeMs", pa.int64()), ("envelopeId", pa.int64()), ("amountFen", pa.int64()), ("batchId", pa.int32()),
                         ("keyId", pa.int32())])
CREDIT_SCHEMA = pa.schema([("creditId", pa.string()), ("envelopeId", pa.int64()), ("userId", pa.string()), ("amountFen", pa.int64()),
                           ("batchId", pa.int32()), ("sponsorId", pa.string()), ("envelopeAccount", pa.string()), ("channel", pa.string()),
                           ("openEventId", pa.string()), ("edgeId", pa.int32()), ("openTimeMs", pa.int64()), ("creditTimeMs", pa.int64())])
# Avro enums land in Parquet as binary: the reader must decode them.
REJECT_SCHEMA = pa.schema([("openEventId", pa.string()), ("reason", pa.binary()), ("detail", pa.string()), ("userId", pa.string()),
                           ("deviceId", pa.string()), ("ip", pa.string()), ("edgeId", pa.int32()), ("envelopeId", pa.int64()),
                           ("amountFen", pa.int64()), ("batchId", pa.int32()), ("keyId", pa.int32()), ("openTimeMs", pa.int64()),
                           ("rejectTimeMs", pa.int64())])


class RunBuilder:
    """Builds a run: ``shake``/``edge_open`` go to the gateway log, ``open``/``credit``/``reject`` to settlement."""

    def __init__(self, root: Path):
        self.root = root
        self.opens, self.credits, self.rejects, self.gateway = [], [], [], []
        self.registrations, self.sessions = [], []
        self.t = 1_000_000

    def _tick(self) -> int:
        self.t += 1000
        return self.t

    def at(self, ms: int) -> "RunBuilder":
        """The next row is logged at ``ms`` (plus the usual tick of 1 s)."""
        self.t = ms - 1000
        return self

    def register(self, user, seq, at_ms, device="d", ip="10.0.0.1", version="crowd-1"):
        self.registrations.append(dict(userId=user, registrationSeq=seq, registeredAtMs=at_ms, deviceId=device, ip=ip,
                                       clientVersion=version))

    def login(self, user, session, device="d", ip="10.0.0.1", at_ms=None):
        t = self.t if at_ms is None else at_ms
        self.sessions.append(dict(sessionHash=session, userId=user, deviceId=device, ip=ip, keyId=1, issuedAtMs=t,
                                  expiresAtMs=t + 3_600_000))

    STATUS = {"envelope": 200, "nothing": 200, "capped": 200, "opened": 200, "rejected": 403, "retry": 503,
              "slow_down": 429, "unauthenticated": 401, "bad_request": 400}

    def shake(self, user, edge=1, ip="10.0.0.1", result="envelope", token=None, has_state=True, device="", reason="",
              session="", took=0, ua=""):
        """A shake answered ``took`` ms after it came in (rows carry the answer time, as the gateway logs them)."""
        self.gateway.append(dict(timeMs=self._tick(), edgeId=edge, path="shake", userId=user, deviceId=device, clientIp=ip,
                                 hasState="true" if has_state else "false", tokenHash=token if result == "envelope" else "",
                                 httpStatus=self.STATUS[result], result=result, reason=reason, envelopeId="", amountFen="",
                                 sessionHash=session, durationMs=took, userAgent=ua))

    def edge_open(self, user, token, device="d", ip="10.0.0.1", edge=1, result="opened", reason="", envelope=None, fen=None,
                  session="", took=0):
        self.gateway.append(dict(timeMs=self._tick(), edgeId=edge, path="open", userId=user, deviceId=device, clientIp=ip, hasState="",
                                 tokenHash=token, httpStatus=self.STATUS[result], result=result, reason=reason,
                                 envelopeId="" if envelope is None else envelope, amountFen="" if fen is None else fen,
                                 sessionHash=session, durationMs=took))

    def open(self, event, user, envelope, fen=100, device="d", ip="127.0.0.1", edge=1):
        self.opens.append(dict(eventId=event, token="t", userId=user, deviceId=device, ip=ip, clientVersion="c", edgeId=edge,
                               shakeTimeMs=self.t, openTimeMs=self._tick(), envelopeId=envelope, amountFen=fen, batchId=1, keyId=1))

    def credit(self, event, user, envelope, fen=100):
        self.credits.append(dict(creditId=f"c-{envelope}", envelopeId=envelope, userId=user, amountFen=fen, batchId=1, sponsorId="s",
                                 envelopeAccount="a", channel="cash", openEventId=event, edgeId=1, openTimeMs=self.t, creditTimeMs=self._tick()))

    def reject(self, event, user, reason, envelope=None, device="d", ip="127.0.0.1"):
        self.rejects.append(dict(openEventId=event, reason=reason.encode(), detail="", userId=user, deviceId=device, ip=ip, edgeId=1,
                                 envelopeId=envelope, amountFen=None, batchId=None, keyId=None, openTimeMs=self.t, rejectTimeMs=self._tick()))

    def write(self, gateway=True) -> Path:
        s = self.root / "settlement"
        write_parquet(s / "opens" / "hour=2026-01-01-00" / "part-0.parquet", self.opens, OPEN_SCHEMA)
        write_parquet(s / "credits" / "hour=2026-01-01-00" / "part-0.parquet", self.credits, CREDIT_SCHEMA)
        write_parquet(s / "rejects" / "hour=2026-01-01-00" / "part-0.parquet", self.rejects, REJECT_SCHEMA)
        if self.registrations:
            write_avro(self.root / "identity" / "registrations.avro", "AccountRegistration.avsc", self.registrations)
        if self.sessions:
            write_avro(self.root / "identity" / "sessions.avro", "SessionIssued.avsc", self.sessions)
        if gateway:
            write_avro(self.root / "gateway" / "access-log.avro", "GatewayRequest.avsc", [self._gateway_record(r) for r in self.gateway])
        return self.root

    def write_csv_gateway_log(self) -> Path:
        """The gateway's log as runs made before issue 16 have it (CSV, empty text for missing values), instead of Avro."""
        (self.root / "gateway" / "access-log.avro").unlink(missing_ok=True)
        log = self.root / "gateway" / "access-log.csv"
        log.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(self.gateway, columns=list(GATEWAY_COLUMNS)).to_csv(log, index=False)
        return log

    @staticmethod
    def _gateway_record(row: dict) -> dict:
        """A row as the gateway writes it (GatewayRequest): missing values are null, not empty text."""
        r = {name: row.get(name, "") for name in GATEWAY_COLUMNS}
        r = {k: (None if v == "" else v) for k, v in r.items()}
        if r["hasState"] is not None:
            r["hasState"] = r["hasState"] == "true"
        return r


@pytest.fixture
def run(tmp_path):
    return RunBuilder(tmp_path / "run")
