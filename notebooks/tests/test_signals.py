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
    (run.root / "gateway" / "access-log.csv").unlink()
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
