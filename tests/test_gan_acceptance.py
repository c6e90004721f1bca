"""scripts/gan_acceptance.py: the verdicts, and a whole check on a barely trained run."""
import importlib.util
import pathlib

import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "scripts" / "gan_acceptance.py"


@pytest.fixture(scope="module")
def acceptance():
    spec = importlib.util.spec_from_file_location("gan_acceptance", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report(frechet, confidence, shares):
    return {"frechet_distance": frechet, "confidence": confidence,
            "min_class_share": min(shares), "max_class_share": max(shares)}


def test_each_criterion_fails_on_its_own(acceptance):
    even = [0.1] * 10
    assert all(acceptance.judge(report(50.0, 0.9, even), 10.0)[k]
               for k in ("confidence_ok", "coverage_ok", "frechet_ok"))
    assert not acceptance.judge(report(50.0, 0.84, even), 10.0)["confidence_ok"]
    assert not acceptance.judge(report(101.0, 0.9, even), 10.0)["frechet_ok"]
    assert acceptance.judge(report(101.0, 0.9, even), 10.0)["frechet_ratio"] == pytest.approx(10.1)
    rare = [0.02] + [0.98 / 9] * 9
    common = [0.21] + [0.79 / 9] * 9
    assert not acceptance.judge(report(50.0, 0.9, rare), 10.0)["coverage_ok"]
    assert not acceptance.judge(report(50.0, 0.9, common), 10.0)["coverage_ok"]


def test_a_barely_trained_generator_fails_beside_the_real_baseline(acceptance, tmp_path, capsys):
    from scratchgen.train.run import train
    run = tmp_path / "run"
    train("dcgan", {"steps": 2, "feature_dim": 2, "latent_dim": 4, "batch_size": 4}, run, progress=False)
    assert acceptance.main([str(run), "--samples", "200"]) == 1
    printed = capsys.readouterr().out
    assert "real training images" in printed and "FAIL" in printed
    results = acceptance.check_runs([str(run)], num_samples=200)
    real, checked = results["real"], results["runs"][str(run)]
    assert real["confidence"] > 0.95 and real["min_class_share"] > 0.03
    for key in ("trained", "untrained"):
        assert checked[key]["frechet_ratio"] > 10 and not checked[key]["frechet_ok"]
    assert not checked["passed"] and checked["step"] == 2
