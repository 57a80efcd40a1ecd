"""Settings of ``entertainment.sprite_gan``, with what was measured for each choice."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat

from aigc_sdk.generator import GeneratorConfig


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
    kde_bandwidth: PositiveFloat | Literal["auto"] = Field("auto", description=(
        "kde sampler: kernel spread as a fraction of the Gaussian's; smaller is sharper "
        "and nearer to training characters. 'auto' (data without attributes) picks, when "
        "training ends, the smallest of 0.5, 0.75, 1, 1.25, 1.5 whose drawn characters "
        "are as far from their nearest training character (median) as training characters "
        "are from each other, so new characters are as new as a new real one; the bundle's "
        "config records the choice. Data with attributes uses 0.5: there the attributes "
        "decide most of the picture whatever the spread. LPC (one model, 2080 steps, 5 "
        "draws of 100, FID as multiples of real-vs-real, memorisation as a multiple of "
        "held-out real's): 0.5 view / identity FID 0.69x / 1.27x, memorisation 0.85; "
        "0.75 0.65x / 1.38x, 0.97; 1.0 0.78x / 1.47x, 1.07; the Gaussian 1.68x / 1.55x, "
        "1.11. Training characters' leave-one-out distance was 0.97 of held-out real's"))
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
    attribute_maps_full: bool = Field(True, description=(
        "each attribute value also owns a feature map at the full output size, added "
        "before the last layer, for parts with one-pixel detail (lettering). Nouns, 10 min, "
        "2 threads, attribute accuracy body / accessory / head / glasses: 0.953 / 0.900 / "
        "0.990 / 0.993 without (5240 steps), 0.967 / 0.963 / 0.995 / 0.999 with (4280 "
        "steps; real composites 0.973 / 0.957 / 0.995 / 1.0); L1 to the exact composite "
        "0.012 -> 0.0065"))
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
    average_weights: bool = Field(True, description=(
        "keep exponential moving averages of the encoder, decoder and translator weights "
        "(TrainConfig.ema_decay) and draw with them once training ends. LPC, 15 min, "
        "900 steps, the same training trajectory with and without: view FID 2.48x -> "
        "2.02x real-vs-real, identity FID 2.07x -> 2.10x, view accuracy 0.978 -> 0.995. "
        "Without, one run stopped at 900 or 1000 steps gave view FID 2.5x or 3.4x: the "
        "last step's weights are a noisy pick"))
    translator_widths: tuple[int, ...] = (32, 64, 128, 256)
    translator_lr: float = 1e-3
    translator_colours: int = Field(128, ge=0, le=256, description=(
        "the translator draws every pixel as one of this many colours of a palette fitted "
        "to the training sprites (one is transparent), learnt by cross-entropy; 0: it "
        "regresses RGBA with L1 (blurrier, speckled once quantised). LPC's 2987 colours "
        "fit 127 entries within 3 levels of 255 on average"))
    colour_weight: float = Field(10.0, description=(
        "weight of the palette head's cross-entropy against the adversarial term"))
    l1_weight: float = Field(100.0, description=(
        "pix2pix weight of the regression head's L1 against the adversarial term"))
    # LPC, 15 min, 2 threads: the palette head with its cross-entropy alone gave identity
    # FID 1.7x real-vs-real and margin 0.93 of real; adding the pair discriminator on its
    # softmax-weighted colours (weight 1) slowed steps 1.5x and gave 7.8x and 0.42. The
    # regression head needs it: L1 alone drew blur (view FID 6.0x vs 2.7x with it).
    adversarial_weight: float = Field(0.0, description=(
        "pair discriminator term for the translator; 0 = off (the palette head's default; "
        "set 1.0 with translator_colours=0)"))
    palette_size: int | None = Field(
        32, description="colours per character after generation; None keeps raw output")
    min_island: int | None = Field(None, ge=0, description=(
        "after the view translator draws a character, opaque islands smaller than this "
        "many pixels become transparent (stray pixels; 0 or 1 keeps all). None: 16 pixels "
        "at 64x64, scaled with the frame's area (4 at 32x32, at least 2). Real LPC sprites "
        "(64x64) have no island under 16 pixels; on drawn ones 16 removes 0.3% of opaque "
        "pixels. View FID with / without it on three trained LPC models: 2.02x / 2.97x "
        "(averaged weights), 3.15x / 3.42x, 2.48x / 2.34x real-vs-real"))
