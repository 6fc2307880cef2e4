"""Honest evaluation of the flagged accounts against the simulator's ground truth (measurement only; detection never
reads it): precision and recall overall and per fraud kind, the false-positive rate per honest population, and the
honest money held as a share of honest credits, in exact integer fen.

The detector learns nothing from labels (its thresholds come from each campaign's own distributions, its weights
from what each rule's evidence means), so there is nothing to fit and no leave-one-kind-out to do: every figure
here is out of sample, and the held-out scenario (other populations' sizes and fraud parameters, another seed)
is the test of whether it generalises.

Labels: every account of ``crowd/users.avro`` (``population`` when the scenario simulator wrote it, else its
``behaviour``), plus the fraudulent accounts :func:`redpacket_analysis.truth.fraud_accounts` adds (replayers'
accomplices, the insider's accounts). Operational accounts (the canary) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from redpacket_analysis import truth
from redpacket_analysis.signals import OPERATIONAL_ACCOUNTS

#: The floors of issue 17, on held-out behaviours.
PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.90
#: Honest money held at most this share of honest credits: numerator / denominator (exact, integer arithmetic).
HONEST_HELD_FLOOR = (5, 1000)


def labels(run: str | Path) -> pd.DataFrame:
    """``userId, fraud, group``: every account of the ground truth; ``group`` is the fraud kind for fraudulent
    accounts and the honest population for the others (see module doc)."""
    run = Path(run)
    users = truth.read_users(run)
    pop = users["population"].where(users["population"] != "", users["behaviour"])
    # A replayer's accomplice shares its replayer's population; reported apart (it is caught by other evidence).
    pop = pop.where(users["behaviour"] != truth.ACCOMPLICE, pop + " (accomplices)")
    base = pd.DataFrame({"userId": users["userId"], "fraud": users["fraud"], "group": pop})
    f = truth.fraud_accounts(run)
    extra = f[~f["userId"].isin(set(base["userId"]))]
    extra = pd.DataFrame({"userId": extra["userId"], "fraud": True, "group": extra["source"]})
    out = pd.concat([base, extra], ignore_index=True)
    # An account the truth counts as fraud (whatever the crowd's record says, e.g. an insider acting under a crowd id).
    out.loc[out["userId"].isin(set(f["userId"])), "fraud"] = True
    out = out[~out["userId"].isin(OPERATIONAL_ACCOUNTS)].drop_duplicates("userId").reset_index(drop=True)
    return out


def credited_fen(credits: pd.DataFrame) -> pd.Series:
    """Credited fen per account (integer)."""
    return credits.groupby("userId")["amountFen"].sum().astype("int64")


@dataclass(frozen=True)
class Evaluation:
    overall: truth.Score
    per_kind: pd.DataFrame          # group, accounts, flagged, recall, precisionVsHonest
    per_population: pd.DataFrame    # group, accounts, flagged, falsePositiveRate, creditedFen, heldFen
    honest_credited_fen: int
    honest_held_fen: int

    @property
    def honest_held_share(self) -> float:
        return self.honest_held_fen / self.honest_credited_fen if self.honest_credited_fen else 0.0

    def floor_problems(self, precision: float = PRECISION_FLOOR, recall: float = RECALL_FLOOR,
                       held: tuple[int, int] = HONEST_HELD_FLOOR) -> list[str]:
        problems = []
        if self.overall.precision < precision:
            problems.append(f"precision {self.overall.precision:.4f} < {precision}")
        if self.overall.recall < recall:
            problems.append(f"recall {self.overall.recall:.4f} < {recall}")
        num, den = held
        if self.honest_held_fen * den > self.honest_credited_fen * num:
            problems.append(f"honest money held {self.honest_held_fen:,} fen = {self.honest_held_share:.4%} of "
                            f"{self.honest_credited_fen:,} fen > {num / den:.2%}")
        return problems

    def lines(self) -> list[str]:
        """The figures as the build log echoes them (lines starting with ``precision `` are copied by run_notebooks)."""
        out = [f"{self.overall}",
               f"honest money held {self.honest_held_fen:,} fen of {self.honest_credited_fen:,} fen honest credits "
               f"({self.honest_held_share:.4%})"]
        for r in self.per_kind.itertuples(index=False):
            out.append(f"kind {r.group}: recall {r.recall:.4f} ({r.flagged}/{r.accounts}), precision vs honest "
                       f"{r.precisionVsHonest:.4f}")
        for r in self.per_population.itertuples(index=False):
            out.append(f"population {r.group}: false positives {r.flagged}/{r.accounts} "
                       f"({r.falsePositiveRate:.4f}), held {r.heldFen:,} of {r.creditedFen:,} fen")
        return out


def evaluate(flagged_ids, labelled: pd.DataFrame, credits: pd.DataFrame) -> Evaluation:
    """Scores the flagged accounts against ``labelled`` (:func:`labels`); money from settlement's ``credits``.

    Per kind, recall is that kind's flagged share; ``precisionVsHonest`` is the precision the detector would have on
    a campaign whose only fraud were that kind (its true positives against every honest account flagged), so a kind
    is not credited with the other kinds' hits. Per honest population: the false-positive rate, and the credited and
    held fen (a flagged account's credits are all held)."""
    flagged = set(flagged_ids)
    t = labelled.assign(flagged=labelled["userId"].isin(flagged))
    fen = credited_fen(credits)
    t = t.assign(creditedFen=t["userId"].map(fen).fillna(0).astype("int64"))
    t = t.assign(heldFen=t["creditedFen"].where(t["flagged"], 0).astype("int64"))
    fraud, honest = t[t["fraud"]], t[~t["fraud"]]
    # Flagged accounts unknown to the truth (none expected) count against precision, as false positives.
    unknown = flagged - set(t["userId"])
    fp = int(honest["flagged"].sum()) + len(unknown)
    overall = truth.Score(flagged=len(flagged), fraud=len(fraud), true_positives=int(fraud["flagged"].sum()))
    kind = fraud.groupby("group").agg(accounts=("userId", "size"), flagged=("flagged", "sum")).reset_index()
    kind["flagged"] = kind["flagged"].astype("int64")
    kind["recall"] = kind["flagged"] / kind["accounts"]
    kind["precisionVsHonest"] = (kind["flagged"] / (kind["flagged"] + fp)).where(kind["flagged"] + fp > 0, 1.0)
    pop = honest.groupby("group").agg(accounts=("userId", "size"), flagged=("flagged", "sum"),
                                      creditedFen=("creditedFen", "sum"), heldFen=("heldFen", "sum")).reset_index()
    pop["flagged"] = pop["flagged"].astype("int64")
    pop["falsePositiveRate"] = pop["flagged"] / pop["accounts"]
    return Evaluation(overall=overall, per_kind=kind, per_population=pop[["group", "accounts", "flagged", "falsePositiveRate",
                                                                          "creditedFen", "heldFen"]],
                      honest_credited_fen=int(honest["creditedFen"].sum()), honest_held_fen=int(honest["heldFen"].sum()))
