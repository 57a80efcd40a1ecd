"""Constrained sampling from the report decoder with a key/value cache.

Hand-written rather than ``GenerationMixin.generate``: z enters as a prefix of
embeddings, every row has its own set of legal slot tokens, a slot may be written once,
and end-of-text is legal only after every required slot is written. With those rules
every released number comes from a fact by construction, and fact coverage is complete
whenever a row finishes within ``max_new`` tokens. Rows may also ban tokens outright
(the generator bans direction words that contradict a metric's direction), and keep to a
word list (``WordGate``): a token is drawn only when the word it starts or continues can
still become a listed word, so no draw is spent spelling another company's name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from aigc_plugins.finance.network import TextCVAE

_LETTERS = re.compile(r"[a-z]+")


class WordGate:
    """Which tokens keep every word of a row within ``words``. Words are runs of a-z in
    lower case (as ``planning.words_of`` reads a template); ``separators`` (slot tokens,
    end-of-text) hold no letters. ``banned(partial)`` is cached per partial word: a row's
    state is only the letters written since its last non-letter."""

    def __init__(self, pieces: Sequence[str], words: set[str], separators: set[int]) -> None:
        self.words = frozenset(words)
        self.prefixes = frozenset(w[:k] for w in self.words for k in range(len(w) + 1))
        self.lead: list[str] = []
        self.trail: list[str] = []
        self.joined: list[bool] = []  # the token holds a non-letter: the word before ends
        static_ok = []
        for i, piece in enumerate(pieces):
            text = "" if i in separators else piece.lower()
            runs = list(_LETTERS.finditer(text))
            whole = len(runs) == 1 and runs[0].span() == (0, len(text))
            lead = runs[0].group() if runs and runs[0].start() == 0 else ""
            trail = runs[-1].group() if runs and runs[-1].end() == len(text) and not whole else ""
            inner = [r.group() for r in runs if r.start() != 0 and r.end() != len(text)]
            self.lead.append(lead)
            self.trail.append(trail)
            self.joined.append(not whole and (i in separators or bool(text)))
            static_ok.append(all(w in self.words for w in inner) and trail in self.prefixes)
        self.static_ok = torch.tensor(static_ok, dtype=torch.bool)
        self._ends = torch.tensor(self.joined, dtype=torch.bool)
        self._cache: dict[str, torch.Tensor] = {}

    def banned(self, partial: str) -> torch.Tensor:
        """Bool mask over the vocabulary: tokens that would spell an unlisted word."""
        hit = self._cache.get(partial)
        if hit is None:
            ok = [(not joined and partial + lead in self.prefixes) or (
                joined and (not partial + lead or partial + lead in self.words))
                for lead, joined in zip(self.lead, self.joined)]
            hit = ~(torch.tensor(ok, dtype=torch.bool) & (self.static_ok | ~self._ends))
            self._cache[partial] = hit
        return hit

    def after(self, partial: str, token: int) -> str:
        """The partial word once ``token`` is written."""
        return self.trail[token] if self.joined[token] else partial + self.lead[token]


@dataclass
class RowRules:
    allowed: set[int]  # slot token ids this row may write
    required: set[int]  # slot token ids that must be written before end-of-text
    banned: set[int] = field(default_factory=set)  # e.g. words for the wrong direction
    penalised: set[int] = field(default_factory=set)  # words other reports used already
    words: WordGate | None = None  # the words this row may spell


def _draw_top_p(logits: torch.Tensor, top_p: float, generator: torch.Generator,
                k: int = 256) -> torch.Tensor:
    """One token per row from the smallest set of tokens whose probability reaches
    ``top_p`` (nucleus sampling). The nucleus is looked for among the ``k`` likeliest
    tokens first (a partial sort: the full-vocabulary sort was an eighth of generation
    time); a row whose top ``k`` do not reach ``top_p`` falls back to the full sort."""
    if top_p < 1.0 and k < logits.shape[-1]:
        top, idx = logits.topk(k, dim=-1)
        p = (top - logits.logsumexp(-1, keepdim=True)).exp()
        cum = p.cumsum(-1)
        if bool((cum[:, -1] > top_p).all()):
            top = top.masked_fill(cum - p > top_p, float("-inf"))
            pick = torch.multinomial(top.softmax(-1), 1, generator=generator)
            return idx.gather(-1, pick).squeeze(1)
    if top_p < 1.0:
        sorted_logits, order = logits.sort(dim=-1, descending=True)
        p = sorted_logits.softmax(-1)
        sorted_logits = sorted_logits.masked_fill(p.cumsum(-1) - p > top_p, float("-inf"))
        logits = torch.full_like(logits, float("-inf")).scatter(-1, order, sorted_logits)
    return torch.multinomial(logits.softmax(-1), 1, generator=generator).squeeze(1)


@torch.no_grad()
def sample(
    model: TextCVAE, src: Sequence[list[int]], z: torch.Tensor | None, rules: Sequence[RowRules],
    slot_ids: set[int], banned: set[int], eos_id: int, generator: torch.Generator,
    max_new: int = 48, temperature: float = 1.0, top_p: float = 0.9, penalty: float = 0.0,
    min_p: float = 0.0,
) -> list[list[int] | None]:
    """One template per row; ``None`` where a row ran out of tokens before it could end.
    ``penalty`` is subtracted from the logits of each row's ``penalised`` tokens (a
    diversity penalty in the manner of diverse beam search: other wordings get drawn).
    ``min_p``: a token less likely than ``min_p`` times the most likely one is never drawn,
    judged before the rules ban anything. Where the rules ban every token the model
    believes in, the row is given up (``None``) instead of forced onto a word it gives
    almost no chance, which is how a constrained decoder writes word salad."""
    was_training = model.training
    model.eval()
    n, dev = len(src), next(model.parameters()).device
    width = max(len(s) for s in src)
    ids = torch.full((n, width), model.pad_id, dtype=torch.long, device=dev)
    mask = torch.zeros((n, width), dtype=torch.long, device=dev)
    for i, s in enumerate(src):  # left padding, so every row's next token is at the end
        ids[i, width - len(s):] = torch.tensor(s, device=dev)
        mask[i, width - len(s):] = 1
    emb = model.embed(ids, z)
    n_prefix = emb.shape[1] - width  # z's prefix, absent when z is None
    mask = torch.cat([torch.ones(n, n_prefix, dtype=torch.long, device=dev), mask], 1)
    pos = (mask.cumsum(1) - 1).clamp(min=0)
    vocab = model.decoder.config.vocab_size
    base_ban = torch.zeros(vocab, dtype=torch.bool, device=dev)
    base_ban[list(banned | slot_ids)] = True
    allow_rows = torch.zeros((n, vocab), dtype=torch.bool, device=dev)
    ban_rows = torch.zeros((n, vocab), dtype=torch.bool, device=dev)
    for i, r in enumerate(rules):
        allow_rows[i, list(r.allowed)] = True
        ban_rows[i, list(r.banned)] = True
    pen_rows = torch.zeros((n, vocab), device=dev)
    for i, r in enumerate(rules):
        pen_rows[i, list(r.penalised - slot_ids - {eos_id})] = penalty
    used = torch.zeros((n, vocab), dtype=torch.bool, device=dev)
    required = torch.zeros((n, vocab), dtype=torch.bool, device=dev)
    for i, r in enumerate(rules):
        required[i, list(r.required)] = True
    out: list[list[int]] = [[] for _ in range(n)]
    partial = [""] * n  # letters since each row's last non-letter (for ``RowRules.words``)
    done = torch.zeros(n, dtype=torch.bool, device=dev)
    finished = torch.zeros(n, dtype=torch.bool, device=dev)
    step_out = model.decoder(inputs_embeds=emb, attention_mask=mask, position_ids=pos,
                             use_cache=True)
    for _ in range(max_new):
        logits = (step_out.logits[:, -1].float() - pen_rows) / max(temperature, 1e-5)
        ban = (base_ban[None].expand(n, -1) & ~(allow_rows & ~used)) | ban_rows
        missing = (required & ~used).any(1)
        ban = ban.clone()
        ban[missing, eos_id] = True
        for i, r in enumerate(rules):
            if r.words is not None and not bool(done[i]):
                ban[i] |= r.words.banned(partial[i]).to(dev)
        if min_p > 0:
            ban |= logits < logits.max(-1, keepdim=True).values + math.log(min_p)
        stuck = ban.all(-1)  # nothing the model believes in is allowed: given up
        ban[stuck, model.pad_id] = False
        done |= stuck
        nxt = _draw_top_p(logits.masked_fill(ban, float("-inf")), top_p, generator)
        nxt = torch.where(done, torch.full_like(nxt, model.pad_id), nxt)
        for i in torch.nonzero(~done).flatten().tolist():
            tok = int(nxt[i])
            if tok == eos_id:
                finished[i] = True
            else:
                out[i].append(tok)
                if rules[i].words is not None:
                    partial[i] = rules[i].words.after(partial[i], tok)
        used[torch.arange(n, device=dev), nxt] |= ~done
        done |= nxt == eos_id
        if bool(done.all()):
            break
        mask = torch.cat([mask, (~done).long()[:, None] | 1], 1)
        pos = pos[:, -1:] + 1
        cache = getattr(step_out, "cache", None) or step_out.past_key_values
        step_out = model.decoder(input_ids=nxt[:, None], cache=cache, attention_mask=mask,
                                 position_ids=pos, use_cache=True)
    model.train(was_training)
    return [o if bool(finished[i]) else None for i, o in enumerate(out)]
