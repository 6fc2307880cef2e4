"""Reading a campaign run's logs: settlement's Parquet (opens, credits, rejects) and the edge gateway's access log.

Layout of a run directory (written by ``bin/redpacket campaign``)::

    settlement/{opens,credits,rejects}/hour=YYYY-MM-DD-HH/*.parquet   Avro OpenEvent, CreditInstruction, RejectedOpen
    gateway/access-log.avro                                            one row per shake and open the edges answered
                                                                       (GatewayRequest; runs before issue 16: access-log.csv)
    identity/{registrations,sessions}.avro                            the identity service's accounts and logins (Avro
                                                                       AccountRegistration, SessionIssued; read with fastavro)

Files or folders whose names start with ``.`` or ``_`` are in progress (Flink's part files, checkpoints,
the gateway's unpublished log) and are never read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import fastavro
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ENV_VAR = "REDPACKET_RUN"

OPEN_COLUMNS = {
    "eventId": "string", "token": "string", "userId": "string", "deviceId": "string", "ip": "string",
    "clientVersion": "string", "edgeId": "Int64", "shakeTimeMs": "Int64", "openTimeMs": "Int64",
    "envelopeId": "Int64", "amountFen": "Int64", "batchId": "Int64", "keyId": "Int64",
}
CREDIT_COLUMNS = {
    "creditId": "string", "envelopeId": "Int64", "userId": "string", "amountFen": "Int64", "batchId": "Int64",
    "sponsorId": "string", "envelopeAccount": "string", "channel": "string", "openEventId": "string",
    "edgeId": "Int64", "openTimeMs": "Int64", "creditTimeMs": "Int64",
}
REJECT_COLUMNS = {
    "openEventId": "string", "reason": "string", "detail": "string", "userId": "string", "deviceId": "string",
    "ip": "string", "edgeId": "Int64", "envelopeId": "Int64", "amountFen": "Int64", "batchId": "Int64",
    "keyId": "Int64", "openTimeMs": "Int64", "rejectTimeMs": "Int64",
}
GATEWAY_COLUMNS = {
    "timeMs": "Int64", "edgeId": "Int64", "path": "string", "userId": "string", "deviceId": "string",
    "clientIp": "string", "hasState": "string", "tokenHash": "string", "httpStatus": "Int64", "result": "string",
    "reason": "string", "envelopeId": "Int64", "amountFen": "Int64", "sessionHash": "string", "durationMs": "Int64",
    # Logged since the scenario simulator (issue 17); older logs lack it and read it as missing.
    "userAgent": "string",
}
REGISTRATION_COLUMNS = {
    "userId": "string", "registrationSeq": "Int64", "registeredAtMs": "Int64", "deviceId": "string", "ip": "string",
    "clientVersion": "string",
}
SESSION_COLUMNS = {
    "sessionHash": "string", "userId": "string", "deviceId": "string", "ip": "string", "keyId": "Int64",
    "issuedAtMs": "Int64", "expiresAtMs": "Int64",
}
#: Answers an edge gives only once it has verified the session credential: the account in such a row is the one the
#: session key vouches for. The gateway reads the account from the credential's clear part, which anyone can write;
#: a 401 (forged, malformed, expired, other device), a 400 or the per-address limit (checked first) name an account
#: nobody verified. Per-user limits come after the check.
SESSION_CHECKED_RESULTS = frozenset({"envelope", "nothing", "capped", "slow_down", "opened", "rejected", "retry"})
#: The edge's per-address limit (io.redpacket.edge.http.EdgeHandler), answered before the session is looked at.
ADDRESS_LIMITED = "too many requests from this address"
#: Session refusals after the signature checked out: the account is genuine, its presentation was refused.
AUTHENTIC_SESSION_REFUSALS = frozenset({"EXPIRED", "NOT_YET_VALID", "DEVICE_MISMATCH"})
#: The gateway's access log (GatewayRequest records, schemas/src/main/resources/avro/GatewayRequest.avsc).
GATEWAY_LOG = Path("gateway") / "access-log.avro"
#: What runs made before issue 16 have instead: the same columns as CSV.
GATEWAY_CSV_LOG = Path("gateway") / "access-log.csv"
REGISTRATIONS = Path("identity") / "registrations.avro"
SESSIONS = Path("identity") / "sessions.avro"


def run_dir_from_env(default: str | os.PathLike | None = None) -> Path:
    """The run directory: ``$REDPACKET_RUN``, else ``default``; fails with a clear message if neither exists."""
    value = os.environ.get(ENV_VAR) or (str(default) if default else None)
    if not value:
        raise RuntimeError(f"set {ENV_VAR} to a campaign run directory (bin/redpacket campaign --work DIR)")
    run = Path(value).expanduser().resolve()
    if not (run / "settlement").is_dir():
        raise FileNotFoundError(f"{run}: not a campaign run (no settlement/ folder)")
    return run


def _in_progress(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


def parquet_files(root: Path) -> list[Path]:
    """Every finished Parquet file under ``root``, skipping in-progress names (``.x``, ``_x``) at any depth."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*.parquet") if p.is_file() and not _in_progress(p, root))


def _typed(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for name, dtype in columns.items():
        if name not in df.columns:
            out[name] = pd.Series(pd.NA, index=df.index, dtype=dtype)
            continue
        col = df[name]
        if dtype == "string":
            # Avro enums are stored as binary in the Parquet files: decode them.
            col = col.map(lambda v: v.decode("utf-8") if isinstance(v, (bytes, bytearray)) else v)
        out[name] = col.astype(dtype)
    return out.reset_index(drop=True)


def read_parquet_dir(root: Path, columns: dict[str, str]) -> pd.DataFrame:
    """All finished Parquet files under ``root`` as one typed frame (empty, with the columns, if none)."""
    files = parquet_files(root)
    if not files:
        return _typed(pd.DataFrame(columns=list(columns)), columns)
    tables = [pq.read_table(f) for f in files]
    table = pa.concat_tables(tables, promote_options="permissive")
    return _typed(table.to_pandas(), columns)


def read_gateway_log(run: Path) -> pd.DataFrame | None:
    """The gateway's access log of a run (Avro; the CSV of runs made before issue 16), or None if the run has none
    (runs made before the gateway existed)."""
    avro, csv = run / GATEWAY_LOG, run / GATEWAY_CSV_LOG
    if avro.is_file():
        with avro.open("rb") as f:
            df = pd.DataFrame.from_records(list(fastavro.reader(f)), columns=list(GATEWAY_COLUMNS))
        has_state = df["hasState"]  # a boolean, null for opens
    elif csv.is_file():
        df = pd.read_csv(csv, dtype=str, keep_default_na=False, na_values=[""])
        has_state = df["hasState"].map({"true": True, "false": False})
    else:
        return None
    df = _typed(df, GATEWAY_COLUMNS)
    df["hasState"] = has_state.astype("boolean").reset_index(drop=True)
    # timeMs is when the answer went back; the request came in durationMs earlier (logs without it: unknown, 0).
    df["receivedMs"] = df["timeMs"] - df["durationMs"].fillna(0)
    df["sessionChecked"] = (df["result"].isin(SESSION_CHECKED_RESULTS) & (df["reason"] != ADDRESS_LIMITED).fillna(True)).astype(bool)
    return df


def read_avro(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    """An Avro container file as a typed frame; empty, with the columns, if the run has no such file (runs made
    before the identity service logged it)."""
    if not path.is_file():
        return _typed(pd.DataFrame(columns=list(columns)), columns)
    with path.open("rb") as f:
        rows = list(fastavro.reader(f))
    return _typed(pd.DataFrame.from_records(rows, columns=list(columns)), columns)


def _empty_gateway() -> pd.DataFrame:
    df = _typed(pd.DataFrame(columns=list(GATEWAY_COLUMNS)), GATEWAY_COLUMNS)
    return df.assign(receivedMs=pd.Series(dtype="Int64"), sessionChecked=pd.Series(dtype=bool))


@dataclass(frozen=True)
class RunLogs:
    """What a run logged: settlement's opens, credits and rejects, the gateway's access log (or None), and the
    identity service's registrations and logins (empty frames when the run has none)."""

    run: Path
    opens: pd.DataFrame
    credits: pd.DataFrame
    rejects: pd.DataFrame
    gateway: pd.DataFrame | None
    registrations: pd.DataFrame = None  # type: ignore[assignment]
    sessions: pd.DataFrame = None  # type: ignore[assignment]

    def __post_init__(self):
        # Frames built by hand (tests, older callers) may leave the identity logs out: empty, typed.
        if self.registrations is None:
            object.__setattr__(self, "registrations", _typed(pd.DataFrame(columns=list(REGISTRATION_COLUMNS)), REGISTRATION_COLUMNS))
        if self.sessions is None:
            object.__setattr__(self, "sessions", _typed(pd.DataFrame(columns=list(SESSION_COLUMNS)), SESSION_COLUMNS))

    @property
    def checked(self) -> pd.DataFrame:
        """Gateway rows the edge answered after verifying the session: the account is the session's, vouched for by
        the session key (empty if no gateway log). What the per-account rules read."""
        if self.gateway is None:
            return _empty_gateway()
        return self.gateway[self.gateway["sessionChecked"]]

    @property
    def shakes(self) -> pd.DataFrame:
        """Gateway rows of shakes past the session check (empty if no gateway log)."""
        c = self.checked
        return c[c["path"] == "shake"]

    @property
    def edge_opens(self) -> pd.DataFrame:
        """Gateway rows of opens past the session check, whatever the edge answered then (empty if no gateway log)."""
        c = self.checked
        return c[c["path"] == "open"]

    @property
    def session_refusals(self) -> pd.DataFrame:
        """Gateway rows the edge answered 401: the session was missing, forged, expired or presented from another
        device; ``reason`` says which (empty if no gateway log)."""
        if self.gateway is None:
            return _empty_gateway()
        return self.gateway[self.gateway["result"] == "unauthenticated"]


def load_run(run: str | os.PathLike) -> RunLogs:
    """Loads a run's logs. Credits are deduplicated by creditId (a payment back end dedupes on it too)."""
    run = Path(run)
    settlement = run / "settlement"
    credits = read_parquet_dir(settlement / "credits", CREDIT_COLUMNS).drop_duplicates("creditId", ignore_index=True)
    return RunLogs(
        run=run,
        opens=read_parquet_dir(settlement / "opens", OPEN_COLUMNS),
        credits=credits,
        rejects=read_parquet_dir(settlement / "rejects", REJECT_COLUMNS),
        gateway=read_gateway_log(run),
        registrations=read_avro(run / REGISTRATIONS, REGISTRATION_COLUMNS).sort_values("registrationSeq", ignore_index=True),
        sessions=read_avro(run / SESSIONS, SESSION_COLUMNS),
    )
