import pandas as pd
import pyarrow as pa

from conftest import write_parquet
import fastavro
import pytest

from redpacket_analysis.live_flags import (control_decisions, flagged_live, held_by_decision, read_live_flags, review_live_flags,
                                          write_control_decisions)

FLAG_SCHEMA = pa.schema([
    ("flagId", pa.string()), ("kind", pa.string()), ("subject", pa.string()), ("accounts", pa.list_(pa.string())),
    ("newAccounts", pa.list_(pa.string())), ("windowMs", pa.int64()), ("firstSeenMs", pa.int64()), ("lastSeenMs", pa.int64()),
    ("openedFen", pa.int64()),
])


def flag(flag_id, subject, accounts, new, last, fen):
    return dict(flagId=flag_id, kind="DEVICE_SHARED_BY_ACCOUNTS", subject=subject, accounts=accounts, newAccounts=new,
                windowMs=600_000, firstSeenMs=0, lastSeenMs=last, openedFen=fen)


def test_flags_are_read_once_each_skipping_files_in_progress(tmp_path):
    root = tmp_path / "settlement" / "flags" / "hour=2026-01-01-00"
    first = flag("f1", "phone-a", ["a", "b", "c", "d"], ["a", "b", "c", "d"], 40, 1_000)
    write_parquet(root / "part-0.parquet", [first], FLAG_SCHEMA)
    write_parquet(root / "part-1.parquet", [first, flag("f2", "phone-a", ["a", "b", "c", "d", "e"], ["e"], 50, 1_300)], FLAG_SCHEMA)
    write_parquet(root / ".part-2.inprogress.parquet", [flag("f3", "phone-z", ["x"] * 4, ["x"], 60, 9)], FLAG_SCHEMA)
    flags = read_live_flags(tmp_path)
    assert flags["flagId"].tolist() == ["f1", "f2"]
    assert flags.loc[1, "newAccounts"] == ["e"]


def test_a_run_without_flags_reads_empty(tmp_path):
    assert read_live_flags(tmp_path).empty
    assert review_live_flags(read_live_flags(tmp_path), pd.DataFrame(columns=["userId"])).empty


def test_each_account_is_named_once_with_the_money_at_stake_when_first_flagged():
    flags = pd.DataFrame([flag("f1", "phone-a", ["a", "b", "c", "d"], ["a", "b", "c", "d"], 40, 1_000),
                          flag("f2", "phone-a", ["a", "b", "c", "d", "e"], ["e"], 50, 1_300)])
    live = flagged_live(flags)
    assert live["userId"].tolist() == ["a", "b", "c", "d", "e"]
    assert live.set_index("userId").loc["e", "flagOpenedFen"] == 1_300
    assert live["flagOpenedFen"].dtype == "int64"


def test_accounts_the_analysis_also_flags_are_confirmed_the_others_released():
    flags = pd.DataFrame([flag("f1", "tablet", ["gran", "aunt", "kid", "dad"], ["gran", "aunt", "kid", "dad"], 40, 800)])
    analysis = pd.DataFrame({"userId": ["gran", "someone-else"], "reasons": ["device farm: 4 accounts, synchronized", "proxy"]})
    review = review_live_flags(flags, analysis).set_index("userId")
    assert review.loc["gran", "decision"] == "confirmed"
    assert review.loc["gran", "reasons"].startswith("device farm")
    assert set(review[review["decision"] == "released"].index) == {"aunt", "kid", "dad"}
    assert "someone-else" not in review.index


def test_a_list_of_reasons_reads_as_one_line():
    flags = pd.DataFrame([flag("f1", "phone", ["a", "b", "c", "d"], ["a", "b", "c", "d"], 40, 800)])
    analysis = pd.DataFrame({"userId": ["a"], "reasons": [["device farm", "registration burst"]]})
    assert review_live_flags(flags, analysis).set_index("userId").loc["a", "reasons"] == "device farm + registration burst"


def test_decisions_become_the_control_commands_settlement_applies(tmp_path):
    flags = pd.DataFrame([flag("f1", "tablet", ["gran", "aunt", "kid", "dad"], ["gran", "aunt", "kid", "dad"], 40, 800)])
    review = review_live_flags(flags, pd.DataFrame({"userId": ["kid"], "reasons": ["device farm"]}))
    target = write_control_decisions(review, tmp_path)
    assert target == tmp_path / "analysis" / "review_decisions.avro"
    with open(target, "rb") as f:
        reader = fastavro.reader(f)
        assert reader.writer_schema["name"] == "io.redpacket.avro.ControlCommand"
        written = {c["userId"]: c for c in reader}
    assert written["kid"]["action"] == "CONFIRM_FRAUD"
    assert written["kid"]["commandId"] == "review:kid:CONFIRM_FRAUD"
    assert {u for u, c in written.items() if c["action"] == "RELEASE_ACCOUNT"} == {"gran", "aunt", "dad"}
    assert [p.name for p in (tmp_path / "analysis").iterdir()] == ["review_decisions.avro"]


def test_a_decision_settlement_cannot_apply_is_refused():
    review = pd.DataFrame({"userId": ["a"], "decision": ["maybe"], "reasons": [""]})
    with pytest.raises(ValueError, match="review decision of a"):
        control_decisions(review)


def test_the_money_held_is_counted_per_decision_in_exact_fen():
    review = pd.DataFrame({"userId": ["gran", "aunt", "farm"], "decision": ["released", "released", "confirmed"]})
    pending = pd.DataFrame({"userId": ["gran", "farm", "bystander"], "pendingFen": [1_234, 9_999, 5]})
    held = held_by_decision(review, pending)
    assert held.loc["released"].tolist() == [2, 1, 1_234]
    assert held.loc["confirmed"].tolist() == [1, 1, 9_999]
    assert held["heldFen"].dtype == "int64"
