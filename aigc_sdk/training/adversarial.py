"""The adversarial recipe: any conditional ``G(z, cond)`` against ``D(x, cond) -> logits``."""

from __future__ import annotations

import torch
from pydantic import BaseModel, Field

from aigc_sdk.training.augment import diff_augment, parse_policy
from aigc_sdk.training.losses import GanLoss, LeCam, d_loss, g_loss, mode_seeking, r1_penalty
from aigc_sdk.training.recipe import Batch, Phase, Recipe


class AdversarialConfig(BaseModel):
    loss: GanLoss = "hinge"
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.0, 0.99)
    r1_gamma: float = Field(0.0, description="R1 weight; 0 disables it")
    r1_every: int = Field(4, description="lazy regularisation interval (StyleGAN2)")
    diffaugment: str = Field("translation,cutout", description="'' disables DiffAugment")
    d_steps: int = Field(1, ge=1, description="discriminator updates per generator update")
    lecam_weight: float = Field(
        0.0, ge=0, description="LeCam regulariser (Tseng et al. 2021): keeps D from "
        "memorising a few hundred training images; 0 = off")
    lecam_decay: float = Field(0.99, gt=0, lt=1, description="its logit moving averages")
    mode_seeking_weight: float = Field(
        0.0, ge=0, description="mode-seeking term (MSGAN) against a conditional generator "
        "that ignores its noise; 0 = off")


def adversarial_recipe(
    generator: torch.nn.Module,
    discriminator: torch.nn.Module,
    ema: torch.nn.Module | None,
    latent_dim: int,
    cfg: AdversarialConfig,
) -> Recipe:
    ops = parse_policy(cfg.diffaugment)

    lecam = LeCam(cfg.lecam_decay)  # moving logit means: restart with the recipe

    def fake_batch(batch: Batch, m: dict[str, torch.nn.Module]) -> tuple[torch.Tensor, ...]:
        x, cond = batch["x"], batch["cond"]
        z = torch.randn(x.shape[0], latent_dim, device=x.device)
        return m["generator"](z, cond), cond

    def d_step(batch: Batch, m: dict[str, torch.nn.Module], step: int):
        with torch.no_grad():
            fake, cond = fake_batch(batch, m)
        D = m["discriminator"]
        real_logits = D(diff_augment(batch["x"], ops), batch["cond"])
        fake_logits = D(diff_augment(fake.detach(), ops), cond)
        loss = d_loss(cfg.loss, real_logits, fake_logits)
        logs = {"d_loss": loss.detach(), "d_real": real_logits.detach().mean(),
                "d_fake": fake_logits.detach().mean()}
        if cfg.lecam_weight > 0:
            reg = lecam(real_logits, fake_logits)
            loss = loss + cfg.lecam_weight * reg
            logs["lecam"] = reg.detach()
        return loss, logs

    def g_step(batch: Batch, m: dict[str, torch.nn.Module], step: int):
        cond = batch["cond"]
        if cfg.mode_seeking_weight > 0:  # the second half repeats the first half's conditions
            half = cond.shape[0] // 2
            cond = torch.cat([cond[:half], cond[:half], cond[2 * half:]])
        z = torch.randn(cond.shape[0], latent_dim, device=batch["x"].device)
        fake = m["generator"](z, cond)
        loss = g_loss(cfg.loss, m["discriminator"](diff_augment(fake, ops), cond))
        if cfg.mode_seeking_weight <= 0:
            return loss, {"g_loss": loss.detach()}
        ms = mode_seeking(fake, z)
        return loss + cfg.mode_seeking_weight * ms, {"g_loss": loss.detach(),
                                                     "mode_seeking": ms.detach()}

    def r1_step(batch: Batch, m: dict[str, torch.nn.Module], step: int):
        real = diff_augment(batch["x"], ops).detach().requires_grad_(True)
        penalty = r1_penalty(real, m["discriminator"](real, batch["cond"]))
        return penalty * (cfg.r1_gamma / 2 * cfg.r1_every), {"r1": penalty.detach()}

    modules = {"generator": generator, "discriminator": discriminator}
    if ema is not None:
        modules["ema"] = ema

    def d_step_quiet(batch: Batch, m: dict[str, torch.nn.Module], step: int):
        return d_step(batch, m, step)[0], {}  # extra D updates: log the first one only

    phases = [Phase("d", "discriminator", d_step)]
    phases += [Phase(f"d{i + 2}", "discriminator", d_step_quiet) for i in range(cfg.d_steps - 1)]
    phases.append(Phase("g", "generator", g_step))
    if cfg.r1_gamma > 0:
        phases.insert(cfg.d_steps, Phase("r1", "discriminator", r1_step,
                                         every=cfg.r1_every, autocast=False))
    return Recipe(
        modules=modules,
        optimizers={
            "generator": torch.optim.Adam(generator.parameters(), lr=cfg.lr_g, betas=cfg.betas),
            "discriminator": torch.optim.Adam(
                discriminator.parameters(), lr=cfg.lr_d, betas=cfg.betas
            ),
        },
        phases=phases,
        ema=("generator", "ema") if ema is not None else None,
        owners={"generator": ["generator"], "discriminator": ["discriminator"]},
    )
