"""The flagged-accounts table: every rule's signals combined, one row per account, with the credited fen finance
should hold, written back to the run as Parquet."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from redpacket_analysis import signals as sg
from redpacket_analysis.logs import RunLogs

FLAGGED_SCHEMA = pa.schema([
    ("userId", pa.string()),
    ("reasons", pa.list_(pa.string())),
    ("evidence", pa.string()),
    ("creditedEnvelopes", pa.int64()),
    ("holdFen", pa.int64()),
])


def all_signals(logs: RunLogs, ring_min_accounts: int = 3, hub_max_accounts: int = 200) -> pd.DataFrame:
    """Every rule's ``userId, reason, evidence`` rows, in the order the notebooks present them."""
    presenters, sources = sg.token_presented_by_other(logs)
    parts = [
        sg.ring_members(sg.account_links(logs), ring_min_accounts, hub_max_accounts),
        sg.cap_bypass(logs),
        sg.velocity_outliers(logs),
        sg.forged_at_edge(logs),
        sg.forged_in_settlement(logs),
        sg.replayed_own_token(logs),
        presenters,
        sources,
        sg.envelope_credited_to_other(logs),
        sg.injected_opens(logs),
        sg.expired_session_kept(logs),
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=sg.SIGNAL_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def credited_per_account(logs: RunLogs) -> pd.DataFrame:
    """``userId, creditedEnvelopes, holdFen`` from settlement's credits (integer fen)."""
    c = logs.credits
    return c.groupby("userId").agg(creditedEnvelopes=("envelopeId", "size"), holdFen=("amountFen", "sum")).reset_index()


def flagged_accounts(signals: pd.DataFrame, logs: RunLogs) -> pd.DataFrame:
    """One row per flagged account: its reasons (sorted), evidence, and the fen credited to it (to hold)."""
    if signals.empty:
        return pd.DataFrame({f.name: pd.Series(dtype="object") for f in FLAGGED_SCHEMA})
    grouped = signals.groupby("userId").agg(
        reasons=("reason", lambda r: sorted(set(r))),
        evidence=("evidence", lambda e: " | ".join(e)),
    ).reset_index()
    out = grouped.merge(credited_per_account(logs), on="userId", how="left")
    out["creditedEnvelopes"] = out["creditedEnvelopes"].fillna(0).astype("int64")
    out["holdFen"] = out["holdFen"].fillna(0).astype("int64")
    return out.sort_values(["holdFen", "userId"], ascending=[False, True]).reset_index(drop=True)


def write_flagged(flagged: pd.DataFrame, run: str | os.PathLike) -> Path:
    """Writes ``<run>/analysis/flagged_accounts.parquet`` atomically: a hidden temp file in the same folder,
    then a rename, so finance never reads half a file."""
    out_dir = Path(run) / "analysis"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "flagged_accounts.parquet"
    tmp = out_dir / f".flagged_accounts.parquet.{os.getpid()}.tmp"
    table = pa.Table.from_pandas(flagged[[f.name for f in FLAGGED_SCHEMA]], schema=FLAGGED_SCHEMA, preserve_index=False)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target
