"""Conditional text VAE: a BERT-style encoder gives q(z | facts, text); a GPT-2-style
decoder writes the template from [z prefix] + facts tokens.

Both come from ``transformers`` configs (small, CPU-sized) or from a local pretrained
path. z enters the decoder as ``prefix_len`` learned prefix embeddings, so it conditions
every position through attention, also while decoding with a key/value cache. With
``latent_dim == 0`` the same decoder is trained without z: the perplexity baseline.
"""

from __future__ import annotations

import torch
from torch import nn

from aigc_sdk.training.variational import ElboTerms


class TextCVAE(nn.Module):
    def __init__(self, vocab_size: int, pad_id: int, unk_id: int, latent_dim: int = 32,
                 d_model: int = 192, enc_layers: int = 2, dec_layers: int = 4, heads: int = 4,
                 max_len: int = 160, prefix_len: int = 2) -> None:
        super().__init__()
        from transformers import BertConfig, BertModel, GPT2Config, GPT2LMHeadModel

        self.pad_id, self.unk_id, self.latent_dim = pad_id, unk_id, latent_dim
        self.prefix_len = prefix_len if latent_dim else 0
        self.decoder = GPT2LMHeadModel(GPT2Config(
            vocab_size=vocab_size, n_positions=max_len + self.prefix_len, n_embd=d_model,
            n_layer=dec_layers, n_head=heads, bos_token_id=pad_id, eos_token_id=pad_id,
            resid_pdrop=0.1, embd_pdrop=0.1, attn_pdrop=0.1))
        if latent_dim:
            self.encoder = BertModel(BertConfig(
                vocab_size=vocab_size, hidden_size=d_model, num_hidden_layers=enc_layers,
                num_attention_heads=heads, intermediate_size=4 * d_model,
                max_position_embeddings=max_len, pad_token_id=pad_id),
                add_pooling_layer=False)
            self.to_stats = nn.Linear(d_model, 2 * latent_dim)
            self.to_prefix = nn.Linear(latent_dim, self.prefix_len * d_model)

    def posterior(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z | facts, text) from the encoder's first position."""
        mask = (ids != self.pad_id).long()
        h = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state[:, 0]
        mu, logvar = self.to_stats(h).float().chunk(2, dim=-1)
        return mu, logvar.clamp(-10, 6)

    def prefix(self, z: torch.Tensor) -> torch.Tensor:
        return self.to_prefix(z).view(z.shape[0], self.prefix_len, -1)

    def embed(self, ids: torch.Tensor, z: torch.Tensor | None) -> torch.Tensor:
        tokens = self.decoder.get_input_embeddings()(ids)
        if z is None or not self.latent_dim:
            return tokens
        return torch.cat([self.prefix(z).to(tokens.dtype), tokens], dim=1)

    def elbo_terms(self, batch: dict[str, torch.Tensor], word_dropout: float) -> ElboTerms:
        """``ids``: facts tokens then template tokens, right-padded; ``n_src``: how many of
        them are facts (not predicted)."""
        ids, n_src = batch["ids"], batch["n_src"]
        n, length = ids.shape
        pos = torch.arange(length, device=ids.device)[None]
        real = ids != self.pad_id
        target = real & (pos >= n_src[:, None])
        if self.latent_dim:
            mu, logvar = self.posterior(ids)
            z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        else:
            mu = logvar = z = torch.zeros(n, 1, device=ids.device)
        inp = ids
        if self.training and word_dropout > 0:
            # Hide template words from the decoder's inputs (never the facts, never the
            # first template token) so it has to lean on z (Bowman et al. 2016).
            drop = target & (pos > n_src[:, None]) & (
                torch.rand(ids.shape, device=ids.device) < word_dropout)
            inp = ids.masked_fill(drop, self.unk_id)
        mask = torch.cat([torch.ones(n, self.prefix_len, dtype=torch.long, device=ids.device),
                          real.long()], dim=1)
        logits = self.decoder(inputs_embeds=self.embed(inp, z if self.latent_dim else None),
                              attention_mask=mask).logits
        logits = logits[:, self.prefix_len:-1]  # position t predicts token t + 1
        labels = ids[:, 1:].masked_fill(~target[:, 1:], -100)
        nll = nn.functional.cross_entropy(logits.float().transpose(1, 2), labels,
                                          ignore_index=-100, reduction="sum")
        n_tok = target[:, 1:].sum().float()
        return ElboTerms(nll / n, n_tok / n, mu, logvar, z)
