"""Fraud signals, one function per rule. Each returns a frame of ``userId, reason, evidence`` (one row per account
and reason), so rules can be shown one by one in the notebooks and combined by :mod:`redpacket_analysis.flags`.

Every rule reads logs only (settlement Parquet and the gateway's access log), never the ground truth.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from redpacket_analysis.logs import AUTHENTIC_SESSION_REFUSALS, RunLogs

#: Per-user cap the edges and settlement enforce (io.redpacket.edge.ClientState.USER_CAP).
USER_CAP = 3
#: Operations' own probe accounts: the campaign's liveness canary is written straight into Kafka on purpose.
OPERATIONAL_ACCOUNTS = frozenset({"campaign-canary"})
#: Rejects only a forged or tampered token or record can cause (local cryptographic checks and the record index).
FORGERY_REASONS = frozenset({
    "MALFORMED_TOKEN", "MALFORMED_RECORD", "TOKEN_NOT_AUTHENTIC", "RECORD_CHECKSUM", "UNKNOWN_KEY",
    "TICKET_NOT_AUTHENTIC", "UNKNOWN_BATCH", "AMOUNT_OUT_OF_BOUNDS", "NOT_PREGENERATED", "RECORD_MISMATCH",
})
CAP_REASONS = frozenset({"USER_CAP", "SPONSOR_CAP"})

SIGNAL_COLUMNS = ["userId", "reason", "evidence"]


def _signals(df: pd.DataFrame, reason: str, evidence) -> pd.DataFrame:
    """Rows ``userId, reason, evidence`` from a frame with one row per account."""
    if df.empty:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    out = pd.DataFrame({"userId": df["userId"].astype(str).to_numpy(), "reason": reason})
    out["evidence"] = [evidence(r) for r in df.itertuples(index=False)]
    return out[~out["userId"].isin(OPERATIONAL_ACCOUNTS)].reset_index(drop=True)


# ---- forged tokens ---------------------------------------------------------------------------------------------

def dispensed_tokens(logs: RunLogs) -> pd.DataFrame:
    """``tokenHash -> userId, edgeId`` of every token an edge dispensed (from the gateway's shake answers)."""
    s = logs.shakes
    s = s[(s["result"] == "envelope") & s["tokenHash"].notna()]
    return s[["tokenHash", "userId", "edgeId", "timeMs"]].rename(columns={"userId": "dispensedTo", "edgeId": "dispensedBy"}) \
        .drop_duplicates("tokenHash")


def forged_at_edge(logs: RunLogs) -> pd.DataFrame:
    """Accounts that presented a token failing the edge's cryptographic checks, and never dispensed by any edge.

    A genuine client cannot produce one: tokens are MAC'd and bound to the account they were dispensed to. A
    token that *was* dispensed, to another account, is a stolen one (see :func:`token_presented_by_other`).
    """
    o = logs.edge_opens
    bad = o[o["reason"].isin(FORGERY_REASONS)]
    bad = bad[~bad["tokenHash"].isin(dispensed_tokens(logs)["tokenHash"])]
    per = bad.groupby("userId").agg(n=("reason", "size"), reasons=("reason", lambda r: ",".join(sorted(set(r))))).reset_index()
    return _signals(per, "forged token at edge", lambda r: f"{r.n} open(s) rejected by the edge: {r.reasons}")


def forged_in_settlement(logs: RunLogs) -> pd.DataFrame:
    """Accounts whose opens settlement rejected as forged or tampered: the edge would have refused them, so they
    came in behind the edges (a compromised edge or an insider with access to the opens topic)."""
    r = logs.rejects[logs.rejects["reason"].isin(FORGERY_REASONS)]
    per = r.groupby("userId").agg(n=("reason", "size"), reasons=("reason", lambda x: ",".join(sorted(set(x))))).reset_index()
    return _signals(per, "forged open reached settlement", lambda r: f"{r.n} reject(s): {r.reasons}")


# ---- replayed and stolen tokens --------------------------------------------------------------------------------

def replayed_own_token(logs: RunLogs) -> pd.DataFrame:
    """Accounts that presented the same token again after the edge had already answered it (not after a
    'retry' answer, which asks the client to resend)."""
    o = logs.edge_opens.dropna(subset=["tokenHash"]).sort_values("timeMs")
    if o.empty:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    answered = (o["result"] != "retry").astype("int64")
    # A presentation is a replay if an earlier presentation of the same token by the same account was answered.
    answered_before = answered.groupby([o["userId"], o["tokenHash"]]).cumsum() - answered
    replays = o[(answered_before > 0).to_numpy()]
    per = replays.groupby("userId").agg(n=("tokenHash", "size"), tokens=("tokenHash", "nunique")).reset_index()
    return _signals(per, "replayed own token", lambda r: f"{r.n} re-presentation(s) of {r.tokens} answered token(s)")


def token_presented_by_other(logs: RunLogs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tokens presented by an account other than the one an edge dispensed them to.

    Returns ``(presenters, sources)``: the accounts presenting someone else's token, and the accounts whose
    tokens were presented elsewhere (they handed their token on: sold, shared with an accomplice, or leaked).
    """
    o = logs.edge_opens.dropna(subset=["tokenHash"])
    d = dispensed_tokens(logs)
    m = o.merge(d, on="tokenHash", how="inner")
    stolen = m[m["userId"] != m["dispensedTo"]]
    pres = stolen.groupby("userId").agg(n=("tokenHash", "nunique"), owners=("dispensedTo", lambda x: ",".join(sorted(set(x))[:3]))).reset_index()
    src = stolen.groupby("dispensedTo").agg(n=("tokenHash", "nunique"), others=("userId", lambda x: ",".join(sorted(set(x))[:3]))).reset_index() \
        .rename(columns={"dispensedTo": "userId"})
    return (_signals(pres, "presented another account's token", lambda r: f"{r.n} token(s) dispensed to {r.owners}"),
            _signals(src, "own token presented by another account", lambda r: f"{r.n} token(s) presented by {r.others}"))


def envelope_credited_to_other(logs: RunLogs) -> pd.DataFrame:
    """Accounts whose open settlement rejected as a duplicate of an envelope credited to a *different* account:
    a token re-bound to another user (only possible behind the edges, with the token key)."""
    r = logs.rejects[logs.rejects["reason"] == "DUPLICATE_ENVELOPE"].dropna(subset=["envelopeId"])
    owner = logs.credits[["envelopeId", "userId"]].rename(columns={"userId": "creditedTo"})
    m = r.merge(owner, on="envelopeId", how="inner")
    m = m[m["userId"] != m["creditedTo"]]
    per = m.groupby("userId").agg(n=("envelopeId", "nunique"), owners=("creditedTo", lambda x: ",".join(sorted(set(x))[:3]))).reset_index()
    return _signals(per, "opened an envelope credited to another account", lambda r: f"{r.n} envelope(s) credited to {r.owners}")


def replays_of_credited_opens(logs: RunLogs) -> pd.DataFrame:
    """Duplicate opens of an envelope already credited to the *same* account. Not the account's doing (its app
    never resends an answered open); grouped by where they came from: device, IP, edge, event id prefix."""
    r = logs.rejects[logs.rejects["reason"] == "DUPLICATE_ENVELOPE"].dropna(subset=["envelopeId"])
    owner = logs.credits[["envelopeId", "userId"]].rename(columns={"userId": "creditedTo"})
    m = r.merge(owner, on="envelopeId", how="inner")
    m = m[m["userId"] == m["creditedTo"]]
    m = m.assign(eventPrefix=m["openEventId"].str.replace(r"[-_]?\d+$", "", regex=True).str.slice(0, 24))
    return m.groupby(["deviceId", "ip", "edgeId", "eventPrefix"], dropna=False).agg(
        replays=("envelopeId", "size"), accounts=("userId", "nunique")).reset_index().sort_values("replays", ascending=False)


def injected_opens(logs: RunLogs) -> pd.DataFrame:
    """Accounts with open events in settlement that no edge answered: for every open an edge enqueues, the
    gateway logged the edge answering 'opened' with that account and envelope. Needs the gateway log."""
    if logs.gateway is None:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    answered = logs.edge_opens[logs.edge_opens["result"] == "opened"][["userId", "envelopeId"]].dropna().drop_duplicates()
    o = logs.opens.merge(answered.assign(seen=True), on=["userId", "envelopeId"], how="left")
    inj = o[o["seen"].isna()]
    per = inj.groupby("userId").agg(n=("eventId", "size"), edges=("edgeId", lambda e: ",".join(map(str, sorted(set(e.dropna())))))).reset_index()
    return _signals(per, "open injected behind the edges", lambda r: f"{r.n} open event(s) no edge answered (claimed edge {r.edges})")


def unexplained_settlement_opens(logs: RunLogs) -> pd.DataFrame:
    """The open events behind :func:`injected_opens`, for the sources table (event id prefix, device, IP, edge)."""
    if logs.gateway is None:
        return logs.opens.iloc[0:0]
    answered = logs.edge_opens[logs.edge_opens["result"] == "opened"][["userId", "envelopeId"]].dropna().drop_duplicates()
    o = logs.opens.merge(answered.assign(seen=True), on=["userId", "envelopeId"], how="left")
    return o[o["seen"].isna()].drop(columns="seen")


# ---- caps ------------------------------------------------------------------------------------------------------

def dispenses_per_account(logs: RunLogs) -> pd.DataFrame:
    """Per account: shakes, envelopes dispensed, distinct edges shaken and won on, shakes without the state blob
    after a first win (the client threw away the proof of its wins)."""
    s = logs.shakes.sort_values("timeMs")
    if s.empty:
        return pd.DataFrame(columns=["userId", "shakes", "won", "edgesShaken", "edgesWon", "statelessAfterWin"])
    won = (s["result"] == "envelope").astype("int64")
    won_before = won.groupby(s["userId"]).cumsum() - won
    stateless = (s["hasState"] == False).fillna(False).astype(bool)  # noqa: E712 (nullable boolean)
    s = s.assign(won=won.astype(bool), statelessAfterWin=(won_before > 0) & stateless)
    return s.groupby("userId").agg(
        shakes=("timeMs", "size"), won=("won", "sum"), edgesShaken=("edgeId", "nunique"),
        edgesWon=("edgeId", lambda e: e[s.loc[e.index, "won"]].nunique()),
        statelessAfterWin=("statelessAfterWin", "sum")).reset_index()


def cap_bypass(logs: RunLogs) -> pd.DataFrame:
    """Accounts that got past the per-user caps: more than :data:`USER_CAP` envelopes dispensed in total (possible
    only by spreading over edges without the state blob), shakes without the state blob after a win, or opens
    settlement rejected for a user or sponsor cap."""
    d = dispenses_per_account(logs)
    over = d[(d["won"] > USER_CAP) | (d["statelessAfterWin"] > 0)]
    caps = logs.rejects[logs.rejects["reason"].isin(CAP_REASONS)]
    capped = caps.groupby("userId").agg(capRejects=("reason", "size"), capEdges=("edgeId", "nunique")).reset_index()
    per = over.merge(capped, on="userId", how="outer")
    for c in ("won", "edgesWon", "statelessAfterWin", "capRejects", "capEdges"):
        per[c] = per[c].fillna(0).astype(int)
    return _signals(per, "cap bypass across edges", lambda r: (
        f"{r.won} dispensed on {r.edgesWon} edge(s), {r.statelessAfterWin} stateless shake(s) after a win, "
        f"{r.capRejects} cap reject(s) in settlement"))


# ---- device and IP rings ---------------------------------------------------------------------------------------

def account_links(logs: RunLogs) -> pd.DataFrame:
    """``userId, kind, value`` for every device and client IP an account used, from the gateway (every request
    carries the device and the client IP) and from settlement's opens and rejects. Left out, because the device and
    IP are someone else's, not the account's: gateway rows whose session the edge did not verify (anyone can write
    an account into a forged credential; :attr:`RunLogs.checked`), and replays of an account's own credited open."""
    parts = []
    if logs.gateway is not None:
        g = logs.checked
        parts.append(g[["userId", "deviceId"]].rename(columns={"deviceId": "value"}).assign(kind="device"))
        parts.append(g[["userId", "clientIp"]].rename(columns={"clientIp": "value"}).assign(kind="ip"))
    replayed = set(replays_of_credited_opens_events(logs))
    o = logs.opens[~logs.opens["eventId"].isin(replayed)]
    r = logs.rejects[~logs.rejects["openEventId"].isin(replayed)]
    for f in (o, r):
        parts.append(f[["userId", "deviceId"]].rename(columns={"deviceId": "value"}).assign(kind="device"))
        parts.append(f[["userId", "ip"]].rename(columns={"ip": "value"}).assign(kind="ip"))
    links = pd.concat(parts, ignore_index=True).dropna()
    links = links[(links["value"] != "") & ~links["userId"].isin(OPERATIONAL_ACCOUNTS)]
    return links.drop_duplicates().reset_index(drop=True)[["userId", "kind", "value"]]


def replays_of_credited_opens_events(logs: RunLogs) -> list[str]:
    """Event ids of duplicate opens of an envelope already credited to the same account."""
    r = logs.rejects[logs.rejects["reason"] == "DUPLICATE_ENVELOPE"].dropna(subset=["envelopeId"])
    m = r.merge(logs.credits[["envelopeId", "userId"]].rename(columns={"userId": "creditedTo"}), on="envelopeId")
    return m.loc[m["userId"] == m["creditedTo"], "openEventId"].tolist()


def hub_values(links: pd.DataFrame, max_accounts: int) -> pd.DataFrame:
    """Devices or IPs shared by more than ``max_accounts`` accounts: infrastructure (a proxy, NAT, the loopback
    of an edge that does not trust X-Forwarded-For), not a farm. Left out of the graph and listed."""
    n = links.groupby(["kind", "value"])["userId"].nunique().rename("accounts").reset_index()
    return n[n["accounts"] > max_accounts].sort_values("accounts", ascending=False).reset_index(drop=True)


def link_graph(links: pd.DataFrame, max_accounts: int = 200, ip_min_accounts: int = 5) -> nx.Graph:
    """Bipartite graph: account nodes ``("user", id)`` linked to ``("device", v)`` and ``("ip", v)`` nodes. Hubs
    (see :func:`hub_values`) are left out, and so are IPs with fewer than ``ip_min_accounts`` accounts: a
    phone is personal, an address is not (a household, a carrier NAT, or two strangers drawing the same one)."""
    hubs = hub_values(links, max_accounts)
    keep = links.merge(hubs[["kind", "value"]].assign(hub=True), on=["kind", "value"], how="left")
    keep = keep[keep["hub"].isna()]
    per_value = keep.groupby(["kind", "value"])["userId"].transform("nunique")
    keep = keep[(keep["kind"] != "ip") | (per_value >= ip_min_accounts)]
    g = nx.Graph()
    g.add_nodes_from(("user", u) for u in links["userId"].unique())
    g.add_edges_from((("user", u), (k, v)) for u, k, v in keep[["userId", "kind", "value"]].itertuples(index=False))
    return g


def rings(links: pd.DataFrame, min_accounts: int = 3, max_accounts: int = 200, ip_min_accounts: int = 5) -> pd.DataFrame:
    """Connected components of the account-device-IP graph (see :func:`link_graph`) with at least
    ``min_accounts`` accounts, one row per account with its ring id, ring size and the shared devices and IPs.
    A device shared by two (a couple, a replayer and its accomplice) is not an army, so the default asks for three."""
    g = link_graph(links, max_accounts, ip_min_accounts)
    rows = []
    comps = sorted(nx.connected_components(g), key=len, reverse=True)
    ring_id = 0
    for comp in comps:
        users = sorted(v for k, v in comp if k == "user")
        if len(users) < min_accounts:
            continue
        ring_id += 1
        shared = sorted(f"{k}:{v}" for k, v in comp if k != "user" and g.degree((k, v)) > 1)
        for u in users:
            rows.append((u, ring_id, len(users), ";".join(shared[:4]) + (" ..." if len(shared) > 4 else "")))
    return pd.DataFrame(rows, columns=["userId", "ring", "ringSize", "shared"])


def ring_members(links: pd.DataFrame, min_accounts: int = 3, max_accounts: int = 200) -> pd.DataFrame:
    r = rings(links, min_accounts, max_accounts)
    return _signals(r, "device/IP ring", lambda x: f"ring {x.ring} of {x.ringSize} accounts sharing {x.shared}")


# ---- velocity --------------------------------------------------------------------------------------------------

def activity(logs: RunLogs) -> pd.DataFrame:
    """Per account: shakes and answered opens at the edges, envelopes opened in settlement (an event without an
    envelope id counts alone), active span, rates per minute; gateway rows past the session check only (:attr:`RunLogs.checked`)."""
    parts = []
    if logs.gateway is not None:
        g = logs.checked
        # Opens the edge answered (not 'retry', which asks the client to send the same open again).
        g = g.assign(isShake=(g["path"] == "shake").astype("int64"),
                     isOpen=((g["path"] == "open") & (g["result"] != "retry")).astype("int64"))
        parts.append(g.groupby("userId").agg(shakes=("isShake", "sum"), edgeOpens=("isOpen", "sum"),
                                             first=("timeMs", "min"), last=("timeMs", "max")))
    # Open events in settlement per account, counting an envelope once: a retried open can be enqueued twice.
    o = logs.opens.assign(key=logs.opens["envelopeId"].astype("string").fillna("event:" + logs.opens["eventId"]))
    parts.append(o.groupby("userId").agg(settledOpens=("key", "nunique"), firstOpen=("openTimeMs", "min"), lastOpen=("openTimeMs", "max")))
    a = pd.concat(parts, axis=1).reset_index().rename(columns={"index": "userId"})
    for c in ("shakes", "edgeOpens", "settledOpens"):
        if c not in a:
            a[c] = 0
        a[c] = a[c].fillna(0).astype(int)
    first = a[[c for c in ("first", "firstOpen") if c in a]].min(axis=1)
    last = a[[c for c in ("last", "lastOpen") if c in a]].max(axis=1)
    minutes = ((last - first) / 60_000).clip(lower=1.0)
    a["activeMinutes"] = minutes.astype(float)
    a["shakesPerMin"] = a["shakes"] / minutes
    a["opensPerMin"] = np.maximum(a["edgeOpens"], a["settledOpens"]) / minutes
    return a[~a["userId"].isin(OPERATIONAL_ACCOUNTS)].reset_index(drop=True)


def robust_z(x: pd.Series) -> pd.Series:
    """(x - median) / (1.4826 MAD): a z-score the outliers themselves cannot drag."""
    x = x.astype(float)
    med = x.median()
    mad = (x - med).abs().median() * 1.4826
    if not mad or np.isnan(mad):
        mad = x.std() or 1.0
    return (x - med) / mad


def velocity_outliers(logs: RunLogs, z: float = 3.0, min_opens: int = USER_CAP + 1) -> pd.DataFrame:
    """Accounts whose open count is far above the crowd's (robust z on log1p above ``z``) and above what an honest
    client can reach: it presents each envelope it won once, and wins at most :data:`USER_CAP`."""
    a = activity(logs)
    opens = np.maximum(a["edgeOpens"], a["settledOpens"])
    a = a.assign(opens=opens, zOpens=robust_z(np.log1p(opens)))
    out = a[(a["zOpens"] > z) & (a["opens"] >= min_opens)]
    return _signals(out, "open velocity outlier", lambda r: f"{r.opens} opens in {r.activeMinutes:.1f} min (robust z {r.zOpens:.1f})")


# ---- sessions --------------------------------------------------------------------------------------------------

def _authentic_presentations(logs: RunLogs) -> pd.DataFrame:
    """Gateway rows whose session credential is genuine (the edge verified it, or refused it only for expiry or
    device after its signature checked out), with a session hash."""
    g = logs.gateway
    if g is None:
        return logs.checked
    keep = g["sessionChecked"] | ((g["result"] == "unauthenticated") & g["reason"].isin(AUTHENTIC_SESSION_REFUSALS).fillna(False))
    return g[keep.to_numpy() & g["sessionHash"].notna().to_numpy()]


def foreign_session_uses(logs: RunLogs) -> pd.DataFrame:
    """Presentations of a genuine session credential by someone other than its owner: the edge refused it as
    presented from another device (``DEVICE_MISMATCH``), or it came from another client address than its owner's.
    The owner's address, among those a session came from: the one where the fewest accounts' sessions are used (a
    thief's address presents many accounts' sessions, an owner's its own and its household's), then the one it came
    from most often, then the first. Gateway rows (with their index) plus ``ownerIp``.

    For review (notebook 04) and to spare victims in :func:`expired_session_kept` only: no other rule leaves these rows
    out. Addresses change for honest reasons (a phone moving between networks), and an account rotating proxies must
    not hide its own requests from the cap, ring and token rules by looking like its own thief.

    The account in these rows is the victim's; the thief's own account is in the identity service's login log
    (``identity/sessions.avro``: which account logged in from that address), which these notebooks cannot read yet.
    """
    a = _authentic_presentations(logs)
    if a.empty:
        return a.assign(ownerIp=pd.Series(dtype="string"))
    own = a[(a["reason"] != "DEVICE_MISMATCH").fillna(True).to_numpy()]
    accounts_at_ip = own.groupby("clientIp")["userId"].nunique().rename("accountsAtIp")
    per_ip = own.groupby(["sessionHash", "clientIp"]).agg(n=("timeMs", "size"), first=("receivedMs", "min")).reset_index() \
        .join(accounts_at_ip, on="clientIp")
    owner = per_ip.sort_values(["sessionHash", "accountsAtIp", "n", "first"], ascending=[True, True, False, True]) \
        .drop_duplicates("sessionHash")
    a = a.assign(ownerIp=a["sessionHash"].map(owner.set_index("sessionHash")["clientIp"]))
    foreign = (a["reason"] == "DEVICE_MISMATCH").fillna(False) | (a["clientIp"] != a["ownerIp"]).fillna(False)
    return a[foreign.to_numpy()]


def stolen_session_sources(logs: RunLogs) -> pd.DataFrame:
    """Where sessions were used by someone other than their owner (see :func:`foreign_session_uses`): per client
    address and device, how many accounts' sessions, requests, refusals for the device, envelopes won. For review:
    a thief's address uses many accounts' sessions, a traveller's only its own."""
    f = foreign_session_uses(logs)
    cols = ["clientIp", "deviceId", "accounts", "sessions", "requests", "deviceRefused", "envelopesWon"]
    if f.empty:
        return pd.DataFrame(columns=cols)
    f = f.assign(refused=(f["reason"] == "DEVICE_MISMATCH").fillna(False), won=(f["result"] == "envelope"))
    return f.groupby(["clientIp", "deviceId"], dropna=False).agg(
        accounts=("userId", "nunique"), sessions=("sessionHash", "nunique"), requests=("timeMs", "size"),
        deviceRefused=("refused", "sum"), envelopesWon=("won", "sum")).reset_index() \
        .sort_values(["accounts", "requests"], ascending=False).reset_index(drop=True)[cols]


def expired_session_kept(logs: RunLogs) -> pd.DataFrame:
    """Accounts that kept presenting a session after the edge had answered that it expired: a request that came
    in (``timeMs - durationMs``) after the first ``EXPIRED`` answer for the same credential. An app logs in again
    on that answer; requests already in flight when it came do not count. Only the owner's own presentations count
    (a thief replaying a captured session is :func:`foreign_session_uses`, not the victim's doing)."""
    a = _authentic_presentations(logs)
    foreign = foreign_session_uses(logs)
    a = a[~a.index.isin(foreign.index)]
    expired = a[(a["reason"] == "EXPIRED").fillna(False)]
    if expired.empty:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    told = expired.groupby("sessionHash")["timeMs"].min().rename("toldMs")
    m = a.merge(told, left_on="sessionHash", right_index=True)
    kept = m[m["receivedMs"] > m["toldMs"]]
    per = kept.groupby("userId").agg(n=("timeMs", "size"), sessions=("sessionHash", "nunique"),
                                     span=("receivedMs", lambda t: (t.max() - t.min()) / 1000)).reset_index()
    return _signals(per, "kept presenting an expired session",
                    lambda r: f"{r.n} request(s) with {r.sessions} session(s) after the edge answered EXPIRED (over {r.span:.0f} s)")
