"""Every rule's signals combined into a score per account with its reasons, the flagged accounts (score at or above
:data:`FLAG_SCORE`) with the fen finance should hold, a review queue ordered by money at stake, written back to the
run as Parquet.

The weights are set by what each rule's evidence means, not fitted to any ground truth: a rule whose evidence no
honest client can produce (a forged token, a replay, a device handed along a chain of accounts) weighs a full
:data:`FLAG_SCORE` on its own; a rule that only says something is unusual weighs less and flags only with another."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from redpacket_analysis import signals as sg
from redpacket_analysis.logs import RunLogs

FLAGGED_SCHEMA = pa.schema([
    ("userId", pa.string()),
    ("reasons", pa.list_(pa.string())),
    ("evidence", pa.string()),
    ("score", pa.float64()),
    ("creditedEnvelopes", pa.int64()),
    ("holdFen", pa.int64()),
    ("pendingFen", pa.int64()),
    ("atStakeFen", pa.int64()),
])

#: Score at which an account is flagged and its credits held.
FLAG_SCORE = 1.0
#: Weight of each reason; a reason not listed weighs :data:`FLAG_SCORE`.
REASON_WEIGHTS: dict[str, float] = {
    # Shown for review, not scored: its Rayleigh test treats requests as independent, and they are not (an account's
    # next shake waits on the edge's answer to the last, and the countdown lines up everyone's first shakes). The CI
    # campaign of 2026-11-27 flagged a family of 6 with it (p 1.7e-05 against 2.2e-05), and no fraudulent account on
    # any run measured depended on it (notebooks/README.md, "Measured").
    "requests on a script's clock behind an address": 0.0,
}


def all_signals(logs: RunLogs) -> pd.DataFrame:
    """Every rule's ``userId, reason, evidence`` rows, in the order the notebooks present them."""
    presenters, sources = sg.token_presented_by_other(logs)
    # The rules that judge an account by its own behaviour read its own requests only: not those a thief made with its
    # session (the token, forgery and injection rules read everything: they follow tokens and envelopes, not people).
    own = sg.without_stolen_requests(logs)
    parts = [
        sg.device_farms(own),
        sg.device_relays(own),
        sg.proxy_rotation(own),
        sg.registration_bursts(own),
        sg.scripted_agents(own),
        sg.scripted_timing(own),
        sg.cap_bypass(own),
        sg.velocity_outliers(own),
        sg.forged_at_edge(logs),
        sg.forged_in_settlement(logs),
        sg.replayed_own_token(logs),
        presenters,
        sources,
        sg.envelope_credited_to_other(logs),
        sg.injected_opens(logs),
        sg.expired_session_kept(logs),
        sg.session_thieves(logs),
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=sg.SIGNAL_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def credited_per_account(logs: RunLogs) -> pd.DataFrame:
    """``userId, creditedEnvelopes, holdFen`` from settlement's credits (integer fen)."""
    c = logs.credits
    return c.groupby("userId").agg(creditedEnvelopes=("envelopeId", "size"), holdFen=("amountFen", "sum")).reset_index()


def pending_per_account(logs: RunLogs) -> pd.DataFrame:
    """``userId, pendingFen``: opens settlement logged that are neither credited nor rejected yet (money that will
    move unless held), each envelope once (integer fen)."""
    o = logs.opens.dropna(subset=["envelopeId", "amountFen"]).drop_duplicates(["userId", "envelopeId"])
    done = set(logs.credits["envelopeId"].dropna()) | set(logs.rejects["openEventId"].dropna())
    o = o[~o["envelopeId"].isin(done) & ~o["eventId"].isin(done)]
    return o.groupby("userId").agg(pendingFen=("amountFen", "sum")).reset_index()


def scores(signals: pd.DataFrame, logs: RunLogs) -> pd.DataFrame:
    """One row per account with any signal: reasons (sorted), evidence, score (sum of the weights of its distinct
    reasons), credited envelopes and fen (``holdFen``), pending fen, and ``atStakeFen`` = held + pending (integer fen)."""
    if signals.empty:
        return pd.DataFrame({f.name: pd.Series(dtype="object") for f in FLAGGED_SCHEMA})
    grouped = signals.groupby("userId").agg(
        reasons=("reason", lambda r: sorted(set(r))),
        evidence=("evidence", lambda e: " | ".join(e)),
    ).reset_index()
    grouped["score"] = grouped["reasons"].map(lambda rs: float(sum(REASON_WEIGHTS.get(r, FLAG_SCORE) for r in rs)))
    out = grouped.merge(credited_per_account(logs), on="userId", how="left").merge(pending_per_account(logs), on="userId", how="left")
    for c in ("creditedEnvelopes", "holdFen", "pendingFen"):
        out[c] = out[c].fillna(0).astype("int64")
    out["atStakeFen"] = out["holdFen"] + out["pendingFen"]
    return out[[f.name for f in FLAGGED_SCHEMA]]


def flagged_accounts(signals: pd.DataFrame, logs: RunLogs) -> pd.DataFrame:
    """The accounts whose score reaches :data:`FLAG_SCORE`, as the review queue: most money at stake first, then the
    highest score (reviewers clear the largest amounts first; every row is held until cleared)."""
    s = scores(signals, logs)
    if s.empty:
        return s
    f = s[s["score"] >= FLAG_SCORE]
    return f.sort_values(["atStakeFen", "score", "userId"], ascending=[False, False, True]).reset_index(drop=True)


def review_queue(flagged: pd.DataFrame) -> pd.DataFrame:
    """The flagged accounts in review order with their rank and the cumulative fen at stake (integer fen): how much
    money the first N reviews settle."""
    q = flagged.sort_values(["atStakeFen", "score", "userId"], ascending=[False, False, True]).reset_index(drop=True)
    return q.assign(rank=range(1, len(q) + 1), cumulativeFen=q["atStakeFen"].cumsum().astype("int64"))


def write_flagged(flagged: pd.DataFrame, run: str | os.PathLike) -> Path:
    """Writes ``<run>/analysis/flagged_accounts.parquet`` atomically, so finance never reads half a file."""
    table = pa.Table.from_pandas(flagged[[f.name for f in FLAGGED_SCHEMA]], schema=FLAGGED_SCHEMA, preserve_index=False)
    return write_analysis_file(run, "flagged_accounts.parquet", lambda tmp: pq.write_table(table, tmp))


def write_analysis_file(run: str | os.PathLike, name: str, write: Callable[[Path], None]) -> Path:
    """Publishes ``<run>/analysis/<name>``: ``write`` fills a hidden temp file in the same folder, then a rename; a
    failed write leaves nothing behind."""
    out_dir = Path(run) / "analysis"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / name
    tmp = out_dir / f".{name}.{os.getpid()}.tmp"
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target
