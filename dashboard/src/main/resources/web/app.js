// redpacket live dashboard: state pushed by the server (Server-Sent Events), charts drawn on canvas by the
// small code below (no library, no network beyond this server), operator switches with confirmation.
'use strict';

const VISIBLE_SECONDS = 120;
const COLORS = ['#d62828', '#1d70b8', '#2a9d55', '#e9a100', '#7b3fa0', '#00838f', '#6d4c41', '#c2185b'];
const points = new Map();   // epoch second -> point {t, opens, credits, dispensed, ...}
let last = null;            // the latest state
let historySeconds = 300;

const $ = (id) => document.getElementById(id);

// ---- formatting (money is integer fen: never through floating point) ----
function group(n) {
  const s = String(Math.abs(Math.trunc(n)));
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
function yuan(fen) {
  const f = Math.trunc(fen);
  const sign = f < 0 ? '-' : '';
  const a = Math.abs(f);
  return sign + group(Math.floor(a / 100)) + '.' + String(a % 100).padStart(2, '0');
}
function num(n) { return n === undefined || n === null ? '-' : group(n); }
function hms(ms) {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, '0')).join(':');
}
function signedMs(ms) {
  const s = ms / 1000;
  const abs = Math.abs(s);
  const text = abs >= 86400 ? (abs / 86400).toFixed(1) + ' d' : abs >= 3600 ? (abs / 3600).toFixed(1) + ' h' : abs >= 60 ? (abs / 60).toFixed(1) + ' min' : abs + ' s';
  return (s < 0 ? '−' : '+') + text;
}
function text(id, value) { const el = $(id); if (el.textContent !== value) el.textContent = value; }
function el(tag, cls, content) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (content !== undefined) e.textContent = content;
  return e;
}

// ---- charts ----
/** A step of 1, 2, 2.5 or 5 times a power of ten, so four steps cover v (at least 1 per step: counts are whole). */
function niceStep(v) {
  const raw = Math.max(1, v / 4);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * p) return m * p;
  return 10 * p;
}
function tick(v) { return Number.isInteger(v) ? group(v) : v.toFixed(1); }

/**
 * A line chart over the last VISIBLE_SECONDS: series = [{label, color, get(point) -> number|undefined}].
 * Missing values leave gaps. The canvas records how often it was drawn and its last second (data-draws,
 * data-last-t, data-points), so a test can see it update.
 */
function lineChart(canvas, pts, series, unit) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 600;
  const h = canvas.clientHeight || Number(canvas.getAttribute('height')) || 200;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const left = 56, right = 10, top = 22, bottom = 20;
  const pw = w - left - right, ph = h - top - bottom;
  const end = pts.length ? pts[pts.length - 1].t : Math.floor(Date.now() / 1000);
  const start = end - VISIBLE_SECONDS;
  const shown = pts.filter((p) => p.t > start);
  let max = 0;
  for (const p of shown) for (const s of series) { const v = s.get(p); if (v !== undefined && v > max) max = v; }
  const step = niceStep(max);
  max = step * 4;
  const x = (t) => left + ((t - start) / VISIBLE_SECONDS) * pw;
  const y = (v) => top + ph - (v / max) * ph;

  g.font = '11px system-ui, sans-serif';
  g.strokeStyle = '#e3e6ea';
  g.fillStyle = '#6b7280';
  g.lineWidth = 1;
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (let i = 0; i <= 4; i++) {
    const v = step * i;
    const yy = Math.round(y(v)) + 0.5;
    g.beginPath(); g.moveTo(left, yy); g.lineTo(left + pw, yy); g.stroke();
    g.fillText(tick(v) + (unit && i === 4 ? ' ' + unit : ''), left - 6, yy);
  }
  g.textAlign = 'center';
  g.textBaseline = 'top';
  for (let t = end - (end % 30); t > start; t -= 30) {
    const xx = Math.round(x(t)) + 0.5;
    g.beginPath(); g.moveTo(xx, top); g.lineTo(xx, top + ph); g.stroke();
    g.fillText(hms(t * 1000), xx, top + ph + 4);
  }
  series.forEach((s, i) => {
    g.strokeStyle = s.color || COLORS[i % COLORS.length];
    g.lineWidth = 2;
    g.beginPath();
    let drawing = false, prevT = null;
    for (const p of shown) {
      const v = s.get(p);
      if (v === undefined || (prevT !== null && p.t - prevT > 3)) { drawing = false; }
      if (v !== undefined) {
        if (drawing) g.lineTo(x(p.t), y(v)); else g.moveTo(x(p.t), y(v));
        drawing = true;
        prevT = p.t;
      }
    }
    g.stroke();
  });
  // Legend with the latest value of each series.
  g.textAlign = 'left';
  g.textBaseline = 'middle';
  let lx = left;
  series.forEach((s, i) => {
    let latest;
    for (let j = shown.length - 1; j >= 0 && latest === undefined; j--) latest = s.get(shown[j]);
    const label = s.label + ' ' + (latest === undefined ? '-' : group(latest));
    g.fillStyle = s.color || COLORS[i % COLORS.length];
    g.fillRect(lx, 6, 10, 10);
    g.fillStyle = '#1f2937';
    g.fillText(label, lx + 14, 11);
    lx += g.measureText(label).width + 30;
  });
  canvas.dataset.draws = String(Number(canvas.dataset.draws || 0) + 1);
  canvas.dataset.points = String(shown.length);
  canvas.dataset.lastT = String(end);
}

// ---- rendering the state ----
function sortedPoints() {
  return [...points.values()].sort((a, b) => a.t - b.t);
}

/** The last second that every source has reported: the newest one may still be filling. */
function settledPoint(pts) {
  return pts.length > 1 ? pts[pts.length - 2] : pts[pts.length - 1];
}

function render(state) {
  const pts = sortedPoints();
  text('campaign', state.campaign + ' / ' + state.variant);
  text('clock', hms(state.nowMs));
  $('settlement-state').classList.toggle('hidden', !state.settlementSilent);

  const p = settledPoint(pts) || {};
  text('rate-dispensed', num(p.dispensed ?? 0));
  text('rate-opens', num(p.opens ?? 0));
  text('rate-credits', num(p.credits ?? 0));
  text('total-dispensed', num(state.totals.dispensed));
  text('total-opens', num(state.totals.opens));
  text('total-credits', num(state.totals.credits));
  text('total-credited', yuan(state.totals.credited_fen));
  text('total-rejects', num(state.totals.rejects));
  const backlog = Object.values(state.backlog).reduce((a, b) => a + b, 0);
  text('total-backlog', num(backlog));
  const lat = state.latency;
  text('latency-p99', lat.latency_p99_ms === undefined ? '-' : num(lat.latency_p99_ms) + ' ms');
  text('latency-p50', lat.latency_p50_ms === undefined ? '-' : num(lat.latency_p50_ms) + ' ms');
  text('latency-p95', lat.latency_p95_ms === undefined ? '-' : num(lat.latency_p95_ms) + ' ms');
  text('final-failures', num(state.finalFailures.total));
  text('failures-settlement', num(state.finalFailures.settlement));
  text('failures-edges', num(state.finalFailures.edges));
  $('card-failures').classList.toggle('alarm', state.finalFailures.total > 0);
  text('flagged-accounts', num(state.totals.flagged_accounts));
  text('total-flags', num(state.totals.flags));
  text('flagged-yuan', yuan(state.totals.flagged_opened_fen));
  $('card-flags').classList.toggle('flagged', state.totals.flagged_accounts > 0);
  const held = state.totals.held_opens - state.totals.unheld_opens;
  text('held-yuan', yuan(state.totals.held_fen - state.totals.unheld_fen));
  text('held-opens', num(held));
  text('unheld-opens', num(state.totals.unheld_opens));
  $('card-held').classList.toggle('flagged', held > 0);

  lineChart($('chart-throughput'), pts, [
    { label: 'dispensed', color: COLORS[0], get: (q) => q.dispensed },
    { label: 'opens', color: COLORS[1], get: (q) => q.opens },
    { label: 'credits', color: COLORS[2], get: (q) => q.credits },
  ], '/s');
  const channels = Object.keys(state.backlog).sort();
  lineChart($('chart-backlog'), pts, channels.map((ch, i) => ({
    // A channel with nothing queued has no gauge: 0 for every second settlement reported.
    label: ch, color: COLORS[(i + 3) % COLORS.length], get: (q) => (q.backlog && q.backlog[ch] !== undefined ? q.backlog[ch] : q.opens !== undefined ? 0 : undefined),
  })));
  lineChart($('chart-latency'), pts, [
    { label: 'p50', color: COLORS[2], get: (q) => q.latency_p50_ms },
    { label: 'p95', color: COLORS[3], get: (q) => q.latency_p95_ms },
    { label: 'p99', color: COLORS[0], get: (q) => q.latency_p99_ms },
  ], 'ms');
  lineChart($('chart-rejects'), pts, [{ label: 'rejects/s', color: COLORS[4], get: (q) => q.rejects }]);
  renderRejects(state.rejectsByReason);
  renderProgress(state);
  renderEdges(state);
  renderSwitches(state);
}

function renderRejects(byReason) {
  const box = $('rejects');
  const entries = Object.entries(byReason).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  box.replaceChildren();
  if (!entries.length) { box.append(el('div', 'muted', 'none yet')); return; }
  const max = entries[0][1];
  for (const [reason, n] of entries) {
    const row = el('div', 'bar');
    row.dataset.reason = reason;
    row.append(el('span', 'name', reason));
    const track = el('span', 'track');
    const fill = el('span', 'fill');
    fill.style.width = Math.max(1, (n / max) * 100) + '%';
    track.append(fill);
    row.append(track, el('span', 'n', num(n)));
    box.append(row);
  }
}

function progressCell(done, budget, mark) {
  const td = el('td', 'wide');
  const box = el('div', 'progress-box');
  const track = el('div', 'progress');
  const fill = el('div', 'fill');
  fill.style.width = (budget > 0 ? Math.min(100, (done / budget) * 100) : 0) + '%';
  track.append(fill);
  if (mark !== undefined && budget > 0) {
    const tick = el('div', 'mark');
    tick.style.left = Math.min(100, (mark / budget) * 100) + '%';
    tick.title = 'scheduled by now: ' + yuan(mark) + ' yuan';
    track.append(tick);
  }
  const pct = budget > 0 ? ((done / budget) * 100).toFixed(done > 0 && done * 1000 < budget ? 2 : 1) + '%' : '-';
  box.append(track, el('span', 'pct', pct));
  td.append(box);
  return td;
}

function renderProgress(state) {
  text('shift', signedMs(state.shiftMs));
  const sb = $('sponsors').tBodies[0];
  sb.replaceChildren();
  for (const s of state.sponsors) {
    const tr = el('tr');
    tr.dataset.sponsor = s.id;
    tr.append(el('td', '', s.name + ' (' + s.id + ')'), el('td', 'r', yuan(s.creditedFen)), el('td', 'r', yuan(s.budgetFen)),
      progressCell(s.creditedFen, s.budgetFen, s.scriptedFen));
    sb.append(tr);
  }
  const tb = $('slots').tBodies[0];
  tb.replaceChildren();
  for (const s of state.slots) {
    const tr = el('tr', s.state);
    tr.dataset.slot = s.id;
    const elapsed = s.state === 'running' ? Math.round(((state.nowMs - s.startMs) / (s.endMs - s.startMs)) * 100) + '% of time' : s.state;
    tr.title = Object.entries(s.bySponsor).map(([id, x]) => id + ': ' + yuan(x.creditedFen) + ' / ' + yuan(x.budgetFen)).join('\n');
    tr.append(el('td', '', s.id), el('td', '', hms(s.startMs) + '–' + hms(s.endMs)), el('td', 'state', elapsed),
      el('td', 'r', yuan(s.creditedFen)), el('td', 'r', yuan(s.budgetFen)), progressCell(s.creditedFen, s.budgetFen));
    tb.append(tr);
  }
}

function renderEdges(state) {
  const tb = $('edges').tBodies[0];
  tb.replaceChildren();
  for (const e of state.edges) {
    const tr = el('tr');
    tr.dataset.source = e.source;
    const stateText = e.silent ? 'silent' : e.paused ? 'PAUSED' : 'dispensing';
    tr.append(el('td', '', e.source), el('td', 'state ' + (e.silent ? 'warn' : e.paused ? 'paused' : 'ok'), stateText),
      el('td', 'r', num(e.dispenseRate)), el('td', 'r', signedMs(e.shiftMs)), el('td', 'r', num(e.dispensed)), el('td', 'r', num(e.shakes)),
      el('td', 'r', num(e.opens_enqueued)), el('td', 'r', num(e.inFlightOpens)), el('td', 'r' + (e.final_failures > 0 ? ' alarm' : ''), num(e.final_failures)),
      el('td', 'r', num(e.controlOffset)));
    tb.append(tr);
  }
}

function renderSwitches(state) {
  const sw = state.switches;
  $('switches-off').classList.toggle('hidden', sw.enabled);
  document.querySelectorAll('#operator button, #operator input, #operator select').forEach((b) => { b.disabled = !sw.enabled; });
  text('targets', 'the control topic ' + sw.controlTopic + ' (every edge and settlement apply it, in order)');
  const sel = $('in-channel');
  if (sel.options.length !== sw.channels.length) {
    sel.replaceChildren(...sw.channels.map((c) => { const o = el('option', '', c); o.value = c; return o; }));
  }
  const list = $('audit');
  list.replaceChildren();
  for (const a of state.audit) {
    const args = Object.entries(a.args || {}).map(([k, v]) => k + '=' + v).join(' ');
    const targets = (a.targets || []).map((t) => (t.ok ? '✓ ' : '✗ ') + t.target).join(', ');
    // Which edges acknowledged the switch: those whose applied offset is past the command's.
    let applied = '';
    if (a.offset !== undefined) {
      const done = state.edges.filter((e) => e.controlOffset > a.offset).map((e) => e.source);
      const waiting = state.edges.filter((e) => e.controlOffset <= a.offset).map((e) => e.source);
      applied = '  applied by ' + (done.length ? done.join(', ') : 'no edge yet') + (waiting.length ? '; waiting for ' + waiting.join(', ') : '');
    }
    const li = el('li', a.outcome === 'published' || a.outcome === 'applied' ? 'ok' : 'err',
      a.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z') + '  ' + a.operator + '  ' + a.action + (args ? ' ' + args : '') + '  → ' + a.outcome
      + (a.offset !== undefined ? ' at offset ' + a.offset : '') + (a.error ? ': ' + a.error : '') + (targets ? '  [' + targets + ']' : '') + applied);
    list.append(li);
  }
}

function apply(state) {
  if (state.full) points.clear();
  for (const p of state.points) points.set(p.t, p);
  const newest = state.latestSecond;
  for (const t of points.keys()) if (t < newest - historySeconds) points.delete(t);
  last = state;
  render(state);
}

// ---- live feed ----
function connect() {
  const source = new EventSource('events');
  source.addEventListener('state', (ev) => {
    const conn = $('conn');
    conn.textContent = 'live';
    conn.className = 'conn on';
    apply(JSON.parse(ev.data));
  });
  source.onerror = () => {
    const conn = $('conn');
    conn.textContent = 'reconnecting';
    conn.className = 'conn off';
  };
}

// ---- operator switches ----
const SWITCHES = {
  'sw-pause': () => ({ action: 'pause', params: {}, text: 'Pause dispensing on every edge. Shakes will get "nothing" until resumed.' }),
  'sw-resume': () => ({ action: 'resume', params: {}, text: 'Resume dispensing on every edge.' }),
  'sw-rate': () => ({ action: 'rate', params: { perSecond: $('in-rate').value }, text: 'Set the dispense rate of every edge to ' + $('in-rate').value + ' envelopes/s.' }),
  'sw-limit': () => ({ action: 'channel-limit', params: { channel: $('in-channel').value, perSecond: $('in-limit').value },
    text: 'Set the credit limit of channel ' + $('in-channel').value + ' to ' + $('in-limit').value + ' credits/s (settlement, via the control topic).' }),
  'sw-blacklist': () => ({ action: 'blacklist', params: { keyId: $('in-key').value },
    text: 'Blacklist key ' + $('in-key').value + ' on every edge and in settlement. Opens sealed with it will be rejected.' }),
  'sw-shift': () => ({ action: 'shift', params: { ms: $('in-shift').value }, text: 'Shift the slot countdown on every edge by ' + $('in-shift').value + ' ms.' }),
  'sw-hold': () => ({ action: 'hold-account', params: { userId: $('in-user').value },
    text: 'Hold the credits of account ' + $('in-user').value + ' for review (settlement, via the control topic).' }),
  'sw-release': () => ({ action: 'release-account', params: { userId: $('in-user').value },
    text: 'Release account ' + $('in-user').value + ': settlement pays its held credits and stops holding it.' }),
  'sw-confirm': () => ({ action: 'confirm-fraud', params: { userId: $('in-user').value },
    text: 'Confirm account ' + $('in-user').value + ' as fraud: its held and later opens are refused, their envelopes refunded to the sponsors.' }),
};

let pending = null;

function ask(spec) {
  pending = spec;
  text('confirm-text', spec.text);
  const dlg = $('confirm');
  if (!dlg.open) dlg.showModal();
}

function showResult(ok, status, message) {
  const box = $('switch-result');
  box.className = 'result ' + (ok ? 'ok' : 'err');
  box.dataset.status = String(status);
  box.textContent = message;
}

async function send(spec) {
  const token = $('op-token').value.trim();
  const body = new URLSearchParams(spec.params).toString();
  showResult(true, 0, spec.action + ': sending…');
  try {
    const r = await fetch('api/switch/' + spec.action, {
      method: 'POST',
      headers: { 'Authorization': 'Bearer ' + token, 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
      cache: 'no-store',
    });
    const j = await r.json();
    const targets = (j.targets || []).map((t) => (t.ok ? '✓ ' : '✗ ') + t.target + (t.ok ? '' : ': ' + t.detail)).join('; ');
    showResult(r.ok, r.status, spec.action + ' → ' + r.status + ' ' + (j.outcome || '') + (j.error ? ': ' + j.error : '') + (targets ? ' — ' + targets : ''));
  } catch (e) {
    showResult(false, -1, spec.action + ': ' + e);
  }
}

async function check() {
  const token = $('op-token').value.trim();
  try {
    const r = await fetch('api/whoami', { headers: { 'Authorization': 'Bearer ' + token }, cache: 'no-store' });
    const j = await r.json();
    text('op-who', r.ok ? 'signed in as ' + j.operator : 'refused: ' + (j.error || r.status));
    $('op-who').className = r.ok ? 'ok' : 'err';
  } catch (e) {
    text('op-who', String(e));
  }
}

function init() {
  for (const [id, make] of Object.entries(SWITCHES)) {
    $(id).addEventListener('click', () => ask(make()));
  }
  $('confirm-ok').addEventListener('click', () => {
    $('confirm').close();
    if (pending) { const spec = pending; pending = null; send(spec); }
  });
  $('confirm-cancel').addEventListener('click', () => {
    $('confirm').close();
    if (pending) showResult(false, 0, pending.action + ': cancelled, nothing sent');
    pending = null;
  });
  $('op-check').addEventListener('click', check);
  window.addEventListener('resize', () => { if (last) render(last); });
  connect();
}

document.addEventListener('DOMContentLoaded', init);
