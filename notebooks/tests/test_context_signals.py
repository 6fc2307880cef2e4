"""The context signals of issue 17 on small hand-made runs: each fraud next to the honest behaviour it resembles."""

import pandas as pd
import pytest

from redpacket_analysis import load_run, signals as sg


def users(frame: pd.DataFrame) -> set[str]:
    return set(frame["userId"])


def crowd(run, n=60, shakes=3, start=1_000_000):
    """``n`` ordinary accounts: one phone, one address, a few shakes spread over the show."""
    for i in range(n):
        for k in range(shakes):
            run.at(start + i * 500 + k * 20_000).shake(f"u{i}", device=f"dev-u{i}", ip=f"10.1.{i}.1", result="nothing")


# ---- relay chain vs a couple sharing a phone --------------------------------------------------------------------

def test_a_phone_handed_along_accounts_is_a_relay_a_couple_taking_turns_is_not(run):
    crowd(run)
    # The relay: account r1 uses the phone in the first slot only, r2 takes over after it, r3 after r2.
    for k, user in enumerate(["r1", "r2", "r3"]):
        for j in range(4):
            run.at(2_000_000 + k * 70_000 + j * 10_000).shake(user, device="relay-phone", ip="10.9.9.9", result="nothing")
    # The couple: both use one phone throughout the show, taking turns.
    for j in range(8):
        run.at(2_000_000 + j * 15_000).shake("wife" if j % 2 else "husband", device="family-phone", ip="10.8.8.8", result="nothing")
    logs = load_run(run.write())
    assert users(sg.device_relays(logs)) == {"r1", "r2", "r3"}
    shared = sg.shared_devices(logs).set_index("deviceId")
    assert shared.loc["relay-phone", "handoffs"] == 2 and shared.loc["relay-phone", "overlaps"] == 0
    assert shared.loc["family-phone", "overlaps"] == 1
    assert sg.device_farms(logs).empty  # 2 and 3 accounts per device: no break in the distribution


def test_with_registrations_a_relay_is_accounts_made_together_a_tablet_taking_turns_is_not(run):
    crowd(run)
    for k, user in enumerate(["r1", "r2"]):  # a relay of two, registered back to back
        for j in range(3):
            run.at(2_000_000 + k * 60_000 + j * 10_000).shake(user, device="relay-phone", ip="10.9.9.9", result="nothing")
    for k, user in enumerate(["gran", "grandpa"]):  # a tablet: each played when they arrived, one after the other
        for j in range(3):
            run.at(2_000_000 + k * 60_000 + j * 10_000).shake(user, device="tablet", ip="10.8.8.8", result="nothing")
    order = [f"u{i}" for i in range(60)] + [f"only-registered-{i}" for i in range(2_000)]  # the campaign's sign-ups
    order[10:10] = ["gran"]
    order[1_000:1_000] = ["r1", "r2"]
    order.append("grandpa")
    for seq, user in enumerate(order, start=1):
        run.register(user, seq, 1_000 * seq)
    logs = load_run(run.write())
    assert set(sg.shared_devices(logs).query("overlaps == 0")["deviceId"]) == {"relay-phone", "tablet"}
    assert users(sg.device_relays(logs)) == {"r1", "r2"}  # p = 2 * 2 / 2063 against 0.1 / 2 devices handed on


def test_a_farm_handset_stands_apart_from_tablets_by_the_campaigns_own_break(run):
    crowd(run)
    for t in range(3):  # three families, each with a tablet three relatives use
        for j in range(6):
            run.at(3_000_000 + j * 5_000).shake(f"tab{t}-{j % 3}", device=f"tablet-{t}", ip=f"10.7.{t}.1", result="nothing")
    for j in range(40):  # a farm: 20 accounts on one handset, all through the show
        run.at(3_000_000 + j * 2_000).shake(f"farm-{j % 20}", device="farm-handset", ip="10.66.0.1", result="nothing")
    logs = load_run(run.write())
    assert users(sg.device_farms(logs)) == {f"farm-{i}" for i in range(20)}
    assert sg.largest_gap_threshold(pd.Series([3, 3, 3, 20])) == pytest.approx((3 * 20) ** 0.5)
    assert sg.largest_gap_threshold(pd.Series([2, 3, 3])) is None


# ---- family vs burst --------------------------------------------------------------------------------------------

def test_a_burst_of_sequential_registrations_through_one_proxy_is_flagged_a_family_is_not(run):
    family = {3: "mum", 51: "dad", 97: "kid1", 143: "kid2", 188: "gran"}
    burst = {120: "b1", 121: "b2", 123: "b3", 124: "b4", 30: "neighbour"}  # someone else on that proxy, long before
    for seq in range(1, 201):
        if seq in family:
            run.register(family[seq], seq, 1_000 * seq, device=f"dev-{family[seq]}", ip="192.168.1.1")
        elif seq in burst:
            run.register(burst[seq], seq, 1_000 * seq, device=f"dev-{burst[seq]}", ip="203.0.113.7")
        else:
            run.register(f"user{seq * 7919 % 100_003}", seq, 1_000 * seq, device=f"dev-{seq}", ip=f"10.2.{seq}.1")
    logs = load_run(run.write())
    assert users(sg.registration_bursts(logs)) == {"b1", "b2", "b3", "b4"}
    c = sg.registration_clusters(logs).set_index("ip")
    # The run of 4 of the address's 5 registrations within 5 places: 5 * C(4, 3) * (5/200)^3; the family spans 186.
    assert c.loc["203.0.113.7", "p"] == pytest.approx(5 * 4 * (5 / 200) ** 3)
    assert (c.loc["203.0.113.7", "accounts"], c.loc["203.0.113.7", "burst"]) == (5, 4)
    assert c.loc["192.168.1.1", "seqSpan"] == 186 and c.loc["192.168.1.1", "p"] > 0.1


def test_ids_numbered_in_sequence_registered_back_to_back_are_a_burst_whatever_their_addresses(run):
    script = {60: "zhangwei101", 61: "zhangwei102", 63: "zhangwei103", 64: "zhangwei104"}
    people = {10: "wangli1985", 40: "wangli1986"}  # two people born a year apart picked the same handle
    for seq in range(1, 201):
        user = script.get(seq) or people.get(seq) or f"wxid_{seq * 7919 % 100_003:06d}x"
        run.register(user, seq, 1_000 * seq, device=f"dev-{seq}", ip=f"10.2.{seq}.1")
    logs = load_run(run.write())
    assert users(sg.registration_bursts(logs)) == {"zhangwei101", "zhangwei102", "zhangwei103", "zhangwei104"}
    runs = sg.sequential_id_runs(logs).set_index("stem")
    assert runs.loc["zhangwei", "accounts"] == 4 and runs.loc["zhangwei", "seqSpan"] == 5
    assert runs.loc["wangli", "p"] == pytest.approx(2 * 31 / 200)


def test_a_script_spreading_its_accounts_over_addresses_is_one_burst_by_its_agent(run):
    import random
    rnd = random.Random(3)
    models = [f"RedPacket/8.0.{v} (Phone{m}; OS {o})" for v in range(40, 44) for m in range(12) for o in range(8)]
    order = []
    for i in range(300):
        order.append((f"p{i * 7919 % 100_003}x", f"10.3.{i}.1", rnd.choice(models)))
    script = [(f"wxid_{i:04d}q{i * 31 % 97}", f"47.92.{i % 4}.9", "okhttp/4.9.3") for i in range(8)]  # 2 per address
    order[150:150] = script
    for seq, (user, ip, ua) in enumerate(order, start=1):
        run.register(user, seq, 1_000 * seq, device=f"dev-{user}", ip=ip)
        run.at(9_000_000 + seq * 137).shake(user, device=f"dev-{user}", ip=ip, result="nothing", ua=ua)
    logs = load_run(run.write())
    assert users(sg.registration_bursts(logs)) == {u for u, _, _ in script}
    c = sg.registration_clusters(logs, "userAgent").set_index("userAgent")
    assert c.loc["okhttp/4.9.3", "accounts"] == 8 and c.loc["okhttp/4.9.3", "seqSpan"] == 8


def test_without_identity_logs_there_are_no_registration_signals(run):
    crowd(run, n=3)
    logs = load_run(run.write())
    assert logs.registrations.empty and logs.sessions.empty
    assert sg.registration_bursts(logs).empty and sg.session_thieves(logs).empty


# ---- traveller vs proxy rotator ---------------------------------------------------------------------------------

def test_a_proxy_rotator_is_flagged_travellers_and_a_two_phone_user_are_not(run):
    crowd(run, n=200)
    for i in range(8):  # travellers: home Wi-Fi, then the train's network, then the office
        for k, ip in enumerate(["10.3.0.%d" % i, "172.16.5.1", "10.4.0.%d" % i]):
            run.at(4_000_000 + k * 30_000 + i).shake(f"trav{i}", device=f"dev-trav{i}", ip=ip, result="nothing")
    for k in range(8):  # one person, two phones (Wi-Fi and mobile), alternating
        run.at(4_000_000 + k * 5_000).shake("twophones", device=f"phone-{k % 2}", ip=f"10.5.0.{k % 2}", result="nothing")
    for k in range(12):  # a rotator: one device cycling through six proxies
        run.at(4_000_000 + k * 4_000).shake("rotator", device="dev-rot", ip=f"198.51.100.{k % 6}", result="nothing")
    for r in range(3):  # three more renting one pool of eight, each using five of them once (no return)
        for k in range(5):
            run.at(4_100_000 + k * 20_000 + r).shake(f"pool{r}", device=f"dev-pool{r}", ip=f"203.0.113.{(r + k) % 8}", result="nothing")
    logs = load_run(run.write())
    assert users(sg.proxy_rotation(logs)) == {"rotator", "pool0", "pool1", "pool2"}
    a = sg.address_changes(logs).set_index("userId")
    assert a.loc["twophones", "ips"] == 2 and a.loc["twophones", "excessIps"] == 0
    assert a.loc["trav0", "excessIps"] == 2 and a.loc["trav0", "returns"] == 0 and a.loc["trav0", "pooledIps"] == 1  # the train
    assert a.loc["rotator", "excessIps"] == 5 and a.loc["rotator", "switches"] == 11 and a.loc["rotator", "returns"] == 6
    assert a.loc["pool0", "returns"] == 0 and a.loc["pool0", "pooledIps"] == 4  # .0 is its alone


def test_poisson_tail_threshold():
    # No excess anywhere: any excess is unusual.
    assert sg.poisson_tail_threshold(pd.Series([0] * 100)) == 1
    # lambda = -ln(0.9) ~ 0.105 over 1,000 entities: P(X>=3) ~ 1.8e-4 (0.18 expected), P(X>=4) ~ 4.8e-6 (0.005).
    x = pd.Series([0] * 900 + [1] * 90 + [2] * 10)
    assert sg.poisson_tail_threshold(x, alpha=0.01) == 4
    assert sg.poisson_tail_threshold(x, alpha=1.0) == 3


# ---- stolen sessions: the thief's login vs a traveller on a campus network ------------------------------------

def test_the_thief_is_who_logged_in_where_other_accounts_sessions_were_used(run):
    crowd(run, n=40)
    for i in range(40):
        run.login(f"u{i}", f"s-u{i}", device=f"dev-u{i}", ip=f"10.1.{i}.1")
    # A thief logs in from its own address, then uses three victims' sessions from there.
    run.login("thief", "s-thief", device="dev-thief", ip="10.6.6.6")
    for k, v in enumerate(["u1", "u2", "u3"]):
        run.at(5_000_000 + k * 3_000).shake(v, device="dev-thief", ip="10.6.6.6", result="nothing", session=f"s-{v}")
    # Campus: many accounts log in and shake from one NAT; a traveller's session follows it onto the campus once.
    for i in range(30):
        run.login(f"c{i}", f"s-c{i}", device=f"dev-c{i}", ip="10.200.0.1")
        run.at(5_000_000 + i * 100).shake(f"c{i}", device=f"dev-c{i}", ip="10.200.0.1", result="nothing", session=f"s-c{i}")
    run.at(5_500_000).shake("u7", device="dev-u7", ip="10.200.0.1", result="nothing", session="s-u7")
    crowd_sessions = [r for r in run.gateway if r["userId"].startswith("u") and not r["sessionHash"]]
    for r in crowd_sessions:
        r["sessionHash"] = f"s-{r['userId']}"
    logs = load_run(run.write())
    assert users(sg.session_thieves(logs)) == {"thief"}


# ---- cap bypass: a second phone is not a thrown-away state blob ------------------------------------------------

def test_a_second_phone_shaking_without_the_first_ones_state_is_not_a_cap_bypass(run):
    run.shake("twophones", device="phone-a", token="T1")
    run.shake("twophones", device="phone-b", has_state=False, result="nothing")
    run.shake("bypasser", device="dev-b", token="T2")
    run.shake("bypasser", device="dev-b", has_state=False, result="nothing")
    logs = load_run(run.write())
    assert users(sg.cap_bypass(logs)) == {"bypasser"}


# ---- a shared address: independent people vs one operator's script --------------------------------------------

def test_one_agent_for_many_devices_behind_an_address_is_a_script_a_campus_and_a_family_are_not(run):
    import random
    rnd = random.Random(7)
    models = [f"RedPacket/8.0.{v} (Phone{m}; OS {o})" for v in range(40, 44) for m in range(12) for o in range(8)]
    for i in range(400):  # the crowd, one phone each
        run.at(6_000_000 + i).shake(f"u{i}", device=f"dev-u{i}", ip=f"10.1.{i % 250}.{i // 250 + 1}", result="nothing", ua=rnd.choice(models))
    for i in range(120):  # a campus behind one NAT: the crowd's mix of phones
        run.at(6_000_000 + i).shake(f"c{i}", device=f"dev-c{i}", ip="202.112.0.1", result="nothing", ua=rnd.choice(models))
    for i in range(5):  # a family, one of them sharing the kids' tablet
        run.at(6_000_000 + i).shake(f"fam{i}", device=f"dev-fam{min(i, 3)}", ip="36.1.1.1", result="nothing", ua=models[i % 3])
    for i in range(8):  # an operator's script: eight made-up devices, one library agent
        run.at(6_000_000 + i).shake(f"mule{i}", device=f"dev-mule{i}", ip="47.92.0.9", result="nothing", ua="okhttp/4.9.3")
    logs = load_run(run.write())
    assert users(sg.scripted_agents(logs)) == {f"mule{i}" for i in range(8)}
    c = sg.agent_concentration(logs).set_index(["clientIp", "userAgent"])
    assert c.loc[("47.92.0.9", "okhttp/4.9.3"), "units"] == 8
    # Two relatives with the same phone model: tested, and as likely as the crowd's mix of phones makes it.
    fam = c.loc["36.1.1.1"]
    assert (fam["units"] == 2).all() and (fam["p"] > sg.FAMILY_ALPHA / c["addresses"].iloc[0]).all()
    assert c.loc[("47.92.0.9", "okhttp/4.9.3"), "p"] < 1e-12


def test_accounts_keeping_a_scripts_clock_behind_an_address_are_flagged_a_nat_of_people_is_not(run):
    import random
    rnd = random.Random(11)
    for i in range(50):  # a campus NAT: people shake when they like
        t = 7_000_000 + rnd.randrange(0, 5_000)
        for _ in range(6):
            t += 1_000 + rnd.randrange(0, 500)
            run.at(t).shake(f"c{i}", device=f"dev-c{i}", ip="202.112.0.1", result="nothing")
    for i in range(6):  # a script: every account on whole seconds of the operator's clock (+ a few ms of network)
        for k in range(6):
            run.at(7_000_000 + 1_000 * k + 250 + rnd.randrange(0, 40)).shake(f"m{i}", device=f"dev-m{i}", ip="47.92.0.9", result="nothing")
    logs = load_run(run.write())
    assert users(sg.scripted_timing(logs)) == {f"m{i}" for i in range(6)}
    phase = sg.request_phase(logs).set_index("clientIp")
    assert phase.loc["47.92.0.9", "R"] > 0.9 and phase.loc["202.112.0.1", "p"] > 0.01


def test_a_thiefs_requests_with_a_victims_session_are_the_thiefs_not_the_victims(run):
    from redpacket_analysis import flags

    crowd(run, n=30)
    phone = "RedPacket/8.0.43 (iPhone14,2; iOS 17.1.1)"
    # A traveller: logged in at home, then played from the train and the office, always with its own phone.
    run.login("trav", "s-trav", device="dev-trav", ip="36.1.1.1", at_ms=900_000)
    run.at(1_000_000).shake("trav", device="dev-trav", ip="59.2.2.2", token="T1", session="s-trav", ua=phone)
    run.at(1_030_000).shake("trav", device="dev-trav", ip="60.3.3.3", result="nothing", session="s-trav", ua=phone)
    # A thief logged in from its own address; it shakes with the traveller's session and a copy of its device id,
    # from its own client, without the traveller's state blob.
    run.login("thief", "s-thief", device="dev-thief", ip="58.6.6.6", at_ms=900_000)
    run.at(1_010_000).shake("trav", device="dev-trav", ip="58.6.6.6", result="nothing", has_state=False, session="s-trav",
                            ua="RedPacket/8.0.41 (iPhone13,2; iOS 17.0.3)")
    # A rotator: its own session and client through several addresses (not a theft: the same client).
    run.login("rot", "s-rot", device="dev-rot", ip="111.0.0.1", at_ms=900_000)
    for k in range(4):
        run.at(1_000_000 + k * 5_000).shake("rot", device="dev-rot", ip=f"111.0.0.{k + 1}", result="nothing", session="s-rot", ua=phone)
    logs = load_run(run.write())
    stolen = sg.stolen_requests(logs)
    assert stolen["clientIp"].tolist() == ["58.6.6.6"] and set(stolen["userId"]) == {"trav"}
    assert sg.cap_bypass(logs)["userId"].tolist() == ["trav"]  # all its rows: the thief's stateless shake counts
    assert sg.cap_bypass(sg.without_stolen_requests(logs)).empty
    assert users(sg.session_thieves(logs)) == {"thief"}
    flagged = set(flags.flagged_accounts(flags.all_signals(logs), logs)["userId"])
    assert "thief" in flagged and "trav" not in flagged
