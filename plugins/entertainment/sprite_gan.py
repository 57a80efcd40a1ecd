"""``entertainment.sprite_gan``: one character identity drawn in every facing direction.

Two stages, trained together by the core Trainer in one recipe:

1. the character in one view (``source_view``, the front): a conditional autoencoder of
   that view; new characters are new codes for its decoder, drawn from a Gaussian fitted
   to the training characters' codes when training ends (``code_sampler="gaussian"``,
   see codedensity.py), from a kernel density around those codes (``"kde"``), or from a
   GAN over the codes trained alongside (a latent GAN, Achlioptas et al. 2018,
   ``code_sampler="latent_gan"``);
2. a paired view translator (pix2pix-style: MONAI U-Net, patch discriminator, L1) redraws
   that exact character in every view, the first one too, from the decoder's output.
   LPC-style data gives each character in all directions, so it learns from real pairs:
   (reconstruction of the real first view, real view v).

Measured on LPC (700 characters, 2 CPU threads): a pixel-space residual GAN for the front
view had collapsed to one blurred figure after 1200 steps (6 minutes), while the
autoencoder reached a held-out L1 of 0.04 in 800 steps. A single GAN emitting all views
from one z learnt the poses but not identity; here identity is carried by the pixels of
the first view. Each character is then snapped to the palette of its first view, so all
its views share one set of flat pixel-art colours.

Where the remaining gap to real sprites is (LPC, FID on the view classifier's features,
as a multiple of real-vs-real): reconstructions of held-out characters through the
autoencoder and translator about 2.3x; new characters from the code Gaussian 2.4x (mean
of 5 draws of 100), from the latent GAN 6-8x. The renderer's blur is now the larger cost:
on a later model, even the training characters' own codes rendered back scored 2.5x.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import torch
import torch.nn.functional as F
from pydantic import Field

from aigc_plugins.entertainment.codedensity import CodeDensity
from aigc_plugins.entertainment.export import EXPORTERS
from aigc_plugins.entertainment.features import mirror_views
from aigc_plugins.entertainment.networks import (
    LatentDiscriminator,
    LatentGenerator,
    PairDiscriminator,
    PatchCritic,
    SpriteDecoder,
    SpriteEncoder,
    ViewTranslator,
)
from aigc_plugins.entertainment.palette import quantise, quantise_character, threshold_alpha
from aigc_sdk.dataset import DataSchema
from aigc_sdk.generator import Generator, GeneratorConfig
from aigc_sdk.layers import soft_codes
from aigc_sdk.samples import Samples
from aigc_sdk.training import EMA, Recipe, TrainConfig
from aigc_sdk.training.recipe import Batch, Phase


class SpriteGANConfig(GeneratorConfig):
    code_sampler: Literal["gaussian", "kde", "latent_gan"] = Field("kde", description=(
        "how new codes are drawn: a Gaussian fitted to the training codes after training "
        "(its mean following the attributes), a kernel density around the training codes "
        "(sharper, closer to training characters: see kde_bandwidth), or a GAN over the "
        "codes trained alongside. On LPC (one trained model, 100 new characters against "
        "100 held out, FID as a multiple of real-vs-real on view / identity features): "
        "kde 2.7x / 4.0x, Gaussian 3.7x / 5.1x, with nearest-training-character distances "
        "0.95x and 1.0x the held-out real ones'; a second model (1100 steps): kde "
        "2.7x / 5.2x, Gaussian 2.9x / 6.1x. The latent GAN's FID was twice the "
        "Gaussian's (codedensity.py)"))
    kde_bandwidth: float = Field(0.5, gt=0, description=(
        "kde sampler: kernel spread as a fraction of the Gaussian's; smaller is sharper "
        "and nearer to training characters"))
    latent_dim: int = Field(64, description="noise size of the latent GAN")
    code_dim: int | None = Field(None, description=(
        "autoencoder code size; None: 64, or 8 when the data has attributes, so the "
        "attributes reach the decoder through its conditioning and not through the code"))
    # Sized for CPUs (about 0.3 s a step at 64 px, batch 32, 2 cores); raise on a GPU.
    base_channels: int = Field(16, description="decoder width at full resolution")
    max_channels: int = 256
    encoder_width: int = 32
    attribute_maps: bool = Field(True, description=(
        "each attribute value owns a learned feature map in the decoder (data with "
        "attributes only)"))
    source_view: str = Field("down", description="the view the GAN draws; others are translated")
    ae_lr: float = 2e-3
    code_penalty: float = Field(1e-3, description="L2 on codes (a regularised autoencoder)")
    code_noise: float = Field(0.05, description="noise on codes while decoding, for smoothness")
    # Off: on LPC (15 min, 2 threads) a patch critic at 0.01 kept the reconstruction L1 at
    # 0.08 (0.024 without) and made FID worse (11x real-vs-real vs 6x on view features).
    decoder_adversarial_weight: float = Field(
        0.0, description="patch-GAN term on reconstructions vs L1 (pix2pix's 1:100); 0 = off")
    refine_first_view: bool = Field(True, description=(
        "the translator redraws every view, the first one too, from the decoder's output "
        "(it learns on reconstructions of real first views), so crisp pixels come from it"))
    latent_real_noise: float = Field(
        0.1, description="noise on the real codes the latent discriminator sees (standardised "
                         "units): it smooths the code distribution so new codes, not copies, "
                         "are drawn")
    latent_hidden: int = 256
    latent_lr: float = 2e-4
    latent_updates: int = Field(2, ge=1, description=(
        "latent GAN updates per training step (4 measured no better on LPC: FID 9.4x / 5.6x)"))
    translator_widths: tuple[int, ...] = (32, 64, 128, 256)
    translator_lr: float = 1e-3
    l1_weight: float = Field(100.0, description="pix2pix reconstruction weight vs adversarial")
    adversarial_weight: float = Field(1.0, description="0 trains the translator on L1 alone")
    palette_size: int | None = Field(
        32, description="colours per character after generation; None keeps raw output")


class SpriteGAN(Generator):
    Config: ClassVar[type[GeneratorConfig]] = SpriteGANConfig
    saved_modules: ClassVar[tuple[str, ...]] = (
        "encoder", "decoder", "code_density", "latent_generator", "ema", "translator")
    intended_use = (
        "Game prototyping and content pipelines: new characters in the style of a studio's "
        "sprites, each drawn in every facing direction, as sprite sheets for an engine."
    )
    limitations = (
        "Trained on a few hundred sprites, it can reproduce training characters closely: "
        "check the memorisation figure before shipping art. Every view is redrawn from the "
        "first one, so details that view hides (a back emblem) are guesses. Interiors are "
        "noisier and duller than hand-drawn sprites: treat output as drafts for an artist."
    )

    def __init__(self, config: GeneratorConfig, schema: DataSchema, name: str = "") -> None:
        super().__init__(config, schema, name or "entertainment.sprite_gan")
        cfg: SpriteGANConfig = config  # type: ignore[assignment]
        shape = list(schema.sample_shape)
        if len(shape) != 4 or shape[1] != 4 or shape[2] != shape[3]:
            raise ValueError(f"{self.name} needs characters [views, 4 (RGBA), S, S]; the data "
                             f"has {shape}: use an entertainment source or resize to a square")
        self.views = list(schema.attributes.get("views") or [f"view{i}" for i in range(shape[0])])
        if cfg.source_view in self.views:
            self.source = self.views.index(cfg.source_view)
        elif len(self.views) == 1:
            self.source = 0
        else:
            raise ValueError(f"config source_view={cfg.source_view!r} is not one of the data's "
                             f"views {self.views}; set source_view")
        size = shape[2]
        cond_sizes = [len(c.values) for c in schema.conditions]
        code_dim = cfg.code_dim or (8 if cond_sizes else 64)
        self.encoder = SpriteEncoder(4, cfg.encoder_width, code_dim)
        self.decoder = SpriteDecoder(size, 4, code_dim, cond_sizes, cfg.base_channels,
                                     cfg.max_channels, cfg.attribute_maps)
        self.code_dim = code_dim
        self.density = self.latent_g = self.latent_d = self.ema = None
        if cfg.code_sampler in ("gaussian", "kde"):
            self.density = CodeDensity(
                code_dim, cond_sizes,
                bandwidth=cfg.kde_bandwidth if cfg.code_sampler == "kde" else None)
        else:
            self.latent_g = LatentGenerator(cfg.latent_dim, code_dim, cond_sizes,
                                            cfg.latent_hidden)
            self.latent_d = LatentDiscriminator(code_dim, cond_sizes, cfg.latent_hidden)
            self.ema = EMA(self.latent_g)
        self.critic = PatchCritic(4, size) if cfg.decoder_adversarial_weight > 0 else None
        self.translator = self.pair_d = None
        if len(self.views) > 1:
            self.translator = ViewTranslator(4, len(self.views), tuple(cfg.translator_widths))
            self.pair_d = PairDiscriminator(4, len(self.views), size)
        self.default_metrics = (  # type: ignore[misc]
            ("entertainment.characters",) if len(self.views) > 1 else ()
        ) + (("entertainment.attributes",) if cond_sizes else ())
        # one-view (attribute) data has no translator to save
        self.saved_modules = tuple(  # type: ignore[misc]
            m for m in type(self).saved_modules if m in self.modules())

    def modules(self) -> dict[str, torch.nn.Module]:
        mods: dict[str, torch.nn.Module] = {"encoder": self.encoder, "decoder": self.decoder}
        if self.density is not None:
            mods["code_density"] = self.density
        else:
            mods |= {"latent_generator": self.latent_g,
                     "latent_discriminator": self.latent_d, "ema": self.ema}
        if self.critic is not None:
            mods["critic"] = self.critic
        if self.translator is not None:
            mods |= {"translator": self.translator, "pair_discriminator": self.pair_d}
        return mods

    def recipe(self, train: TrainConfig) -> Recipe:
        cfg: SpriteGANConfig = self.config  # type: ignore[assignment]
        mods = self.modules()
        adam = torch.optim.Adam
        optimizers = {
            "autoencoder": torch.optim.AdamW(
                [*self.encoder.parameters(), *self.decoder.parameters()], lr=cfg.ae_lr,
                weight_decay=1e-4)}
        owners = {"autoencoder": ["encoder", "decoder"]}
        if self.latent_g is not None:
            optimizers |= {
                "latent_generator": adam(self.latent_g.parameters(), lr=cfg.latent_lr,
                                         betas=(0.5, 0.99)),
                "latent_discriminator": adam(self.latent_d.parameters(), lr=cfg.latent_lr,
                                             betas=(0.5, 0.99))}
            owners |= {"latent_generator": ["latent_generator"],
                       "latent_discriminator": ["latent_discriminator"]}
        phases = first_view_phases(self.source, cfg)
        if self.critic is not None:
            optimizers["critic"] = adam(self.critic.parameters(), lr=cfg.ae_lr / 5,
                                        betas=(0.5, 0.999))
            owners["critic"] = ["critic"]
        if self.translator is not None:
            phases += translator_phases(self.source, self.views, cfg)
            betas = (0.5, 0.999)  # pix2pix's
            optimizers |= {
                "translator": adam(self.translator.parameters(), lr=cfg.translator_lr,
                                   betas=betas),
                "pair_discriminator": adam(self.pair_d.parameters(), lr=cfg.translator_lr / 5,
                                           betas=betas)}
            owners |= {"translator": ["translator"], "pair_discriminator": ["pair_discriminator"]}
        return Recipe(modules=mods, optimizers=optimizers, phases=phases,
                      ema=("latent_generator", "ema") if self.ema is not None else None,
                      owners=owners)

    @property
    def noise_dim(self) -> int:
        """Size of the noise :meth:`draw` takes: the code size for the Gaussian sampler."""
        if self.density is not None:
            return self.code_dim
        return self.config.latent_dim  # type: ignore[attr-defined]

    def after_training(self, dataset: Any, batch: int = 256) -> None:
        """Fit the Gaussian over the codes of every training character's first view."""
        if self.density is None:
            return
        device = next(self.encoder.parameters()).device
        was = self.encoder.training
        self.encoder.eval()
        codes, conds = [], []
        for i in range(0, len(dataset), batch):
            b = dataset.get_batch(torch.arange(i, min(i + batch, len(dataset))))
            codes.append(self.encoder(b["x"][:, self.source].to(device)).float())
            conds.append(b["cond"].to(device))
        self.encoder.train(was)
        self.density.fit(torch.cat(codes), torch.cat(conds))

    @property
    def exporters(self) -> dict[str, Any]:
        return EXPORTERS

    @torch.no_grad()
    def draw(self, z: torch.Tensor, codes: torch.Tensor, batch: int = 128,
             palette: bool = True, decoder_codes: bool = False) -> torch.Tensor:
        """Characters (N, V, 4, H, W) from latents and attribute codes; ``palette=False``
        skips the per-character palette (raw network output); ``decoder_codes``: ``z``
        are the decoder's codes already (interpolation between two characters' codes)."""
        cfg: SpriteGANConfig = self.config  # type: ignore[assignment]
        net = self.density if self.density is not None else self.ema.module
        device = next(self.decoder.parameters()).device
        was = self.decoder.training
        self.decoder.eval()
        out = []
        for i in range(0, len(z), batch):
            cond = codes[i:i + batch].to(device)
            lat = z[i:i + batch].to(device)
            first = self.decoder(lat if decoder_codes else net.codes(lat, cond), cond).float()
            out.append(self.complete(first, cfg.palette_size if palette else None).cpu())
        self.decoder.train(was)
        return torch.cat(out) if out else torch.zeros(0, *self.schema.sample_shape)

    @torch.no_grad()
    def complete(self, first: torch.Tensor, palette_size: int | None) -> torch.Tensor:
        """Decoded first-view images (N, 4, H, W) -> characters in every view."""
        cfg: SpriteGANConfig = self.config  # type: ignore[assignment]
        first = first.clamp(-1, 1)
        refine = cfg.refine_first_view and self.translator is not None
        if palette_size and not refine:
            first = torch.stack([quantise_character(f[None], palette_size)[0] for f in first])
        if self.translator is None:
            return first[:, None]
        was = self.translator.training
        self.translator.eval()
        views = []
        for v in range(len(self.views)):
            if v == self.source and not refine:
                views.append(first)
                continue
            code = torch.full((len(first),), v, dtype=torch.long, device=first.device)
            views.append(self.translator(first, code).float().clamp(-1, 1))
        self.translator.train(was)
        chars = torch.stack(views, dim=1)
        if palette_size:  # every view onto the first view's own colours
            if refine:
                chars[:, self.source] = torch.stack(
                    [quantise_character(c[None], palette_size)[0] for c in chars[:, self.source]])
            chars = torch.stack([_snap(c, self.source) for c in chars])
        return chars

    @torch.no_grad()
    def turnaround(self, first: torch.Tensor, palette_size: int | None = None) -> torch.Tensor:
        """A character a user drew in the first view (N, 4, H, W), redrawn in every view:
        through the autoencoder when the translator learnt on its reconstructions."""
        cfg: SpriteGANConfig = self.config  # type: ignore[assignment]
        if cfg.refine_first_view and self.translator is not None:
            was = self.encoder.training, self.decoder.training
            self.encoder.eval()
            self.decoder.eval()
            cond = torch.zeros(len(first), len(self.schema.conditions), dtype=torch.long)
            first = self.decoder(self.encoder(first), cond).float()
            self.encoder.train(was[0])
            self.decoder.train(was[1])
        return self.complete(first, palette_size)

    @torch.no_grad()
    def generate(self, n: int, condition: Mapping[str, Any] | None = None,
                 seed: int | None = None) -> Samples:
        if seed is None:
            seed = int(torch.randint(0, 2**31 - 1, (1,)).item())
        codes = self.schema.encode(dict(condition or {}), n, seed)
        z = torch.randn(n, self.noise_dim, generator=torch.Generator().manual_seed(seed))
        x = self.draw(z, codes)
        meta = self.sample_metadata(codes, seed, views=self.views)
        return Samples(x, meta, self.exporters)

    @torch.no_grad()
    def interpolate(self, seed_a: int, seed_b: int, steps: int = 8,
                    condition: Mapping[str, Any] | None = None,
                    condition_b: Mapping[str, Any] | None = None) -> Samples:
        """Characters on the way from one character to another: the latents move along
        the great circle between the two seeds' (slerp keeps every point at the norm the
        generator was trained on; with the kernel-density sampler the decoder codes of
        the two characters move in a straight line instead) and, when ``condition_b``
        differs, the attributes blend from ``condition`` to ``condition_b`` (soft codes)."""
        d = self.noise_dim
        za = torch.randn(d, generator=torch.Generator().manual_seed(seed_a))
        zb = torch.randn(d, generator=torch.Generator().manual_seed(seed_b))
        t = torch.linspace(0, 1, steps)[:, None]
        omega = torch.arccos((F.normalize(za, dim=0) @ F.normalize(zb, dim=0)).clamp(-1, 1))
        if float(omega) < 1e-4:
            z = za + t * (zb - za)
        else:
            z = (torch.sin((1 - t) * omega) * za + torch.sin(t * omega) * zb) / math.sin(omega)
        ca = self.schema.encode(dict(condition or {}), 1, seed_a)
        cb = self.schema.encode(dict(condition_b), 1, seed_b) if condition_b is not None else ca
        sizes = [len(c.values) for c in self.schema.conditions]
        soft = (1 - t) * soft_codes(ca, sizes) + t * soft_codes(cb, sizes)
        nearest = torch.where(t < 0.5, ca, cb)  # the metadata names the closer end
        meta = self.sample_metadata(nearest, seed_a, views=self.views,
                                    interpolation=[seed_a, seed_b])
        for i, m in enumerate(meta):
            m["t"] = float(t[i])
        if self.density is not None and self.density.bandwidth is not None:
            # a kernel density picks a training code by one noise value: moving that value
            # would flick through unrelated characters, so move between the two codes
            dev = self.density.mean.device
            ends = self.density.codes(torch.stack([za, zb]).to(dev),
                                      torch.cat([ca, cb]).to(dev)).cpu()
            codes = (1 - t) * ends[0] + t * ends[1]
            return Samples(self.draw(codes, soft, decoder_codes=True), meta, self.exporters)
        return Samples(self.draw(z, soft), meta, self.exporters)

    @torch.no_grad()
    def edit(self, seed: int, condition: Mapping[str, Any],
             changes: Mapping[str, Any]) -> Samples:
        """The character of ``seed`` and ``condition``, then the same latent with
        ``changes`` applied (e.g. other glasses): row 0 original, row 1 edited."""
        base = dict(condition)
        codes = torch.cat([self.schema.encode(base, 1, seed),
                           self.schema.encode(base | dict(changes), 1, seed)])
        z = torch.randn(1, self.noise_dim,
                        generator=torch.Generator().manual_seed(seed)).expand(2, -1)
        return Samples(self.draw(z, codes), self.sample_metadata(codes, seed, views=self.views),
                       self.exporters)


def _snap(char: torch.Tensor, source: int) -> torch.Tensor:
    """Threshold alpha and map every view onto the colours of the source view."""
    char = threshold_alpha(char)
    opaque = char[source, 3] > 0
    if not bool(opaque.any()):
        return char
    palette = char[source, :3][:, opaque].T.unique(dim=0)
    return quantise(char, palette)


def first_view_phases(source: int, cfg: SpriteGANConfig) -> list[Phase]:
    """Autoencoder of the source view, and a hinge GAN over its (standardised) codes."""

    adv = cfg.decoder_adversarial_weight

    def reconstruct(batch: Batch, m: dict[str, torch.nn.Module]) -> tuple[torch.Tensor, ...]:
        x = batch["x"][:, source]
        z = m["encoder"](x)
        return x, z, m["decoder"](z + cfg.code_noise * torch.randn_like(z), batch["cond"])

    def ae_step(batch: Batch, m: dict[str, torch.nn.Module], step: int):
        x, z, rec = reconstruct(batch, m)
        l1 = (rec.float() - x.float()).abs().mean()
        loss = l1 + cfg.code_penalty * z.float().pow(2).mean()
        if adv:
            loss = loss - adv * m["critic"](rec).float().mean()
        return loss, {"ae_l1": l1.detach()}

    def critic_step(batch: Batch, m: dict[str, torch.nn.Module], step: int):
        with torch.no_grad():
            x, _, rec = reconstruct(batch, m)
        critic = m["critic"]
        loss = F.relu(1 - critic(x)).mean() + F.relu(1 + critic(rec)).mean()
        return loss, {"critic_loss": loss.detach()}

    def real_codes(batch: Batch, m: dict[str, torch.nn.Module]) -> torch.Tensor:
        with torch.no_grad():
            z = m["encoder"](batch["x"][:, source]).float()
            m["latent_generator"].track(z)
            z = m["latent_generator"].standardise(z)
            return z + cfg.latent_real_noise * torch.randn_like(z)

    def noise(batch: Batch) -> torch.Tensor:
        return torch.randn(batch["x"].shape[0], cfg.latent_dim, device=batch["x"].device)

    def d_step(batch: Batch, m: dict[str, torch.nn.Module], step: int):
        real, cond = real_codes(batch, m), batch["cond"]
        with torch.no_grad():
            fake = m["latent_generator"](noise(batch), cond)
        d = m["latent_discriminator"]
        loss = F.relu(1 - d(real, cond)).mean() + F.relu(1 + d(fake, cond)).mean()
        return loss, {"latent_d_loss": loss.detach()}

    def g_step(batch: Batch, m: dict[str, torch.nn.Module], step: int):
        cond = batch["cond"]
        loss = -m["latent_discriminator"](m["latent_generator"](noise(batch), cond), cond).mean()
        return loss, {"latent_g_loss": loss.detach()}

    phases = [Phase("ae", "autoencoder", ae_step)]
    if adv:
        phases.insert(0, Phase("critic", "critic", critic_step))
    if cfg.code_sampler != "latent_gan":
        return phases
    for i in range(cfg.latent_updates):
        suffix = "" if i == 0 else str(i + 1)
        phases += [Phase("latent_d" + suffix, "latent_discriminator", d_step),
                   Phase("latent_g" + suffix, "latent_generator", g_step)]
    return phases


def translator_phases(source: int, views: list[str], cfg: SpriteGANConfig) -> list[Phase]:
    """Paired view translation: (source view, target view code) -> that character in the
    target view. Mirroring a character swaps left and right, which doubles the pairs."""
    mirror = torch.as_tensor(mirror_views(views))
    refine = cfg.refine_first_view
    targets = torch.as_tensor([v for v in range(len(views)) if v != source or refine])

    def pairs(batch: Batch, m: dict[str, torch.nn.Module]) -> tuple[torch.Tensor, ...]:
        x = batch["x"]
        n = x.shape[0]
        v = targets[torch.randint(0, len(targets), (n,))].to(x.device)
        flip = torch.rand(n, device=x.device) < 0.5
        x = torch.where(flip[:, None, None, None, None], x.flip(-1), x)
        # the flipped character's view v is the original's mirror(v), flipped
        src_idx = torch.where(flip, mirror.to(x.device)[source], source)
        tgt_idx = torch.where(flip, mirror.to(x.device)[v], v)
        rows = torch.arange(n, device=x.device)
        src = x[rows, src_idx]
        if refine:  # what the decoder makes of this character, as at generation time
            with torch.no_grad():
                z = m["encoder"](src)
                src = m["decoder"](z + cfg.code_noise * torch.randn_like(z), batch["cond"])
                src = src.float().clamp(-1, 1)
        return src, x[rows, tgt_idx], v

    def d_step(batch: Batch, m: dict[str, torch.nn.Module], step: int):
        src, tgt, v = pairs(batch, m)
        with torch.no_grad():
            fake = m["translator"](src, v)
        d = m["pair_discriminator"]
        real_logits, fake_logits = d(src, tgt, v), d(src, fake, v)
        loss = F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()
        return loss, {"t_d_loss": loss.detach()}

    def g_step(batch: Batch, m: dict[str, torch.nn.Module], step: int):
        src, tgt, v = pairs(batch, m)
        fake = m["translator"](src, v)
        l1 = (fake.float() - tgt.float()).abs().mean()
        loss = cfg.l1_weight * l1
        if cfg.adversarial_weight:
            loss = loss - cfg.adversarial_weight * m["pair_discriminator"](src, fake, v).mean()
        return loss, {"t_l1": l1.detach()}

    phases = [Phase("t_g", "translator", g_step)]
    if cfg.adversarial_weight:
        phases.insert(0, Phase("t_d", "pair_discriminator", d_step))
    return phases
