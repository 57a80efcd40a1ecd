import json

import pytest
import torch

from aigc_sdk.bundle import BundleError, load_bundle, read_bundle_config
from toy import register_example_in_process, ring, toy_generator


@pytest.fixture(autouse=True)
def _example_registered():
    register_example_in_process()


def test_save_load_generate_is_bit_identical(tmp_path):
    ds = ring(256)
    gen = toy_generator(ds.schema)
    with torch.no_grad():  # make the EMA differ from its initial copy
        for p in gen.ema.parameters():
            p.add_(0.01)
    gen.card["metrics"] = {"made_up_for_test": 1.0}
    out = gen.save_pretrained(tmp_path / "bundle")
    assert sorted(p.name for p in out.iterdir()) == [
        "card.md", "config.json", "manifest.json", "model.safetensors"]
    again = load_bundle(out)
    a = gen.generate(64, condition={"side": "left"}, seed=11)
    b = again.generate(64, condition={"side": "left"}, seed=11)
    assert torch.equal(a.data, b.data)
    assert b.metadata[0]["bundle_hash"] == gen.bundle_hash == again.bundle_hash
    assert b.metadata[0]["condition"] == {"side": "left"} and b.metadata[0]["seed"] == 11
    assert "## Intended use" not in (out / "card.md").read_text() or gen.intended_use
    assert "made_up_for_test" in (out / "card.md").read_text()


def test_tampered_weights_are_refused(tmp_path):
    gen = toy_generator(ring(256).schema)
    out = gen.save_pretrained(tmp_path / "b")
    blob = bytearray((out / "model.safetensors").read_bytes())
    blob[-1] ^= 0xFF
    (out / "model.safetensors").write_bytes(bytes(blob))
    with pytest.raises(BundleError, match="model.safetensors: sha256 does not match"):
        load_bundle(out)


def test_unknown_generator_names_what_exists(tmp_path):
    gen = toy_generator(ring(256).schema)
    out = gen.save_pretrained(tmp_path / "b")
    cfg = json.loads((out / "config.json").read_text())
    cfg["generator"] = "example.points_gn"
    (out / "config.json").write_text(json.dumps(cfg))
    manifest = json.loads((out / "manifest.json").read_text())
    from aigc_sdk.bundle import sha256

    manifest["files"]["config.json"]["sha256"] = sha256(out / "config.json")
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert read_bundle_config(out)["generator"] == "example.points_gn"
    with pytest.raises(LookupError, match="Did you mean 'example.points_gan'"):
        load_bundle(out)


def test_saving_over_a_bundle_replaces_it_whole(tmp_path):
    gen = toy_generator(ring(256).schema)
    out = gen.save_pretrained(tmp_path / "b")
    first = gen.bundle_hash
    with torch.no_grad():
        next(gen.ema.parameters()).add_(1.0)
    gen.save_pretrained(out)
    assert gen.bundle_hash != first
    assert load_bundle(out).bundle_hash == gen.bundle_hash
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
