// The explorer page of `quadform serve` (docs/serve.md): sends the form to the API and shows
// the report. No framework, no network beyond the server that served this page.
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

const $ = (id) => document.getElementById(id);
let current = null;   // {request, report}
let serial = 0;       // answers to an older request are dropped
let evaluations = 0;  // the same for evaluations

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

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json();
  return { ok: response.ok, status: response.status, data };
}

function activationText() {
  const raw = $("activation").value.trim();
  return raw === "" ? null : "quadratic:" + raw.replace(/\s+/g, "");
}

// The request for what the field holds: JSON (design.md §6 form) or an expression.
function request() {
  const raw = $("expression").value;
  const body = { exact: $("exact").checked, activation: activationText() };
  if (raw.trim().startsWith("{")) {
    try { body.form = JSON.parse(raw); } catch (e) { body.expression = raw; }
  } else {
    body.expression = raw;
  }
  return body;
}

function showError(data) {
  const box = $("error");
  box.textContent = data.error;
  box.hidden = false;
  $("expression").classList.add("invalid");
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
  $("expression").classList.remove("invalid");
}

function setFigure(id, svg) {
  const node = $(id);
  if (svg === null || svg === undefined) {
    node.innerHTML = "<p class=\"note\">too many variables to draw here; <code>quadform synth --format svg</code> draws it</p>";
  } else {
    node.innerHTML = svg;
  }
}

async function synthesize() {
  const body = request();
  const mine = ++serial;
  $("network-card").hidden = true;
  $("synthesize").classList.add("busy");
  try {
    const answer = await api("/api/synth", body);
    if (mine !== serial) return;
    if (!answer.ok) { showError(answer.data); $("results").hidden = true; return; }
    clearError();
    ["residual-figure", "plain-figure", "spectrum-figure", "activation-residual-figure", "activation-plain-figure"]
      .forEach((id) => { $(id).innerHTML = ""; });
    current = { request: body, report: answer.data };
    render(answer.data, body);
    $("results").hidden = false;
    const figures = await api("/api/figures", body);
    if (mine !== serial) return;
    if (figures.ok) {
      setFigure("residual-figure", figures.data.residual_svg);
      setFigure("plain-figure", figures.data.plain_svg);
      $("spectrum-figure").innerHTML = figures.data.spectrum_svg;
      const hasActivation = "activation_residual_svg" in figures.data;
      $("activation-figures").hidden = !hasActivation;
      if (hasActivation) {
        setFigure("activation-residual-figure", figures.data.activation_residual_svg);
        setFigure("activation-plain-figure", figures.data.activation_plain_svg);
      }
    }
    if (body.exact) {
      const proof = await api("/api/prove", { expression: body.expression, form: body.form, exact: true });
      if (mine === serial && proof.ok) $("proof").textContent = proof.data.text;
    }
    const given = $("at").value.split(/[\s,;]+/).filter((part) => part !== "");
    if (given.length !== report().variables.length) $("at").value = report().variables.map(() => "1").join(", ");
    await evaluate();
  } finally {
    if (mine === serial) $("synthesize").classList.remove("busy");
  }
}

function report() { return current.report; }

function render(r, body) {
  const k = Number(r.rank);
  const n = r.variables.length;
  $("k-value").textContent = "k = " + k;
  const rn = Number(r.residual.neurons), pn = Number(r.plain.neurons);
  $("residual-count").textContent = rn + " square neuron" + (rn === 1 ? "" : "s") + " + linear skip (k)";
  $("plain-count").textContent = pn + " square neuron" + (pn === 1 ? "" : "s") + (r.linear_in_range ? " (k)" : " (k + 2)");
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

  if (body.exact) {
    $("eigen-heading").textContent = "Lagrange reduction (exact)";
    $("eigenvalues").textContent = "pivots: " + r.lagrange.coefficients.join(", ");
    $("rank-line").textContent = "k = " + k + " exactly: " + r.lagrange.coefficients.length + " non-zero pivot" +
      (k === 1 ? "" : "s") + "; a non-zero " + r.certificate.minor_indices.length + "×" + r.certificate.minor_indices.length +
      " minor (determinant " + r.certificate.minor_determinant + ") certifies it.";
    $("split-line").textContent = r.linear_null_part === null
      ? "a_N not computed (" + r.linear_null_part_omitted + "); v = a − A·y ≠ 0: a ∉ range(A)."
      : "a_N = (I − P)a = (" + r.linear_null_part.join(", ") + ")" + (r.linear_in_range ? " = 0: a ∈ range(A)." : " ≠ 0: a ∉ range(A).");
  } else {
    $("eigen-heading").textContent = "Eigenvalues (LAPACKE " + r.eigen_driver + ")";
    $("eigenvalues").textContent = r.eigenvalues.map(text).join(", ");
    $("rank-line").textContent = "rank tolerance " + text(r.rank_tolerance) + " (" + r.rank_tolerance_rule + "): k = " + k +
      " eigenvalue" + (k === 1 ? "" : "s") + " above it" + (r.eigenvalue_gap ? ", gap ×" + text(r.eigenvalue_gap) : "") + ".";
    $("split-line").textContent = "‖a_N‖ = ‖(I − P)a‖ = " + text(r.linear_null_part_norm) + " against tolerance " +
      text(r.linear_null_part_tolerance) + (r.linear_in_range ? ": a ∈ range(A)." : ": a ∉ range(A).");
  }
  $("residual-caption").textContent = "residual: " + rn + " square neuron" + (rn === 1 ? "" : "s") + " + linear skip (dashed)";
  $("plain-caption").textContent = "plain: " + pn + " square neuron" + (pn === 1 ? "" : "s");

  renderVerification(r, body.exact);
  renderExact(r, body.exact);

  const blob = (value) => URL.createObjectURL(new Blob([JSON.stringify(value, null, 2) + "\n"], { type: "application/json" }));
  $("download-report").href = blob(r);
  $("download-residual").href = blob(r.residual.network);
  $("download-plain").href = blob(r.plain.network);
}

function renderVerification(r, exact) {
  const t = $("verification");
  t.innerHTML = "";
  const v = r.verification;
  const header = t.insertRow();
  if (exact) {
    ["network", "method", "equal to f"].forEach((h) => { const c = document.createElement("th"); c.textContent = h; header.appendChild(c); });
    [["residual", v.residual_equal], ["plain", v.plain_equal]].forEach(([name, equal]) => {
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
  [["residual", v.residual], ["plain", v.plain]].forEach(([name, check]) => {
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

async function evaluate() {
  if (!current) return;
  const body = Object.assign({}, current.request, { at: $("at").value });
  const mine = ++evaluations;
  const answer = await api("/api/eval", body);
  if (mine !== evaluations) return;
  const t = $("values");
  t.innerHTML = "";
  if (!answer.ok) {
    const row = t.insertRow();
    const c = row.insertCell(); c.textContent = answer.data.error; c.className = "fail";
    return;
  }
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

async function showNetworkExample() {
  ++serial;
  clearError();
  $("results").hidden = true;
  $("network-card").hidden = false;
  $("expression").value = "";
  const figures = await api("/api/figures", { network: EXAMPLE_156 });
  if (figures.ok) $("network-figure").innerHTML = figures.data.network_svg;
  await evaluateNetwork();
}

async function evaluateNetwork() {
  const answer = await api("/api/eval", { network: EXAMPLE_156, at: $("network-at").value });
  $("network-value").textContent = answer.ok ? "= " + answer.data.realization.map(text).join(", ") : answer.data.error;
}

document.addEventListener("DOMContentLoaded", () => {
  $("form").addEventListener("submit", (event) => { event.preventDefault(); synthesize(); });
  $("exact").addEventListener("change", () => { if (current || $("expression").value.trim()) synthesize(); });
  $("activation").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); synthesize(); } });
  $("at").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); evaluate(); } });
  $("evaluate").addEventListener("click", evaluate);
  $("network-eval").addEventListener("click", evaluateNetwork);
  $("network-at").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); evaluateNetwork(); } });
  document.querySelectorAll("button.example").forEach((button) => {
    button.addEventListener("click", () => {
      if (button.dataset.network) { showNetworkExample(); return; }
      $("expression").value = button.dataset.expression || button.dataset.form;
      $("at").value = "";
      synthesize();
    });
  });
  synthesize();
});
