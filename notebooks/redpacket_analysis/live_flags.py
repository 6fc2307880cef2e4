"""Settlement's live fraud flags (``settlement/flags``, Avro LiveFlag in Parquet), confirmed or released by the analysis.

Settlement raises a flag as the opens arrive when one device carries more accounts than a shared phone within minutes
(``settlement-stream`` README, Live fraud flags). A flag holds nothing by itself: here each flagged account is
*confirmed* when the notebooks' own analysis flags it too, and *released* otherwise, with the money at stake. The
decisions are written as control commands (``analysis/review_decisions.parquet``: ``userId``, ``action``
RELEASE_ACCOUNT or CONFIRM_FRAUD, ``reasons``): settlement run with ``--hold-flagged`` pays or refuses the credits it
holds for an account when the command reaches it on the control topic (the dashboard's review switches publish them).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from redpacket_analysis.flags import write_analysis_table
from redpacket_analysis.logs import read_parquet_dir

FLAG_LOG = Path("settlement") / "flags"
FLAG_COLUMNS = {
    "flagId": "string", "kind": "string", "subject": "string", "accounts": "object", "newAccounts": "object",
    "windowMs": "Int64", "firstSeenMs": "Int64", "lastSeenMs": "Int64", "openedFen": "Int64",
}
REVIEW_COLUMNS = ["userId", "subject", "kind", "flaggedAtMs", "flagOpenedFen", "decision", "reasons"]
# A decision as the control command settlement applies (ControlCommand.avsc, ControlAction).
CONTROL_ACTIONS = {"confirmed": "CONFIRM_FRAUD", "released": "RELEASE_ACCOUNT"}
DECISIONS_SCHEMA = pa.schema([("userId", pa.string()), ("action", pa.string()), ("reasons", pa.string())])


def read_live_flags(run: str | Path) -> pd.DataFrame:
    """Every flag of the run, once each (the topic is at least once; so may the log be after a restore), oldest first."""
    df = read_parquet_dir(Path(run) / FLAG_LOG, FLAG_COLUMNS)
    for c in ("accounts", "newAccounts"):
        df[c] = df[c].map(lambda v: [] if v is None else [str(a) for a in v])
    return df.drop_duplicates("flagId").sort_values(["lastSeenMs", "flagId"]).reset_index(drop=True)


def flagged_live(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per account a flag named: the first flag that named it (``userId, subject, kind, flaggedAtMs, flagOpenedFen``).

    ``flagOpenedFen`` is the money at stake on that device when the account was first named (integer fen).
    """
    if flags.empty:
        return pd.DataFrame(columns=["userId", "subject", "kind", "flaggedAtMs", "flagOpenedFen"])
    named = flags[["subject", "kind", "lastSeenMs", "openedFen", "newAccounts"]].explode("newAccounts").dropna(subset=["newAccounts"])
    named = named.rename(columns={"newAccounts": "userId", "lastSeenMs": "flaggedAtMs", "openedFen": "flagOpenedFen"})
    named = named.sort_values("flaggedAtMs").drop_duplicates("userId")
    out = named[["userId", "subject", "kind", "flaggedAtMs", "flagOpenedFen"]].reset_index(drop=True)
    out["flaggedAtMs"] = out["flaggedAtMs"].astype("int64")
    out["flagOpenedFen"] = out["flagOpenedFen"].astype("int64")
    return out


def review_live_flags(flags: pd.DataFrame, analysis_flagged: pd.DataFrame) -> pd.DataFrame:
    """Each live-flagged account, ``confirmed`` when the analysis flags it as well (with its reasons) or ``released``.

    ``analysis_flagged`` is the analysis' flagged accounts, one row per account with ``userId`` and optionally ``reasons``.
    """
    live = flagged_live(flags)
    if live.empty:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    reasons = analysis_flagged.drop_duplicates("userId").set_index("userId")
    has_reasons = "reasons" in reasons.columns
    live["decision"] = live["userId"].map(lambda u: "confirmed" if u in reasons.index else "released")
    live["reasons"] = live["userId"].map(lambda u: _text(reasons.at[u, "reasons"]) if has_reasons and u in reasons.index else "")
    return live[REVIEW_COLUMNS]


def _text(reasons) -> str:
    """The analysis' reasons as one line: a list of reasons (``flags.flagged_accounts``) or a text already."""
    if isinstance(reasons, str):
        return reasons
    return " + ".join(str(r) for r in reasons)


def control_decisions(review: pd.DataFrame) -> pd.DataFrame:
    """One control command per reviewed account (``userId, action, reasons``), in the order the flags named them."""
    out = pd.DataFrame({"userId": review["userId"].astype(str), "action": review["decision"].map(CONTROL_ACTIONS),
                        "reasons": review["reasons"].astype(str)})
    unknown = out[out["action"].isna()]
    if len(unknown):
        raise ValueError(f"review decision of {unknown['userId'].iloc[0]}: not one of {sorted(CONTROL_ACTIONS)}")
    return out.reset_index(drop=True)


def write_control_decisions(review: pd.DataFrame, run: str | Path) -> Path:
    """Writes ``<run>/analysis/review_decisions.parquet`` atomically (see the module's doc for who applies it)."""
    table = pa.Table.from_pandas(control_decisions(review), schema=DECISIONS_SCHEMA, preserve_index=False)
    return write_analysis_table(table, run, "review_decisions.parquet")
