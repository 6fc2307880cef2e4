import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import write_avro, write_users
from redpacket_analysis import flags, load_run, truth


def test_flagged_accounts_hold_what_was_credited_in_integer_fen(run):
    run.open("e1", "forger", 1)
    run.credit("e1", "forger", 1, fen=1234)
    run.open("e2", "forger", 2)
    run.credit("e2", "forger", 2, fen=1)
    run.edge_open("forger", "RANDOM", result="rejected", reason="TOKEN_NOT_AUTHENTIC")
    run.shake("forger", token="T1")
    run.edge_open("forger", "T1", envelope=1)
    run.shake("forger", token="T2")
    run.edge_open("forger", "T2", envelope=2)
    run.edge_open("ghost", "RANDOM2", result="rejected", reason="MALFORMED_TOKEN", device="ghost-device", ip="10.0.0.2")
    root = run.write()
    logs = load_run(root)
    f = flags.flagged_accounts(flags.all_signals(logs), logs).set_index("userId")
    assert f.loc["forger", "holdFen"] == 1235 and f.loc["forger", "creditedEnvelopes"] == 2
    assert f.loc["ghost", "holdFen"] == 0
    assert f["holdFen"].dtype == "int64"
    assert f.loc["forger", "reasons"] == ["forged token at edge"]

    target = flags.write_flagged(f.reset_index(), root)
    assert target == root / "analysis" / "flagged_accounts.parquet"
    assert [p.name for p in target.parent.iterdir()] == ["flagged_accounts.parquet"]  # no temp file left
    back = pq.read_table(target)
    assert back.schema.equals(flags.FLAGGED_SCHEMA)
    assert back.num_rows == 2


def test_truth_counts_fraudsters_accomplices_and_insider_accounts_but_not_victims(tmp_path: Path):
    (tmp_path / "crowd").mkdir()
    write_users(tmp_path, [dict(userId="h", behaviour="HONEST", fraud=False), dict(userId="f", behaviour="FORGE", fraud=True),
                           dict(userId="r", behaviour="REPLAY", fraud=True)])
    pd.DataFrame({"timeMs": [1, 2], "userId": ["r", "r"], "behaviour": "REPLAY", "action": ["open", "stolen-open"], "edge": 1,
                  "httpStatus": 200, "result": "x", "envelopeId": "", "amountFen": "", "detail": ""}).to_csv(tmp_path / "crowd" / "actions.csv", index=False)
    write_avro(tmp_path / "insider.avro", "InsiderOpen.avsc", [
        dict(eventId="i1", kind="FORGED_RANDOM", envelopeId=-1, userId="insider-acct-1"),
        dict(eventId="i2", kind="REPLAY_SAME_USER", envelopeId=5, userId="h")])
    t = truth.fraud_accounts(tmp_path)
    assert set(t["userId"]) == {"f", "r", "r-accomplice", "insider-acct-1"}
    s = truth.score(["f", "r", "h"], t)
    assert (s.true_positives, s.flagged, s.fraud) == (2, 3, 4)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(0.5)
    with pytest.raises(truth.FloorMissed, match="precision 0.6667 < floor 0.95; recall 0.5000 < floor 0.9"):
        truth.assert_floors(s)
    truth.assert_floors(truth.score(["f", "r", "r-accomplice", "insider-acct-1"], t))
    # The forger never forged (no forged-open); the replayer did; accomplices and insiders always count as acted.
    did = truth.acted(tmp_path, t)
    assert dict(zip(t["userId"], did)) == {"f": False, "r": True, "r-accomplice": True, "insider-acct-1": True}
    by = truth.recall_by_source_acted(["r"], t, did).set_index("source")
    assert by.loc["FORGE", "acted"] == 0 and pd.isna(by.loc["FORGE", "recallActed"])
    assert by.loc["REPLAY", "recall"] == 1.0 and by.loc["REPLAY_ACCOMPLICE", "recallActed"] == 0.0


def test_a_cap_bypasser_acted_once_it_shook_after_a_win(tmp_path: Path):
    (tmp_path / "crowd").mkdir()
    write_users(tmp_path, [dict(userId="c1", behaviour="CAP_BYPASS", fraud=True), dict(userId="c2", behaviour="CAP_BYPASS", fraud=True)])
    pd.DataFrame({"timeMs": [1, 2, 3, 4, 5], "userId": ["c1", "c1", "c1", "c2", "c2"], "behaviour": "CAP_BYPASS",
                  "action": ["shake", "open", "shake", "shake", "open"], "edge": 1, "httpStatus": 200,
                  "result": ["envelope", "opened", "nothing", "envelope", "opened"], "envelopeId": "", "amountFen": "",
                  "detail": ""}).to_csv(tmp_path / "crowd" / "actions.csv", index=False)
    t = truth.fraud_accounts(tmp_path)
    assert dict(zip(t["userId"], truth.acted(tmp_path, t))) == {"c1": True, "c2": False}


def test_committed_notebooks_are_clean_and_parameterised():
    here = Path(__file__).resolve().parents[1]
    books = sorted(here.glob("[0-9][0-9]_*.ipynb"))
    assert len(books) >= 4
    for path in books:
        nb = json.loads(path.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), f"{path.name} has outputs: clear them"
        assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in code), f"{path.name}: no 'parameters' cell"
        assert "redpacket_analysis" in "".join("".join(c["source"]) for c in code), f"{path.name} does not use the package"
