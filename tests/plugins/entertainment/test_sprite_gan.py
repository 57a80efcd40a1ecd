"""entertainment.sprite_gan: shapes, views, determinism, both stages train, bundles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("monai.networks")

from aigc_plugins.entertainment.sprite_gan import SpriteGAN, SpriteGANConfig  # noqa: E402
from aigc_sdk.bundle import load_bundle  # noqa: E402
from aigc_sdk.dataset import ConditionSpec, TensorDataset  # noqa: E402
from aigc_sdk.training import Callback, TrainConfig, Trainer  # noqa: E402
from toy_sprites import VIEWS, schema, toy_characters  # noqa: E402

SMALL = {"latent_dim": 16, "code_dim": 16, "encoder_width": 8, "latent_hidden": 32,
         "base_channels": 8, "max_channels": 32,
         "translator_widths": (8, 16, 32), "palette_size": 8}


def model(seed: int = 0, views: list[str] = VIEWS, conditions=(), **cfg) -> SpriteGAN:
    torch.manual_seed(seed)
    return SpriteGAN(SpriteGANConfig(**{**SMALL, **cfg}), schema(views=views,
                                                                 conditions=conditions))


def train_cfg(steps: int) -> TrainConfig:
    return TrainConfig(steps=steps, progress=False, tensorboard=False, checkpoint_every=0,
                       precision="no", device="cpu", batch_size=16, log_every=1)


def test_generates_every_view_with_one_shared_palette() -> None:
    gen = model()
    s = gen.generate(3, seed=5)
    assert s.data.shape == (3, 4, 4, 16, 16)
    assert s.metadata[0]["views"] == VIEWS and s.metadata[0]["seed"] == 5
    assert {"png", "sheet", "gif"} <= set(s.formats)
    for char in s.data:
        alpha = char[:, 3]
        assert set(alpha.unique().tolist()) <= {-1.0, 1.0}  # crisp alpha
        opaque = char.permute(0, 2, 3, 1)[alpha > 0][:, :3]
        first = char[2].permute(1, 2, 0)[char[2, 3] > 0][:, :3]
        # every colour of every view is one of the first (down) view's colours
        assert len(opaque.unique(dim=0)) <= 8
        assert set(map(tuple, opaque.unique(dim=0).tolist())) <= set(
            map(tuple, first.unique(dim=0).tolist())) or len(first) == 0


def test_drawn_characters_keep_no_stray_pixels(monkeypatch: pytest.MonkeyPatch) -> None:
    gen = model(palette_size=None)
    assert gen.min_island == 2  # 16 pixels at 64x64, scaled to the toy's 16x16
    drawn = -torch.ones(3, 4, 16, 16)  # what the translator draws: a body and two specks
    drawn[:, :, 4:12, 5:11] = 0.4
    drawn[:, :, 0, 0] = 0.8
    drawn[:, :, 14:16, 15] = 0.8
    monkeypatch.setattr(gen.translator, "render", lambda first, code: drawn.clone())
    gen.config.min_island = 0
    assert torch.equal(gen.generate(3, seed=1).data, drawn[:, None].expand(3, 4, 4, 16, 16))
    gen.config.min_island = None  # 2: the one-pixel speck goes, the two-pixel one stays
    out = gen.generate(3, seed=1).data
    assert bool((out[..., 3, 0, 0] == -1).all()) and bool((out[..., 3, 14:16, 15] > 0).all())
    gen.config.min_island = 3
    out = gen.generate(3, seed=1).data
    assert bool((out[..., 3, 14:16, 15] == -1).all())
    assert torch.equal(out[..., 4:12, 5:11], drawn[:, None, :, 4:12, 5:11].expand(3, 4, 4, 8, 6))


def test_same_seed_same_character_other_seed_other() -> None:
    gen = model()
    a, b = gen.generate(4, seed=7), gen.generate(4, seed=7)
    assert torch.equal(a.data, b.data)
    assert not torch.equal(a.data, gen.generate(4, seed=8).data)


def test_source_view_must_exist() -> None:
    with pytest.raises(ValueError, match="source_view"):
        model(source_view="front")


@pytest.mark.parametrize("colours", [0, 64])
def test_both_stages_train_and_the_translator_learns_the_views(tmp_path: Path,
                                                              colours: int) -> None:
    data = toy_characters()
    ds = TensorDataset("toy", data, torch.zeros(len(data), 0, dtype=torch.long), schema())
    gen = model(adversarial_weight=0.0, translator_lr=3e-3, code_sampler="latent_gan",
                translator_colours=colours)
    before = {k: v.clone() for k, v in gen.latent_g.state_dict().items()}
    logs = Trainer(gen, ds, train_cfg(150), tmp_path).fit()
    l1 = [r["t_l1"] for r in logs if "t_l1" in r]
    assert l1[-1] < 0.3 * l1[0], l1[:3] + l1[-3:]
    ae = [r["ae_l1"] for r in logs if "ae_l1" in r]
    assert ae[-1] < 0.5 * ae[0], ae[:3] + ae[-3:]
    assert any(not torch.equal(before[k], v) for k, v in gen.latent_g.state_dict().items())
    # the trained translator redraws real characters in the other views
    gen.translator.eval()
    with torch.no_grad():
        err = [(gen.translator.render(data[:, 2], torch.full((32,), v)) - data[:, v])
               .abs().mean() for v in (0, 1, 3)]
    assert max(err) < 0.2, err


def test_training_ends_with_the_averaged_weights(tmp_path: Path) -> None:
    data = toy_characters()
    ds = TensorDataset("toy", data, torch.zeros(len(data), 0, dtype=torch.long), schema())
    gen = model(code_sampler="latent_gan")  # its own latent EMA rides along
    assert {"encoder_average", "decoder_average", "translator_average", "ema"} <= set(
        gen.modules())
    start = {k: v.clone() for k, v in gen.averages["decoder"].module.state_dict().items()}
    seen: dict[str, dict[str, torch.Tensor]] = {}

    class Snapshot(Callback):  # the last step's own weights (logged every step)
        def on_log(self, trainer, step, logs) -> None:  # noqa: ANN001
            seen["decoder"] = {k: v.clone() for k, v in gen.decoder.state_dict().items()}

    Trainer(gen, ds, train_cfg(30), tmp_path, callbacks=[Snapshot()]).fit()
    for key in ("encoder", "decoder", "translator"):
        # weights, not buffers: calibration then sets the translator's opacity bias
        live = dict(getattr(gen, key).named_parameters())
        avg = dict(gen.averages[key].module.named_parameters())
        assert all(torch.equal(live[k], avg[k]) for k in live), key
    moved = gen.decoder.state_dict()
    assert any(not torch.equal(moved[k], start[k]) for k in moved)  # the average followed
    assert any(not torch.equal(moved[k], seen["decoder"][k]) for k in moved)  # and lags
    plain = model(average_weights=False)
    assert not plain.averages and not any(k.endswith("_average") for k in plain.modules())
    assert not any(k.endswith("_average") for k in gen.saved_modules)


@pytest.mark.parametrize("colours", [0, 64])
def test_the_pair_discriminator_trains_only_when_weighted(tmp_path: Path, colours: int) -> None:
    data = toy_characters()
    ds = TensorDataset("toy", data, torch.zeros(len(data), 0, dtype=torch.long), schema())
    assert model(translator_colours=colours).pair_d is None  # off by default
    gen = model(adversarial_weight=1.0, translator_colours=colours)
    before = {k: v.clone() for k, v in gen.pair_d.state_dict().items()}
    logs = Trainer(gen, ds, train_cfg(3), tmp_path).fit()
    assert any("t_d_loss" in r for r in logs)
    assert any(not torch.equal(before[k], v) for k, v in gen.pair_d.state_dict().items())


def test_calibration_makes_drawn_sprites_as_opaque_as_real_ones() -> None:
    gen = model(translator_colours=16)
    net = gen.translator
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(8, 16, 16, 16, generator=g)
    logits[:, 0] += 3.0  # a translator that leans to background
    def drawn_opaque() -> float:  # the rule render() applies to the transparent logit
        out = logits.clone()
        out[:, 0] -= net.transparent_bias
        return float((out.argmax(1) != 0).float().mean())
    before = drawn_opaque()
    bias = net.calibrate(net.opacity_margin(logits), 0.8)
    assert before < 0.7 and bias > 0
    assert drawn_opaque() == pytest.approx(0.8, abs=0.01)


def test_training_ends_by_calibrating_the_opacity_of_drawn_sprites(tmp_path: Path) -> None:
    data = toy_characters()
    ds = TensorDataset("toy", data, torch.zeros(len(data), 0, dtype=torch.long), schema())
    gen = model(translator_colours=64, translator_lr=3e-3)
    Trainer(gen, ds, train_cfg(40), tmp_path).fit()
    real = float((data[..., 3, :, :] > 0).float().mean())
    drawn = gen.turnaround(data[:, gen.source])
    assert float((drawn[..., 3, :, :] > 0).float().mean()) == pytest.approx(real, rel=0.05)
    gen.save_pretrained(tmp_path / "b")  # the bias travels with the bundle
    assert torch.equal(load_bundle(tmp_path / "b").translator.transparent_bias,
                       gen.translator.transparent_bias)


def test_the_palette_head_draws_only_palette_colours_fitted_to_the_data() -> None:
    data = toy_characters()  # 32 body colours, white markers, transparent background
    gen = model(translator_colours=64)
    ds = TensorDataset("toy", data, torch.zeros(len(data), 0, dtype=torch.long), schema())
    gen.prepare(ds)
    net = gen.translator
    assert torch.equal(net.palette[0], torch.tensor([-1.0, -1, -1, -1]))  # transparent
    # every training colour has an entry (within 8-bit rounding), so targets are exact
    idx = net.classes(data[:, 2])
    back = net.palette[idx].movedim(-1, 1)
    opaque = data[:, 2, 3] > 0
    assert torch.equal(idx == 0, ~opaque)
    assert (back - data[:, 2]).abs().amax() <= 1 / 127.5 + 1e-6
    net.eval()
    with torch.no_grad():
        out = net.render(data[:4, 2], torch.zeros(4, dtype=torch.long))
    colours = set(map(tuple, out.movedim(1, -1).reshape(-1, 4).tolist()))
    assert colours <= set(map(tuple, net.palette.tolist()))


def test_training_ends_by_fitting_the_code_gaussian(tmp_path: Path) -> None:
    data = toy_characters()
    ds = TensorDataset("toy", data, torch.zeros(len(data), 0, dtype=torch.long), schema())
    gen = model(code_sampler="gaussian")
    assert gen.latent_g is None and not bool(gen.density.fitted)
    Trainer(gen, ds, train_cfg(30), tmp_path).fit()
    assert bool(gen.density.fitted)
    gen.encoder.eval()
    with torch.no_grad():
        codes = gen.encoder(data[:, gen.source])
        drawn = gen.density.codes(torch.randn(4000, gen.noise_dim), ds.cond[:1].expand(4000, 0))
    assert torch.allclose(gen.density.mean, codes.mean(0), atol=1e-4)
    # the draws spread like the training codes (total variance within 10%)
    assert drawn.var(0).sum() == pytest.approx(float(codes.var(0).sum()), rel=0.1)
    gen.save_pretrained(tmp_path / "b")  # the fitted Gaussian travels with the bundle
    assert torch.equal(load_bundle(tmp_path / "b").density.scale, gen.density.scale)
    # the kernel density (the default) keeps every training code as a kernel centre
    kde = model()
    Trainer(kde, ds, train_cfg(5), tmp_path / "kde").fit()
    assert kde.density.anchors.shape == (len(data), kde.code_dim)
    kde.save_pretrained(tmp_path / "k")
    again = load_bundle(tmp_path / "k")
    assert torch.equal(again.density.anchors, kde.density.anchors)
    assert torch.equal(again.generate(2, seed=3).data, kde.generate(2, seed=3).data)


def test_auto_bandwidth_draws_characters_as_new_as_real_ones(tmp_path: Path) -> None:
    from aigc_plugins.entertainment.charmetrics import nearest_distance

    data = toy_characters()
    ds = TensorDataset("toy", data, torch.zeros(len(data), 0, dtype=torch.long), schema())
    gen = model()
    assert gen.config.kde_bandwidth == "auto"
    Trainer(gen, ds, train_cfg(20), tmp_path).fit()
    grid = (0.5, 0.75, 1.0, 1.25, 1.5)
    bw = gen.config.kde_bandwidth
    assert bw in grid and gen.density.bandwidth == bw
    # the rule, recomputed: the training characters' leave-one-out nearest distance...
    flat = data.reshape(len(data), -1).float()
    d = torch.cdist(flat, flat) / flat.shape[1] ** 0.5
    d.fill_diagonal_(float("inf"))
    ref = d.min(1).values.median()
    g = torch.Generator().manual_seed(0)
    torch.randperm(len(data), generator=g)
    z = torch.randn(200, gen.noise_dim, generator=g)
    codes = torch.zeros(200, 0, dtype=torch.long)

    def median_at(b: float) -> torch.Tensor:
        gen.density.bandwidth = b
        return nearest_distance(gen.draw(z, codes), data).median()

    # ... is met by the chosen spread (or the grid ends) and not by the one below it
    assert median_at(bw) >= ref or bw == grid[-1]
    if bw != grid[0]:
        assert median_at(grid[grid.index(bw) - 1]) < ref
    gen.density.bandwidth = bw
    gen.save_pretrained(tmp_path / "b")  # the bundle's config records the choice
    again = load_bundle(tmp_path / "b")
    assert again.config.kde_bandwidth == bw and again.density.bandwidth == bw
    assert torch.equal(again.generate(2, seed=3).data, gen.generate(2, seed=3).data)
    # with attributes the spread stays at 0.5
    assert model(conditions=[ConditionSpec(name="hat", values=["a", "b"])]).density.bandwidth \
        == 0.5


def test_bundle_round_trip_gives_identical_characters(tmp_path: Path) -> None:
    gen = model()
    gen.save_pretrained(tmp_path / "b")
    again = load_bundle(tmp_path / "b")
    assert torch.equal(gen.generate(3, seed=1).data, again.generate(3, seed=1).data)


def test_attribute_conditioning_edit_and_interpolation(tmp_path: Path) -> None:
    conds = [ConditionSpec(name="glasses", values=["none", "round", "square"]),
             ConditionSpec(name="hat", values=["no", "yes"])]
    gen = model(views=["front"], conditions=conds)
    assert gen.translator is None
    s = gen.generate(4, condition={"glasses": "round"}, seed=2)
    assert s.data.shape == (4, 1, 4, 16, 16)
    assert all(m["condition"]["glasses"] == "round" for m in s.metadata)
    e = gen.edit(seed=3, condition={"glasses": "none", "hat": "yes"},
                 changes={"glasses": "square"})
    assert [m["condition"] for m in e.metadata] == [
        {"glasses": "none", "hat": "yes"}, {"glasses": "square", "hat": "yes"}]
    assert not torch.equal(e.data[0], e.data[1])
    path = gen.interpolate(1, 2, steps=5, condition={"glasses": "none", "hat": "no"})
    ends = gen.generate(1, condition={"glasses": "none", "hat": "no"}, seed=1)
    assert path.data.shape[0] == 5 and torch.equal(path.data[0], ends.data[0])
    assert [m["t"] for m in path.metadata] == pytest.approx([0, 0.25, 0.5, 0.75, 1])
    # between two characters with other attributes: the ends are exactly those characters
    walk = gen.interpolate(1, 2, steps=4, condition={"glasses": "none", "hat": "no"},
                           condition_b={"glasses": "square", "hat": "yes"})
    end_b = gen.generate(1, condition={"glasses": "square", "hat": "yes"}, seed=2)
    assert torch.allclose(walk.data[0], ends.data[0], atol=1e-5)
    assert torch.allclose(walk.data[-1], end_b.data[0], atol=1e-5)
    assert walk.metadata[-1]["condition"] == {"glasses": "square", "hat": "yes"}
    gen.save_pretrained(tmp_path / "one_view")  # no translator to save
    again = load_bundle(tmp_path / "one_view")
    assert torch.equal(again.edit(seed=3, condition={"glasses": "none"},
                                  changes={"glasses": "round"}).data,
                       gen.edit(seed=3, condition={"glasses": "none"},
                                changes={"glasses": "round"}).data)


def test_character_command_writes_sheets_gifs_for_a_spec(tmp_path: Path) -> None:
    import json

    from PIL import Image
    from typer.testing import CliRunner

    from aigc_sdk.cli import build_app

    model().save_pretrained(tmp_path / "b")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"views": ["down", "left"], "seed": 4, "n": 2,
                                "palette": "auto", "palette_size": 4}))
    res = CliRunner().invoke(build_app(), ["character", str(tmp_path / "b"), "--spec",
                                           str(spec), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    sheet = Image.open(tmp_path / "out" / "sheet" / "character_0000_sheet.png")
    assert sheet.mode == "RGBA" and sheet.size == (16, 32)  # 1 frame x 2 views of 16 px
    layout = json.loads((tmp_path / "out" / "sheet" / "character_0000_sheet.json").read_text())
    assert layout["rows"] == ["down", "left"]
    px = np.asarray(sheet)
    assert len(np.unique(px[px[..., 3] > 0][:, :3], axis=0)) <= 4
    assert (tmp_path / "out" / "gif" / "character_0001_turnaround.gif").is_file()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"views": ["front"]}))
    res = CliRunner().invoke(build_app(), ["character", str(tmp_path / "b"), "--spec",
                                           str(bad), "--out", str(tmp_path / "o2")])
    assert res.exit_code != 0 and "front" in res.output
