import pyarrow as pa

from conftest import CREDIT_SCHEMA, write_parquet
from redpacket_analysis import load_run, run_dir_from_env
from redpacket_analysis.logs import parquet_files


def test_in_progress_files_and_folders_are_skipped(run):
    run.credit("e1", "u1", 1, 250)
    root = run.write()
    credits = root / "settlement" / "credits"
    row = [dict(creditId="c-9", envelopeId=9, userId="u9", amountFen=999, batchId=1, sponsorId="s", envelopeAccount="a",
                channel="cash", openEventId="e9", edgeId=1, openTimeMs=1, creditTimeMs=2)]
    write_parquet(credits / "hour=2026-01-01-00" / ".part-1.inprogress.parquet", row, CREDIT_SCHEMA)
    write_parquet(credits / "hour=2026-01-01-00" / "_part-2.parquet", row, CREDIT_SCHEMA)
    write_parquet(credits / "_temporary" / "part-3.parquet", row, CREDIT_SCHEMA)
    assert [p.name for p in parquet_files(credits)] == ["part-0.parquet"]
    logs = load_run(root)
    assert logs.credits["userId"].tolist() == ["u1"]
    assert int(logs.credits["amountFen"].sum()) == 250


def test_enum_reasons_are_decoded_and_credits_deduplicated(run):
    run.reject("e1", "u1", "USER_CAP", envelope=5)
    run.credit("e2", "u2", 7, 100)
    run.credit("e2", "u2", 7, 100)  # the same credit twice: a payment back end dedupes on creditId
    logs = load_run(run.write())
    assert logs.rejects["reason"].tolist() == ["USER_CAP"]
    assert len(logs.credits) == 1


def test_a_run_without_gateway_log_loads_with_none(run):
    run.open("e1", "u1", 1)
    logs = load_run(run.write(gateway=False))
    assert logs.gateway is None
    assert logs.shakes.empty and logs.edge_opens.empty


def test_run_dir_from_env(monkeypatch, run, tmp_path):
    root = run.write()
    monkeypatch.setenv("REDPACKET_RUN", str(root))
    assert run_dir_from_env() == root.resolve()
    monkeypatch.setenv("REDPACKET_RUN", str(tmp_path))
    try:
        run_dir_from_env()
        raise AssertionError("a folder without settlement/ must be refused")
    except FileNotFoundError as e:
        assert "not a campaign run" in str(e)


def test_identity_logs_are_read_in_registration_order(run):
    run.register("b", 2, 2_000, device="db", ip="10.0.0.2", version="crowd-2")
    run.register("a", 1, 1_000, device="da", ip="10.0.0.1")
    run.login("a", "s-a", device="da", ip="10.0.0.1", at_ms=5_000)
    logs = load_run(run.write())
    assert logs.registrations["userId"].tolist() == ["a", "b"]
    assert logs.registrations["clientVersion"].tolist() == ["crowd-1", "crowd-2"]
    assert logs.sessions[["userId", "sessionHash", "issuedAtMs"]].values.tolist() == [["a", "s-a", 5_000]]
    assert logs.gateway["userAgent"].isna().all()  # a log without the column reads it as missing
