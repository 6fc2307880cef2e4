"""The evaluation's arithmetic (per kind, per honest population, honest money held in exact fen) and the score and
review queue of the flagged accounts."""

from pathlib import Path

import pandas as pd
import pytest

from conftest import write_users
from redpacket_analysis import evaluation, flags, load_run


def write_truth(root: Path, with_population=True) -> None:
    (root / "crowd").mkdir(parents=True, exist_ok=True)
    rows = [("h1", "HONEST", False, "family"), ("h2", "HONEST", False, "family"), ("h3", "HONEST", False, "campus-nat"),
            ("h4", "HONEST", False, "campus-nat"), ("r1", "RELAY", True, "device-relay"), ("r2", "RELAY", True, "device-relay"),
            ("b1", "BURST", True, "registration-burst")]
    write_users(root, [dict(userId=u, behaviour=b, fraud=f, population=p if with_population else "") for u, b, f, p in rows])


def test_evaluation_per_kind_per_population_and_honest_money_in_exact_fen(run):
    for i, (user, fen) in enumerate([("h1", 10_000), ("h2", 30_000), ("h3", 50_000), ("h4", 10_000), ("r1", 777), ("b1", 5)]):
        run.credit(f"e{i}", user, i, fen=fen)
    root = run.write()
    write_truth(root)
    logs = load_run(root)
    lab = evaluation.labels(root)
    assert dict(zip(lab["userId"], lab["group"]))["r1"] == "device-relay"
    e = evaluation.evaluate(["h1", "r1", "r2"], lab, logs.credits)
    assert (e.overall.flagged, e.overall.true_positives, e.overall.fraud) == (3, 2, 3)
    kind = e.per_kind.set_index("group")
    assert kind.loc["device-relay", "recall"] == 1.0 and kind.loc["registration-burst", "recall"] == 0.0
    assert kind.loc["device-relay", "precisionVsHonest"] == pytest.approx(2 / 3)  # its 2 hits against the 1 honest flagged
    pop = e.per_population.set_index("group")
    assert pop.loc["family", "falsePositiveRate"] == 0.5 and pop.loc["campus-nat", "falsePositiveRate"] == 0.0
    assert pop.loc["family", "heldFen"] == 10_000 and pop.loc["family", "creditedFen"] == 40_000
    assert (e.honest_held_fen, e.honest_credited_fen) == (10_000, 100_000)
    problems = e.floor_problems()
    assert any(p.startswith("precision 0.6667") for p in problems) and any(p.startswith("recall 0.6667") for p in problems)
    assert any("honest money held 10,000 fen = 10.0000% of 100,000 fen" in p for p in problems)
    # Exactly at the floor passes: 500 fen of 100,000 is 0.5 %, 501 is not (integer comparison, no rounding).
    at = evaluation.Evaluation(e.overall, e.per_kind, e.per_population, 100_000, 500)
    assert not any("honest money" in p for p in at.floor_problems())
    over = evaluation.Evaluation(e.overall, e.per_kind, e.per_population, 100_000, 501)
    assert any("honest money" in p for p in over.floor_problems())
    assert all(line for line in e.lines())


def test_without_a_population_column_the_behaviour_is_the_group(run):
    root = run.write()
    write_truth(root, with_population=False)
    lab = evaluation.labels(root)
    assert set(lab["group"]) == {"HONEST", "RELAY", "BURST"}
    assert lab.set_index("userId").loc["b1", "fraud"]


def test_score_and_review_queue_by_money_at_stake(run):
    # Two forgers: "small" has 100 fen credited and 50 pending; "big" 40 credited and 5,000 pending.
    for user, tok in (("small", "F1"), ("big", "F2")):
        run.edge_open(user, tok, result="rejected", reason="TOKEN_NOT_AUTHENTIC", device=f"dev-{user}")
    run.open("e1", "small", 1, fen=100)
    run.credit("e1", "small", 1, fen=100)
    run.open("e2", "small", 2, fen=50)
    run.open("e3", "big", 3, fen=40)
    run.credit("e3", "big", 3, fen=40)
    run.open("e4", "big", 4, fen=5_000)
    run.open("e5", "big", 5, fen=999)
    run.reject("e5", "big", "USER_CAP", envelope=5)  # rejected: not at stake
    logs = load_run(run.write())
    signals = flags.all_signals(logs)
    f = flags.flagged_accounts(signals, logs)
    assert f["userId"].tolist() == ["big", "small"]
    big = f.set_index("userId").loc["big"]
    assert (big["holdFen"], big["pendingFen"], big["atStakeFen"]) == (40, 5_000, 5_040)
    assert big["score"] >= flags.FLAG_SCORE
    q = flags.review_queue(f)
    assert q["rank"].tolist() == [1, 2] and q["cumulativeFen"].tolist() == [5_040, 5_190]
    assert q["cumulativeFen"].dtype == "int64"
    # A reason weighted below the flag score alone scores but is not flagged.
    weak = pd.DataFrame({"userId": ["w"], "reason": ["something unusual"], "evidence": ["x"]})
    flags.REASON_WEIGHTS["something unusual"] = 0.5
    try:
        s = flags.scores(weak, logs)
        assert s["score"].tolist() == [0.5] and flags.flagged_accounts(weak, logs).empty
    finally:
        del flags.REASON_WEIGHTS["something unusual"]


def test_accomplices_with_rows_of_their_own_are_not_invented_from_actions(tmp_path):
    (tmp_path / "crowd").mkdir()
    write_users(tmp_path, [dict(userId="r", behaviour="REPLAY", fraud=True, population="replayers"),
                           dict(userId="acc9", behaviour="REPLAY_ACCOMPLICE", fraud=True, population="replayers"),
                           dict(userId="h", behaviour="HONEST", fraud=False, population="solo")])
    pd.DataFrame({"timeMs": [1], "userId": ["r"], "behaviour": "REPLAY", "action": ["stolen-open"], "edge": 1, "httpStatus": 200,
                  "result": "x", "envelopeId": "", "amountFen": "", "detail": ""}).to_csv(tmp_path / "crowd" / "actions.csv", index=False)
    assert set(evaluation.truth.fraud_accounts(tmp_path)["userId"]) == {"r", "acc9"}
    lab = evaluation.labels(tmp_path).set_index("userId")
    assert lab.loc["acc9", "group"] == "replayers (accomplices)" and lab.loc["r", "group"] == "replayers"
