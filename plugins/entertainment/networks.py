"""Networks of the sprite generator: a conditional autoencoder for one view with a GAN
over its codes (a latent GAN), and the paired view translator (MONAI U-Net) with its
patch discriminator (MONAI).

The decoder is residual (SNGAN/BigGAN-style up blocks); attributes enter through the
core's class-conditional batch norm in the decoder and projection in the latent
discriminator.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from aigc_plugins.entertainment.palette import extract_palette, to_levels
from aigc_sdk.layers import CondBatchNorm, CondEmbedding


def _plan(size: int) -> int:
    ups, s = 0, 4
    while s < size:
        s, ups = s * 2, ups + 1
    if s != size:
        raise ValueError(f"sprite size {size} is not 4 times a power of two (16, 32, 64, 128)")
    return ups


class ResUp(nn.Module):
    def __init__(self, c_in: int, c_out: int, cond_sizes: list[int]) -> None:
        super().__init__()
        self.n1 = CondBatchNorm(2, c_in, cond_sizes)
        self.c1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.n2 = CondBatchNorm(2, c_out, cond_sizes)
        self.c2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        h = F.interpolate(F.relu(self.n1(x, cond)), scale_factor=2, mode="nearest")
        h = self.c2(F.relu(self.n2(self.c1(h), cond)))
        return h + self.skip(F.interpolate(x, scale_factor=2, mode="nearest"))


class SpriteDecoder(nn.Module):
    """Code (+ attribute codes) -> one RGBA view in [-1, 1].

    With ``attribute_maps`` every attribute value also owns a learned feature map at half
    the output size, added before the last up block: a part that is a small fixed
    picture (a Nouns accessory) is drawn from its own map instead of being squeezed
    through per-channel gains. On Nouns the plain decoder drew only 17% of 143
    accessories recognisably (head 97%), from reconstructions as well as samples.
    ``fine_maps`` adds one more map per value at the full output size, for one-pixel
    detail (lettering on a Nouns accessory)."""

    def __init__(self, size: int, channels: int, latent_dim: int, cond_sizes: list[int],
                 base: int = 32, max_channels: int = 256, attribute_maps: bool = False,
                 fine_maps: bool = False) -> None:
        super().__init__()
        ups = _plan(size)
        widths = [min(max_channels, base * 2 ** (ups - i)) for i in range(ups + 1)]
        self.width0 = widths[0]
        self.embed = CondEmbedding(cond_sizes, latent_dim) if cond_sizes else None
        self.fc = nn.Linear(latent_dim * (2 if cond_sizes else 1), widths[0] * 16)
        self.blocks = nn.ModuleList(ResUp(widths[i], widths[i + 1], cond_sizes)
                                    for i in range(ups))
        self.norm = CondBatchNorm(2, widths[-1], cond_sizes)
        self.out = nn.Conv2d(widths[-1], channels, 3, padding=1)
        self.maps = self.fine_maps = None
        if attribute_maps and cond_sizes and ups >= 1:
            self.map_shape = (widths[-2], size // 2, size // 2)
            self.maps = CondEmbedding(cond_sizes, widths[-2] * (size // 2) ** 2)
            for table in self.maps.tables:
                nn.init.normal_(table.weight, std=0.02)
        if fine_maps and cond_sizes:
            self.fine_shape = (widths[-1], size, size)
            self.fine_maps = CondEmbedding(cond_sizes, widths[-1] * size * size)
            for table in self.fine_maps.tables:
                nn.init.normal_(table.weight, std=0.02)

    def forward(self, z: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        h = z if self.embed is None else torch.cat([z, self.embed(cond)], dim=1)
        h = self.fc(h).view(z.shape[0], self.width0, 4, 4)
        for i, block in enumerate(self.blocks):
            if self.maps is not None and i == len(self.blocks) - 1:
                h = h + self.maps(cond).view(z.shape[0], *self.map_shape).to(h.dtype)
            h = block(h, cond)
        if self.fine_maps is not None:
            h = h + self.fine_maps(cond).view(z.shape[0], *self.fine_shape).to(h.dtype)
        return torch.tanh(self.out(F.relu(self.norm(h, cond))))


class SpriteEncoder(nn.Module):
    """Four stride-2 conv blocks and global pooling: RGBA sprite -> feature vector."""

    def __init__(self, channels: int = 4, width: int = 32, feature_dim: int = 128) -> None:
        super().__init__()
        layers, c_in = [], channels
        for c_out in (width, width * 2, width * 4, width * 4):
            layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.BatchNorm2d(c_out),
                       nn.LeakyReLU(0.1)]
            c_in = c_out
        self.body = nn.Sequential(*layers)
        self.proj = nn.Linear(c_in, feature_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(self.body(x).mean(dim=(2, 3)))


class LatentGenerator(nn.Module):
    """Noise (+ attribute codes) -> an autoencoder code. It works in standardised code
    space; ``mean``/``std`` (buffers, saved with it) map back to the decoder's codes."""

    def __init__(self, noise_dim: int, code_dim: int, cond_sizes: list[int],
                 hidden: int = 256) -> None:
        super().__init__()
        self.embed = CondEmbedding(cond_sizes, noise_dim) if cond_sizes else None
        self.net = nn.Sequential(
            nn.Linear(noise_dim * (2 if cond_sizes else 1), hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, code_dim))
        self.register_buffer("mean", torch.zeros(code_dim))
        self.register_buffer("std", torch.ones(code_dim))

    def forward(self, noise: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        h = noise if self.embed is None else torch.cat([noise, self.embed(cond)], dim=1)
        return self.net(h)

    def codes(self, noise: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return self(noise, cond) * self.std + self.mean

    def standardise(self, codes: torch.Tensor) -> torch.Tensor:
        return (codes - self.mean) / self.std

    @torch.no_grad()
    def track(self, codes: torch.Tensor, momentum: float = 0.05) -> None:
        """Follow the encoder's code statistics while both train."""
        self.mean.lerp_(codes.float().mean(0), momentum)
        self.std.lerp_(codes.float().std(0).clamp(min=1e-3), momentum)


class LatentDiscriminator(nn.Module):
    """MLP with spectral norm and attribute projection, on standardised codes."""

    def __init__(self, code_dim: int, cond_sizes: list[int], hidden: int = 256) -> None:
        super().__init__()
        self.body = nn.Sequential(
            spectral_norm(nn.Linear(code_dim, hidden)), nn.LeakyReLU(0.2),
            spectral_norm(nn.Linear(hidden, hidden)), nn.LeakyReLU(0.2))
        self.out = spectral_norm(nn.Linear(hidden, 1))
        self.embed = CondEmbedding(cond_sizes, hidden) if cond_sizes else None

    def forward(self, codes: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        h = self.body(codes)
        out = self.out(h).squeeze(1)
        if self.embed is not None:
            out = out + (self.embed(cond) * h).sum(1)
        return out


def view_code_planes(views: torch.Tensor, n_views: int, size: int) -> torch.Tensor:
    """One-hot target view as constant image planes, concatenated to the translator input."""
    onehot = F.one_hot(views, n_views).float()
    return onehot[:, :, None, None].expand(-1, -1, size, size)


class ViewTranslator(nn.Module):
    """pix2pix-style generator: (source view RGBA, target view code) -> target view RGBA.

    With ``colours`` it draws each pixel as one entry of a palette fitted to the data
    (entry 0 is transparent) and learns by cross-entropy: a pixel is the most likely
    colour, never the average of two, so flat colours and crisp outlines come from the
    network instead of the blur and speckle a regression head leaves."""

    def __init__(self, channels: int, n_views: int, widths: tuple[int, ...] = (32, 64, 128, 256),
                 res_units: int = 1, colours: int = 0) -> None:
        super().__init__()
        from monai.networks.nets import UNet

        self.n_views = n_views
        self.colours = colours
        features = 16 if colours else channels
        self.unet = UNet(spatial_dims=2, in_channels=channels + n_views, out_channels=features,
                         channels=widths, strides=(2,) * (len(widths) - 1),
                         num_res_units=res_units, norm="INSTANCE")
        if colours:
            # the U-Net's top layer is a bare convolution: a non-linearity before the
            # per-pixel classifier lets the head be more than a low-rank linear map
            self.head = nn.Sequential(nn.PReLU(features), nn.Conv2d(features, colours, 1))
            # until fit_palette sees the data: transparent plus seeded random colours
            pal = torch.rand(colours, channels, generator=torch.Generator().manual_seed(0))
            pal = pal * 2 - 1
            pal[0], pal[1:, 3] = -1.0, 1.0
            self.register_buffer("palette", pal)
            # subtracted from the transparent logit when drawing (see calibrate)
            self.register_buffer("transparent_bias", torch.zeros(()))

    def forward(self, source: torch.Tensor, views: torch.Tensor) -> torch.Tensor:
        """RGBA (regression head) or colour logits (palette head)."""
        planes = view_code_planes(views, self.n_views, source.shape[-1]).to(source.dtype)
        # No tanh: with one, outputs saturated at +1 early and the L1 gradient vanished there
        # (held-out L1 0.25 vs 0.12 without, 300 steps); callers clamp to [-1, 1].
        out = self.unet(torch.cat([source, planes], dim=1))
        return self.head(out) if self.colours else out

    def render(self, source: torch.Tensor, views: torch.Tensor) -> torch.Tensor:
        """The target views as RGBA in [-1, 1]: each pixel's most likely palette colour."""
        out = self(source, views).float()
        if not self.colours:
            return out.clamp(-1, 1)
        return self.drawn(out)

    def drawn(self, logits: torch.Tensor) -> torch.Tensor:
        """Palette logits -> RGBA: each pixel's most likely colour (not differentiable)."""
        out = logits.detach().float().clone()
        out[:, 0] -= self.transparent_bias
        return self.palette[out.argmax(dim=1)].movedim(-1, 1)

    @staticmethod
    def opacity_margin(logits: torch.Tensor) -> torch.Tensor:
        """Per pixel: the transparent logit minus the best colour's (B, H, W)."""
        return logits[:, 0].float() - logits[:, 1:].float().amax(dim=1)

    @torch.no_grad()
    def calibrate(self, margins: torch.Tensor, opaque: float) -> float:
        """Set the transparent-logit bias so drawn sprites are as opaque as real ones.

        Where a pixel may be edge or background, the likeliest class is background more
        often than the truth is, so argmax draws thinner silhouettes (LPC: 7% fewer opaque
        pixels). A pixel is drawn opaque when its :meth:`opacity_margin` is below the
        bias, so the bias is that margin's quantile at the real opaque fraction.
        ``margins``: of characters drawn as at generation time; ``opaque``: the opaque
        fraction of the same characters' real pixels."""
        m = margins.flatten().float()
        if len(m) > 1 << 24:  # torch.quantile's input limit
            m = m[torch.randperm(len(m), generator=torch.Generator().manual_seed(0))[:1 << 24]]
        bias = torch.quantile(m, opaque) if 0 < opaque < 1 and len(m) else m.new_zeros(())
        self.transparent_bias.copy_(bias)
        return float(bias)

    def expected(self, logits: torch.Tensor) -> torch.Tensor:
        """Differentiable RGBA: the palette averaged under each pixel's softmax (what a
        discriminator sees while the translator learns)."""
        return torch.einsum("bkhw,kc->bchw", logits.float().softmax(dim=1), self.palette)

    def classes(self, target: torch.Tensor) -> torch.Tensor:
        """Palette index of every pixel of RGBA images (B, 4, H, W): 0 where alpha <= 0,
        else the nearest opaque colour. Sprites hold few distinct colours, so distances
        are taken once per distinct colour, not per pixel."""
        levels = to_levels(target[:, :3]).long()
        keys = (levels[:, 0] << 16) | (levels[:, 1] << 8) | levels[:, 2]
        uniq, inverse = torch.unique(keys, return_inverse=True)
        rgb = torch.stack([uniq >> 16, (uniq >> 8) & 255, uniq & 255], dim=1).float()
        pal = (self.palette[1:, :3].float() + 1) * 127.5
        idx = torch.cdist(rgb, pal).argmin(dim=1)[inverse] + 1
        return torch.where(target[:, 3] > 0, idx, torch.zeros_like(idx))

    def fit_palette(self, images: torch.Tensor) -> None:
        """Set the palette from RGBA images (..., 4, H, W): transparent plus the dominant
        opaque colours (PIL median cut, see palette.extract_palette)."""
        rgb = extract_palette(images, self.colours - 1)
        if len(rgb) == 0:
            raise ValueError("fit_palette: the images have no opaque pixel (alpha > 0); "
                             "check the data's alpha channel")
        pal = torch.full((self.colours, 4), -1.0)
        pal[1:1 + len(rgb), :3] = rgb
        pal[1:, 3] = 1.0
        if len(rgb) < self.colours - 1:  # fewer colours than entries: repeat the last
            pal[1 + len(rgb):, :3] = rgb[-1]
        self.palette.copy_(pal.to(self.palette))


class PairDiscriminator(nn.Module):
    """Patch discriminator on (source, candidate target, view code): judges whether the
    candidate is this character drawn in that view, patch by patch."""

    def __init__(self, channels: int, n_views: int, size: int, base: int = 32) -> None:
        super().__init__()
        from monai.networks.nets import PatchDiscriminator

        layers = patch_layers(size)
        self.n_views = n_views
        # STACK-NOTES: norm="BATCH" fails Opacus' validator; INSTANCE trains and passes.
        self.net = PatchDiscriminator(spatial_dims=2, num_layers_d=layers, channels=base,
                                      in_channels=2 * channels + n_views, out_channels=1,
                                      norm="INSTANCE")

    def forward(self, source: torch.Tensor, target: torch.Tensor,
                views: torch.Tensor) -> torch.Tensor:
        planes = view_code_planes(views, self.n_views, source.shape[-1]).to(source.dtype)
        return self.net(torch.cat([source, target, planes], dim=1))[-1]


def patch_layers(size: int) -> int:
    """Stride-2 layers of a patch discriminator: 3 at 64 px (pix2pix's 70 px patches scaled
    down), fewer on small sprites so instance norm keeps more than one pixel."""
    return max(1, min(3, size.bit_length() - 4))


class PatchCritic(nn.Module):
    """Patch discriminator on single sprites: real front views against the autoencoder's
    reconstructions, which pushes the decoder from blurred averages to crisp pixels."""

    def __init__(self, channels: int, size: int, base: int = 32) -> None:
        super().__init__()
        layers = patch_layers(size)
        from monai.networks.nets import PatchDiscriminator

        self.net = PatchDiscriminator(spatial_dims=2, num_layers_d=layers, channels=base,
                                      in_channels=channels, out_channels=1, norm="INSTANCE")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)[-1]
