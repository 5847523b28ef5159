"`deepinversion bench` as a user runs it (a tiny smoke run: timings are measured, never asserted), and its bad input."
import json
from conftest import cli, cli_here, assert_one_line_error


def test_bench_writes_consistent_json_and_prints_a_table(tmp_path):
    out = tmp_path / "bench.json"
    r = cli("bench", "--models", "mnist5k,convnet_tiny", "--batch-size", "8", "--image-size", "28", "--steps", "2", "--repeats", "1", "--json", out)
    assert r.returncode == 0, r.stderr
    got = json.loads(out.read_text())
    assert set(got["machine"]) >= {"cpu", "cores", "torch_threads", "gpu", "torch"}
    assert [x["model"] for x in got["results"]] == ["mnist5k", "convnet_tiny"]
    for x in got["results"]:
        assert (x["batch"], x["resolution"], x["device"], x["dtype"]) == (8, 28, "cpu", "float32")
        assert min(x["t_bare_ms"], x["t_di_ms"], x["t_ref_ms"], x["peak_mem_mb"]) > 0
        # the ratios are the ratios of the printed times (rounding aside), not independent numbers
        assert abs(x["overhead"] - x["t_di_ms"] / x["t_bare_ms"]) <= 2e-3 * x["overhead"]
        assert abs(x["speedup_vs_reference"] - x["t_ref_ms"] / x["t_di_ms"]) <= 2e-3 * x["speedup_vs_reference"]
        assert abs(x["images_per_s"] - 8 / (x["t_di_ms"] / 1e3)) <= 0.01 * x["images_per_s"]
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 3 and "overhead" in lines[1] and lines[2].strip().startswith("convnet_tiny"), r.stdout
    # --json alone: the same document on stdout
    r = cli_here("bench", "--models", "convnet_tiny", "--batch-size", "4", "--image-size", "16", "--steps", "1", "--repeats", "1", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["results"][0]["resolution"] == 16


def test_bench_bad_input(tmp_path):
    assert_one_line_error(cli_here("bench", "--models", "resnet9000"), "unknown benchmark model 'resnet9000'", "mnist5k")
    assert_one_line_error(cli_here("bench", "--steps", "0"), "--steps", "≥ 1")
    assert_one_line_error(cli_here("bench", "--models", "mnist5k", "--json", tmp_path), "is a folder", "result.json")
    assert_one_line_error(cli_here("bench", "--amp", "fp16", "--device", "cpu"), "fp16", "bf16")
