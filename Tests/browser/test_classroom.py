"""The explorer page as a class uses it (issue 23), in headless Chromium at 1366 px and at a 390 px
phone: the address holds the form (a link reopens it in a new browser, Back restores the previous
form, "copy link"), results follow typing, an error keeps the last result and marks its field,
nothing is wider than a phone, the drawings have their inputs in order, names, sign colours and
the k + 2 pair, and an aria-live region announces the result. Screenshots: .build-screenshots/."""

import json
import re
from urllib.parse import parse_qs

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_explorer import console_errors, k_text, typed


def ready(browser, wait_for, k=None):
    wait_for(lambda: k_text(browser) and "busy" not in browser.find_element(By.ID, "status").get_attribute("class"),
             message="a report")
    if k is not None:
        wait_for(lambda: k_text(browser) == f"k = {k}", message=f"k = {k}")


def hash_state(browser):
    fragment = browser.execute_script("return location.hash").lstrip("#")
    return {key: values[0] for key, values in parse_qs(fragment).items()}


def drawings(browser):
    return browser.find_elements(By.CSS_SELECTOR, "svg.network-drawing")


def inputs_top_to_bottom(svg):
    nodes = svg.find_elements(By.CSS_SELECTOR, "g.node.input")
    placed = [(float(n.find_element(By.TAG_NAME, "rect").get_attribute("y")), n.get_attribute("data-name")) for n in nodes]
    return [name for _, name in sorted(placed)]


# MARK: the address is the state

def test_a_link_reopens_the_same_form_in_a_new_browser(browser, server, wait_for, new_browser, screenshot):
    browser.get(server)
    ready(browser, wait_for, k=2)
    browser.find_element(By.ID, "activation").send_keys("1, 1, 0")
    typed(browser, "x^2 - y^2 + 2*x*z + w")
    wait_for(lambda: "w, x, y, z" in browser.find_element(By.ID, "formula").text, message="the typed form")
    at = browser.find_element(By.ID, "at")
    wait_for(lambda: at.get_attribute("value") == "1, 1, 1, 1", message="the default point")
    at.clear()
    at.send_keys("1, 2, 3, 4", Keys.ENTER)
    wait_for(lambda: hash_state(browser).get("at") == "1, 2, 3, 4", message="the point in the address")
    state = hash_state(browser)
    assert state["f"] == "x^2 - y^2 + 2*x*z + w"
    assert state["s"] == "1, 1, 0"
    link = browser.current_url
    k = k_text(browser)

    other = new_browser()
    other.get(link)
    wait_for(lambda: k_text(other) == k, message="the same k in the new browser")
    assert other.find_element(By.ID, "expression").get_attribute("value") == "x^2 - y^2 + 2*x*z + w"
    assert other.find_element(By.ID, "activation").get_attribute("value") == "1, 1, 0"
    assert other.find_element(By.ID, "at").get_attribute("value") == "1, 2, 3, 4"
    wait_for(lambda: "(1, 2, 3, 4)" in other.find_element(By.ID, "values").text, message="the evaluation at the linked point")
    assert other.find_element(By.ID, "activation-figures").is_displayed()
    screenshot(other, "link-reopened-1366")
    # reload keeps it too
    other.refresh()
    wait_for(lambda: k_text(other) == k, message="k after reload")
    assert other.find_element(By.ID, "expression").get_attribute("value") == "x^2 - y^2 + 2*x*z + w"
    assert console_errors(other) == []


def test_exact_and_form_json_links(browser, server, wait_for):
    browser.get(server + "#f=x%5E2%2F3%20%2B%20x*y%20%2B%20y%2F2&exact=1")
    ready(browser, wait_for, k=2)
    assert browser.find_element(By.ID, "exact").is_selected()
    wait_for(lambda: browser.find_element(By.ID, "exact-card").is_displayed(), message="the exact card")
    assert "/" in browser.find_element(By.ID, "exact-residual").text
    # a form given as JSON, as the non-symmetric example does
    browser.find_element(By.ID, "exact").click()
    next(b for b in browser.find_elements(By.CSS_SELECTOR, "button.example") if b.text.startswith("non-symmetric")).click()
    wait_for(lambda: "u, v" in browser.find_element(By.ID, "formula").text, message="the JSON form")
    state = hash_state(browser)
    assert state["form"].startswith("{") and "exact" not in state
    browser.get(server + "#example=1.5.6&at=2")
    wait_for(lambda: browser.find_element(By.ID, "network-value").text.startswith("="), message="Example 1.5.6 from its link")
    # the realization of Example 1.5.6 at 2 (the notes give 28 at 5)
    assert browser.find_element(By.ID, "network-at").get_attribute("value") == "2"
    assert browser.find_element(By.ID, "expression").get_attribute("value") != ""


def test_back_restores_the_previous_form(browser, server, wait_for):
    browser.get(server)
    ready(browser, wait_for, k=2)
    first = browser.find_element(By.ID, "expression").get_attribute("value")
    next(b for b in browser.find_elements(By.CSS_SELECTOR, "button.example") if b.text.startswith("rank-deficient: ")).click()
    ready(browser, wait_for, k=1)
    second = browser.find_element(By.ID, "expression").get_attribute("value")
    typed(browser, "x*y*1 + z^2 + y")
    ready(browser, wait_for, k=3)
    browser.back()
    wait_for(lambda: browser.find_element(By.ID, "expression").get_attribute("value") == second, message="the second form again")
    ready(browser, wait_for, k=1)
    browser.back()
    wait_for(lambda: browser.find_element(By.ID, "expression").get_attribute("value") == first, message="the first form again")
    ready(browser, wait_for, k=2)
    assert browser.current_url.startswith(server)  # Back did not leave the page
    browser.forward()
    ready(browser, wait_for, k=1)
    assert console_errors(browser) == []


def test_copy_link(browser, server, wait_for):
    browser.get(server)
    ready(browser, wait_for, k=2)
    browser.execute_cdp_cmd("Browser.grantPermissions", {"origin": server.rstrip("/"),
                                                          "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    typed(browser, "3*x^2 + y")
    ready(browser, wait_for, k=1)
    browser.find_element(By.ID, "copy-link").click()
    wait_for(lambda: "copied" in browser.find_element(By.ID, "status").text, message="link copied")
    copied = browser.execute_async_script("const done = arguments[0]; navigator.clipboard.readText().then(done, (e) => done('error ' + e));")
    assert copied == browser.current_url
    assert "f=3*x%5E2+%2B+y" in copied or "f=3*x%5E2%20%2B%20y" in copied, copied


# MARK: typing, errors, announcements

def test_typing_without_enter_updates_k_and_the_address(browser, server, wait_for):
    browser.get(server)
    ready(browser, wait_for, k=2)
    typed(browser, "x^2 + y^2 + z^2 + w", enter=False)
    ready(browser, wait_for, k=3)
    assert hash_state(browser)["f"] == "x^2 + y^2 + z^2 + w"
    live = browser.find_element(By.ID, "status")
    assert live.get_attribute("aria-live") == "polite"
    wait_for(lambda: live.text == "k = 3: residual 3, plain 5, verified", message="the announcement")


def test_an_error_keeps_the_last_result_and_marks_its_field(browser, server, wait_for, screenshot):
    browser.get(server)
    ready(browser, wait_for, k=2)
    expression = browser.find_element(By.ID, "expression")
    assert expression.get_attribute("aria-invalid") == "false"
    typed(browser, "x1^2 + * x2")
    wait_for(lambda: browser.find_element(By.ID, "error").is_displayed(), message="the error box")
    assert expression.get_attribute("aria-invalid") == "true"
    # the last result stays, marked stale, and says for which form
    results = browser.find_element(By.ID, "results")
    assert results.is_displayed() and "stale" in results.get_attribute("class")
    assert k_text(browser) == "k = 2"
    note = browser.find_element(By.ID, "stale-note")
    assert note.is_displayed() and "x1^2 + 3*x1*x2 + x2^2 + x3 - 5" in note.text
    assert browser.find_elements(By.CSS_SELECTOR, "#residual-figure svg")
    assert browser.find_element(By.ID, "status").text.startswith("error: expression:1:8:")
    # the address keeps the last good form
    assert hash_state(browser)["f"] == "x1^2 + 3*x1*x2 + x2^2 + x3 - 5"
    screenshot(browser, "error-keeps-result-1366", full=False)
    # a bad activation marks the activation field, not the expression
    typed(browser, "x^2 + y")
    ready(browser, wait_for, k=1)
    assert expression.get_attribute("aria-invalid") == "false"
    activation = browser.find_element(By.ID, "activation")
    activation.send_keys("0, 1, 1", Keys.ENTER)
    wait_for(lambda: activation.get_attribute("aria-invalid") == "true", message="the activation marked")
    assert expression.get_attribute("aria-invalid") == "false"
    assert "α" in browser.find_element(By.ID, "activation-error").text
    assert "stale" in results.get_attribute("class")
    activation.clear()
    activation.send_keys(Keys.ENTER)
    wait_for(lambda: activation.get_attribute("aria-invalid") == "false", message="the activation cleared")
    wait_for(lambda: "stale" not in results.get_attribute("class"), message="fresh results")
    assert [e for e in console_errors(browser) if "400" not in e["message"]] == []


def test_a_new_synthesis_does_not_keep_the_old_evaluation(browser, server, wait_for):
    browser.get(server)
    ready(browser, wait_for, k=2)
    wait_for(lambda: "(x1, x2, x3)" in browser.find_element(By.ID, "values").text, message="the first evaluation")
    typed(browser, "u*v")
    wait_for(lambda: "(u, v)" in browser.find_element(By.ID, "values").text, message="the evaluation of the new form")
    assert "x1" not in browser.find_element(By.ID, "values").text


# MARK: drawings

def test_drawings_have_inputs_in_order_names_sign_colours_and_the_pair(browser, server, wait_for, screenshot):
    browser.get(server)
    ready(browser, wait_for, k=2)
    # six variables: the order Graphviz lost (x1 x2 x5 x3 x4 x6)
    typed(browser, "x1*x5 + x2*x6 - x3^2 + x4*x1 + x4 - x5")
    wait_for(lambda: "x1, x2, x3, x4, x5, x6" in browser.find_element(By.ID, "formula").text, message="the six-variable form")
    ready(browser, wait_for)
    for svg in drawings(browser):
        assert inputs_top_to_bottom(svg) == ["x1", "x2", "x3", "x4", "x5", "x6"]
        name = svg.get_attribute("aria-label")
        assert svg.get_attribute("role") == "img" and "inputs x1, x2, x3, x4, x5, x6" in name, name
        # labels stay readable: at least 10 px on the screen
        sizes = browser.execute_script(
            "return [...arguments[0].querySelectorAll('g.node text')].map(t => t.getBoundingClientRect().height)", svg)
        assert min(sizes) >= 10, sizes
    # colour = sign, width = size
    residual = browser.find_element(By.CSS_SELECTOR, "#residual-figure svg")
    negatives = residual.find_elements(By.CSS_SELECTOR, "path.edge.negative")
    positives = residual.find_elements(By.CSS_SELECTOR, "path.edge.positive")
    assert negatives and positives
    assert {p.get_attribute("stroke") for p in negatives} == {"#e0660b"}
    assert {p.get_attribute("stroke") for p in positives} == {"#2f6fde"}
    widths = {float(p.get_attribute("stroke-width")) for p in negatives + positives}
    assert len(widths) > 1
    assert residual.find_elements(By.CSS_SELECTOR, "path.edge.skip")
    # the k + 2 pair in the plain network, labelled
    plain = browser.find_element(By.CSS_SELECTOR, "#plain-figure svg")
    assert len(plain.find_elements(By.CSS_SELECTOR, "g.node.pair")) == 2
    assert "k + 2 pair" in plain.find_element(By.CSS_SELECTOR, "text.pair-label").text
    assert "k + 2 pair" in plain.get_attribute("aria-label")
    assert not residual.find_elements(By.CSS_SELECTOR, "g.node.pair")
    # tap a neuron: its weights
    plain.find_elements(By.CSS_SELECTOR, "g.node.neuron")[0].click()
    info = browser.find_element(By.CSS_SELECTOR, "#plain-figure .neuron-info").text
    assert "W1[1," in info and "b =" in info, info
    # zoom
    before = plain.rect["width"]
    browser.find_element(By.CSS_SELECTOR, "#plain-figure .zoom button:nth-child(2)").click()
    wait_for(lambda: plain.rect["width"] > 1.2 * before, message="zoomed in")
    browser.find_element(By.CSS_SELECTOR, "#plain-figure .zoom button:nth-child(1)").click()
    wait_for(lambda: plain.rect["width"] < 1.1 * before, message="zoomed out")
    screenshot(browser, "drawings-six-variables-1366")
    assert console_errors(browser) == []


def test_the_spectrum_is_signed_and_the_sentence_links_the_theorems(browser, server, wait_for):
    browser.get(server)
    ready(browser, wait_for, k=2)
    spectrum = browser.find_element(By.CSS_SELECTOR, "#spectrum-figure svg")
    assert len(spectrum.find_elements(By.CSS_SELECTOR, "g.bar.negative")) == 1    # −0.5
    assert len(spectrum.find_elements(By.CSS_SELECTOR, "g.bar.positive")) == 1    # 2.5
    assert len(spectrum.find_elements(By.CSS_SELECTOR, "g.bar.zero")) == 1
    assert "-0.5" in spectrum.get_attribute("aria-label")
    why = browser.find_element(By.ID, "why")
    assert "f's linear part points outside the directions A uses" in why.text
    assert "a residual network carries it on the skip" in why.text
    links = why.find_elements(By.TAG_NAME, "a")
    assert [a.text for a in links] == ["T1", "T2"]
    url = browser.current_url
    links[1].click()
    wait_for(lambda: browser.switch_to.active_element.get_attribute("id") == "t2", message="T2 focused")
    assert browser.current_url == url  # the theorem link does not replace the form in the address
    assert browser.find_element(By.ID, "t2").is_displayed()
    next(b for b in browser.find_elements(By.CSS_SELECTOR, "button.example") if b.text.startswith("rank-deficient, a ∈")).click()
    ready(browser, wait_for, k=1)
    assert "lies within the directions A uses" in browser.find_element(By.ID, "why").text


def test_activation_networks_in_the_table_and_downloads(browser, server, wait_for, tmp_path):
    browser.get(server)
    ready(browser, wait_for, k=2)
    browser.find_element(By.ID, "activation").send_keys("1, 1, 0", Keys.ENTER)
    wait_for(lambda: len(browser.find_elements(By.CSS_SELECTOR, "#verification tr")) == 5, message="five verification rows")
    names = [row.find_elements(By.TAG_NAME, "td")[0].text for row in browser.find_elements(By.CSS_SELECTOR, "#verification tr")[1:]]
    assert names == ["residual", "plain", "residual with s", "plain with s"]
    # the downloads, saved by the browser itself
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    for name in ("residual", "plain"):
        link = browser.find_element(By.ID, f"download-activation-{name}")
        assert link.is_displayed()
        link.click()
        saved = tmp_path / f"activation-{name}-network.json"
        wait_for(lambda: saved.exists() and saved.stat().st_size > 0, message=f"{saved.name} downloaded")
        network = json.loads(wait_for(lambda: saved.read_text().strip() and saved.read_text(), message="the whole file"))
        assert network["activation"]["kind"] == "quadratic", network
        assert network["widths"][0] == 3
    assert len(drawings(browser)) == 4
    for svg in drawings(browser):
        assert inputs_top_to_bottom(svg) == ["x1", "x2", "x3"]


def test_controls_have_contrast(browser, server, wait_for):
    browser.get(server)
    ready(browser, wait_for, k=2)
    ratios = browser.execute_script("""
      const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
        .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4)); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
      return [...document.querySelectorAll('input[type=text], button')].filter(e => e.offsetParent).map(e => {
        const s = getComputedStyle(e);
        const border = ratio(s.borderTopColor, 'rgb(255, 255, 255)');
        const fill = s.backgroundColor === 'rgba(0, 0, 0, 0)' ? 'rgb(255, 255, 255)' : s.backgroundColor;
        return [e.id || e.textContent, Math.max(border, ratio(s.borderTopColor, fill), ratio(fill, 'rgb(255, 255, 255)'))];
      });""")
    low = [(name, r) for name, r in ratios if r < 3]
    assert low == [], low


# MARK: the phone

OVERFLOW = """
const width = document.documentElement.clientWidth;
const wide = [];
for (const e of document.querySelectorAll('body *')) {
  if (!e.getClientRects().length) continue;
  let scroller = e.parentElement, inside = false;
  while (scroller && scroller !== document.body) {
    const o = getComputedStyle(scroller).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden') { inside = true; break; }
    scroller = scroller.parentElement;
  }
  if (inside) continue;   // it scrolls inside its card; the card is checked itself
  const r = e.getBoundingClientRect();
  if (r.left < -0.5 || r.right > width + 0.5) wide.push((e.id || e.tagName + '.' + e.className) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
}
return {width, inner: window.innerWidth, scroll: document.documentElement.scrollWidth, scale: window.visualViewport.scale, wide};
"""


def check_fits(phone):
    found = phone.execute_script(OVERFLOW)
    assert found["inner"] == 390 and found["scroll"] <= 390 and found["scale"] == 1, found
    assert found["wide"] == [], found["wide"]
    return found


def test_the_phone_layout(phone, server, wait_for, screenshot):
    phone.get(server)
    ready(phone, wait_for, k=2)
    wait_for(lambda: "(x1, x2, x3)" in phone.find_element(By.ID, "values").text, message="the evaluation")
    check_fits(phone)
    # the field has its own row, nearly the screen's width
    field = phone.find_element(By.ID, "expression")
    assert field.rect["width"] >= 300, field.rect
    # text and drawing labels stay readable
    sizes = phone.execute_script("return [...document.querySelectorAll('svg.network-drawing g.node text')].map(t => t.getBoundingClientRect().height)")
    assert min(sizes) >= 10, sizes
    screenshot(phone, "phone-390")
    screenshot(phone, "phone-390-top", height=1500, scale=0.5)   # docs/images/explorer-390.png
    # an error box keeps the field and the button on the card
    typed(phone, "x1^2 + 3*x1*x2 + x2^2 + * x3 - 5 + x4*x5*x6")
    wait_for(lambda: phone.find_element(By.ID, "error").is_displayed(), message="the error")
    check_fits(phone)
    card = phone.find_element(By.ID, "input-card").rect
    button = phone.find_element(By.ID, "synthesize").rect
    assert button["x"] + button["width"] <= card["x"] + card["width"]
    screenshot(phone, "phone-390-error", full=False)
    # twenty variables: the matrix and the tables scroll in their cards, the page does not widen
    form = " + ".join(f"x{i}*x{i + 1}" for i in range(1, 20)) + " + x20"
    typed(phone, form)
    ready(phone, wait_for, k=20)
    wait_for(lambda: len(phone.find_elements(By.CSS_SELECTOR, "#matrix tr")) == 21, message="the 20 × 20 matrix")
    check_fits(phone)
    for svg in drawings(phone):
        assert inputs_top_to_bottom(svg) == [f"x{i}" for i in range(1, 21)]
    sizes = phone.execute_script("return [...document.querySelectorAll('svg.network-drawing g.node text')].map(t => t.getBoundingClientRect().height)")
    assert min(sizes) >= 10, sizes
    screenshot(phone, "phone-390-twenty-variables")
    # the Example 1.5.6 card and the exact card fit too
    phone.get(server + "#example=1.5.6")
    wait_for(lambda: phone.find_element(By.ID, "network-value").text == "= 28", message="Example 1.5.6")
    check_fits(phone)
    phone.get(server + "#f=x%5E2%2F3%20%2B%20x*y%20%2B%20y%2F2&exact=1")
    wait_for(lambda: phone.find_element(By.ID, "exact-card").is_displayed(), message="exact mode on the phone")
    wait_for(lambda: "…" != phone.find_element(By.ID, "proof").text, message="the exact proof")
    check_fits(phone)
    assert [e for e in console_errors(phone) if "400" not in e["message"]] == []


def test_the_desktop_screenshot(browser, server, wait_for, screenshot):
    browser.set_window_size(1366, 900)
    try:
        browser.get(server)
        ready(browser, wait_for, k=2)
        wait_for(lambda: "(x1, x2, x3)" in browser.find_element(By.ID, "values").text, message="the evaluation")
        found = browser.execute_script(OVERFLOW)
        assert found["wide"] == [] and found["scroll"] <= found["width"], found
        screenshot(browser, "desktop-1366")
        screenshot(browser, "desktop-1366-top", height=1290)   # docs/images/explorer-1366.png
    finally:
        browser.set_window_size(1400, 1000)


def test_onnx_downloads(browser, server, wait_for, tmp_path):
    """The ONNX buttons save `quadform convert`'s model; onnxruntime (when installed) runs it to f."""
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    for exact in (False, True):
        browser.get(server + "#f=x%5E2%20-%203*x*y%20%2B%20y%2F3%20-%201" + ("&exact=1" if exact else ""))
        ready(browser, wait_for, k=2)
        for name in ("residual", "plain"):
            saved = tmp_path / f"{name}-network.onnx"
            if saved.exists():
                saved.unlink()
            browser.find_element(By.CSS_SELECTOR, f"button.onnx[data-network={name}]").click()
            wait_for(lambda: saved.exists() and saved.stat().st_size > 100, message=f"{saved.name} downloaded")
            data = saved.read_bytes()
            assert data[0] == 0x08  # ModelProto field 1 (ir_version), a varint
            try:
                import numpy
                import onnxruntime
            except ImportError:
                continue
            session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
            x, y = 2.0, -1.0
            out = session.run(None, {"x": numpy.array([[x, y]], dtype=numpy.float64)})[0]
            assert abs(out[0][0] - (x * x - 3 * x * y + y / 3 - 1)) < 1e-9, (name, exact, out)
    assert console_errors(browser) == []


def test_loading_shows_placeholders_and_the_status(browser, server, wait_for):
    """An exact synthesis of 7 variables with fractions takes a moment: placeholders and a
    "computing…" status (aria-busy button) until the answer, then neither."""
    from urllib.parse import quote
    form = " + ".join(f"{i}/{j + 2}*x{i}*x{j}" for i in range(1, 8) for j in range(i, 8)) + " + x1/3 - 2/7"
    browser.get("about:blank")
    browser.get(server + "#f=" + quote(form) + "&exact=1")
    snapshot = """return {loading: !document.getElementById('loading').hidden, results: !document.getElementById('results').hidden,
        status: document.getElementById('status').textContent, busy: document.getElementById('synthesize').getAttribute('aria-busy')}"""
    # one look at the page at a time (the answer may come between two reads)
    seen = wait_for(lambda: (lambda s: (s["loading"] or s["results"]) and s)(browser.execute_script(snapshot)), message="the placeholders")
    if seen["loading"]:
        assert "computing" in seen["status"] and seen["busy"] == "true" and not seen["results"], seen
    wait_for(lambda: k_text(browser), seconds=60, message="the exact report")
    assert not browser.find_element(By.ID, "loading").is_displayed()
    # the proof and the evaluation follow; then the button is no longer busy
    wait_for(lambda: browser.find_element(By.ID, "synthesize").get_attribute("aria-busy") is None, seconds=60, message="done")
    assert browser.find_element(By.ID, "status").text.startswith(k_text(browser) + ":")
