"""Reading a campaign run's logs: settlement's Parquet (opens, credits, rejects) and the edge gateway's access log.

Layout of a run directory (written by ``bin/redpacket campaign``)::

    settlement/{opens,credits,rejects}/hour=YYYY-MM-DD-HH/*.parquet   Avro OpenEvent, CreditInstruction, RejectedOpen
    gateway/access-log.csv                                             one row per shake and open the edges answered

Files or folders whose names start with ``.`` or ``_`` are in progress (Flink's part files, checkpoints,
the gateway's unpublished log) and are never read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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
    "reason": "string", "envelopeId": "Int64", "amountFen": "Int64",
}
GATEWAY_LOG = Path("gateway") / "access-log.csv"


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


def read_gateway_log(path: Path) -> pd.DataFrame | None:
    """The gateway's access log, or None if the run has none (runs made before the gateway existed)."""
    if not path.is_file():
        return None
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    df = _typed(df, GATEWAY_COLUMNS)
    df["hasState"] = df["hasState"].map({"true": True, "false": False}).astype("boolean")
    return df


@dataclass(frozen=True)
class RunLogs:
    """What a run logged: settlement's opens, credits and rejects, and the gateway's access log (or None)."""

    run: Path
    opens: pd.DataFrame
    credits: pd.DataFrame
    rejects: pd.DataFrame
    gateway: pd.DataFrame | None

    @property
    def shakes(self) -> pd.DataFrame:
        """Gateway rows of shakes (empty if no gateway log)."""
        if self.gateway is None:
            return _typed(pd.DataFrame(columns=list(GATEWAY_COLUMNS)), GATEWAY_COLUMNS)
        return self.gateway[self.gateway["path"] == "shake"]

    @property
    def edge_opens(self) -> pd.DataFrame:
        """Gateway rows of opens, whatever the edge answered (empty if no gateway log)."""
        if self.gateway is None:
            return _typed(pd.DataFrame(columns=list(GATEWAY_COLUMNS)), GATEWAY_COLUMNS)
        return self.gateway[self.gateway["path"] == "open"]


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
        gateway=read_gateway_log(run / GATEWAY_LOG),
    )
