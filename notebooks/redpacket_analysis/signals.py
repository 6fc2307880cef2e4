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
    after a first win on the same device (the client threw away the proof of its wins)."""
    s = logs.shakes.sort_values("timeMs")
    if s.empty:
        return pd.DataFrame(columns=["userId", "shakes", "won", "edgesShaken", "edgesWon", "statelessAfterWin"])
    won = (s["result"] == "envelope").astype("int64")
    # Per device: the state blob lives in the app, so one person's second phone shakes without the first one's
    # blob, honestly; a cap bypasser throws its own away on the device that won.
    won_before = won.groupby([s["userId"], s["deviceId"].fillna("")]).cumsum() - won
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
    """For review and drawing only (notebook 02), not a rule: it has no time axis and no context, so it made one ring
    of every family on a home Wi-Fi and every shared tablet (issue 17). Connected components of the account-device-IP graph (see :func:`link_graph`) with at least
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
    The owner's address: the one the session was issued to (the identity service's login log); for a session the log
    lacks, among those it came from, the one where the fewest accounts' sessions are used (a thief's address presents
    many accounts' sessions, an owner's its own and its household's), then the one it came from most often, then the
    first. Gateway rows (with their index) plus ``ownerIp``.

    Addresses change for honest reasons (a phone moving between networks), and an account rotating proxies must not
    hide its own requests by looking like its own thief: so these rows alone take nothing out of what the other rules
    read; :func:`stolen_requests` (another address *and* another client) does. The account in these rows is the
    victim's; the thief's own account is in the login log (:func:`session_thieves`).
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
    owner_ip = owner.set_index("sessionHash")["clientIp"]
    if not logs.sessions.empty:
        issued = logs.sessions.dropna(subset=["sessionHash", "ip"]).drop_duplicates("sessionHash").set_index("sessionHash")["ip"]
        owner_ip = issued.combine_first(owner_ip)
    a = a.assign(ownerIp=a["sessionHash"].map(owner_ip))
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


# ---- thresholds from the campaign's own distributions -----------------------------------------------------------

#: Expected number of honest entities over a derived threshold (a Bonferroni-style family-wise level): thresholds
#: are set so that, under the crowd's own background rate, fewer than this many would cross them by chance.
FAMILY_ALPHA = 0.01


def poisson_tail_threshold(excess: pd.Series, alpha: float = FAMILY_ALPHA) -> int:
    """The smallest excess count ``c`` such that, if every entity's excess were Poisson with the crowd's background
    rate, fewer than ``alpha`` of them would reach ``c`` by chance: ``n * P(X >= c) < alpha``.

    The rate is estimated from the share of entities with no excess at all (``lambda = -ln(share at 0)``), which a
    minority of fraudulent entities, however extreme, barely moves (a mean would be dragged by them). An empty or
    all-zero series gives 1: any excess is unusual in a crowd that shows none."""
    x = excess.astype("int64")
    n = len(x)
    if n == 0:
        return 1
    at_zero = float((x == 0).mean())
    lam = -np.log(max(at_zero, 1.0 / (n + 1)))
    if lam <= 0:
        return 1
    # P(X >= c) = 1 - sum_{i<c} e^-lam lam^i / i!
    term, cdf, c = np.exp(-lam), 0.0, 0
    while True:
        cdf += term
        c += 1
        term *= lam / c
        if n * max(0.0, 1.0 - cdf) < alpha or c > 10_000:
            return c


def largest_gap_threshold(values: pd.Series, min_ratio: float = 2.0) -> float | None:
    """A break in a heavy-tailed count distribution: among the distinct values, the widest multiplicative gap between
    two consecutive ones (at least ``min_ratio``), returned as the geometric midpoint; None if there is no such gap
    (one continuous population: nothing stands apart). Used where the honest shape is clustered (households of a
    few sharing one thing) so that a Poisson background would be wrong."""
    v = np.sort(pd.unique(values.astype(float)))
    if len(v) < 2:
        return None
    ratios = v[1:] / v[:-1]
    i = int(np.argmax(ratios))
    if ratios[i] < min_ratio:
        return None
    return float(np.sqrt(v[i] * v[i + 1]))


def _with_time(logs: RunLogs) -> pd.DataFrame:
    """Verified gateway rows with the time the request came in (the account, device and address are the session's)."""
    g = logs.checked
    return g.assign(t=g["receivedMs"].astype("float64"))


# ---- proxy rotation: addresses per device, pooled with other movers ------------------------------------------

def address_changes(logs: RunLogs) -> pd.DataFrame:
    """Per account: distinct client IPs and devices; ``excessIps``: for each device the account used, its distinct IPs
    minus one, summed; ``switches``: consecutive requests from one device changing IP; ``returns``: switches back to an
    address that device had already left; ``pooledIps``: its addresses that another *moving* account (one with
    ``excessIps`` > 0) also used.

    Counting per device spares one person with two phones (each phone keeps its own network). A traveller moves one
    phone through networks of its own (home, a train, the office) and seldom goes back; a rotating proxy pool is shared
    by the accounts renting it, and cycles."""
    g = _with_time(logs)
    cols = ["userId", "ips", "devices", "excessIps", "switches", "returns", "pooledIps", "requests"]
    if g.empty:
        return pd.DataFrame(columns=cols)
    g = g.assign(deviceId=g["deviceId"].fillna(""), clientIp=g["clientIp"].fillna(""))
    g = g.sort_values(["userId", "deviceId", "t"])
    same = (g["userId"] == g["userId"].shift()).fillna(False) & (g["deviceId"] == g["deviceId"].shift()).fillna(False)
    switch = same & (g["clientIp"] != g["clientIp"].shift()).fillna(False)
    # A switch onto an address this device had used before (not its first visit there).
    first_visit = ~g.duplicated(["userId", "deviceId", "clientIp"])
    g = g.assign(switch=switch.astype("int64"), ret=(switch & ~first_visit).astype("int64"))
    per_dev = g.groupby(["userId", "deviceId"]).agg(ipsOnDevice=("clientIp", "nunique"), switches=("switch", "sum"),
                                                    returns=("ret", "sum")).reset_index()
    per_dev["excess"] = per_dev["ipsOnDevice"] - 1
    per = per_dev.groupby("userId").agg(devices=("deviceId", "nunique"), excessIps=("excess", "sum"), switches=("switches", "sum"),
                                        returns=("returns", "sum"))
    per = per.join(g.groupby("userId").agg(ips=("clientIp", "nunique"), requests=("t", "size")))
    movers = set(per.index[per["excessIps"] > 0])
    pairs = g.loc[g["userId"].isin(movers), ["userId", "clientIp"]].drop_duplicates()
    movers_at_ip = pairs.groupby("clientIp")["userId"].transform("size")
    pooled = pairs[movers_at_ip > 1].groupby("userId").size()
    per["pooledIps"] = pooled.reindex(per.index).fillna(0).astype("int64")
    return per.reset_index()[cols]


def proxy_rotation(logs: RunLogs, alpha: float = FAMILY_ALPHA) -> pd.DataFrame:
    """Accounts whose device moved through addresses the way a rotating proxy pool does: most of the addresses it moved
    through are also used by other moving accounts (a pool shared by the accounts renting it; a traveller's networks
    are its own), or it came back to addresses it had left more often than the crowd's own rate of returns explains
    (:func:`poisson_tail_threshold` over every account)."""
    a = address_changes(logs)
    if a.empty:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    c = poisson_tail_threshold(a["returns"], alpha)
    moved = a["excessIps"] > 0
    pooled = moved & (2 * a["pooledIps"] > a["ips"])
    cycling = moved & (a["returns"] >= c)
    out = a[pooled | cycling]
    return _signals(out, "proxy rotation", lambda r: (
        f"{r.ips} IPs on {r.devices} device(s), {r.pooledIps} shared with other moving accounts, {r.switches} switch(es), "
        f"{r.returns} return(s) (campaign threshold {c}) in {r.requests} requests"))


# ---- devices: farms (concurrent) and relays (handed on) -------------------------------------------------------

def device_usage(logs: RunLogs) -> pd.DataFrame:
    """Per device and account: first and last request (``receivedMs``), requests; from verified gateway rows."""
    g = _with_time(logs)
    cols = ["deviceId", "userId", "first", "last", "requests"]
    if g.empty:
        return pd.DataFrame(columns=cols)
    g = g[g["deviceId"].notna() & (g["deviceId"] != "") & ~g["userId"].isin(OPERATIONAL_ACCOUNTS)]
    return g.groupby(["deviceId", "userId"]).agg(first=("t", "min"), last=("t", "max"), requests=("t", "size")).reset_index()


def shared_devices(logs: RunLogs) -> pd.DataFrame:
    """Devices used by two or more accounts: how many, whether their activity overlapped in time (someone switching
    accounts back and forth, or a farm's script) or followed one another without overlap (handed on), and the gap."""
    u = device_usage(logs)
    cols = ["deviceId", "accounts", "overlaps", "handoffs", "minGapS", "users"]
    if u.empty:
        return pd.DataFrame(columns=cols)
    n = u.groupby("deviceId")["userId"].transform("size")
    u = u[n >= 2].sort_values(["deviceId", "first"])
    rows = []
    for dev, grp in u.groupby("deviceId", sort=False):
        first, last = grp["first"].to_numpy(), grp["last"].to_numpy()
        running_end = np.maximum.accumulate(last)[:-1]
        overlap = first[1:] <= running_end
        gaps = (first[1:] - running_end)[~overlap]
        rows.append((dev, len(grp), int(overlap.sum()), int((~overlap).sum()),
                     float(gaps.min() / 1000) if len(gaps) else np.nan, ";".join(grp["userId"].head(6))))
    return pd.DataFrame(rows, columns=cols)


def device_farms(logs: RunLogs, min_ratio: float = 2.0) -> pd.DataFrame:
    """Accounts on a device that more accounts used than any household does: the threshold is the widest break in the
    campaign's distribution of accounts per shared device (:func:`largest_gap_threshold`), so a tablet shared by a
    family, a couple's phone and a farm's handset fall on either side of the crowd's own gap, whatever the sizes."""
    d = shared_devices(logs)
    if d.empty:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    t = largest_gap_threshold(d["accounts"], min_ratio)
    if t is None:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    farms = d[d["accounts"] > t]
    u = device_usage(logs).merge(farms, on="deviceId")
    return _signals(u, "device farm", lambda r: (
        f"device {r.deviceId} used by {r.accounts} accounts, {r.overlaps} overlapping (households here share "
        f"with at most {int(t)})"))


#: Expected number of honest shared devices that both were handed on and had their accounts registered close together
#: by chance. Looser than :data:`FAMILY_ALPHA`: the test runs only on the few devices already handed on, and two
#: accounts alone cannot reach a stricter level.
RELAY_ALPHA = 0.1


def device_relays(logs: RunLogs, alpha: float = RELAY_ALPHA) -> pd.DataFrame:
    """Accounts on a device handed from account to account: two or more accounts used it one after the other, their
    activity on it never overlapped, and they were registered closer together in the registration order than
    independent sign-ups would be (probability ``k (S/N)^(k-1)`` below ``alpha`` over the devices handed on).

    People sharing a tablet play when each of them arrives and stop when capped, so their turns can also follow one
    another; but each of them signed up on their own day, while a relay's accounts are made together. Without the
    identity service's registrations, a device handed on is enough."""
    d = shared_devices(logs)
    relay = d[(d["overlaps"] == 0) & (d["handoffs"] >= 1)]
    if relay.empty:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    u = device_usage(logs).merge(relay, on="deviceId")
    r = logs.registrations
    if not r.empty:
        n_total = int(r["registrationSeq"].max() - r["registrationSeq"].min() + 1)
        seq = u["userId"].map(r.drop_duplicates("userId").set_index("userId")["registrationSeq"])
        span = seq.groupby(u["deviceId"]).agg(lambda x: x.max() - x.min() + 1 if x.notna().all() else np.nan)
        k = u.groupby("deviceId")["userId"].size()
        p = _span_p(k, span.fillna(n_total), n_total)
        u = u.assign(regSpan=u["deviceId"].map(span), p=u["deviceId"].map(p))
        u = u[u["p"] < alpha / len(relay)]
    else:
        u = u.assign(regSpan=np.nan, p=np.nan)
    return _signals(u, "device relay", lambda r: (
        f"device {r.deviceId} handed on across {r.accounts} accounts without overlap (shortest hand-over "
        f"{r.minGapS:.0f} s), registered within {r.regSpan:.0f} places (p {r.p:.1e}): {r.users}"))


# ---- registration bursts --------------------------------------------------------------------------------------

def modal_agent(rows: pd.DataFrame) -> pd.Series:
    """Per account of gateway ``rows``, the User-Agent it sent most (empty without a ``userAgent`` column)."""
    if rows.empty or "userAgent" not in rows or rows["userAgent"].isna().all():
        return pd.Series(dtype="string", name="userAgent")
    n = rows.dropna(subset=["userAgent"]).groupby(["userId", "userAgent"]).size().rename("n").reset_index()
    return n.sort_values(["userId", "n"], ascending=[True, False]).drop_duplicates("userId").set_index("userId")["userAgent"]


def account_agents(logs: RunLogs) -> pd.Series:
    """Each account's User-Agent: the one it sent most in verified gateway rows."""
    return modal_agent(logs.checked)


def densest_run(seqs: np.ndarray, n_total: int) -> tuple[float, int, int, int]:
    """The run of a group's registrations least likely under independence: for ``k`` members at sorted places
    ``seqs`` of ``n_total`` registrations, over every ``m`` of them that follow one another within the group, the
    smallest span ``S`` and its probability ``k C(k-1, m-1) (S/N)^(m-1)`` (some member, then ``m - 1`` of the others
    within ``S`` places after it). Returns ``(p, m, first index, span)`` of the least likely run, so that an honest
    account that merely shares the key (the address, the phone model) far from the burst is not swept into it."""
    from scipy.special import gammaln

    k = len(seqs)
    best = (1.0, k, 0, int(seqs[-1] - seqs[0] + 1) if k else 0)
    log_n = np.log(max(1, n_total))
    for m in range(2, k + 1):
        spans = seqs[m - 1:] - seqs[:k - m + 1] + 1
        i = int(np.argmin(spans))
        span = float(spans[i])
        log_p = np.log(k) + gammaln(k) - gammaln(m) - gammaln(k - m + 1) + (m - 1) * (np.log(span) - log_n)
        p = float(np.exp(min(0.0, log_p)))
        if p < best[0]:
            best = (p, m, i, int(span))
    return best


def registration_clusters(logs: RunLogs, by: str = "ip") -> pd.DataFrame:
    """Per registration address (``by="ip"``) or per User-Agent the accounts then played with (``by="userAgent"``), with
    two or more accounts: how many (``accounts``), and its run of registrations least likely under independent sign-ups
    (:func:`densest_run`): how many (``burst``), their span of the registration order (``seqSpan``) and time, the
    probability ``p``, and the accounts in it (``members``). A family, a campus or the owners of one phone model join
    at different moments; a script registers its accounts back to back, whatever addresses it spreads them over."""
    r = logs.registrations
    cols = [by, "accounts", "burst", "seqSpan", "timeSpanS", "p", "users", "members"]
    if r.empty:
        return pd.DataFrame(columns=cols)
    if by != "ip":
        # Owners of one phone model are independent devices: the accounts on one device (a relay, a tablet) share its
        # agent whatever they are, and the device rules judge them; here a device counts once, at its first sign-up.
        r = r.drop(columns=[c for c in (by,) if c in r]).assign(**{by: r["userId"].map(account_agents(logs))}).dropna(subset=[by])
        r = r.sort_values("registrationSeq").drop_duplicates("deviceId")
    r = r.dropna(subset=["registrationSeq"]).drop_duplicates("userId")
    n_total = int(logs.registrations["registrationSeq"].max() - logs.registrations["registrationSeq"].min() + 1)
    size = r.groupby(by)["userId"].transform("size")
    r = r[size >= 2].sort_values([by, "registrationSeq"])
    rows = []
    for key, grp in r.groupby(by, sort=False):
        seqs = grp["registrationSeq"].to_numpy(dtype="int64")
        p, m, i, span = densest_run(seqs, n_total)
        run_ = grp.iloc[i:i + m]
        rows.append((key, len(grp), m, span, (run_["registeredAtMs"].max() - run_["registeredAtMs"].min()) / 1000, p,
                     ";".join(list(run_["userId"])[:6]), list(run_["userId"])))
    if not rows:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(rows, columns=cols).sort_values("p").reset_index(drop=True)


def _span_p(k: pd.Series, span: pd.Series, n_total: int) -> pd.Series:
    """Probability that ``k`` of ``n_total`` independent registrations fall within ``span`` consecutive places of the
    order: ``k (S/N)^(k-1)`` (an upper bound for small spans)."""
    return np.minimum(1.0, k.astype(float) * (span.astype(float) / max(1, n_total)) ** (k.astype(float) - 1))


def sequential_id_runs(logs: RunLogs) -> pd.DataFrame:
    """Runs of account ids numbered in sequence from one stem (``name101``, ``name102``, ...) and how close together
    they registered: ``stem, first, accounts, seqSpan, p, users`` (p as in :func:`registration_clusters`). People pick
    handles with a number (a birth year, a lucky number), so a shared stem alone means nothing; consecutive numbers
    registered back to back is a script."""
    r = logs.registrations
    cols = ["stem", "first", "accounts", "seqSpan", "timeSpanS", "p", "users"]
    if r.empty:
        return pd.DataFrame(columns=cols)
    n_total = int(r["registrationSeq"].max() - r["registrationSeq"].min() + 1)
    m = r["userId"].str.extract(r"^(?P<stem>.*?\D)(?P<num>\d{1,9})$")
    x = r.assign(stem=m["stem"], num=pd.to_numeric(m["num"], errors="coerce")).dropna(subset=["stem", "num"])
    x = x.sort_values(["stem", "num"])
    new_run = (x["stem"] != x["stem"].shift()) | (x["num"] != x["num"].shift() + 1)
    x = x.assign(run=new_run.fillna(True).astype("int64").cumsum())
    g = x.groupby("run").agg(stem=("stem", "first"), first=("num", "first"), accounts=("userId", "size"),
                             lo=("registrationSeq", "min"), hi=("registrationSeq", "max"), t0=("registeredAtMs", "min"),
                             t1=("registeredAtMs", "max"), users=("userId", lambda u: ";".join(list(u)[:6])))
    g = g[g["accounts"] >= 2].reset_index(drop=True)
    if g.empty:
        return pd.DataFrame(columns=cols)
    g["seqSpan"] = (g["hi"] - g["lo"] + 1).astype("int64")
    g["timeSpanS"] = (g["t1"] - g["t0"]) / 1000
    g["p"] = _span_p(g["accounts"], g["seqSpan"], n_total)
    g["first"] = g["first"].astype("int64")
    return g[cols].sort_values("p").reset_index(drop=True)


def registration_bursts(logs: RunLogs, alpha: float = FAMILY_ALPHA) -> pd.DataFrame:
    """Accounts registered in a run of the registration order so tight that independent sign-ups would make it with
    probability below ``alpha`` over every group tested (Bonferroni): from one address or playing with one User-Agent
    (:func:`registration_clusters`: a script registering a batch through its proxies, not a family, a campus or the
    owners of one phone model, who join when each of them decides to), or under ids numbered in sequence
    (:func:`sequential_id_runs`)."""
    by_ip = registration_clusters(logs, "ip")
    by_agent = registration_clusters(logs, "userAgent")
    q = sequential_id_runs(logs)
    tests = max(1, len(by_ip) + len(by_agent) + len(q))
    parts = []
    for c, key, what in ((by_ip, "ip", "from {}"), (by_agent, "userAgent", "playing with agent '{}'")):
        if c.empty:
            continue
        burst = c[c["p"] < alpha / tests].explode("members").rename(columns={"members": "userId", "userId": "_"})
        parts.append(_signals(burst, "registration burst", lambda x, key=key, what=what: (
            f"{x.burst} of {x.accounts} accounts registered {what.format(str(getattr(x, key))[:40])} within {x.seqSpan} "
            f"places of the registration order ({x.timeSpanS:.1f} s; p {x.p:.1e}, {tests} groups tested)")))
    if not q.empty:
        burst = q[q["p"] < alpha / tests]
        rows = []
        ids = logs.registrations[["userId"]].assign(stem=logs.registrations["userId"].str.extract(r"^(.*?\D)\d{1,9}$")[0],
                                                    num=pd.to_numeric(logs.registrations["userId"].str.extract(r"(\d{1,9})$")[0], errors="coerce"))
        for b in burst.itertuples(index=False):
            members = ids[(ids["stem"] == b.stem) & (ids["num"] >= b.first) & (ids["num"] < b.first + b.accounts)]
            rows += [(u, b.stem, b.first, b.accounts, b.seqSpan, b.p) for u in members["userId"]]
        per = pd.DataFrame(rows, columns=["userId", "stem", "first", "accounts", "seqSpan", "p"])
        parts.append(_signals(per, "registration burst", lambda x: (
            f"one of {x.accounts} ids numbered in sequence ({x.stem}{x.first}...) registered within {x.seqSpan} places "
            f"of the order (p {x.p:.1e}, {tests} groups tested)")))
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=SIGNAL_COLUMNS)


# ---- stolen sessions: the thief's own account, from the identity service's logins ---------------------------

def stolen_requests(logs: RunLogs) -> pd.DataFrame:
    """Verified gateway rows that are someone else using an account's session: from another address than the session
    owner's (:func:`foreign_session_uses`) *and* with another User-Agent than the one the account sends from its own
    address. A traveller or a rotating proxy moves its own phone (same agent); a thief presents the victim's session
    from its own client, even when it copies the victim's device id. Empty without a ``userAgent`` column."""
    f = foreign_session_uses(logs)
    if f.empty or "userAgent" not in f or f["userAgent"].isna().all():
        return f.iloc[0:0]
    f = f[f["sessionChecked"].to_numpy()]
    c = logs.checked
    at_home = c.index.difference(f.index)
    # Its agent at the address its session was issued to; a traveller that moved on before its first request has
    # none there: then the agent it sent most.
    own = modal_agent(c.loc[at_home]).combine_first(modal_agent(c))
    mine = f["userId"].map(own)
    return f[(mine.notna() & (f["userAgent"] != mine)).fillna(False).to_numpy()]


def without_stolen_requests(logs: RunLogs) -> RunLogs:
    """The run's logs with :func:`stolen_requests` left out of the gateway log, for the rules that judge an account by
    its own behaviour (caps, devices, addresses, agents): a victim is not to answer for what its thief did."""
    from dataclasses import replace

    stolen = stolen_requests(logs)
    if stolen.empty:
        return logs
    return replace(logs, gateway=logs.gateway.drop(index=stolen.index))


def session_thieves(logs: RunLogs, alpha: float = FAMILY_ALPHA) -> pd.DataFrame:
    """Accounts that logged in (``identity/sessions.avro``) from an address where other accounts' sessions were used
    by someone else: the thief's own login. With User-Agents, the uses are :func:`stolen_requests` and the thief is an
    account that logged in from their address and either made no request of its own or sent their agent. Without,
    only addresses presenting the sessions of more accounts than the crowd's own rate of foreign uses
    (:func:`foreign_session_uses`) explains (:func:`poisson_tail_threshold` over every address) count: a traveller's
    session followed it onto a campus network once; a thief draws victim after victim. The session owners themselves
    are never counted as thieves."""
    s = logs.sessions
    if s.empty or logs.gateway is None:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    stolen = stolen_requests(logs)
    if not stolen.empty:
        # Refusals for another device are a thief's too (its own device, the victim's session), though they verified
        # nothing and no other rule reads them.
        refused = foreign_session_uses(logs)
        refused = refused[(refused["reason"] == "DEVICE_MISMATCH").fillna(False).to_numpy()]
        stolen = pd.concat([stolen, refused.drop(columns="ownerIp", errors="ignore")])
        victims = stolen.groupby("clientIp")["userId"].agg(set)
        agents = stolen.groupby("clientIp")["userAgent"].agg(set)
        own = account_agents(without_stolen_requests(logs))
        logins = s[s["ip"].isin(victims.index)][["userId", "ip"]].drop_duplicates()
        keep = [u not in victims[ip] and (u not in own.index or own[u] in agents[ip]) for u, ip in zip(logins["userId"], logins["ip"])]
        per = logins[keep].groupby("userId").agg(ip=("ip", "first")).reset_index()
        per["victims"] = per["ip"].map(victims.map(len))
        return _signals(per, "stolen sessions used from its login address", lambda r: (
            f"logged in from {r.ip}, where {r.victims} other accounts' sessions were used with its client's agent"))
    if "userAgent" in logs.gateway and logs.gateway["userAgent"].notna().any():
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    f = foreign_session_uses(logs)
    per_ip = f.groupby("clientIp")["userId"].nunique()
    all_ips = pd.Series(0, index=pd.Index(logs.gateway["clientIp"].dropna().unique()))
    excess = all_ips.add(per_ip, fill_value=0)
    c = max(2, poisson_tail_threshold(excess, alpha))
    sources = per_ip[per_ip >= c]
    if sources.empty:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    victims = f[f["clientIp"].isin(sources.index)].groupby("clientIp")["userId"].agg(set)
    logins = s[s["ip"].isin(sources.index)][["userId", "ip"]].drop_duplicates()
    logins = logins[[u not in victims[ip] for u, ip in zip(logins["userId"], logins["ip"])]]
    per = logins.groupby("userId").agg(ip=("ip", "first")).reset_index()
    per["victims"] = per["ip"].map(sources)
    return _signals(per, "stolen sessions used from its login address", lambda r: (
        f"logged in from {r.ip}, where {r.victims} other accounts' sessions were used (threshold {c})"))


# ---- shared addresses judged by whether their accounts act independently ---------------------------------------

def agent_concentration(logs: RunLogs) -> pd.DataFrame:
    """Per client address and User-Agent sent from it by two or more units (a unit: a device, counted once per account,
    so a tablet's relatives or one person's two phones are one), how many units the address has, and the probability
    that independent people behind it would bring that many devices sharing *some* User-Agent: ``C(k, m) * sum_u f_u^m``
    for ``m`` of ``k`` units, ``f_u`` each agent's share of the campaign's devices. A family, a campus or a carrier NAT
    brings the crowd's mix of phones (two relatives with the same model are common enough); an operator's script sends
    one agent for all its accounts. Empty without a ``userAgent`` column."""
    cols = ["clientIp", "userAgent", "units", "unitsAtIp", "p", "users", "addresses"]
    g = logs.checked
    if g.empty or "userAgent" not in g or g["userAgent"].isna().all():
        return pd.DataFrame(columns=cols)
    from scipy.special import comb

    g = g.dropna(subset=["userAgent", "deviceId", "clientIp"])
    g = g[~g["userId"].isin(OPERATIONAL_ACCOUNTS)]
    pairs = g[["clientIp", "userAgent", "deviceId", "userId"]].drop_duplicates()
    per = pairs.groupby(["clientIp", "userAgent"]).agg(devices=("deviceId", "nunique"), accounts=("userId", "nunique"),
                                                       users=("userId", lambda u: ";".join(sorted(set(u))[:6]))).reset_index()
    per["units"] = per[["devices", "accounts"]].min(axis=1)
    per = per.join(per.groupby("clientIp")["units"].sum().rename("unitsAtIp"), on="clientIp")
    f = (pairs.drop_duplicates(["userAgent", "deviceId"]).groupby("userAgent").size() / pairs["deviceId"].nunique()).to_numpy()
    addresses = int((per.groupby("clientIp")["unitsAtIp"].first() >= 2).sum())
    tested = per[per["units"] >= 2].copy()
    if tested.empty:
        return pd.DataFrame(columns=cols)
    q = {m: float(np.sum(f ** m)) for m in tested["units"].unique()}
    tested["p"] = np.minimum(1.0, comb(tested["unitsAtIp"], tested["units"]) * tested["units"].map(q))
    tested["addresses"] = addresses
    return tested[cols].sort_values("p").reset_index(drop=True)


def scripted_agents(logs: RunLogs, alpha: float = FAMILY_ALPHA) -> pd.DataFrame:
    """Accounts behind an address where so many devices send one User-Agent that independent people would do it with
    probability below ``alpha`` over every address with two or more units (Bonferroni; :func:`agent_concentration`)."""
    c = agent_concentration(logs)
    if c.empty:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    tests = int(c["addresses"].iloc[0])
    hit = c[c["p"] < alpha / tests]
    g = logs.checked[["userId", "clientIp", "userAgent"]].dropna().drop_duplicates()
    per = g.merge(hit, on=["clientIp", "userAgent"], suffixes=("", "_"))
    per = per.drop_duplicates("userId")
    return _signals(per, "one agent for many devices behind an address", lambda r: (
        f"{r.units} of {r.unitsAtIp} devices behind {r.clientIp} send '{str(r.userAgent)[:40]}' "
        f"(p {r.p:.1e}, {tests} addresses tested)"))


def request_phase(logs: RunLogs) -> pd.DataFrame:
    """Per client address with two or more accounts: whether its accounts' requests keep time together, from the phase
    of each request within the second (``receivedMs mod 1000`` as an angle). People wait the interval the edge asks for
    plus a moment of their own, so the phases of independent accounts are uniform; a script firing on whole seconds
    of its clock lines its requests up. Rayleigh test: ``Z = n R^2`` for ``n`` requests with mean resultant length
    ``R``, ``p ~ exp(-Z)`` (with the small-sample correction)."""
    cols = ["clientIp", "accounts", "requests", "R", "p", "addresses", "users"]
    g = _with_time(logs)
    if g.empty:
        return pd.DataFrame(columns=cols)
    g = g[~g["userId"].isin(OPERATIONAL_ACCOUNTS)].dropna(subset=["clientIp", "t"])
    n_acc = g.groupby("clientIp")["userId"].transform("nunique")
    g = g[n_acc >= 2]
    if g.empty:
        return pd.DataFrame(columns=cols)
    theta = 2 * np.pi * (g["t"].to_numpy() % 1000) / 1000
    g = g.assign(c=np.cos(theta), s=np.sin(theta))
    per = g.groupby("clientIp").agg(accounts=("userId", "nunique"), requests=("t", "size"), c=("c", "sum"), s=("s", "sum"),
                                    users=("userId", lambda u: ";".join(sorted(set(u))[:6]))).reset_index()
    n = per["requests"].astype(float)
    r = np.sqrt(per["c"] ** 2 + per["s"] ** 2) / n
    z = n * r ** 2
    p = np.exp(-z) * (1 + (2 * z - z ** 2) / (4 * n) - (24 * z - 132 * z ** 2 + 76 * z ** 3 - 9 * z ** 4) / (288 * n ** 2))
    per["R"] = r
    per["p"] = np.clip(p, 0.0, 1.0)
    per["addresses"] = len(per)
    return per[cols].sort_values("p").reset_index(drop=True)


def scripted_timing(logs: RunLogs, alpha: float = FAMILY_ALPHA) -> pd.DataFrame:
    """Accounts behind an address whose requests keep time together so closely that independent people would do it
    with probability below ``alpha`` over every address with two or more accounts (Bonferroni; :func:`request_phase`)."""
    c = request_phase(logs)
    if c.empty:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    hit = c[c["p"] < alpha / len(c)]
    g = logs.checked[["userId", "clientIp"]].dropna().drop_duplicates().merge(hit, on="clientIp", suffixes=("", "_"))
    g = g.drop_duplicates("userId")
    return _signals(g, "requests on a script's clock behind an address", lambda r: (
        f"{r.requests} requests of {r.accounts} accounts behind {r.clientIp} keep time within the second "
        f"(R {r.R:.2f}, p {r.p:.1e}, {len(c)} addresses tested)"))
