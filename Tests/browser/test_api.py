"""The explorer's API against the command line: /api/synth answers exactly `synth --format json`
for the same form (floating, exact, with an activation, from form JSON), and bad input is refused
with 400 {"error", "column"} or 413, never a crash."""

import json
import subprocess
import urllib.request

import pytest

import random
import time

from conftest import children, post

FORMS = [
    "x1^2 + 3*x1*x2 + x2^2 + x3 - 5",
    "x^2 + 2*x*y + y^2 + x - y",
    "x^2 - 2*x*y + y^2 + 3*x - 3*y + 1",
    "x^2/3 + x*y + y/2",
    "7",
]


def cli_json(quadform, *arguments):
    result = subprocess.run([quadform, "synth", "--format", "json", *arguments], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("expression", FORMS)
@pytest.mark.parametrize("exact", [False, True])
def test_synth_answers_the_command_lines_report(server, quadform, expression, exact):
    status, answer = post(server, "/api/synth", {"expression": expression, "exact": exact, "activation": None})
    assert status == 200, answer
    assert answer == cli_json(quadform, *(["--exact"] if exact else []), "--", expression)


@pytest.mark.parametrize("exact", [False, True])
def test_synth_with_an_activation(server, quadform, exact):
    expression = "x1^2 + 3*x1*x2 + x2^2 + x3 - 5"
    status, answer = post(server, "/api/synth", {"expression": expression, "exact": exact, "activation": "quadratic:2,1,-1"})
    assert status == 200, answer
    assert "quadratic_activation" in answer
    assert answer == cli_json(quadform, *(["--exact"] if exact else []), "--activation", "quadratic:2,1,-1", expression)


def test_synth_of_a_non_symmetric_form_json(server, quadform, tmp_path):
    form = {"quadratic": [[1, 4], [0, 1]], "linear": [0, 1], "constant": 2, "variables": ["u", "v"]}
    path = tmp_path / "form.json"
    path.write_text(json.dumps(form))
    status, answer = post(server, "/api/synth", {"form": form})
    assert status == 200, answer
    assert answer == cli_json(quadform, "--input", str(path))
    assert answer["symmetric_matrix"] == [[1, 2], [2, 1]]


def test_eval_agrees_with_the_form(server):
    status, answer = post(server, "/api/eval", {"expression": "x*y + 2*x - 1", "at": [3, 4]})
    assert status == 200, answer
    assert answer["f"] == 17
    assert abs(answer["residual"] - 17) < 1e-9 and abs(answer["plain"] - 17) < 1e-9
    status, answer = post(server, "/api/eval", {"expression": "x^2/3 + y", "exact": True, "at": ["1/2", "0.1"]})
    assert status == 200, answer
    assert answer["f"] == answer["residual"] == answer["plain"] == "11/60"


def test_figures_and_spectrum(server):
    status, answer = post(server, "/api/figures", {"expression": "x^2 + 2*x*y + y^2 + x"})
    assert status == 200, answer
    for key in ("residual_svg", "plain_svg", "spectrum_svg"):
        assert answer[key].lstrip().startswith("<svg"), key
    with urllib.request.urlopen(server + "api/spectrum.svg?expression=x%5E2%2By%5E2", timeout=60) as response:
        assert response.headers["Content-Type"].startswith("image/svg+xml")
        assert b"<svg" in response.read()


BAD = [
    ("malformed JSON", b'{"expression": "x^2"', None),
    ("not an object", b'["x^2"]', None),
    ("unknown field", b'{"expression": "x^2", "degree": 2}', None),
    ("wrong type", b'{"expression": 5}', None),
    ("exact not a boolean", b'{"expression": "x^2", "exact": "yes"}', None),
    ("no form", b'{"exact": true}', None),
    ("cubic", b'{"expression": "x^2 + x^3"}', 7),
    ("syntax", b'{"expression": "x^2 + + "}', 5),
    ("bad activation", b'{"expression": "x^2", "activation": "quadratic:0,1,2"}', None),
    ("too many exact variables", json.dumps({"expression": " + ".join(f"x{i}^2" for i in range(1, 14)), "exact": True}).encode(), None),
    ("too many variables", json.dumps({"expression": " + ".join(f"x{i}*x{i+1}" for i in range(1, 60))}).encode(), None),
    ("not UTF-8", b'{"expression": "\xff"}', None),
]


@pytest.mark.parametrize("name,body,column", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_400_with_error_and_column(server, name, body, column):
    status, answer = post(server, "/api/synth", None, raw=body)
    assert status == 400, (name, answer)
    assert set(answer) == {"error", "column", "length"}
    assert answer["error"]
    assert answer["column"] == column


def test_a_huge_body_is_413(server):
    body = json.dumps({"expression": "x^2 + " * 20000 + "1"}).encode()
    assert len(body) > 65536
    status, answer = post(server, "/api/synth", None, raw=body)
    assert status == 413
    assert "65536" in answer["error"]
    # the server still answers afterwards
    status, _ = post(server, "/api/synth", {"expression": "x^2"})
    assert status == 200


def test_wrong_method_and_route(server):
    request = urllib.request.Request(server + "api/synth", method="GET")
    try:
        urllib.request.urlopen(request, timeout=30)
        raise AssertionError("GET /api/synth was answered 200")
    except urllib.error.HTTPError as error:
        assert error.code == 405
    status, answer = post(server, "/api/nothing", {"expression": "x"})
    assert status == 404 and answer["error"]


def test_the_page_is_served_with_no_outside_reference(server):
    for path in ("", "explorer.js", "explorer.css"):
        with urllib.request.urlopen(server + path, timeout=30) as response:
            text = response.read().decode()
            assert response.status == 200
            assert "http://" not in text and "https://" not in text, path


def test_a_long_exact_computation_is_stopped(server_process):
    """Exact mode runs in a child process killed at 10 s: the request is answered 503 in time, the
    child is gone, and the server answers the next request at once."""
    rng = random.Random(12)
    terms = [f"{rng.randint(10**8, 10**9 - 1)}/{rng.randint(10**8, 10**9 - 1)}*x{i}*x{j}"
             for i in range(1, 13) for j in range(i, 13)]
    expression = " + ".join(terms)
    while len(expression) > 4000:
        terms.pop()
        expression = " + ".join(terms)
    start = time.monotonic()
    status, answer = post(server_process.url, "/api/synth", {"expression": expression, "exact": True})
    elapsed = time.monotonic() - start
    assert status == 503, answer
    assert "stopped" in answer["error"]
    assert elapsed < 25, elapsed
    deadline = time.monotonic() + 5
    while children(server_process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert children(server_process.pid) == []
    start = time.monotonic()
    status, _ = post(server_process.url, "/api/synth", {"expression": "x^2 + y", "exact": True})
    assert status == 200
    assert time.monotonic() - start < 10


def test_onnx_equals_quadform_convert(server, quadform, tmp_path):
    """POST /api/onnx answers the bytes `quadform convert network.json net.onnx` writes (but its
    "source" metadata); a request
    without a network is 400."""
    report = cli_json(quadform, "x^2 - 3*x*y + y/3 - 1")
    for name in ("residual", "plain"):
        network = report[name]["network"]
        request = urllib.request.Request(server.rstrip("/") + "/api/onnx", data=json.dumps({"network": network}).encode(),
                                         method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "application/octet-stream"
            served = response.read()
        source = tmp_path / f"{name}.json"
        source.write_text(json.dumps(network))
        target = tmp_path / f"{name}.onnx"
        result = subprocess.run([quadform, "convert", str(source), str(target)], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        # the same model; convert adds one more metadata entry, the file it read ("source")
        written = target.read_bytes()
        assert written.startswith(served) and written.endswith(b"quadform convert " + source.name.encode()), (len(served), len(written))
    status, answer = post(server, "/api/onnx", {"expression": "x^2"})
    assert status == 400 and "network" in answer["error"]
