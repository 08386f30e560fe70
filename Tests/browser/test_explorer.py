"""The explorer page in a real browser (headless Chromium): type a form, see k = 2 and two SVG
drawings; a syntax error shows the caret; the exact switch shows rational weights; the
examples work; no console errors."""

import os
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

SCREENSHOT = os.environ.get("EXPLORER_SCREENSHOT")


def console_errors(browser):
    return [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def typed(browser, text, enter=True):
    field = browser.find_element(By.ID, "expression")
    field.clear()
    field.send_keys(text)
    if enter:
        field.send_keys(Keys.ENTER)


def k_text(browser):
    return browser.find_element(By.ID, "k-value").text


def network_svgs(browser):
    return [browser.find_elements(By.CSS_SELECTOR, f"#{name}-figure svg") for name in ("residual", "plain")]


def test_typing_a_form_shows_k_and_both_networks(browser, server, wait_for):
    browser.get(server)
    assert browser.title == "quadform explorer"
    wait_for(lambda: k_text(browser), message="the first report")
    typed(browser, "x^2 + 2*x*y + 3*y^2 + z - 1")
    wait_for(lambda: "x, y, z" in browser.find_element(By.ID, "formula").text, message="the report of the form typed")
    assert k_text(browser) == "k = 2"
    residual, plain = wait_for(lambda: all(network_svgs(browser)) and network_svgs(browser), message="two SVG drawings")
    # the drawings are Graphviz's: nodes for the inputs x, y, z, and the two square neurons
    residual_text = residual[0].get_attribute("textContent")
    for name in ("x", "y", "z"):
        assert name in residual_text
    assert "square" in browser.find_element(By.ID, "plain-caption").text
    # z is outside range(A): the plain network needs k + 2 = 4 neurons, the residual one k = 2
    assert browser.find_element(By.ID, "residual-count").text.startswith("2 square neurons")
    assert browser.find_element(By.ID, "plain-count").text.startswith("4 square neurons")
    assert "a_N ≠ 0" in browser.find_element(By.ID, "reason").text
    assert browser.find_element(By.ID, "verdict").text == "verified ✓"
    # the spectrum plot and the k + 1 approximation (a_N ≠ 0)
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#spectrum-figure svg"), message="spectrum plot")
    assert browser.find_element(By.ID, "approximate").is_displayed()
    assert "error bound" in browser.find_element(By.ID, "approximate-text").text
    rows = browser.find_elements(By.CSS_SELECTOR, "#verification tr")
    assert len(rows) == 3
    assert console_errors(browser) == []


def test_the_button_and_evaluate(browser, server, wait_for):
    browser.get(server)
    wait_for(lambda: k_text(browser), message="the first report")
    typed(browser, "x*y + 2", enter=False)
    browser.find_element(By.ID, "synthesize").click()
    wait_for(lambda: "x, y" in browser.find_element(By.ID, "formula").text, message="the report of x*y + 2")
    assert k_text(browser) == "k = 2"
    wait_for(lambda: "at (x, y)" in browser.find_element(By.ID, "values").text, message="the first evaluation")
    at = browser.find_element(By.ID, "at")
    at.clear()
    at.send_keys("3, 4", Keys.ENTER)
    # f(3, 4) = 14, and both networks compute it
    wait_for(lambda: "(3, 4)" in browser.find_element(By.ID, "values").text, message="the values at (3, 4)")
    cells = [row.find_elements(By.TAG_NAME, "td") for row in browser.find_elements(By.CSS_SELECTOR, "#values tr")]
    values = {c[0].text: float(c[1].text) for c in cells if len(c) == 2}
    assert set(values) == {"f(x)", "residual network", "plain network"}
    for value in values.values():
        assert abs(value - 14) < 1e-9
    assert console_errors(browser) == []


def test_a_syntax_error_shows_the_caret(browser, server, wait_for):
    browser.get(server)
    wait_for(lambda: k_text(browser), message="the first report")
    typed(browser, "x1^2 + * x2")
    error = wait_for(lambda: browser.find_element(By.ID, "error").is_displayed() and browser.find_element(By.ID, "error"),
                     message="the error box")
    lines = error.text.split("\n")
    assert lines[0].startswith("expression:1:8:")
    # the caret stands under the '*' (column 8), as the command line prints it
    assert lines[1].strip() == "x1^2 + * x2"
    caret = lines[2].index("^")
    assert lines[1][caret] == "*"
    assert "invalid" in browser.find_element(By.ID, "expression").get_attribute("class")
    # a cubic term is refused with its column too
    typed(browser, "x^2 + x^3")
    wait_for(lambda: "degree" in browser.find_element(By.ID, "error").text, message="the cubic error")
    # and a good form clears the error
    typed(browser, "x^2 + y^2")
    wait_for(lambda: not browser.find_element(By.ID, "error").is_displayed(), message="the error cleared")
    # the failed requests are answered 400 on purpose; the browser logs those as network errors only
    assert [e for e in console_errors(browser) if "400" not in e["message"]] == []


def test_the_exact_switch_shows_rational_weights(browser, server, wait_for):
    browser.get(server)
    wait_for(lambda: k_text(browser), message="the first report")
    typed(browser, "x^2/3 + x*y + y/2")
    wait_for(lambda: "x, y" in browser.find_element(By.ID, "formula").text, message="the floating report")
    browser.find_element(By.ID, "exact").click()
    wait_for(lambda: browser.find_element(By.ID, "exact-card").is_displayed(), message="the exact card")
    weights = browser.find_element(By.ID, "exact-residual").text
    assert "/" in weights, weights          # rational weights such as 1/3
    wait_for(lambda: "Lagrange" in browser.find_element(By.ID, "proof").text or "pivot" in browser.find_element(By.ID, "proof").text,
             message="the exact proof")
    assert "Lagrange reduction" in browser.find_element(By.ID, "eigen-heading").text
    assert browser.find_element(By.ID, "verdict").text == "verified ✓"
    wait_for(lambda: all(network_svgs(browser)), message="two exact drawings")
    browser.find_element(By.ID, "exact").click()
    wait_for(lambda: not browser.find_element(By.ID, "exact-card").is_displayed(), message="floating again")
    assert console_errors(browser) == []


def test_the_examples(browser, server, wait_for):
    browser.get(server)
    wait_for(lambda: k_text(browser), message="the first report")
    buttons = browser.find_elements(By.CSS_SELECTOR, "button.example")
    assert len(buttons) >= 4
    by_text = {b.text: b for b in buttons}
    # the rank-deficient form: k = 1, a ∉ range(A), plain k + 2 = 3
    next(b for t, b in by_text.items() if t.startswith("rank-deficient: ")).click()
    wait_for(lambda: k_text(browser) == "k = 1", message="k = 1")
    wait_for(lambda: browser.find_element(By.ID, "plain-count").text.startswith("3 square neurons"), message="k + 2")
    # the non-symmetric M: A = (M + Mᵀ)/2 has the off-diagonal 2
    next(b for t, b in by_text.items() if t.startswith("non-symmetric")).click()
    wait_for(lambda: "u, v" in browser.find_element(By.ID, "formula").text, message="the non-symmetric form")
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#matrix td")]
    assert cells.count("2") == 2, cells
    # Example 1.5.6: the ReLU ResNet of the notes, realization(5) = 28
    next(b for t, b in by_text.items() if t.startswith("Example 1.5.6")).click()
    wait_for(lambda: browser.find_element(By.ID, "network-value").text == "= 28", message="realization(5) = 28")
    assert browser.find_elements(By.CSS_SELECTOR, "#network-figure svg")
    # the first example, with the quadratic activation: four drawings
    browser.find_element(By.ID, "activation").send_keys("1, 1, 0")
    next(b for t, b in by_text.items() if t.startswith("x1²")).click()
    wait_for(lambda: k_text(browser) == "k = 2", message="k = 2 of the first example")
    wait_for(lambda: browser.find_element(By.ID, "activation-figures").is_displayed()
             and browser.find_elements(By.CSS_SELECTOR, "#activation-plain-figure svg"), message="the s-network drawings")
    assert console_errors(browser) == []


def test_screenshot(browser, server, wait_for):
    """The picture of docs/images/explorer.png (written only when EXPLORER_SCREENSHOT names a file)."""
    browser.get(server)
    wait_for(lambda: k_text(browser) == "k = 2", message="the first example")
    wait_for(lambda: all(network_svgs(browser)) and browser.find_elements(By.CSS_SELECTOR, "#spectrum-figure svg"),
             message="the drawings")
    assert console_errors(browser) == []
    if SCREENSHOT:
        height = browser.execute_script("return document.body.scrollHeight")
        browser.set_window_size(1400, min(height + 40, 2600))
        Path(SCREENSHOT).parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(SCREENSHOT)
        browser.set_window_size(1400, 1000)
