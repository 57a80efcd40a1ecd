"""How a trained report VAE turns facts into released sentences.

One sentence per planned metric: the decoder draws a template under the slot rules, the
direction ban and the word gate (decoding.py); ``accept`` fills it from the facts and lets
only what the faithfulness filter passes through, after writing back a qualifier or a
counted noun the decoder dropped; ``write`` redraws failures with a new z, keeps the n
reports' wordings apart, and fills what no draw stated from another report or a training
template. :class:`SentenceWriter` is a mixin of ``ReportVAE`` (vae.py), which holds the
model, tokenizer, training words and templates it reads.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import torch

from aigc_plugins.finance.counted import foreign_counted, state_counted
from aigc_plugins.finance.decoding import RowRules, WordGate, sample
from aigc_plugins.finance.facts import FinancialFacts
from aigc_plugins.finance.faithfulness import check_text
from aigc_plugins.finance.phrases import find_named_metrics
from aigc_plugins.finance.plainwriter import plain_templates
from aigc_plugins.finance.planning import (
    SentencePlan,
    allowed_slots,
    describe,
    local_slots,
    plan_report,
    required_slots,
    templates_stating,
    words_of,
)
from aigc_plugins.finance.qualifiers import concepts, state_missing
from aigc_plugins.finance.signed import state_sign
from aigc_plugins.finance.templates import realise
from aigc_plugins.finance.vocab import DIRECTIONS
from aigc_plugins.finance.wellformed import OWN_NAME, PLAIN, attribution, shape_ok

if TYPE_CHECKING:
    from aigc_plugins.finance.tokenizer import ReportTokenizer
    from aigc_plugins.finance.vae import ReportVAEConfig


class SentenceWriter:
    """Generation for ``ReportVAE``: the attributes below are the model's."""

    tokenizer: ReportTokenizer | None
    words: set[str] | None
    templates: list[str]
    _direction_ids: dict[str, set[int]] | None
    _blank_ids: set[int] | None
    _gates: dict[Any, WordGate]
    _pieces: list[str]

    @property
    def cfg(self) -> ReportVAEConfig:
        return self.config  # type: ignore[attr-defined,no-any-return]

    def well_formed(self, template: str, facts: FinancialFacts) -> bool:
        """One sentence, no word said twice in a row (also where a name meets the words
        after it: "share repurchase authorization authorization", v34 audit), no content
        word right before a metric's name, no other metric named right before a fact's name, no
        news attributed to a company the facts do not name ("acme corp - ..."), no "per
        share" where no figure is per share, and
        every word one the training sentences used or the facts name
        (an undertrained decoder can trail off into "per share.s.s.s. of eps", invent a
        segment, or spell non-words)."""
        if not shape_ok(template) or _STUTTER.search(realise(template, facts)):
            return False
        # another metric named in the sentence's own words, right before a fact's name
        # ("qtrly net income for the <m0.name> was <m0.value>"): no number is bound to
        # it, so the filter cannot see it, and a reader takes the figure for net income
        held = {m.name for m in facts.metrics}
        if any(m.name not in held and _OF_NAME.match(template, m.end)
               for m in find_named_metrics(template, [])):
            return False
        who = attribution(template)
        if who and not who <= OWN_NAME | words_of(f"{facts.company or ''} {facts.ticker or ''}"):
            return False  # another company's name before "-" ("... realty trust - ")
        if _PER_SHARE_WORDS.search(template) and not any(
                "per_share" in (m.unit, m.change_unit) for m in facts.metrics):
            return False  # "$2,535 per vehicle retailed on a same-store basis per share" (v37)
        if self.words is None:
            return True
        return words_of(template) <= self.allowed_words(facts, decoding=False)

    def allowed_words(self, facts: FinancialFacts, decoding: bool = True) -> set[str]:
        """The words a sentence for ``facts`` may use: the training words and the facts'
        own; only plain words (``PLAIN``) besides their own for metrics that are all
        unknown ones, and the training words that write their qualifiers ("reaffirms" for
        a "reaffirmed" outlook: without it no draw could end). ``decoding`` also leaves
        out counted nouns the facts do not hold (not when checking a fallback template,
        whose noun the full fact set may hold)."""
        assert self.words is not None
        own = _own_words(facts)
        if self.cfg.plain_unknown and _unknown_only(facts):
            held = concepts(*(f"{m.surface} {m.qualifier or ''}" for m in facts.metrics))
            forms = {w for w in self.words if concepts(w) & held} if held else set()
            return (PLAIN & self.words) | own | forms
        if decoding:
            return (self.words - foreign_counted(self.words, own)) | own
        return self.words | own

    def accept(self, template: str, facts: FinancialFacts, shaped: bool = False) -> str | None:
        """The sentence ``template`` writes for ``facts`` when it is well formed and the
        filter passes it, else None; with ``state_qualifiers`` a draw that drops a
        qualifier gets it written after the metric's number and is checked again, then
        with "a loss of"/"a benefit of" before a negative amount written as a magnitude
        (signed.py), then (``state_counted``) with each count's noun written as its fact
        holds it.
        ``shaped``: the template is known to be well formed."""
        if not (shaped or self.well_formed(template, facts)):
            return None
        text = realise(template, facts)
        if check_text(facts, text).faithful:
            return text
        tried = {template}
        fixed = template
        for on, fix in ((self.cfg.state_qualifiers, state_missing),
                        (self.cfg.state_qualifiers, state_sign),
                        (self.cfg.state_counted, state_counted)):
            fixed = fix(fixed, facts.metrics) if on else fixed
            if fixed not in tried and self.well_formed(fixed, facts):
                tried.add(fixed)
                text = realise(fixed, facts)
                if check_text(facts, text).faithful:
                    return text
        return None

    # -- generation -----------------------------------------------------------------
    def direction_tokens(self) -> dict[str, set[int]]:
        """Token ids that decode to a whole direction word ("rose", "down"), by direction."""
        if self._direction_ids is None:
            tok = self.tokenizer
            of = {w: d for d, ws in DIRECTIONS.items() for w in ws}
            self._direction_ids = {d: set() for d in DIRECTIONS}
            for i in range(tok.vocab_size):
                d = of.get(tok.decode([i]).strip().lower())
                if d is not None:
                    self._direction_ids[d].add(i)
        return self._direction_ids

    def blank_tokens(self) -> set[int]:
        """Token ids that decode to whitespace other than one plain space (which the
        tokenizer needs before digits and slots: "of", " ", "<m0.value>")."""
        if self._blank_ids is None:
            tok = self.tokenizer
            self._blank_ids = {i for i in range(tok.vocab_size)
                               if not tok.decode([i]).strip() and tok.decode([i]) != " "}
        return self._blank_ids

    def _rules(self, plan: SentencePlan, penalised: set[int] | None = None) -> RowRules:
        tid = self.tokenizer.token_id
        said = {m.direction for m in plan.facts.metrics if m.direction}
        banned: set[int] = set()
        if len(said) == 1:  # "revenue fell" for a rise is never worth drawing
            for d, ids in self.direction_tokens().items():
                if d not in said:
                    banned |= ids
        return RowRules({tid(s) for s in allowed_slots(plan.facts)},
                        {tid(s) for s in required_slots(plan.facts)}, banned,
                        penalised or set(), self.word_gate(plan.facts))

    def word_gate(self, facts: FinancialFacts) -> WordGate | None:
        """The decoding constraint for ``well_formed``'s word rule (None when off): the
        training words less counted nouns the facts do not hold; only plain words
        (``PLAIN``) for a sentence whose metrics are all unknown ones."""
        if not self.cfg.word_gate or self.words is None:
            return None
        key = (_own_words(facts), self.cfg.plain_unknown and _unknown_only(facts))
        gate = self._gates.get(key)
        if gate is None:
            tok = self.tokenizer
            if not self._gates:  # the token texts, decoded once per tokenizer
                self._pieces = [tok.decode([i]) for i in range(tok.vocab_size)]
            separators = {tok.token_id(s) for s in local_slots()} | {tok.eos_id}
            gate = self._gates[key] = WordGate(self._pieces, self.allowed_words(facts),
                                               separators)
        return gate

    def draw_templates(self, plans: list[SentencePlan], generator: torch.Generator,
                       temperature: float, top_p: float,
                       penalised: list[set[int]] | None = None) -> list[str | None]:
        """One template per plan, each from its own z ~ N(0, I); ``penalised``: per plan,
        tokens to draw less often (``diversity_penalty``)."""
        tok, net = self.tokenizer, self.modules()["vae"]
        src = [[tok.bos_id, *tok.encode(describe(p.facts)), tok.sep_id] for p in plans]
        z = None
        if net.latent_dim:
            z = torch.randn(len(plans), net.latent_dim, generator=generator)
            z = z.to(next(net.parameters()).device)
        slot_ids = {tok.token_id(s) for s in local_slots()}
        # tabs, line breaks and other control whitespace never belong in a sentence
        banned = {tok.pad_id, tok.bos_id, tok.sep_id, tok.unk_id} | self.blank_tokens()
        pen = penalised or [set() for _ in plans]
        out = sample(net, src, z, [self._rules(p, q) for p, q in zip(plans, pen)], slot_ids,
                     banned, tok.eos_id, generator, self.cfg.max_new_tokens, temperature, top_p,
                     self.cfg.diversity_penalty, self.cfg.min_p)
        return [None if o is None else tok.decode(o) for o in out]

    def write(self, facts: FinancialFacts, n: int, seed: int, temperature: float | None = None,
              top_p: float | None = None, max_tries: int | None = None,
              fallback: bool | None = None) -> list[dict[str, Any]]:
        """n reports for one fact set; each sentence is redrawn until it passes the
        faithfulness check or ``max_tries`` (default: the config's) is spent, and (with
        ``distinct``) until it differs from the same sentence of the other reports."""
        tries_left = self.cfg.max_tries if max_tries is None else max_tries
        t = self.cfg.temperature if temperature is None else temperature
        p = self.cfg.top_p if top_p is None else top_p
        g = torch.Generator().manual_seed(seed)
        plans = plan_report(facts)
        sentences: list[list[str | None]] = [[None] * len(plans) for _ in range(n)]
        tries = [[0] * len(plans) for _ in range(n)]
        used: list[set[tuple[str, str]]] = [set() for _ in plans]  # word pairs written
        spare: list[list[str | None]] = [[None] * len(plans) for _ in range(n)]
        spare_novelty = [[-1.0] * len(plans) for _ in range(n)]
        redraws = [[0] * len(plans) for _ in range(n)]  # draws made with a spare in hand
        used_tokens: list[set[int]] = [set() for _ in plans]  # tokens of the accepted drafts
        for _ in range(tries_left):
            todo = [(i, j) for i in range(n) for j in range(len(plans))
                    if sentences[i][j] is None and redraws[i][j] < self.cfg.novelty_tries]
            if not todo:
                break
            # a sentence with a faithful draw in hand (``spare``) is redrawn only for a
            # novel wording: away from the words the other reports already use
            drawn = self.draw_templates([plans[j] for _, j in todo], g, t, p,
                                        [used_tokens[j] if spare[i][j] else set()
                                         for i, j in todo])
            for (i, j), template in zip(todo, drawn):
                tries[i][j] += 1
                redraws[i][j] += spare[i][j] is not None
                if template is None:
                    continue
                text = self.accept(template, plans[j].facts)
                if text is None:
                    continue
                pairs = word_pairs(text)
                if self.cfg.distinct:
                    novelty = len(pairs - used[j]) / max(1, len(pairs))
                    if novelty < self.cfg.min_novelty:
                        if novelty > spare_novelty[i][j]:  # kept if nothing newer turns up
                            spare[i][j], spare_novelty[i][j] = text, novelty
                        continue
                sentences[i][j] = text
                used[j] |= pairs
                if self.cfg.diversity_penalty:
                    used_tokens[j] |= set(self.tokenizer.encode(template))
        for i, j in [(i, j) for i in range(n) for j in range(len(plans))]:
            sentences[i][j] = sentences[i][j] or spare[i][j]
        shared = self._share(sentences) if self.cfg.share_sentences else [
            [False] * len(plans) for _ in range(n)]
        rescued = [[False] * len(plans) for _ in range(n)]
        plain = [[False] * len(plans) for _ in range(n)]
        if self.cfg.fallback if fallback is None else fallback:
            for i, j in [(i, j) for i in range(n) for j in range(len(plans))
                         if sentences[i][j] is None]:
                if self.templates:
                    sentences[i][j] = self.fallback_sentence(plans[j], g)
                if sentences[i][j] is None and self.cfg.plain_fallback:
                    sentences[i][j] = self.plain_sentence(plans[j])
                    plain[i][j] = sentences[i][j] is not None
                rescued[i][j] = sentences[i][j] is not None
        reports = []
        for i in range(n):
            done = [s for s in sentences[i] if s is not None]
            text = " ".join(done)
            detail = check_text(facts, text)
            # nothing to say (no metric holds a number) is not a report to release
            reports.append({"text": text, "released": bool(plans) and len(done) == len(plans)
                            and detail.faithful and detail.coverage == 1.0,
                            "tries": max(tries[i], default=0), "coverage": detail.coverage,
                            "fallback": sum(rescued[i]), "plain": sum(plain[i]),
                            "shared": sum(shared[i]),
                            "findings": [f"{k}: {d}" for k, d in detail.findings]})
        return reports

    @staticmethod
    def _share(sentences: list[list[str | None]]) -> list[list[bool]]:
        """Fill each report's missing sentence with a faithful one another report of the
        same facts drew (in turn, when several did); which ones were filled."""
        shared = [[False] * len(row) for row in sentences]
        for j in range(len(sentences[0]) if sentences else 0):
            pool = [row[j] for row in sentences if row[j] is not None]
            for i, row in enumerate(sentences):
                if row[j] is None and pool:
                    row[j], shared[i][j] = pool[i % len(pool)], True
        return shared

    def fallback_sentence(self, plan: SentencePlan, generator: torch.Generator,
                          attempts: int = 20) -> str | None:
        """A training template stating exactly this plan's slots (periods optional; a
        period phrase cut for a plan held for none), filled
        from the facts, that passes the faithfulness check; None when none does. The
        plainest templates (fewest words of their own) are tried first: a long one carries
        another company's news ("signs definitive agreement to acquire ..."), which no
        number check can catch. Templates within four words of each other are tried in
        random order, so n reports needing a fallback do not all get the same one."""
        pool = templates_stating(plan, self.templates, drop_period=True)
        tie = torch.rand(len(pool), generator=generator).tolist()
        order = sorted(range(len(pool)), key=lambda k: (len(words_of(pool[k])) // 4, tie[k]))
        # ill-formed ones (another company's name) are skipped without using an attempt
        order = [k for k in order if self.well_formed(pool[k], plan.facts)]
        for k in order[:attempts]:
            text = self.accept(pool[k], plan.facts, shaped=True)
            if text is not None:
                return text
        return None

    def plain_sentence(self, plan: SentencePlan) -> str | None:
        """The last resort, when no training template passes either: a plain sentence
        built by rule from the facts (plainwriter.py), under the same word rules and
        filter; None when none passes."""
        for template in plain_templates(plan.facts):
            text = self.accept(template, plan.facts)
            if text is not None:
                return text
        return None



#: "per share" in a sentence's own words: only where a figure of it is one
_PER_SHARE_WORDS = re.compile(r"\bper\s+(?:[a-z]+\s+){0,2}shares?\b", re.I)
#: a word said twice in a row once the slots are written
_STUTTER = re.compile(r"\b([a-z][a-z&'-]*)\s+\1\b", re.I)
#: a name slot right after a metric's words ("net income for the <m0.name>")
_OF_NAME = re.compile(r"\s+(?:for|of|in|on|from)\s+(?:the\s+)?<m\d+\.name>")


def _own_words(facts: FinancialFacts) -> frozenset[str]:
    """The words of the facts' own metric names, counted nouns and qualifiers, which a
    sentence may always use (a qualifier the decoder drops is written back in the fact's
    words: "per vehicle retailed" must pass the word rule though training never said it)."""
    return frozenset(w for m in facts.metrics
                     for w in words_of(f"{m.surface} {m.counted} {m.qualifier or ''}"))


def _unknown_only(facts: FinancialFacts) -> bool:
    return bool(facts.metrics) and all(m.name == "other" for m in facts.metrics)


def word_pairs(text: str) -> set[tuple[str, str]]:
    words = text.split()
    return set(zip(words, words[1:]))
