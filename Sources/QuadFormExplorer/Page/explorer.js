// The explorer page of `quadform serve` (docs/serve.md): sends the form to the API and shows
// the report. No framework, no network beyond the server that served this page.
// The address is the state: #f=…&exact=1&s=α,β,γ&at=… (or #form=<JSON>, or #example=1.5.6);
// every synthesis writes it and adds a history entry, so a link reopens the form and Back works.
"use strict";

const EXAMPLE_156 = {
  widths: [1, 1, 2, 2, 1],
  activation: { kind: "relu" },
  layers: [
    { weights: [[1]], bias: [0] },
    { weights: [[1], [2]], bias: [0, 1] },
    { weights: [[1, 0], [0, 1]], bias: [0, 0] },
    { weights: [[2, 2]], bias: [1] },
  ],
  skips: [{ from: 0, to: 4, weights: [[-1]] }],
};
const DEFAULT_EXPRESSION = "x1^2 + 3*x1*x2 + x2^2 + x3 - 5";
const TYPING_DELAY = 350;  // ms after the last key before a floating synthesis runs

const $ = (id) => document.getElementById(id);
// The SVG namespace, as the HTML parser gives it (the page's files name no outside address).
const SVG = (() => { const probe = document.createElement("div"); probe.innerHTML = "<svg></svg>"; return probe.firstChild.namespaceURI; })();
let current = null;   // {request, report, state}
let serial = 0;       // answers to an older request are dropped
let evaluations = 0;  // the same for evaluations
let typingTimer = null;
let typingSession = false;  // the last history entry came from typing: more typing replaces it

function text(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") {
    if (value === 0) return "0";
    const a = Math.abs(value);
    if (a >= 1e-4 && a < 1e6) return String(Number(value.toPrecision(6)));
    return value.toExponential(3);
  }
  return String(value);
}

// A JSON number or an exact "p/q" string as a Double (for drawing only).
function num(value) {
  if (typeof value === "number") return value;
  const s = String(value);
  const slash = s.indexOf("/");
  return slash < 0 ? Number(s) : Number(s.slice(0, slash)) / Number(s.slice(slash + 1));
}

function short(value) {
  const v = num(value);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(3)));
  return v.toExponential(1);
}

function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json();
  return { ok: response.ok, status: response.status, data };
}

// MARK: the state and the address

function state() {
  return { source: $("expression").value, exact: $("exact").checked, activation: $("activation").value.trim(), at: $("at").value.trim() };
}

function hashOf(s) {
  const p = new URLSearchParams();
  if (s.example) { p.set("example", s.example); if (s.at) p.set("at", s.at); return p.toString(); }
  if (s.source.trim().startsWith("{")) p.set("form", s.source); else p.set("f", s.source);
  if (s.exact) p.set("exact", "1");
  if (s.activation) p.set("s", s.activation);
  if (s.at) p.set("at", s.at);
  return p.toString();
}

function stateFromHash() {
  const raw = location.hash.replace(/^#/, "");
  if (!raw) return null;
  const p = new URLSearchParams(raw);
  if (p.has("example")) return { example: p.get("example"), at: p.get("at") || "" };
  if (!p.has("f") && !p.has("form")) return null;
  return { source: p.get("form") ?? p.get("f"), exact: p.get("exact") === "1", activation: p.get("s") || "", at: p.get("at") || "" };
}

function applyState(s) {
  if (s.example) { $("network-at").value = s.at || "5"; return; }
  $("expression").value = s.source;
  $("exact").checked = s.exact;
  $("activation").value = s.activation;
  $("at").value = s.at;
}

// Writes the state into the address: "push" adds a history entry, "replace" rewrites the current one.
function commit(s, mode) {
  if (mode === "none") return;
  const hash = "#" + hashOf(s);
  if (location.hash === hash) return;
  if (mode === "push") history.pushState(null, "", hash); else history.replaceState(null, "", hash);
}

// MARK: errors

const FIELDS = ["expression", "activation", "at"];

function showError(field, message) {
  const box = field === "activation" ? $("activation-error") : field === "at" ? null : $("error");
  if (box) { box.textContent = message; box.hidden = false; }
  $(field).setAttribute("aria-invalid", "true");
  if (field === "expression") $("expression").classList.add("invalid");
}

function clearError(field) {
  const box = field === "activation" ? $("activation-error") : field === "at" ? null : $("error");
  if (box) { box.hidden = true; box.textContent = ""; }
  $(field).setAttribute("aria-invalid", "false");
  if (field === "expression") $("expression").classList.remove("invalid");
}

// The field an API error belongs to: the activation's when it names the activation, else the expression's.
function errorField(data, body) {
  if (data.column === null && body.activation && /activation|α|alpha/i.test(data.error)) return "activation";
  return "expression";
}

function checkActivation(raw) {
  if (raw === "") return null;
  const parts = raw.split(/\s*,\s*|\s+/).filter((p) => p !== "");
  const number = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(\/\d+)?$/;
  if (parts.length !== 3 || !parts.every((p) => number.test(p))) return "give three numbers α, β, γ, such as 1, 2, 0";
  if (num(parts[0]) === 0) return "α must not be 0: s(z) = αz² + βz + γ must be quadratic";
  return null;
}

function setStatus(message, kind) {
  const s = $("status");
  s.textContent = message;
  s.className = "status" + (kind ? " " + (kind === "error" ? "failed" : kind) : "");
}

function markStale(reason) {
  if ($("results").hidden || !current) return;
  $("results").classList.add("stale");
  const note = $("stale-note");
  note.textContent = "Stale: " + reason + " Showing the last result, for f(x) = " + current.state.source.trim() + ".";
  note.hidden = false;
}

function clearStale() {
  $("results").classList.remove("stale");
  $("stale-note").hidden = true;
}

// MARK: synthesis

function request(s) {
  const body = { exact: s.exact, activation: s.activation === "" ? null : "quadratic:" + s.activation.replace(/\s+/g, "") };
  if (s.source.trim().startsWith("{")) {
    try { body.form = JSON.parse(s.source); } catch (e) { body.expression = s.source; }
  } else {
    body.expression = s.source;
  }
  return body;
}

// Runs the synthesis of what the fields hold. `history`: "push", "replace" or "none" (restoring
// from the address); `typing`: started by the typing delay, not by Enter.
async function synthesize(options = {}) {
  const how = options.history || "push";
  clearTimeout(typingTimer);
  const s = state();
  const mine = ++serial;
  $("network-card").hidden = true;
  const activationProblem = checkActivation(s.activation);
  if (activationProblem) {
    showError("activation", activationProblem);
    setStatus("error in the activation: " + activationProblem, "error");
    markStale("the activation has an error.");
    return;
  }
  clearError("activation");
  const body = request(s);
  $("synthesize").classList.add("busy");
  $("synthesize").setAttribute("aria-busy", "true");
  $("results").classList.add("loading");
  $("loading").hidden = !$("results").hidden;   // placeholders until the first result
  setStatus(body.exact ? "computing the exact synthesis…" : "computing…", "busy");
  try {
    const answer = await api("/api/synth", body);
    if (mine !== serial) return;
    if (!answer.ok) {
      const field = errorField(answer.data, body);
      showError(field, answer.data.error);
      setStatus("error: " + answer.data.error.split("\n")[0], "error");
      markStale("the " + (field === "activation" ? "activation" : "expression") + " has an error.");
      if (!current) $("results").hidden = true;
      return;
    }
    FIELDS.forEach((f) => { if (f !== "at") clearError(f); });
    clearStale();
    current = { request: body, report: answer.data, state: s };
    const r = answer.data;
    render(r, body);
    $("results").hidden = false;
    $("loading").hidden = true;
    const given = $("at").value.split(/[\s,;]+/).filter((part) => part !== "");
    if (given.length !== r.variables.length) $("at").value = r.variables.map(() => "1").join(", ");
    current.state.at = $("at").value.trim();
    // The address: typing adds one entry for its whole session, then rewrites it.
    if (options.typing) { commit(current.state, typingSession ? "replace" : how); typingSession = true; }
    else { commit(current.state, how === "push" && options.enter && typingSession ? "replace" : how); typingSession = false; }
    setStatus(summaryLine(r), "");
    if (body.exact) {
      const proof = await api("/api/prove", { expression: body.expression, form: body.form, exact: true });
      if (mine === serial && proof.ok) $("proof").textContent = proof.data.text;
    }
    await evaluate();
  } catch (error) {
    if (mine === serial) { setStatus("the server did not answer: " + error.message, "error"); markStale("the server did not answer."); }
  } finally {
    if (mine === serial) {
      $("synthesize").classList.remove("busy");
      $("synthesize").removeAttribute("aria-busy");
      $("results").classList.remove("loading");
      $("loading").hidden = true;
    }
  }
}

function summaryLine(r) {
  return "k = " + r.rank + ": residual " + r.residual.neurons + ", plain " + r.plain.neurons +
    (r.verification.passed ? ", verified" : ", verification " + (r.verification.status || "failed"));
}

function report() { return current.report; }

function activationNetworks(r) {
  const q = r.quadratic_activation;
  return q ? { residual: q.residual, plain: q.plain, q } : null;
}

function render(r, body) {
  const k = Number(r.rank);
  const n = r.variables.length;
  const rn = Number(r.residual.neurons), pn = Number(r.plain.neurons);
  const pair = !r.linear_in_range && pn === k + 2;
  $("k-value").textContent = "k = " + k;
  $("residual-count").textContent = plural(rn, "square neuron") + " + linear skip (k)";
  $("plain-count").textContent = plural(pn, "square neuron") + (pair ? " (k + 2)" : " (k)");
  renderWhy(r, pair);
  $("reason").textContent = r.plain.reason;
  // The verdicts of design.md §5, as the command line prints them.
  const status = r.verification.status || (r.verification.passed ? "passed" : "failed");
  $("verdict").textContent = r.verification.passed ? "verified ✓"
    : status === "ill_conditioned" ? "ILL_CONDITIONED: f in real arithmetic, but not within τ of f in floating point"
    : "verification " + status.toUpperCase();
  $("verdict").className = "verdict " + (r.verification.passed ? "pass" : "fail");

  $("formula").textContent = "variables: " + r.variables.join(", ") + " (n = " + n + ")";
  const m = $("matrix");
  m.innerHTML = "";
  const head = m.insertRow();
  head.insertCell().textContent = "A";
  r.variables.forEach((v) => { const c = document.createElement("th"); c.textContent = v; head.appendChild(c); });
  r.symmetric_matrix.forEach((row, i) => {
    const tr = m.insertRow();
    const th = document.createElement("th"); th.textContent = r.variables[i]; tr.appendChild(th);
    row.forEach((x) => { tr.insertCell().textContent = text(x); });
  });

  let spectrum;
  if (body.exact) {
    $("eigen-heading").textContent = "Lagrange reduction (exact)";
    $("eigenvalues").textContent = "pivots: " + r.lagrange.coefficients.join(", ");
    $("rank-line").textContent = "k = " + k + " exactly: " + r.lagrange.coefficients.length + " non-zero pivot" +
      (k === 1 ? "" : "s") + "; a non-zero " + r.certificate.minor_indices.length + "×" + r.certificate.minor_indices.length +
      " minor (determinant " + r.certificate.minor_determinant + ") certifies it.";
    $("split-line").textContent = r.linear_null_part === null
      ? "a_N not computed (" + r.linear_null_part_omitted + "); v = a − A·y ≠ 0: a ∉ range(A)."
      : "a_N = (I − P)a = (" + r.linear_null_part.join(", ") + ")" + (r.linear_in_range ? " = 0: a ∈ range(A)." : " ≠ 0: a ∉ range(A).");
    spectrum = { values: r.lagrange.coefficients.map(num), labels: r.lagrange.coefficients, tolerance: 0, what: "Lagrange pivot" };
  } else {
    $("eigen-heading").textContent = "Eigenvalues (LAPACKE " + r.eigen_driver + ")";
    $("eigenvalues").textContent = r.eigenvalues.map(text).join(", ");
    $("rank-line").textContent = "rank tolerance " + text(r.rank_tolerance) + " (" + r.rank_tolerance_rule + "): k = " + k +
      " eigenvalue" + (k === 1 ? "" : "s") + " above it" + (r.eigenvalue_gap ? ", gap ×" + text(r.eigenvalue_gap) : "") + ".";
    $("split-line").textContent = "‖a_N‖ = ‖(I − P)a‖ = " + text(r.linear_null_part_norm) + " against tolerance " +
      text(r.linear_null_part_tolerance) + (r.linear_in_range ? ": a ∈ range(A)." : ": a ∉ range(A).");
    spectrum = { values: r.eigenvalues.map(num), labels: r.eigenvalues.map(text), tolerance: num(r.rank_tolerance), what: "eigenvalue" };
  }
  drawSpectrum($("spectrum-figure"), spectrum, k);
  $("spectrum-caption").textContent = body.exact
    ? "the Lagrange pivots, signed (their signs are those of the eigenvalues): k = " + k + " of them are not 0"
    : "the eigenvalues of A, signed: k = " + k + " of them are not 0 (|λ| above the rank tolerance)";
  $("residual-caption").textContent = "residual: " + plural(rn, "square neuron") + " + linear skip (dashed)";
  $("plain-caption").textContent = "plain: " + plural(pn, "square neuron") + (pair ? ", the k + 2 pair outlined" : "");

  const names = r.variables;
  drawNetwork($("residual-figure"), r.residual.network, { names, title: "residual network", pair: false });
  drawNetwork($("plain-figure"), r.plain.network, { names, title: "plain network", pair });
  const q = activationNetworks(r);
  $("activation-figures").hidden = !q;
  if (q) {
    drawNetwork($("activation-residual-figure"), q.residual.network, { names, title: "residual network with s", pair: false });
    drawNetwork($("activation-plain-figure"), q.plain.network, { names, title: "plain network with s", pair: pair && Number(q.plain.neurons) === pn });
  }

  renderVerification(r, body.exact);
  renderExact(r, body.exact);

  const blob = (value) => URL.createObjectURL(new Blob([JSON.stringify(value, null, 2) + "\n"], { type: "application/json" }));
  $("download-report").href = blob(r);
  $("download-residual").href = blob(r.residual.network);
  $("download-plain").href = blob(r.plain.network);
  ["residual", "plain"].forEach((name) => {
    const link = $("download-activation-" + name);
    link.hidden = !q;
    if (q) link.href = blob(q[name].network); else link.removeAttribute("href");
  });
  document.querySelectorAll("button.onnx[data-network^=activation]").forEach((b) => { b.hidden = !q; });
}

// The network a download button names, from the current report.
function networkNamed(name) {
  const r = report();
  if (name.startsWith("activation-")) return r.quadratic_activation[name.slice(11)].network;
  return r[name].network;
}

// A network as ONNX (POST /api/onnx, the bytes of `quadform convert`), saved by the browser.
// Exact weights ("p/q") are sent as Doubles, as `convert` writes them.
async function downloadONNX(name, button) {
  if (!current) return;
  const network = JSON.parse(JSON.stringify(networkNamed(name), (key, value) => (typeof value === "string" && /^-?\d+(\/\d+)?$/.test(value) ? num(value) : value)));
  button.setAttribute("aria-busy", "true");
  try {
    const response = await fetch("/api/onnx", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ network }) });
    if (!response.ok) { setStatus("ONNX: " + (await response.json()).error, "error"); return; }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = name + "-network.onnx";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setStatus("saved " + link.download, "");
  } finally {
    button.removeAttribute("aria-busy");
  }
}

// The counts in one plain sentence, linked to the theorems.
function renderWhy(r, pair) {
  const why = $("why");
  why.innerHTML = "";
  const add = (s) => why.appendChild(document.createTextNode(s));
  const link = (id, label) => {
    const a = document.createElement("a");
    a.href = "#" + id; a.textContent = label; a.dataset.target = id;
    why.appendChild(a);
  };
  if (pair) {
    add("f's linear part points outside the directions A uses (a_N, the part of a that A cannot reach, is not 0), so a plain network " +
      "needs two more neurons to carry it; a residual network carries it on the skip (");
    link("t1", "T1"); add(", "); link("t2", "T2"); add(").");
  } else {
    add("f's linear part lies within the directions A uses (a_N = 0), so the squares absorb it by shifting: both networks need " +
      "only k neurons, one per direction of A (");
    link("t1", "T1"); add(", "); link("t2", "T2"); add(").");
  }
}

function renderVerification(r, exact) {
  const t = $("verification");
  t.innerHTML = "";
  const v = r.verification;
  const header = t.insertRow();
  const q = r.quadratic_activation;
  if (exact) {
    ["network", "method", "equal to f"].forEach((h) => { const c = document.createElement("th"); c.textContent = h; header.appendChild(c); });
    const rows = [["residual", v.residual_equal], ["plain", v.plain_equal]];
    if (q) rows.push(["residual with s", q.residual.equal], ["plain with s", q.plain.equal]);
    rows.forEach(([name, equal]) => {
      const row = t.insertRow();
      row.insertCell().textContent = name;
      row.insertCell().textContent = v.method;
      const c = row.insertCell(); c.textContent = equal ? "yes ✓" : "NO"; c.className = equal ? "pass" : "fail";
    });
    $("approximate").hidden = true;
    return;
  }
  ["network", "neurons", "coefficient error", "tolerance", "sample error (" + v.points + " points, |x_i| ≤ " + text(v.box_radius) + ")", "tolerance", "error / τ·scale", "verdict"]
    .forEach((h) => { const c = document.createElement("th"); c.textContent = h; header.appendChild(c); });
  const rows = [["residual", v.residual], ["plain", v.plain]];
  if (q) rows.push(["residual with s", Object.assign({ neurons: q.residual.neurons }, q.residual.check)],
    ["plain with s", Object.assign({ neurons: q.plain.neurons }, q.plain.check)]);
  rows.forEach(([name, check]) => {
    const row = t.insertRow();
    row.insertCell().textContent = name;
    row.insertCell().textContent = check.neurons;
    row.insertCell().textContent = text(check.coefficient_error);
    row.insertCell().textContent = text(check.coefficient_tolerance);
    row.insertCell().textContent = text(check.sample_error);
    row.insertCell().textContent = text(check.sample_tolerance);
    const limit = Number(check.accuracy) * Number(check.scale);
    row.insertCell().textContent = limit > 0 ? text(Number(check.coefficient_error_bound) / limit) : "–";
    const c = row.insertCell(); c.textContent = check.passed ? "PASSED ✓" : String(check.status).toUpperCase(); c.className = check.passed ? "pass" : "fail";
  });
  const a = r.plain_approximate;
  $("approximate").hidden = !a;
  if (a) {
    $("approximate-text").textContent = a.neurons + " square neurons approximate f on the box |x_i| ≤ " + text(a.box_radius) +
      " with t = " + text(a.t) + ": error bound " + text(a.error_bound) + " (measured " + text(a.max_error_measured) + " at " +
      a.points + " points). " + a.note;
  }
}

function weightRows(table, network) {
  table.innerHTML = "";
  (network.layers || []).forEach((layer, index) => {
    const row = table.insertRow();
    const th = document.createElement("th"); th.textContent = "W" + (index + 1) + ", B" + (index + 1); row.appendChild(th);
    row.insertCell().textContent = layer.weights.map((r) => "(" + r.join(", ") + ")").join(" ") + "   +   (" + layer.bias.join(", ") + ")";
  });
  (network.skips || []).forEach((skip) => {
    const row = table.insertRow();
    const th = document.createElement("th"); th.textContent = "V" + skip.from + "," + skip.to; row.appendChild(th);
    row.insertCell().textContent = skip.weights.map((r) => "(" + r.join(", ") + ")").join(" ");
  });
}

function renderExact(r, exact) {
  $("exact-card").hidden = !exact;
  if (!exact) return;
  weightRows($("exact-residual"), r.residual.network);
  weightRows($("exact-plain"), r.plain.network);
  $("proof").textContent = "…";
}

// MARK: drawings

function el(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

function label(parent, x, y, content, attributes) {
  const t = el("text", Object.assign({ x, y, "text-anchor": "middle", "dominant-baseline": "central", "font-size": 13 }, attributes || {}), parent);
  t.textContent = content;
  return t;
}

// A network of design.md §6 JSON drawn left to right: the inputs in their order top to bottom,
// one column per layer, edges coloured by sign (blue +, orange −) and as thick as |weight|, skips
// dashed; each neuron can be hovered, tapped or focused for its weights.
function drawNetwork(container, net, options) {
  container.innerHTML = "";
  const widths = net.widths;
  const depth = widths.length - 1;
  const names = options.names && options.names.length === widths[0] ? options.names : Array.from({ length: widths[0] }, (_, i) => "x" + (i + 1));
  const kind = net.activation && net.activation.kind || "square";
  const nodeW = [56], gap = 64, rowH = 38, top = 24;
  for (let k = 1; k <= depth; k++) nodeW.push(k === depth ? 96 : 92);
  const columnX = [8];
  for (let k = 1; k <= depth; k++) columnX.push(columnX[k - 1] + nodeW[k - 1] + gap);
  const tallest = Math.max(...widths);
  const skipRoom = (net.skips || []).length ? 34 : 0;
  const width = columnX[depth] + nodeW[depth] + 8;
  const pairRoom = options.pair && widths[1] === tallest ? 18 : 0;
  const height = top + tallest * rowH + Math.max(skipRoom, pairRoom) + 8;
  const y = (k, j) => top + (tallest - widths[k]) * rowH / 2 + j * rowH + rowH / 2;
  // Full size, shrunk to the card down to 80 % (labels stay ≥ 10 px); past that it scrolls in the card.
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "network-drawing", "font-family": "DejaVu Sans, Arial, sans-serif",
    style: `width: 100%; max-width: ${width}px; min-width: ${Math.round(0.8 * width)}px; height: auto` });
  const title = el("title", {}, svg);
  const hidden = widths.slice(1, depth).reduce((a, b) => a + b, 0);
  const pairAt = options.pair ? [widths[1] - 2, widths[1] - 1] : [];
  title.textContent = options.title + ": inputs " + names.join(", ") + " (in this order, top to bottom), " +
    plural(hidden, (kind === "square" ? "square" : kind) + " neuron") + ", output f" +
    ((net.skips || []).length ? ", with a linear skip from the inputs" : "") +
    (options.pair ? "; the last two neurons are the k + 2 pair that carries a_Nᵀx" : "");
  svg.setAttribute("aria-label", title.textContent);

  let maxAbs = 0;
  const edges = [];
  net.layers.forEach((layer, index) => {
    layer.weights.forEach((row, j) => row.forEach((w, i) => {
      const v = num(w); if (v !== 0) edges.push({ from: [index, i], to: [index + 1, j], w: v, raw: w, name: `W${index + 1}[${j + 1},${i + 1}]` });
    }));
  });
  (net.skips || []).forEach((skip) => skip.weights.forEach((row, j) => row.forEach((w, i) => {
    const v = num(w); if (v !== 0) edges.push({ from: [skip.from, i], to: [skip.to, j], w: v, raw: w, skip: true, name: `V${skip.from},${skip.to}[${j + 1},${i + 1}]` });
  })));
  edges.forEach((e) => { maxAbs = Math.max(maxAbs, Math.abs(e.w)); });

  if (options.pair) {
    const x0 = columnX[1] - 6, y0 = y(1, pairAt[0]) - rowH / 2 + 2;
    el("rect", { x: x0, y: y0, width: nodeW[1] + 12, height: 2 * rowH - 4, rx: 8, fill: "#fff4d6", stroke: "#b7791f", "stroke-dasharray": "4 2", class: "pair-box" }, svg);
    label(svg, x0 + (nodeW[1] + 12) / 2, y0 + 2 * rowH + 4, "k + 2 pair: carries a_Nᵀx", { "font-size": 11, fill: "#7a4e0c", class: "pair-label" });
  }
  const edgeLayer = el("g", { class: "edges" }, svg);
  const nodeLayer = el("g", { class: "nodes" }, svg);
  const right = (k) => columnX[k] + nodeW[k], left = (k) => columnX[k];
  edges.forEach((e) => {
    const [k0, i] = e.from, [k1, j] = e.to;
    const x0 = right(k0), y0 = y(k0, i), x1 = left(k1), y1 = y(k1, j);
    let d;
    if (e.skip) {
      const low = top + tallest * rowH + skipRoom - 6;
      d = `M${x0},${y0} C${x0 + 40},${low} ${x1 - 40},${low} ${x1},${y1}`;
    } else {
      d = `M${x0},${y0} C${(x0 + x1) / 2},${y0} ${(x0 + x1) / 2},${y1} ${x1},${y1}`;
    }
    const strokeWidth = maxAbs > 0 ? 0.8 + 4.2 * Math.abs(e.w) / maxAbs : 1;
    const path = el("path", { d, fill: "none", stroke: e.w > 0 ? "#2f6fde" : "#e0660b", "stroke-width": strokeWidth.toFixed(2),
      "stroke-opacity": 0.85, class: "edge " + (e.w > 0 ? "positive" : "negative") + (e.skip ? " skip" : "") }, edgeLayer);
    if (e.skip) path.setAttribute("stroke-dasharray", "6 4");
    el("title", {}, path).textContent = e.name + " = " + e.raw;
  });

  const info = document.createElement("p");
  info.className = "neuron-info";
  info.setAttribute("aria-live", "polite");
  info.textContent = "Hover, tap or focus a neuron for its weights.";
  const describe = (k, j) => {
    const lines = [];
    if (k === 0) {
      lines.push("input " + names[j]);
      edges.filter((e) => e.from[0] === 0 && e.from[1] === j).forEach((e) => lines.push("  → " + nodeName(e.to[0], e.to[1]) + ": " + e.name + " = " + e.raw));
    } else {
      const layer = net.layers[k - 1];
      lines.push(nodeName(k, j) + (k < depth ? " = " + kind + "(Σ w·in + b)" : " = Σ w·in + b") + ", b = " + layer.bias[j]);
      edges.filter((e) => e.to[0] === k && e.to[1] === j).forEach((e) => lines.push("  ← " + nodeName(e.from[0], e.from[1]) + ": " + e.name + " = " + e.raw));
      edges.filter((e) => e.from[0] === k && e.from[1] === j).forEach((e) => lines.push("  → " + nodeName(e.to[0], e.to[1]) + ": " + e.name + " = " + e.raw));
      if (k === 1 && pairAt.includes(j)) lines.push("  one of the k + 2 pair: together they give a_Nᵀx = ((a_Nᵀx + t)² − (a_Nᵀx − t)²)/(4t)");
    }
    return lines.join("\n");
  };
  const nodeName = (k, j) => k === 0 ? names[j] : k === depth ? (widths[depth] === 1 ? "f" : "y" + (j + 1)) : (depth > 2 ? "layer " + k + " " : "") + "neuron " + (j + 1);
  const select = (g, k, j) => {
    svg.querySelectorAll(".node.selected").forEach((n) => n.classList.remove("selected"));
    g.classList.add("selected");
    info.textContent = describe(k, j);
  };
  for (let k = 0; k <= depth; k++) {
    for (let j = 0; j < widths[k]; j++) {
      const g = el("g", { class: "node " + (k === 0 ? "input" : k === depth ? "output" : "neuron") + (k === 1 && pairAt.includes(j) ? " pair" : "") }, nodeLayer);
      const cx = columnX[k], cy = y(k, j), w = nodeW[k];
      let content;
      if (k === 0) {
        g.dataset.name = names[j];
        el("rect", { x: cx, y: cy - 13, width: w, height: 26, rx: 6, fill: "#eef3fb", stroke: "#6b7588" }, g);
        content = names[j];
      } else if (k === depth) {
        const b = num(net.layers[k - 1].bias[j]);
        el("rect", { x: cx, y: cy - 14, width: w, height: 28, rx: 14, fill: "#fdf1dc", stroke: "#6b7588" }, g);
        content = (widths[depth] === 1 ? "f" : "y" + (j + 1)) + " = Σ" + (b === 0 ? "" : (b < 0 ? " − " : " + ") + short(Math.abs(b)));
      } else {
        const b = num(net.layers[k - 1].bias[j]);
        el("rect", { x: cx, y: cy - 13, width: w, height: 26, rx: 13, fill: k === 1 && pairAt.includes(j) ? "#ffe7b0" : "#e6f4ea", stroke: "#6b7588" }, g);
        const inner = b === 0 ? "·" : "·" + (b < 0 ? "−" : "+") + short(Math.abs(b));
        content = kind === "square" ? "(" + inner + ")²" : kind === "relu" ? "relu(" + inner + ")" : kind === "identity" ? inner : "s(" + inner + ")";
      }
      label(g, cx + w / 2, cy, content, { "font-size": content.length > 12 ? 11 : 13 });
      // Tab reaches every node of a small drawing; past 30 nodes only hover and tap (so Tab is not
      // spent on 40 stops), and the weights are in the JSON downloads.
      if (widths.reduce((a, b) => a + b, 0) <= 30) {
        g.setAttribute("tabindex", "0");
        g.setAttribute("role", "button");
        g.setAttribute("aria-label", nodeName(k, j) + ": " + content + ", show its weights");
      }
      el("title", {}, g).textContent = describe(k, j);
      g.addEventListener("mouseenter", () => select(g, k, j));
      g.addEventListener("click", () => select(g, k, j));
      g.addEventListener("focus", () => select(g, k, j));
    }
  }
  const zoom = document.createElement("div");
  zoom.className = "zoom";
  let scale = 1;
  const apply = () => { svg.setAttribute("style", `width: ${Math.round(width * scale)}px; height: auto`); };
  const now = () => svg.getBoundingClientRect().width / width;
  [["−", "zoom out", () => { scale = Math.max(0.4, now() / 1.25); }], ["+", "zoom in", () => { scale = Math.min(3, now() * 1.25); }],
    ["fit", "fit the card", () => { scale = Math.min(3, (container.clientWidth - 4) / width); }]].forEach(([t, name, act]) => {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = t; b.setAttribute("aria-label", name + " (" + options.title + ")");
    b.addEventListener("click", () => { act(); apply(); });
    zoom.appendChild(b);
  });
  container.appendChild(zoom);
  container.appendChild(svg);
  container.appendChild(info);
}

// Signed eigenvalues (or pivots) as bars from a zero line: up and blue for positive, down and
// orange for negative, a grey dot for the ones counted as 0.
function drawSpectrum(container, spectrum, k) {
  container.innerHTML = "";
  const values = spectrum.values, n = values.length;
  const width = 380, height = 226, left = 12, right = 12, mid = 104, half = 72;
  const maxAbs = Math.max(...values.map(Math.abs), 0) || 1;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", class: "spectrum", style: "max-width: 420px", "font-family": "DejaVu Sans, Arial, sans-serif" });
  const title = el("title", {}, svg);
  title.textContent = "signed " + spectrum.what + "s of A: " + spectrum.labels.join(", ") + "; k = " + k + " of them are not 0";
  svg.setAttribute("aria-label", title.textContent);
  el("line", { x1: left, x2: width - right, y1: mid, y2: mid, stroke: "#545e70" }, svg);
  label(svg, left + 2, 10, "+" + short(maxAbs), { "text-anchor": "start", "font-size": 11, fill: "#545e70" });
  label(svg, left + 2, mid + half + 16, "−" + short(maxAbs), { "text-anchor": "start", "font-size": 11, fill: "#545e70" });
  const slot = (width - left - right - 40) / Math.max(n, 1);
  values.forEach((v, i) => {
    const x = left + 40 + i * slot + slot / 2;
    const kept = spectrum.tolerance > 0 ? Math.abs(v) > spectrum.tolerance : v !== 0;
    const g = el("g", { class: "bar " + (kept ? (v > 0 ? "positive" : "negative") : "zero") }, svg);
    const t = el("title", {}, g);
    t.textContent = spectrum.what + " " + (i + 1) + " = " + spectrum.labels[i] + (kept ? " (counted in k)" : " (counted as 0)");
    if (kept) {
      const h = Math.max(2, half * Math.abs(v) / maxAbs);
      el("rect", { x: x - Math.min(14, slot * 0.35), y: v > 0 ? mid - h : mid, width: 2 * Math.min(14, slot * 0.35), height: h, fill: v > 0 ? "#2f6fde" : "#e0660b" }, g);
      if (n <= 10) label(g, x, v > 0 ? mid - h - 9 : mid + h + 10, spectrum.labels[i].length > 9 ? short(v) : spectrum.labels[i], { "font-size": 12 });
    } else {
      el("circle", { cx: x, cy: mid, r: 4, fill: "#fff", stroke: "#545e70", "stroke-width": 1.5 }, g);
      if (n <= 10) label(g, x, mid + 14, "0", { "font-size": 12, fill: "#545e70" });
    }
  });
  label(svg, width / 2, height - 6, "k = " + k + " non-zero of n = " + n + (spectrum.tolerance > 0 ? "; |λ| ≤ " + short(spectrum.tolerance) + " counts as 0" : ""), { "font-size": 12 });
  container.appendChild(svg);
}

// MARK: evaluation

async function evaluate(options = {}) {
  if (!current) return;
  const at = $("at").value;
  const body = Object.assign({}, current.request, { at });
  const mine = ++evaluations;
  const t = $("values");
  t.innerHTML = "";
  t.insertRow().insertCell().textContent = "evaluating…";
  const answer = await api("/api/eval", body);
  if (mine !== evaluations) return;
  t.innerHTML = "";
  if (!answer.ok) {
    const row = t.insertRow();
    const c = row.insertCell(); c.textContent = answer.data.error; c.className = "fail"; c.id = "at-error";
    $("at").setAttribute("aria-invalid", "true");
    $("at").setAttribute("aria-describedby", "at-error");
    return;
  }
  $("at").setAttribute("aria-invalid", "false");
  $("at").removeAttribute("aria-describedby");
  if (options.remember) { current.state.at = at.trim(); commit(current.state, "replace"); }
  const d = answer.data;
  const rows = [["f(x)", d.f], ["residual network", d.residual], ["plain network", d.plain]];
  if ("activation_residual" in d) rows.push(["residual, quadratic activation", d.activation_residual], ["plain, quadratic activation", d.activation_plain]);
  const head = t.insertRow();
  const c0 = document.createElement("th"); c0.textContent = "at (" + d.variables.join(", ") + ") = (" + d.at.map(text).join(", ") + ")"; c0.colSpan = 2;
  head.appendChild(c0);
  rows.forEach(([name, value]) => {
    const row = t.insertRow();
    row.insertCell().textContent = name;
    row.insertCell().textContent = text(value);
  });
}

// MARK: Example 1.5.6

async function showNetworkExample(how) {
  ++serial;
  clearTimeout(typingTimer);
  $("results").hidden = true;
  $("network-card").hidden = false;
  commit({ example: "1.5.6", at: $("network-at").value.trim() }, how || "push");
  typingSession = false;
  drawNetwork($("network-figure"), EXAMPLE_156, { names: ["x"], title: "Example 1.5.6, a ReLU ResNet", pair: false });
  await evaluateNetwork();
}

async function evaluateNetwork() {
  const answer = await api("/api/eval", { network: EXAMPLE_156, at: $("network-at").value });
  $("network-value").textContent = answer.ok ? "= " + answer.data.realization.map(text).join(", ") : answer.data.error;
  setStatus(answer.ok ? "Example 1.5.6: realization(" + $("network-at").value.trim() + ") " + $("network-value").textContent : "error: " + answer.data.error, answer.ok ? "" : "error");
}

// MARK: wiring

function restore(how) {
  const s = stateFromHash();
  if (s && s.example) { applyState(s); showNetworkExample("none"); return; }
  if (s) applyState(s);
  typingSession = false;
  synthesize({ history: s ? how : "replace" });
}

async function copyLink() {
  const url = location.href;
  let done = false;
  try { await navigator.clipboard.writeText(url); done = true; } catch (e) {
    const area = document.createElement("textarea");
    area.value = url; document.body.appendChild(area); area.select();
    try { done = document.execCommand("copy"); } catch (e2) { done = false; }
    area.remove();
  }
  setStatus(done ? "link copied: " + url : "copy this link: " + url, "");
}

document.addEventListener("DOMContentLoaded", () => {
  // Enter ends a typing session: its result replaces the entry the session added.
  $("form").addEventListener("submit", (event) => { event.preventDefault(); synthesize({ enter: true }); });
  $("expression").addEventListener("input", () => {
    clearTimeout(typingTimer);
    if ($("exact").checked) return;  // exact mode runs on Enter only
    typingTimer = setTimeout(() => synthesize({ typing: true }), TYPING_DELAY);
  });
  $("activation").addEventListener("input", () => {
    clearTimeout(typingTimer);
    if ($("exact").checked) return;
    typingTimer = setTimeout(() => synthesize({ typing: true }), TYPING_DELAY);
  });
  $("exact").addEventListener("change", () => { typingSession = false; if (current || $("expression").value.trim()) synthesize(); });
  $("activation").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); synthesize({ enter: true }); } });
  $("at").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); evaluate({ remember: true }); } });
  $("evaluate").addEventListener("click", () => evaluate({ remember: true }));
  $("network-eval").addEventListener("click", evaluateNetwork);
  $("network-at").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); evaluateNetwork(); } });
  $("copy-link").addEventListener("click", copyLink);
  document.querySelectorAll("button.onnx").forEach((button) => button.addEventListener("click", () => downloadONNX(button.dataset.network, button)));
  $("why").addEventListener("click", (event) => {
    const target = event.target.closest("a[data-target]");
    if (!target) return;
    event.preventDefault();  // the address holds the state, not an anchor
    const dt = $(target.dataset.target);
    document.querySelectorAll(".theorems .target").forEach((n) => n.classList.remove("target"));
    dt.classList.add("target");
    dt.setAttribute("tabindex", "-1");
    dt.scrollIntoView({ block: "center" });
    dt.focus({ preventScroll: true });
  });
  document.querySelectorAll("button.example").forEach((button) => {
    button.addEventListener("click", () => {
      if (button.dataset.network) { showNetworkExample("push"); return; }
      $("expression").value = button.dataset.expression || button.dataset.form;
      $("at").value = "";
      typingSession = false;
      synthesize();
    });
  });
  window.addEventListener("popstate", () => restore("none"));
  restore("replace");
});
