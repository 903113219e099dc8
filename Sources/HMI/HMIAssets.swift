/// The page, its script and its style, embedded in the binary (plant networks are offline:
/// nothing is fetched from anywhere but this server).
enum HMIAssets {
    static let html = Array(page.utf8)
    static let script = Array(app.utf8)
    static let style = Array(css.utf8)

    static let page = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lineside</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
  <h1>lineside</h1>
  <span id="state" class="badge">connecting</span>
  <span id="light" class="light"></span>
  <span id="model" class="model"></span>
  <span id="link" class="link"></span>
</header>
<main>
<section class="live">
  <h2>Live</h2>
  <div class="pictures">
    <figure><img id="live-frame" alt="newest frame"><figcaption>frame as captured: region outlined (green pass, red reject), heatmap where the model saw it</figcaption></figure>
    <figure><img id="live-heatmap" alt="newest heatmap"><figcaption>model's view with the heatmap</figcaption></figure>
  </div>
  <p id="live-text" class="figures">no part yet</p>
</section>
<section class="counters">
  <h2>Counters</h2>
  <dl>
    <dt>parts</dt><dd id="counter-parts">-</dd>
    <dt>rejects</dt><dd id="counter-rejects">-</dd>
    <dt>yield</dt><dd id="counter-yield">-</dd>
    <dt>not inspected</dt><dd id="counter-uninspected">-</dd>
    <dt>fail-safe</dt><dd id="counter-failsafe">-</dd>
    <dt>latency p50 / p99</dt><dd id="counter-latency">-</dd>
    <dt>frames/s</dt><dd id="counter-fps">-</dd>
    <dt>archive</dt><dd id="counter-archive">-</dd>
  </dl>
</section>
<section class="scores">
  <h2>Scores</h2>
  <svg id="distribution" viewBox="0 0 600 220" role="img" aria-label="score distribution"></svg>
  <p class="legend"><span class="key held">held-out good parts (calibration)</span> <span class="key recent">recent parts</span> <span class="key limit">threshold</span></p>
</section>
<section class="actions">
  <h2>Actions</h2>
  <p id="actions-mode" class="figures"></p>
  <label>token <input id="token" type="password" autocomplete="off" size="24"></label>
  <div class="buttons">
    <button id="btn-calibrate" type="button">Start calibration</button>
    <button id="btn-cancel" type="button">Cancel calibration</button>
    <button id="btn-rollback" type="button">Roll back model</button>
  </div>
  <label>threshold <input id="threshold" type="number" step="any" size="10"></label>
  <button id="btn-threshold" type="button">Set threshold</button>
  <p id="action-result" class="result"></p>
  <h3>Events</h3>
  <ul id="events"></ul>
</section>
<section class="archive">
  <h2>Reject archive</h2>
  <div id="archive" class="thumbs"></div>
</section>
</main>
<div id="modal" class="modal hidden">
  <div class="sheet">
    <button id="modal-close" type="button">close</button>
    <div class="pictures">
      <figure><img id="modal-region" alt="archived region"><figcaption>region</figcaption></figure>
      <figure><img id="modal-heatmap" alt="archived heatmap"><figcaption>heatmap</figcaption></figure>
    </div>
    <p id="modal-text" class="figures"></p>
  </div>
</div>
</body>
</html>
"""#

    static let app = #"""
"use strict";
const $ = (id) => document.getElementById(id);
let livePart = -1, liveView = -1, lastArchiveTop = -1, failures = 0, current = null, lastAction = null;

function text(id, value) { const el = $(id); if (el.textContent !== String(value)) el.textContent = value; }
function num(x, digits) { return x === null || x === undefined ? "-" : Number(x).toFixed(digits); }

// A live picture replaces the shown one only once it is fetched and decoded: no blank between
// frames, and a picture that fails keeps the last good one on screen.
const loading = {};
async function showPicture(id, url) {
  if (loading[id]) return;
  loading[id] = true;
  try {
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) return;
    const objectURL = URL.createObjectURL(await response.blob());
    const picture = new Image();
    picture.src = objectURL;
    try { await picture.decode(); } catch (e) { URL.revokeObjectURL(objectURL); return; }
    const shown = $(id), old = shown.dataset.url;
    shown.src = objectURL;
    shown.dataset.url = objectURL;
    if (old) setTimeout(() => URL.revokeObjectURL(old), 1000);
  } catch (e) {
  } finally {
    loading[id] = false;
  }
}

async function getJSON(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) throw new Error(path + ": " + response.status);
  return response.json();
}

async function pollState() {
  try {
    const s = await getJSON("/api/state");
    current = s; failures = 0;
    text("state", s.state ? s.detail : "starting");
    $("state").className = "badge " + (s.state || "starting");
    text("light", s.light ? "light: " + s.light : "");
    text("model", s.model ? "model " + s.model.id + " · threshold " + num(s.model.threshold, 3) : "no model");
    text("link", "");
    const c = s.counters || {};
    text("counter-parts", c.parts ?? "-");
    text("counter-rejects", c.rejects ?? "-");
    text("counter-yield", s.yield_percent === null || s.yield_percent === undefined ? "-" : s.yield_percent + " %");
    text("counter-uninspected", c.not_inspected ?? "-");
    text("counter-failsafe", c.fail_safe ?? "-");
    text("counter-latency", num(s.latency_p50_ms, 1) + " / " + num(s.latency_p99_ms, 1) + " ms");
    text("counter-fps", num(s.fps, 1));
    text("counter-archive", s.archive ? s.archive.records + " records, " + (s.archive.bytes / 1e6).toFixed(1) + " MB" + (s.archive.dropped ? ", " + s.archive.dropped + " dropped" : "") : "off");
    text("actions-mode", s.actions === "token" ? "actions need the token" : "read-only: no token configured");
    if (s.model && s.model.min_threshold !== undefined) {
      $("threshold").min = s.model.min_threshold; $("threshold").max = s.model.max_threshold;
      $("threshold").placeholder = num(s.model.min_threshold, 3) + " … " + num(s.model.max_threshold, 3);
    }
    if (s.view && s.view.number !== liveView) {
      liveView = s.view.number;
      showPicture("live-frame", "/live/frame.jpg?v=" + liveView);
    }
    if (s.live && s.live.part !== livePart) {
      livePart = s.live.part;
      if (s.live.heatmap) showPicture("live-heatmap", "/live/heatmap.jpg?p=" + livePart);
      text("live-text", "part " + s.live.part + ": " + s.live.verdict + (s.live.score === null ? " (not inspected)" : ", score " + num(s.live.score, 3)) + offsetText(s.live.offset));
    }
    if (s.last_action && s.last_action !== lastAction) {
      if (lastAction !== null) { text("action-result", s.last_action); $("action-result").className = "result " + (/refused/.test(s.last_action) ? "refused" : "ok"); }
      lastAction = s.last_action;
    }
    const events = $("events");
    const items = (s.events || []).slice(0, 8).map((e) => e.time.substring(11, 19) + "  " + e.text);
    if (events.dataset.key !== items.join("|")) {
      events.dataset.key = items.join("|");
      events.replaceChildren(...items.map((t) => { const li = document.createElement("li"); li.textContent = t; return li; }));
    }
  } catch (e) {
    failures += 1;
    if (failures > 3) { text("state", "no answer from the board"); $("state").className = "badge fault"; }
  }
}

async function pollArchive() {
  try {
    const a = await getJSON("/api/archive");
    const top = a.records.length ? a.records[0].id : 0;
    if (top === lastArchiveTop) return;
    lastArchiveTop = top;
    const box = $("archive");
    box.replaceChildren(...a.records.map((r) => {
      const div = document.createElement("div");
      div.className = "thumb " + r.verdict;
      div.dataset.id = r.id; div.dataset.part = r.part; div.dataset.reason = r.reason; div.dataset.heatmap = r.heatmap_bytes > 0 ? "1" : "0";
      const img = document.createElement("img");
      img.src = "/archive/" + r.id + (r.heatmap_bytes > 0 ? "/heatmap.jpg" : "/region.jpg");
      img.alt = "record " + r.id;
      const p = document.createElement("p");
      p.textContent = r.time.substring(11, 19) + " " + r.reason + (r.score === null ? "" : " " + num(r.score, 2));
      div.append(img, p);
      div.addEventListener("click", () => openRecord(r));
      return div;
    }));
  } catch (e) { /* shown by the state poll */ }
}

// Where a registered part lay against the reference ("" for models without registration).
function offsetText(o) {
  if (!o) return "";
  return " · offset dx " + num(o.dx_px, 1) + " px, dy " + num(o.dy_px, 1) + " px, angle " + num(o.angle_deg, 2) + " deg" +
         (o.located ? "" : " NOT LOCATED" + (o.not_located_reason ? " (" + o.not_located_reason + ")" : ""));
}

function openRecord(r) {
  $("modal-region").src = "/archive/" + r.id + "/region.jpg";
  if (r.heatmap_bytes > 0) { $("modal-heatmap").src = "/archive/" + r.id + "/heatmap.jpg"; } else { $("modal-heatmap").removeAttribute("src"); }
  text("modal-text", "record " + r.id + " · part " + r.part + " · " + r.time + " · " + r.verdict + " · " + r.reason + " (" + r.detail + ")" +
       " · score " + num(r.score, 3) + " / threshold " + num(r.threshold, 3) + " · model " + (r.model || "none") + offsetText(r.offset));
  $("modal").classList.remove("hidden");
}

async function pollScores() {
  try {
    const d = await getJSON("/api/parts");
    drawDistribution(d);
  } catch (e) { /* shown by the state poll */ }
}

function drawDistribution(d) {
  const svg = $("distribution"), ns = "http://www.w3.org/2000/svg";
  const scores = d.recent.map((r) => r.score), held = d.held_out;
  const all = scores.concat(held, d.threshold === null ? [] : [d.threshold]);
  if (all.length === 0) { svg.replaceChildren(); return; }
  const max = Math.max(...all) * 1.1 || 1, bins = 40, w = 600, h = 200;
  const count = (xs) => { const b = new Array(bins).fill(0); xs.forEach((x) => { b[Math.min(bins - 1, Math.floor(x / max * bins))] += 1; }); return b; };
  const hb = count(held), rb = count(scores);
  const hmax = Math.max(1, ...hb), rmax = Math.max(1, ...rb);
  const nodes = [];
  const bar = (i, v, m, cls, half) => {
    const r = document.createElementNS(ns, "rect");
    const bw = w / bins;
    r.setAttribute("x", i * bw + (half ? bw / 2 : 0)); r.setAttribute("width", bw / 2 - 1);
    r.setAttribute("y", h - v / m * (h - 10)); r.setAttribute("height", v / m * (h - 10));
    r.setAttribute("class", cls); return r;
  };
  hb.forEach((v, i) => { if (v) nodes.push(bar(i, v, hmax, "held", false)); });
  rb.forEach((v, i) => { if (v) nodes.push(bar(i, v, rmax, "recent", true)); });
  if (d.threshold !== null) {
    const x = d.threshold / max * w, line = document.createElementNS(ns, "line");
    line.setAttribute("x1", x); line.setAttribute("x2", x); line.setAttribute("y1", 0); line.setAttribute("y2", h);
    line.setAttribute("class", "limit"); line.setAttribute("id", "threshold-line"); nodes.push(line);
  }
  const axis = document.createElementNS(ns, "text");
  axis.setAttribute("x", 2); axis.setAttribute("y", 215); axis.textContent = "0";
  const end = document.createElementNS(ns, "text");
  end.setAttribute("x", 560); end.setAttribute("y", 215); end.textContent = max.toFixed(1);
  nodes.push(axis, end);
  svg.replaceChildren(...nodes);
}

async function act(name, body) {
  const token = $("token").value;
  sessionStorage.setItem("lineside-token", token);
  try {
    const response = await fetch("/api/action/" + name, { method: "POST", headers: { "X-Lineside-Token": token, "Content-Type": "text/plain" }, body: body || "" });
    const answer = await response.json();
    lastAction = lastAction === null ? "" : lastAction;
    text("action-result", response.ok ? answer.message : "refused (" + response.status + "): " + answer.error);
    $("action-result").className = "result " + (response.ok ? "ok" : "refused");
  } catch (e) {
    text("action-result", "no answer: " + e.message);
    $("action-result").className = "result refused";
  }
  pollState();
}

document.addEventListener("DOMContentLoaded", () => {
  $("token").value = sessionStorage.getItem("lineside-token") || "";
  $("btn-calibrate").addEventListener("click", () => act("calibrate"));
  $("btn-cancel").addEventListener("click", () => act("cancel"));
  $("btn-rollback").addEventListener("click", () => { if (confirm("Roll back to the previous model?")) act("rollback"); });
  $("btn-threshold").addEventListener("click", () => act("threshold", "value=" + $("threshold").value));
  $("modal-close").addEventListener("click", () => $("modal").classList.add("hidden"));
  $("modal").addEventListener("click", (e) => { if (e.target === $("modal")) $("modal").classList.add("hidden"); });
  pollState(); pollArchive(); pollScores();
  setInterval(pollState, 250);
  setInterval(pollArchive, 400);
  setInterval(pollScores, 2000);
});
"""#

    static let css = #"""
:root { font-family: system-ui, sans-serif; color: #1b1f24; background: #f3f4f6; }
body { margin: 0; }
header { display: flex; gap: 1em; align-items: baseline; flex-wrap: wrap; padding: 0.6em 1em; background: #1b1f24; color: #f3f4f6; }
header h1 { font-size: 1.3em; margin: 0; }
.badge { padding: 0.15em 0.6em; border-radius: 0.8em; background: #6b7280; color: white; font-weight: 600; }
.badge.inspecting { background: #15803d; } .badge.calibrating, .badge.fitting { background: #b45309; }
.badge.fault { background: #b91c1c; } .badge.no-model { background: #7c3aed; }
.light, .model { opacity: 0.85; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1em; padding: 1em; }
section { background: white; border-radius: 0.5em; padding: 0.6em 1em; box-shadow: 0 1px 2px #0002; }
h2 { font-size: 1.05em; margin: 0.2em 0 0.6em; } h3 { font-size: 0.95em; }
.pictures { display: flex; gap: 0.8em; flex-wrap: wrap; }
figure { margin: 0; } figure img { width: 224px; height: 224px; object-fit: contain; background: #111; display: block; }
figcaption, .figures { font-size: 0.85em; color: #4b5563; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 0.3em 1em; margin: 0; }
dt { color: #4b5563; } dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
svg { width: 100%; height: auto; background: #fafafa; }
rect.held { fill: #9ca3af; } rect.recent { fill: #2563eb; } line.limit { stroke: #dc2626; stroke-width: 2; }
svg text { font-size: 11px; fill: #4b5563; }
.legend .key::before { content: "■ "; } .key.held::before { color: #9ca3af; } .key.recent::before { color: #2563eb; } .key.limit::before { color: #dc2626; }
.buttons { display: flex; gap: 0.5em; margin: 0.5em 0; flex-wrap: wrap; }
button { padding: 0.35em 0.8em; }
.result.ok { color: #15803d; } .result.refused { color: #b91c1c; }
#events { font-family: ui-monospace, monospace; font-size: 0.8em; padding-left: 1em; }
.archive { grid-column: 1 / -1; }
.thumbs { display: flex; flex-wrap: wrap; gap: 0.5em; }
.thumb { width: 112px; cursor: pointer; border: 2px solid transparent; }
.thumb.reject { border-color: #dc2626; } .thumb.fail-safe { border-color: #b45309; } .thumb.pass { border-color: #15803d; }
.thumb img { width: 108px; height: 108px; display: block; object-fit: cover; }
.thumb p { font-size: 0.7em; margin: 0.1em; }
.modal { position: fixed; inset: 0; background: #000a; display: flex; align-items: center; justify-content: center; }
.modal.hidden { display: none; }
.sheet { background: white; padding: 1em; border-radius: 0.5em; max-width: 90vw; }
.sheet figure img { width: 320px; height: 320px; }
"""#
}
