"""Training phases of ``entertainment.sprite_gan``: the first view's autoencoder (and
the GAN over its codes, when that sampler is chosen) and the paired view translator."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from aigc_plugins.entertainment.features import mirror_views
from aigc_plugins.entertainment.sprite_config import SpriteGANConfig
from aigc_sdk.training.recipe import Batch, Phase


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
    target view. Mirroring a character swaps left and right, which doubles the pairs.
    A palette head learns by cross-entropy on the target's palette indices (its
    discriminator sees the softmax-weighted colours); a regression head by L1."""
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
            fake = _image(m["translator"], m["translator"](src, v))
        d = m["pair_discriminator"]
        real_logits, fake_logits = d(src, tgt, v), d(src, fake, v)
        loss = F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()
        return loss, {"t_d_loss": loss.detach()}

    def g_step(batch: Batch, m: dict[str, torch.nn.Module], step: int):
        src, tgt, v = pairs(batch, m)
        net = m["translator"]
        out = net(src, v)
        if _colours(net):
            ce = F.cross_entropy(out.float(), _unwrap(net).classes(tgt))
            # logged on the drawn colours: the softmax-weighted image costs a pass over
            # every palette entry and is only needed when a discriminator looks at it
            l1 = (_unwrap(net).drawn(out) - tgt.float()).abs().mean()
            loss, logs = cfg.colour_weight * ce, {"t_l1": l1, "t_ce": ce.detach()}
        else:
            l1 = (out.float() - tgt.float()).abs().mean()
            loss, logs = cfg.l1_weight * l1, {"t_l1": l1.detach()}
        if cfg.adversarial_weight:
            fake = _image(net, out)
            loss = loss - cfg.adversarial_weight * m["pair_discriminator"](src, fake, v).mean()
        return loss, logs

    phases = [Phase("t_g", "translator", g_step)]
    if cfg.adversarial_weight:
        phases.insert(0, Phase("t_d", "pair_discriminator", d_step))
    return phases


def _unwrap(net: torch.nn.Module) -> torch.nn.Module:
    return getattr(net, "module", net)  # an Accelerate / DDP wrapper holds the translator


def _colours(net: torch.nn.Module) -> bool:
    return bool(getattr(_unwrap(net), "colours", 0))


def _image(net: torch.nn.Module, out: torch.Tensor) -> torch.Tensor:
    """The translator's output as RGBA: softmax-weighted palette for a palette head."""
    return _unwrap(net).expected(out) if _colours(net) else out
