"""``medical.dcgan2d`` / ``medical.dcgan3d``: class-conditional GANs for scarce medical images."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch
from pydantic import Field

from aigc_plugins.medical.export import EXPORTERS
from aigc_plugins.medical.networks import CondGenerator, ProjectionDiscriminator
from aigc_plugins.medical.selection import HeldoutFID
from aigc_sdk.dataset import DataSchema, Dataset
from aigc_sdk.generator import Generator, GeneratorConfig
from aigc_sdk.samples import Samples
from aigc_sdk.training import (
    EMA,
    AdversarialConfig,
    Recipe,
    TrainConfig,
    adversarial_recipe,
    refresh_batch_norm,
)


class DCGANConfig(GeneratorConfig):
    latent_dim: int = 128
    # Sized for CPUs (about 60-100 ms a step at 28 px on 2 cores); raise both on a GPU.
    base_channels: int = Field(32, description="widest layers are capped by max_channels")
    max_channels: int = 128
    gen_block_convs: int = Field(1, ge=1, description="3x3 convolutions per generator "
                                 "resolution (after each upsampling)")
    disc_base_channels: int | None = Field(None, description="D widths; None = as G")
    disc_max_channels: int | None = None
    spectral_norm: bool = True
    minibatch_std: int = Field(4, description="group size of D's minibatch-std feature; 0 = off")
    # Two time-scale update rule: D learns faster (measured better TSTR and FID here).
    # DiffAugment cutout only: with translation as well, D could no longer tell the
    # generator's X-rays from real ones (hinge loss pinned at 2.0) and TSTR AUC on
    # PneumoniaMNIST was 0.912 after 1800 steps, against 0.958 after 1300 with cutout alone.
    # With no DiffAugment at all (benchmark, 6 min): PneumoniaMNIST TSTR/TRTR 0.965 and aug
    # gain -0.002 (cutout: 0.979, +0.006), but BreastMNIST 0.876 (cutout: D's hinge loss
    # pinned at 2.0 from step ~600, TSTR 0.58-0.73). Small sets may do better with none.
    # BreastMNIST (546 images), 6-min studies on 1 thread, TSTR AUC (TRTR 0.900): no DiffAugment
    # 0.797 (two seeds alike), + gan.d_steps=2 0.814 (D alive, hinge loss 2.0 -> 1.06),
    # + cutout 0.66 (pinned again); a deeper (0.72) or wider (0.70) D, or no spectral norm
    # with R1 (0.745), were worse. Benchmark with no DiffAugment and d_steps=2: 0.833.
    # Later (5 min, 1 thread, GAN seeds 0/1/2; TRTR 0.900), TSTR/TRTR and FID ratio: that
    # setting 0.918/2.70x, 0.930/7.97x, 0.934/2.75x; with gan.lecam_weight=0.3 0.931/0.95x,
    # 0.905/6.68x, 0.926/6.20x (no better on average: FID is decided by the seed). A
    # residual D (MONAI ResidualUnit) memorised the set (0.902, 7.4x) and still pinned
    # under DiffAugment; LeCam 1.0 0.912/0.97x (seed 0) and 0.914/7.54x (seed 1).
    # gen_block_convs=2 (same runs): 0.932/3.22x, 0.945/3.00x, 0.916/3.56x -- TSTR as before,
    # FID without the 8x seed (its benign images regain tissue layers); 3 convs: 0.877/3.85x.
    # But in the benchmark (2 threads): 2 convs, 6 min (4260 steps) 0.918 / 10.7x / aug gain
    # +0.012; 2 convs capped at 2000 / 1500 steps 0.924 / 4.6x / +0.007; against 1 conv,
    # 6 min (3540 steps) 0.915 / 5.5x / +0.028. So the default stays 1, for Breast as well.
    gan: AdversarialConfig = Field(
        default_factory=lambda: AdversarialConfig(lr_d=4e-4, diffaugment="cutout"))


class DCGAN3DConfig(DCGANConfig):
    base_channels: int = 16
    max_channels: int = 128
    gan: AdversarialConfig = Field(
        default_factory=lambda: AdversarialConfig(lr_d=4e-4, diffaugment="translation")
    )


class DCGAN2D(Generator):
    Config: ClassVar[type[GeneratorConfig]] = DCGANConfig
    spatial_dims: ClassVar[int] = 2
    default_metrics = ("medical.image_fidelity", "medical.image_similarity", "medical.utility")
    intended_use = (
        "Research and development: enlarging or balancing labelled training sets for medical "
        "image classifiers, and sharing data-like samples where real images cannot be shared."
    )
    limitations = (
        "Synthetic images are not diagnostic. They can miss rare findings, collapse modes of "
        "the real distribution and, with small training sets, reproduce training images: check "
        "the memorisation and diversity figures before use, and never use them to diagnose."
    )

    def __init__(self, config: GeneratorConfig, schema: DataSchema, name: str = "") -> None:
        super().__init__(config, schema, name or f"medical.dcgan{self.spatial_dims}d")
        cfg: DCGANConfig = config  # type: ignore[assignment]
        shape = list(schema.sample_shape)
        if len(shape) != self.spatial_dims + 1 or len(set(shape[1:])) != 1:
            axes = ", ".join(["S"] * self.spatial_dims)
            raise ValueError(
                f"{self.name} needs square samples of shape [C, {axes}], the data has {shape}; "
                f"use medical.dcgan{5 - self.spatial_dims}d or resize"
            )
        channels, size = shape[0], shape[1]
        cond_sizes = [len(c.values) for c in schema.conditions]
        self.net_g = CondGenerator(self.spatial_dims, size, channels, cfg.latent_dim, cond_sizes,
                                   cfg.base_channels, cfg.max_channels, cfg.gen_block_convs)
        self.net_d = ProjectionDiscriminator(
            self.spatial_dims, size, channels, cond_sizes,
            cfg.disc_base_channels or cfg.base_channels, cfg.disc_max_channels or cfg.max_channels,
            cfg.spectral_norm, cfg.minibatch_std)
        self.ema = EMA(self.net_g)

    def modules(self) -> dict[str, torch.nn.Module]:
        return {"generator": self.net_g, "discriminator": self.net_d, "ema": self.ema}

    def recipe(self, train: TrainConfig) -> Recipe:
        cfg: DCGANConfig = self.config  # type: ignore[assignment]
        return adversarial_recipe(self.net_g, self.net_d, self.ema, cfg.latent_dim, cfg.gan)

    @torch.no_grad()
    def after_training(self, dataset: Any, n: int | None = None, batch: int = 256) -> None:
        """Batch-norm statistics of the averaged generator for its own weights ("standing
        statistics", BigGAN), from ``n`` draws (4096 in 2D, 512 volumes in 3D) of noise
        and conditions drawn as :meth:`generate` draws unset ones, so no image is read.
        The EMA can only copy the live generator's, which belong to other weights."""
        n = n or (4096 if self.spatial_dims == 2 else 512)
        net = self.ema.module
        device = next(net.parameters()).device
        g = torch.Generator().manual_seed(0)
        codes = self.schema.encode({}, n, 0)
        dim = self.config.latent_dim  # type: ignore[attr-defined]

        def inputs():  # noqa: ANN202
            for i in range(0, n, batch):
                cond = codes[i:i + batch]
                z = torch.randn(len(cond), dim, generator=g)
                yield z.to(device), cond.to(device)

        refresh_batch_norm(net, inputs())
        net.eval()

    def snapshot_score(self, train: Dataset, heldout: Dataset) -> HeldoutFID:
        """FID to the held-out images on a classifier's features (see HeldoutFID)."""
        return HeldoutFID(train, heldout)

    @property
    def exporters(self) -> dict[str, Any]:
        return EXPORTERS

    @torch.no_grad()
    def generate(
        self, n: int, condition: Mapping[str, Any] | None = None, seed: int | None = None,
        batch: int = 256,
    ) -> Samples:
        if seed is None:
            seed = int(torch.randint(0, 2**31 - 1, (1,)).item())
        codes = self.schema.encode(dict(condition or {}), n, seed)
        g = torch.Generator().manual_seed(seed)
        z = torch.randn(n, self.config.latent_dim, generator=g)  # type: ignore[attr-defined]
        net = self.ema.module
        was_training = net.training
        net.eval()
        device = next(net.parameters()).device
        out = [net(z[i:i + batch].to(device), codes[i:i + batch].to(device)).float().cpu()
               for i in range(0, n, batch)]
        net.train(was_training)
        x = torch.cat(out).clamp(-1, 1) if out else torch.zeros(0, *self.schema.sample_shape)
        return Samples(x, self.sample_metadata(codes, seed), self.exporters)


class DCGAN3D(DCGAN2D):
    Config: ClassVar[type[GeneratorConfig]] = DCGAN3DConfig
    spatial_dims: ClassVar[int] = 3
    default_metrics = ("medical.image_fidelity", "medical.utility")
