"""The simulator's ground truth, read only to *measure* the flagged accounts, never to detect.

What counts as a fraudulent account:

* every crowd user marked ``fraud`` in ``crowd/users.avro`` (device farms, replayers, forgers, cap
  bypassers), whether or not it managed to do anything detectable;
* the accomplice accounts of the replayers: accounts of their own in ``users.avro`` (behaviour ``REPLAY_ACCOMPLICE``) since
  the scenario simulator; before it, the simulator presented a replayer's token under ``<replayer>-accomplice``, one
  for every ``stolen-open`` row of ``crowd/actions.csv``;
* the insider's accounts (``insider.avro``, ``InsiderOpen`` records), except for ``REPLAY_SAME_USER``: those replay a genuine user's own
  credited open under that user's id, so the account is the victim, not the fraudster.

Operational accounts (the campaign's canary) are neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import fastavro
import pandas as pd

VICTIM_KINDS = frozenset({"REPLAY_SAME_USER"})
#: The behaviour the ground truth gives a replayer's accomplice account (scenario simulator).
ACCOMPLICE = "REPLAY_ACCOMPLICE"


USERS_FILE = Path("crowd") / "users.avro"
INSIDER_FILE = Path("insider.avro")


def read_users(run: str | Path) -> pd.DataFrame:
    """The crowd's accounts (``crowd/users.avro``, ``CrowdAccount`` records of ``schemas/``): ``userId, behaviour,
    fraud`` (bool), ``deviceId, ip, homeEdge, population, groupId`` (empty if none), ``deviceIds, ips`` (lists)."""
    with open(Path(run) / USERS_FILE, "rb") as f:
        users = pd.DataFrame.from_records(list(fastavro.reader(f)),
                                          columns=["userId", "behaviour", "fraud", "deviceId", "ip", "homeEdge", "population", "groupId",
                                                   "deviceIds", "ips"])
    users["groupId"] = users["groupId"].fillna("")
    users["fraud"] = users["fraud"].astype(bool)
    return users


def fraud_accounts(run: str | Path) -> pd.DataFrame:
    """``userId, source`` of every fraudulent account in the run's ground truth (see module doc)."""
    run = Path(run)
    users = read_users(run)
    fraud = users[users["fraud"]][["userId", "behaviour"]].rename(columns={"behaviour": "source"})
    parts = [fraud]
    actions = run / "crowd" / "actions.csv"
    # Since the scenario simulator, the ground truth has the accomplices' own accounts (behaviour REPLAY_ACCOMPLICE, their own ids);
    # before, their ids were the replayer's with "-accomplice" and only actions.csv showed them.
    if actions.is_file() and not (users["behaviour"] == ACCOMPLICE).any():
        a = pd.read_csv(actions, dtype=str, usecols=["userId", "action"])
        acc = a.loc[a["action"] == "stolen-open", "userId"].drop_duplicates() + "-accomplice"
        parts.append(pd.DataFrame({"userId": acc, "source": "REPLAY_ACCOMPLICE"}))
    insider = run / INSIDER_FILE
    if insider.is_file():
        with open(insider, "rb") as f:
            i = pd.DataFrame.from_records(list(fastavro.reader(f)), columns=["eventId", "kind", "envelopeId", "userId"])
        i = i[~i["kind"].isin(VICTIM_KINDS)]
        parts.append(pd.DataFrame({"userId": i["userId"], "source": "INSIDER_" + i["kind"]}))
    out = pd.concat(parts, ignore_index=True)
    return out.drop_duplicates("userId").reset_index(drop=True)


#: Per crowd behaviour, the simulator's actions (``crowd/actions.csv``) that are the fraud itself; an account of that
#: kind with none of them made only requests an honest client makes (e.g. a forger capped before its first forgery,
#: or cut off by the end of the show on a loaded machine). SHARED_DEVICE: any request (the shared device is the fraud).
FRAUD_ACTIONS = {
    "FORGE": {"forged-open"},
    "REPLAY": {"replay-open", "stolen-open"},
    "STOLEN_SESSION": {"hijack-shake", "hijack-open"},
}


def acted(run: str | Path, truth: pd.DataFrame) -> pd.Series:
    """Measurement only, to explain misses (the floors count every fraudulent account): for each row of ``truth``,
    whether the ground truth shows the account doing its fraud at least once. CAP_BYPASS: a shake after its first
    win (it never sends the state blob); SHARED_DEVICE and EXPIRED_SESSION: any shake or open; accomplices and
    insider accounts: always (their rows exist because of the fraudulent open)."""
    actions = Path(run) / "crowd" / "actions.csv"
    cols = ["timeMs", "userId", "action", "result"]
    a = pd.read_csv(actions, dtype={"userId": str, "action": str, "result": str}, usecols=cols) if actions.is_file() \
        else pd.DataFrame(columns=cols)
    done = {kind: set(a.loc[a["action"].isin(names), "userId"]) for kind, names in FRAUD_ACTIONS.items()}
    requested = set(a.loc[a["action"].isin({"shake", "open"}), "userId"])
    shakes = a[a["action"] == "shake"]
    first_win = shakes[shakes["result"] == "envelope"].groupby("userId")["timeMs"].min().rename("firstWin")
    after = shakes.join(first_win, on="userId")
    done["CAP_BYPASS"] = set(after.loc[after["timeMs"] > after["firstWin"], "userId"])
    done["SHARED_DEVICE"] = done["EXPIRED_SESSION"] = requested
    return pd.Series([u in done[k] if k in done else True for u, k in zip(truth["userId"], truth["source"])],
                     index=truth.index, dtype=bool)


@dataclass(frozen=True)
class Score:
    flagged: int
    fraud: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.fraud if self.fraud else 0.0

    def __str__(self) -> str:
        return (f"precision {self.precision:.4f} ({self.true_positives}/{self.flagged} flagged are fraud), "
                f"recall {self.recall:.4f} ({self.true_positives}/{self.fraud} fraudulent accounts flagged)")


def score(flagged_ids, truth: pd.DataFrame) -> Score:
    flagged = set(flagged_ids)
    fraud = set(truth["userId"])
    return Score(len(flagged), len(fraud), len(flagged & fraud))


def recall_by_source(flagged_ids, truth: pd.DataFrame) -> pd.DataFrame:
    """Recall per kind of fraud (crowd behaviour, accomplice, insider kind)."""
    t = truth.assign(flagged=truth["userId"].isin(set(flagged_ids)))
    return t.groupby("source").agg(accounts=("userId", "size"), flagged=("flagged", "sum")) \
        .assign(recall=lambda d: d["flagged"] / d["accounts"]).reset_index()


def recall_by_source_acted(flagged_ids, truth: pd.DataFrame, did_act: pd.Series) -> pd.DataFrame:
    """Recall per kind of fraud, and over the accounts of that kind that did their fraud at least once
    (:func:`acted`): what is left between the two is fraud that never happened, which no log can show."""
    t = truth.assign(flagged=truth["userId"].isin(set(flagged_ids)), acted=did_act.to_numpy())
    t = t.assign(flaggedActed=t["flagged"] & t["acted"])
    out = t.groupby("source").agg(accounts=("userId", "size"), flagged=("flagged", "sum"), acted=("acted", "sum"),
                                  flaggedActed=("flaggedActed", "sum")).reset_index()
    return out.assign(recall=out["flagged"] / out["accounts"], recallActed=out["flaggedActed"] / out["acted"].where(out["acted"] > 0))


class FloorMissed(AssertionError):
    """A measured floor was missed: the notebook fails, and so does CI."""


def assert_floors(s: Score, precision: float = 0.95, recall: float = 0.90) -> None:
    problems = []
    if s.precision < precision:
        problems.append(f"precision {s.precision:.4f} < floor {precision}")
    if s.recall < recall:
        problems.append(f"recall {s.recall:.4f} < floor {recall}")
    if problems:
        raise FloorMissed("; ".join(problems) + f" ({s})")
