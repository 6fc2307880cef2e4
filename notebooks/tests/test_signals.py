import pandas as pd

from redpacket_analysis import load_run, signals as sg


def users(frame: pd.DataFrame) -> set[str]:
    return set(frame["userId"])


def test_forged_token_at_edge_but_not_a_blacklisted_key(run):
    run.shake("honest", token="T1")
    run.edge_open("honest", "T1", result="rejected", reason="BLACKLISTED_KEY")  # operators' blacklist, not the user's doing
    run.edge_open("forger", "RANDOM", result="rejected", reason="TOKEN_NOT_AUTHENTIC")
    logs = load_run(run.write())
    assert users(sg.forged_at_edge(logs)) == {"forger"}


def test_a_stolen_token_is_not_counted_as_forged_but_links_both_accounts(run):
    run.shake("owner", token="T1")
    run.edge_open("owner", "T1", envelope=1)
    run.edge_open("accomplice", "T1", result="rejected", reason="TOKEN_NOT_AUTHENTIC")
    logs = load_run(run.write())
    presenters, sources = sg.token_presented_by_other(logs)
    assert users(presenters) == {"accomplice"}
    assert users(sources) == {"owner"}
    assert sg.forged_at_edge(logs).empty


def test_a_retry_is_not_a_replay(run):
    run.shake("patient", token="T1")
    run.edge_open("patient", "T1", result="retry")
    run.edge_open("patient", "T1", envelope=1)
    run.shake("replayer", token="T2")
    run.edge_open("replayer", "T2", envelope=2)
    run.edge_open("replayer", "T2", envelope=2)
    logs = load_run(run.write())
    assert users(sg.replayed_own_token(logs)) == {"replayer"}


def test_injected_opens_are_those_no_edge_answered_and_the_canary_is_not_an_account(run):
    run.shake("u1", token="T1")
    run.edge_open("u1", "T1", envelope=1)
    run.open("e1", "u1", 1)
    run.open("insider-1", "mule", 2, device="insider-device")
    run.open("canary-1", "campaign-canary", None)
    logs = load_run(run.write())
    assert users(sg.injected_opens(logs)) == {"mule"}
    (run.root / "gateway" / "access-log.avro").unlink()
    assert sg.injected_opens(load_run(run.root)).empty  # without the gateway's log, nothing can be said


def test_duplicates_credited_to_another_account_flag_the_presenter_not_the_owner(run):
    run.open("e1", "victim", 1)
    run.credit("e1", "victim", 1)
    run.reject("x1", "mule", "DUPLICATE_ENVELOPE", envelope=1, device="insider-device")
    run.reject("x2", "victim", "DUPLICATE_ENVELOPE", envelope=1, device="insider-device")  # own credited open replayed
    logs = load_run(run.write())
    assert users(sg.envelope_credited_to_other(logs)) == {"mule"}
    src = sg.replays_of_credited_opens(logs)
    assert src["deviceId"].tolist() == ["insider-device"] and src["accounts"].tolist() == [1]
    # The replayer's device is not linked to the victim.
    links = sg.account_links(logs)
    assert not ((links["userId"] == "victim") & (links["value"] == "insider-device")).any()


def test_rings_need_three_accounts_on_a_device_and_ignore_rare_ips_and_hubs(run):
    for i in range(4):
        run.edge_open(f"farm{i}", f"F{i}", device="farm-device", ip="10.66.0.1", envelope=i)
    run.edge_open("couple1", "C1", device="phone", ip="10.9.9.9", envelope=10)
    run.edge_open("couple2", "C2", device="phone", ip="10.9.9.9", envelope=11)
    run.edge_open("stranger", "S1", device="own", ip="10.9.9.9", envelope=12)  # same IP by chance: three on an IP
    for i in range(30):
        run.open(f"h{i}", f"honest{i}", 100 + i, device=f"dev{i}", ip="127.0.0.1")  # the edge's loopback: a hub
    logs = load_run(run.write())
    links = sg.account_links(logs)
    assert set(sg.hub_values(links, max_accounts=20)["value"]) == {"127.0.0.1"}
    r = sg.rings(links, min_accounts=3, max_accounts=20, ip_min_accounts=5)
    assert set(r["userId"]) == {"farm0", "farm1", "farm2", "farm3"}
    assert r["ringSize"].unique().tolist() == [4]


def test_cap_bypass_from_dispenses_state_and_settlement_caps(run):
    for e in (1, 2):
        for k in range(2):
            run.shake("bypasser", edge=e, token=f"B{e}{k}", has_state=False)
    run.shake("honest", token="H1", has_state=False)  # first shake: no state yet
    run.shake("honest", token="H2", has_state=True)
    run.shake("lazy", token="L1", has_state=False)
    run.shake("lazy", result="nothing", has_state=False)  # threw the state away after a win
    run.reject("r1", "capped", "SPONSOR_CAP", envelope=9)
    logs = load_run(run.write())
    d = sg.dispenses_per_account(logs).set_index("userId")
    assert d.loc["bypasser", "won"] == 4 and d.loc["bypasser", "edgesWon"] == 2
    assert d.loc["honest", "statelessAfterWin"] == 0
    assert users(sg.cap_bypass(logs)) == {"bypasser", "lazy", "capped"}


def test_velocity_needs_more_opens_than_the_cap_allows(run):
    for i in range(40):
        run.shake(f"u{i}", token=f"T{i}")
        run.edge_open(f"u{i}", f"T{i}", envelope=i)
    for k in range(6):
        run.edge_open("fast", f"X{k}", result="rejected", reason="TOKEN_NOT_AUTHENTIC")
    for k in range(3):  # an honest account whose opens were each enqueued twice (retries): still 3 envelopes
        run.open(f"r{k}a", "retried", 500 + k)
        run.open(f"r{k}b", "retried", 500 + k)
    logs = load_run(run.write())
    assert sg.activity(logs).set_index("userId").loc["retried", "settledOpens"] == 3
    assert users(sg.velocity_outliers(logs)) == {"fast"}
    assert sg.velocity_outliers(logs, min_opens=7).empty


def test_robust_z_ignores_the_outliers_it_measures():
    z = sg.robust_z(pd.Series([1, 1, 2, 2, 2, 3, 3, 100]))
    assert z.iloc[-1] > 50 and abs(z.iloc[3]) < 1


# ---- sessions: what the gateway's account column is worth, expired and stolen sessions ------------------------

def test_rows_refused_before_the_session_was_verified_name_nobody(run):
    # Someone writes a victim's id into forged credentials (the gateway reads the clear part) from a farm's device
    # and address, drops the state blob after the victim's win, and floods opens: none of it is the victim's doing.
    run.shake("victim", token="V1", device="phone", ip="10.9.9.9")
    for i in range(6):
        run.shake("victim", result="unauthenticated", reason="NOT_AUTHENTIC", has_state=False, device="farm", ip="10.66.0.1")
        run.edge_open("victim", f"X{i}", device="farm", ip="10.66.0.1", result="unauthenticated", reason="MALFORMED")
        run.shake("victim", result="slow_down", reason="too many requests from this address", has_state=False, device="farm", ip="10.66.0.1")
    for i in range(4):
        run.shake(f"farm{i}", token=f"F{i}", device="farm", ip="10.66.0.1")
    for i in range(40):
        run.shake(f"u{i}", token=f"T{i}", device=f"d{i}", ip=f"10.1.{i}.1")
        run.edge_open(f"u{i}", f"T{i}", envelope=i, device=f"d{i}", ip=f"10.1.{i}.1")
    logs = load_run(run.write())
    assert len(logs.session_refusals) == 12 and not logs.checked["reason"].eq("too many requests from this address").any()
    assert users(sg.rings(sg.account_links(logs), min_accounts=3, ip_min_accounts=5)) == {"farm0", "farm1", "farm2", "farm3"}
    assert "victim" not in users(sg.cap_bypass(logs)) | users(sg.velocity_outliers(logs))
    assert sg.activity(logs).set_index("userId").loc["victim", "shakes"] == 1


def test_the_request_time_is_the_answer_time_less_the_edges_time(run):
    run.shake("u1", token="T1", took=250)
    logs = load_run(run.write())
    row = logs.gateway.iloc[0]
    assert row["receivedMs"] == row["timeMs"] - 250 and bool(row["sessionChecked"])


def test_a_log_from_before_sessions_still_loads(run):
    run.shake("u1", token="T1")
    root = run.write()
    log = run.write_csv_gateway_log()  # runs before issue 16 have the log as CSV; before sessions, without two columns
    pd.read_csv(log, dtype=str).drop(columns=["sessionHash", "durationMs"]).to_csv(log, index=False)
    logs = load_run(root)
    assert logs.gateway["receivedMs"].tolist() == logs.gateway["timeMs"].tolist()
    assert sg.expired_session_kept(logs).empty and sg.foreign_session_uses(logs).empty


def test_presenting_a_session_after_the_edge_said_it_expired(run):
    # The fraudster: told EXPIRED, presents the same session again and again.
    run.shake("stale", token="S1", session="s-stale", device="ds", ip="10.1.1.1")
    run.shake("stale", result="unauthenticated", reason="EXPIRED", session="s-stale", device="ds", ip="10.1.1.1")
    run.shake("stale", result="unauthenticated", reason="EXPIRED", session="s-stale", device="ds", ip="10.1.1.1")
    run.edge_open("stale", "S1", result="unauthenticated", reason="EXPIRED", session="s-stale", device="ds", ip="10.1.1.1")
    # An honest app: two requests in flight when its session expired (the second came in before the first answer),
    # then a new login and a new session.
    run.shake("honest", token="H1", session="s-old", device="dh", ip="10.2.2.2")
    run.shake("honest", result="unauthenticated", reason="EXPIRED", session="s-old", device="dh", ip="10.2.2.2", took=10)
    run.edge_open("honest", "H1", result="unauthenticated", reason="EXPIRED", session="s-old", device="dh", ip="10.2.2.2", took=1500)
    run.edge_open("honest", "H1", envelope=1, session="s-new", device="dh", ip="10.2.2.2")
    # A thief replays a victim's captured session after it expired, from its own address: not the victim's doing.
    for _ in range(3):
        run.shake("victim", token=None, result="nothing", session="s-victim", device="dv", ip="10.3.3.3")
    for _ in range(3):
        run.shake("victim", result="unauthenticated", reason="EXPIRED", session="s-victim", device="dv", ip="10.6.6.6")
    logs = load_run(run.write())
    kept = sg.expired_session_kept(logs)
    assert users(kept) == {"stale"}
    assert "2 request(s) with 1 session(s)" in kept["evidence"].iloc[0]


def test_sessions_used_by_someone_else_are_listed_for_review(run):
    victims = [f"v{i}" for i in range(6)]
    for i, v in enumerate(victims):
        for _ in range(3):
            run.shake(v, result="nothing", session=f"s{i}", device=f"d{i}", ip=f"10.0.{i}.1")
        # The thief, from 10.66.6.6: copies the device of half (accepted: it wins in the victim's name and opens it,
        # and the open event in settlement carries the thief's address), sends its own device to the others (refused).
        if i % 2 == 0:
            run.shake(v, token=f"W{i}", session=f"s{i}", device=f"d{i}", ip="10.66.6.6")
            run.edge_open(v, f"W{i}", envelope=100 + i, session=f"s{i}", device=f"d{i}", ip="10.66.6.6")
            run.open(f"w{i}", v, 100 + i, device=f"d{i}", ip="10.66.6.6")
        else:
            run.shake(v, result="unauthenticated", reason="DEVICE_MISMATCH", session=f"s{i}", device="thief-phone", ip="10.66.6.6")
    logs = load_run(run.write())
    foreign = sg.foreign_session_uses(logs)
    assert set(foreign["clientIp"]) == {"10.66.6.6"} and set(foreign["ownerIp"]) == {f"10.0.{i}.1" for i in range(6)}
    src = sg.stolen_session_sources(logs).set_index(["clientIp", "deviceId"])
    assert src["accounts"].sum() == 6 and src.loc[("10.66.6.6", "thief-phone"), "deviceRefused"] == 3
    assert src["envelopesWon"].sum() == 3
    assert sg.expired_session_kept(logs).empty
    # Refused presentations (401) are nobody's verified request: the thief's phone links no victim.
    assert not sg.account_links(logs)["value"].eq("thief-phone").any()


def test_rotating_addresses_hides_nothing_from_the_cap_rule(run):
    # One account, its own session and device, a new proxy address for every shake, dropping the state blob after
    # its win: most of its rows look like "another address than the owner's", and it is flagged all the same.
    run.shake("rotator", token="R1", session="s-r", device="dr", ip="10.77.0.1")
    for i in range(2, 7):
        run.shake("rotator", result="nothing", has_state=False, session="s-r", device="dr", ip=f"10.77.0.{i}")
    logs = load_run(run.write())
    assert len(sg.foreign_session_uses(logs)) == 5
    assert users(sg.cap_bypass(logs)) == {"rotator"}
