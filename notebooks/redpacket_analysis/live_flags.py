"""Settlement's live fraud flags (``settlement/flags``, Avro LiveFlag in Parquet), confirmed or released by the analysis.

Settlement raises a flag as the opens arrive when one device carries more accounts than a shared phone within minutes
(``settlement-stream`` README, Live fraud flags). A flag holds nothing by itself: here each flagged account is
*confirmed* when the notebooks' own analysis flags it too, and *released* otherwise, with the money at stake. The
decisions are written as the control commands settlement applies (``analysis/review_decisions.avro``: an Avro file of
``ControlCommand`` records, the contract in ``schemas/``, action RELEASE_ACCOUNT or CONFIRM_FRAUD with ``userId``);
``bin/redpacket review`` publishes them on the control topic, where settlement run with ``--hold-flagged`` pays or
refuses the credits it holds for each account.
"""

from __future__ import annotations

from pathlib import Path

import json
import time

import fastavro
import pandas as pd

from redpacket_analysis.flags import write_analysis_file
from redpacket_analysis.logs import read_parquet_dir

FLAG_LOG = Path("settlement") / "flags"
FLAG_COLUMNS = {
    "flagId": "string", "kind": "string", "subject": "string", "accounts": "object", "newAccounts": "object",
    "windowMs": "Int64", "firstSeenMs": "Int64", "lastSeenMs": "Int64", "openedFen": "Int64",
}
REVIEW_COLUMNS = ["userId", "subject", "kind", "flaggedAtMs", "flagOpenedFen", "decision", "reasons"]
# A decision as the control command settlement applies (ControlCommand.avsc, ControlAction).
CONTROL_ACTIONS = {"confirmed": "CONFIRM_FRAUD", "released": "RELEASE_ACCOUNT"}
CONTROL_COMMAND_SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "src" / "main" / "resources" / "avro" / "ControlCommand.avsc"
DECISIONS_FILE = Path("analysis") / "review_decisions.avro"


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


def held_by_decision(review: pd.DataFrame, pending: pd.DataFrame) -> pd.DataFrame:
    """Per decision, the reviewed accounts and the fen settlement still holds for them (``pending``: ``userId,
    pendingFen``, opens neither credited nor rejected, which is where ``--hold-flagged`` keeps a flagged account's
    credits): the money each kind of decision will pay out or refund when it is published."""
    held = review[["userId", "decision"]].merge(pending, on="userId", how="left")
    held["pendingFen"] = held["pendingFen"].fillna(0).astype("int64")
    out = held.groupby("decision").agg(accounts=("userId", "size"), heldAccounts=("pendingFen", lambda f: int((f > 0).sum())),
                                       heldFen=("pendingFen", "sum"))
    return out.astype("int64")


def _text(reasons) -> str:
    """The analysis' reasons as one line: a list of reasons (``flags.flagged_accounts``) or a text already."""
    if isinstance(reasons, str):
        return reasons
    return " + ".join(str(r) for r in reasons)


def control_decisions(review: pd.DataFrame, issued_at_ms: int | None = None) -> list[dict]:
    """One ControlCommand per reviewed account, in the order the flags named them. The command id names the account
    and the decision, so publishing the same decisions twice is recognisable (settlement applies a repeat as a no-op)."""
    issued = int(time.time() * 1000) if issued_at_ms is None else issued_at_ms
    out = []
    for user, decision in zip(review["userId"].astype(str), review["decision"]):
        action = CONTROL_ACTIONS.get(decision)
        if action is None:
            raise ValueError(f"review decision of {user}: {decision!r} is not one of {sorted(CONTROL_ACTIONS)}")
        out.append({"commandId": f"review:{user}:{action}", "issuedAtMs": issued, "operator": "notebooks", "action": action,
                    "keyId": None, "channel": None, "edgeId": None, "value": None, "userId": user})
    return out


def write_control_decisions(review: pd.DataFrame, run: str | Path) -> Path:
    """Writes ``<run>/analysis/review_decisions.avro`` (a hidden temp file, then a rename): ControlCommand records with
    the schema of ``schemas/``, for ``bin/redpacket review`` to publish."""
    schema = fastavro.parse_schema(json.loads(CONTROL_COMMAND_SCHEMA.read_text()))
    commands = control_decisions(review)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            fastavro.writer(f, schema, commands)

    return write_analysis_file(run, DECISIONS_FILE.name, write)
