"""``finance.report_vae``: financial report text from facts by a conditional text VAE.

Training: every sentence of every report becomes (facts of that sentence, template); a
BPE tokenizer is trained on them (or loaded from a local path); the Trainer runs the
variational recipe. Generation: the facts are planned into one sentence per metric, z
is drawn per sentence, the decoder writes a template under slot constraints, the
template is filled with exactly formatted numbers, and the faithfulness filter checks
the sentence; rejected sentences are redrawn with a new z up to ``max_tries`` times
(writing.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import torch
from pydantic import Field, model_validator

from aigc_plugins.finance.decoding import WordGate
from aigc_plugins.finance.facts import FinancialFacts
from aigc_plugins.finance.network import TextCVAE
from aigc_plugins.finance.planning import (
    describe,
    local_slots,
    localise,
    words_of,
)
from aigc_plugins.finance.tokenizer import ReportTokenizer
from aigc_plugins.finance.writing import SentenceWriter
from aigc_sdk.dataset import DataSchema, Dataset
from aigc_sdk.generator import Generator, GeneratorConfig
from aigc_sdk.quality import QualityReport
from aigc_sdk.samples import Samples
from aigc_sdk.training import Recipe, TrainConfig, VariationalConfig, variational_recipe


class ReportVAEConfig(GeneratorConfig):
    latent_dim: int = Field(32, ge=0, description="0 trains the same decoder without z")
    prefix_len: int = 2
    d_model: int = 192
    enc_layers: int = 2
    dec_layers: int = 4
    heads: int = 4
    max_len: int = 96
    vocab_size: int = Field(2000, description="BPE vocabulary trained on the corpus")
    tokenizer_path: str | None = Field(None, description="a local tokenizer.json to use")
    n_vocab: int | None = Field(None, description="set by training; the tokenizer's size")
    vae: VariationalConfig = Field(default_factory=VariationalConfig)
    max_new_tokens: int = 40
    max_tries: int = Field(10, ge=1, description="draws per sentence before giving up")
    distinct: bool = Field(True, description="redraw a sentence whose wording mostly repeats "
                           "the same sentence of another of the n reports (the most novel draw "
                           "is kept if none is novel enough): n wordings")
    min_novelty: float = Field(0.5, ge=0.0, le=1.0, description=(
        "with ``distinct``: the share of a sentence's word pairs that no other report's "
        "sentence for the same facts uses, below which it is redrawn"))
    # Counted in companies, not calls: a company's name recurs in each of its calls
    # ("verizon" in one call, "constellation" in two), so 5 calls were needed to keep
    # names out, and that also dropped plain words (release 0.952 -> 0.935, v14 bundle)
    min_word_companies: int = Field(2, ge=1, description=(
        "a generated word must be one the training sentences of this many different "
        "companies use (ticker, else company name, else the source record), or a word of "
        "the facts' own metric names: 2 keeps other companies' and products' names out; "
        "1 allows every training word"))
    state_qualifiers: bool = Field(True, description=(
        "a draw that leaves out a qualifier its fact holds (\"at constant currency\", "
        "\"from continuing operations\") gets it written after the metric's number, then "
        "is checked again: the decoder drops qualifiers it has seen a few times"))
    state_counted: bool = Field(True, description=(
        "likewise for a count written without the noun its fact counts, or with another "
        "(\"570,000 units\" for boe): the fact's noun is written after it, then checked"))
    word_gate: bool = Field(True, description=(
        "keep to those words while decoding (a token is drawn only when its word can still "
        "become an allowed one) instead of redrawing a finished sentence that has another"))
    plain_unknown: bool = Field(True, description=(
        "a sentence whose metrics are all outside the synonym table uses only plain "
        "framing words besides the facts' own (wellformed.PLAIN): the corpus has few "
        "sentences about any one such metric, and the decoder fills them with others' words"))

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        # bundles before min_word_companies: the setting only chose the saved words.json
        if isinstance(data, dict) and "min_word_calls" in data:
            data = {k: v for k, v in data.items() if k != "min_word_calls"}
        return data

    novelty_tries: int = Field(4, ge=0, description=(
        "with ``distinct``: redraws for novelty per sentence once a faithful draw is in hand "
        "(a sentence of facts alone, \"q3 eps $2.15.\", has no other wording to find)"))
    diversity_penalty: float = Field(2.0, ge=0.0, description=(
        "with ``distinct``: logits subtracted from the tokens the other reports' sentences "
        "for the same facts already use, when a sentence is redrawn for novelty (never "
        "while it has no faithful draw yet: the penalty must not cost releases)"))
    # 0.7 rather than 1.0: on ECTSum val one draw per sentence passed the filter 92% of the
    # time against 84% (non-words almost vanish); ``distinct`` keeps the n reports varied
    temperature: float = 0.7
    top_p: float = 0.9
    min_p: float = Field(0.05, description=(
        "never draw a token less likely than min_p times the most likely one, judged "
        "before the word and slot rules: a rule that bans what the model wants otherwise "
        "forces its least likely words (\"from ReDuction Compared gain\"); 0 = off"))
    share_sentences: bool = Field(True, description=(
        "a sentence that no draw of one report could state faithfully is taken from another "
        "report of the same facts that did (reports then differ in their other sentences); "
        "such reports say so in 'shared'"))
    fallback: bool = Field(True, description=(
        "when every draw of a sentence fails, fill a training template (numbers removed) "
        "with the same slots that passes the filter; such reports say so in 'fallback'. "
        "The templates are stored in the bundle"))
    plain_fallback: bool = Field(True, description=(
        "when no training template passes either, try a plain sentence built by rule from "
        "the facts (plainwriter.py), under the same word rules and filter; counted as a "
        "fallback sentence, and also in 'plain'"))


class TokenDataset(Dataset):
    """(facts, template) token sequences the variational recipe trains on."""

    def __init__(self, path: str | Path, ids: list[list[int]], n_src: list[int], pad: int,
                 schema: DataSchema) -> None:
        super().__init__(path)
        self.ids, self.n_src, self.pad, self._schema = ids, n_src, pad, schema

    @classmethod
    def accepts(cls, path: Path) -> bool:
        return False  # built by ReportVAE.prepare, never opened from a path

    @property
    def schema(self) -> DataSchema:
        return self._schema

    def quality_report(self) -> QualityReport:
        raise NotImplementedError("check the source records' quality report instead")

    def __len__(self) -> int:
        return len(self.ids)

    def lengths(self) -> list[int]:
        return [len(ids) for ids in self.ids]

    def get_batch(self, indices: torch.Tensor) -> dict[str, torch.Tensor]:
        rows = [self.ids[int(i)] for i in indices]
        out = torch.full((len(rows), max(map(len, rows))), self.pad, dtype=torch.long)
        for r, ids in enumerate(rows):
            out[r, :len(ids)] = torch.tensor(ids)
        return {"ids": out, "n_src": torch.tensor([self.n_src[int(i)] for i in indices])}


def common_words(records: Any, min_companies: int) -> set[str]:
    """Words that the number-stating sentences of at least ``min_companies`` different
    companies use: a company's or product's name ("verizon", "lannett") is one company's
    word, and a generator that borrows it states another company's figures."""
    users: dict[str, set[str]] = {}
    for rec in records:
        who = rec.facts.ticker or rec.facts.company or getattr(rec, "source", "") or str(id(rec))
        for template in rec.templates:
            if (loc := localise(template, rec.facts)) is not None:
                for w in words_of(loc[0]):
                    users.setdefault(w, set()).add(who)
    return {w for w, who in users.items() if len(who) >= min_companies}


def training_pairs(records: Any) -> list[tuple[str, str]]:
    """(conditioning text, local template) for every sentence that states a number."""
    pairs = []
    for rec in records:
        for template in rec.templates:
            loc = localise(template, rec.facts)
            if loc is not None:
                pairs.append((describe(loc[1].facts), loc[0]))
    return pairs


class ReportVAE(SentenceWriter, Generator):
    Config: ClassVar[type[GeneratorConfig]] = ReportVAEConfig
    saved_modules = ("vae",)
    intended_use = (
        "Drafting routine report sentences (results, guidance) from facts a person has "
        "verified, for analysts who review every draft before it is published."
    )
    limitations = (
        "Writes only what its facts hold, one sentence per metric: no analysis, causes or "
        "outlook beyond the facts. Numbers are filled from the facts and checked by the "
        "faithfulness filter; metric wording and direction words come from the model and "
        "are checked against a synonym table that can miss unusual metric names."
    )

    def __init__(self, config: GeneratorConfig, schema: DataSchema, name: str = "") -> None:
        super().__init__(config, schema, name or "finance.report_vae")
        self.tokenizer: ReportTokenizer | None = None
        self.net: TextCVAE | None = None
        # Words of the training sentences: byte-level BPE can spell non-words ("reletions"),
        # and a sentence with one is redrawn like an unfaithful one.
        self.words: set[str] | None = None
        self._direction_ids: dict[str, set[int]] | None = None
        self._blank_ids: set[int] | None = None
        self._gates: dict[frozenset[str], WordGate] = {}  # by the facts' own name words
        self._pieces: list[str] = []
        self.templates: list[str] = []  # training templates for the fallback
        if self.cfg.n_vocab:
            self._build(self.cfg.n_vocab)

    def _build(self, n_vocab: int) -> None:
        c = self.cfg
        self.net = TextCVAE(n_vocab, pad_id=0, unk_id=4, latent_dim=c.latent_dim,
                            d_model=c.d_model, enc_layers=c.enc_layers,
                            dec_layers=c.dec_layers, heads=c.heads, max_len=c.max_len,
                            prefix_len=c.prefix_len)

    # -- training -------------------------------------------------------------------
    def prepare(self, dataset: Dataset) -> Dataset:
        records = [dataset[i] for i in range(len(dataset))]
        if not records or not hasattr(records[0], "templates"):
            raise ValueError(
                f"{dataset.path}: finance.report_vae trains on report records (facts + text); "
                "use --dataset finance.ectsum, finance.tatqa, finance.jsonl or finance.csv"
            )
        pairs = training_pairs(records)
        self.words = common_words(records, self.cfg.min_word_companies)
        self.templates = sorted({tgt for _, tgt in pairs}) if self.cfg.fallback else []
        if self.cfg.tokenizer_path:
            self.tokenizer = ReportTokenizer.load(self.cfg.tokenizer_path)
        else:
            texts = [t for pair in pairs for t in pair]
            self.tokenizer = ReportTokenizer.train(texts, local_slots(), self.cfg.vocab_size)
        self._direction_ids = self._blank_ids = None
        self._gates = {}
        out = self._tokenise(pairs, dataset.path)
        self.config = self.cfg.model_copy(update={"n_vocab": self.tokenizer.vocab_size})
        self._build(self.tokenizer.vocab_size)
        self.card["data_pairs"] = {"sentences": len(out), "reports": len(records),
                                   "skipped_too_long": len(pairs) - len(out)}
        return out

    def prepare_eval(self, records: Any) -> TokenDataset:
        """Held-out records as token sequences, with this model's tokenizer."""
        return self._tokenise(training_pairs(records), Path("heldout"))

    def _tokenise(self, pairs: list[tuple[str, str]], where: Path) -> TokenDataset:
        tok = self.tokenizer
        ids, n_src = [], []
        for src, tgt in pairs:
            s = [tok.bos_id, *tok.encode(src), tok.sep_id]
            seq = s + tok.encode(tgt) + [tok.eos_id]
            if len(seq) <= self.cfg.max_len:
                ids.append(seq)
                n_src.append(len(s))
        if not ids:
            raise ValueError(f"{where}: no sentence with a number fits max_len "
                             f"{self.cfg.max_len}")
        return TokenDataset(where, ids, n_src, tok.pad_id, self.schema)

    def modules(self) -> dict[str, torch.nn.Module]:
        if self.net is None:
            raise RuntimeError("finance.report_vae has no networks before prepare(dataset)")
        return {"vae": self.net}

    def recipe(self, train: TrainConfig) -> Recipe:
        return variational_recipe(self.modules()["vae"], self.cfg.vae, train.steps)

    def save_assets(self, directory: Path) -> list[str]:
        if self.tokenizer is None:
            return []
        self.tokenizer.save(directory / "tokenizer.json")
        names = ["tokenizer.json"]
        if self.words is not None:
            (directory / "words.json").write_text(json.dumps(sorted(self.words)))
            names.append("words.json")
        if self.templates:
            (directory / "templates.json").write_text(json.dumps(self.templates))
            names.append("templates.json")
        return names

    def load_assets(self, directory: Path) -> None:
        self.tokenizer = ReportTokenizer.load(directory / "tokenizer.json")
        self._direction_ids = self._blank_ids = None
        self._gates = {}
        templates = directory / "templates.json"
        self.templates = json.loads(templates.read_text()) if templates.is_file() else []
        words = directory / "words.json"
        self.words = set(json.loads(words.read_text())) if words.is_file() else None

    @torch.no_grad()
    def generate(self, n: int, condition: Mapping[str, Any] | FinancialFacts | None = None,
                 seed: int | None = None, temperature: float | None = None,
                 top_p: float | None = None) -> Samples:
        if condition is None:
            raise ValueError("finance.report_vae needs facts: pass condition=FinancialFacts "
                             "or its dict (CLI: --facts facts.json)")
        facts = (condition if isinstance(condition, FinancialFacts)
                 else FinancialFacts.model_validate(dict(condition)))
        if seed is None:
            seed = int(torch.randint(0, 2**31 - 1, (1,)).item())
        reports = self.write(facts, n, seed, temperature, top_p)
        meta = [{"generator": self.name, "bundle_hash": self.bundle_hash, "seed": seed,
                 "index": i, "condition": {"facts": json.loads(facts.model_dump_json())},
                 "released": r["released"], "tries": r["tries"], "coverage": r["coverage"],
                 "fallback_sentences": r["fallback"], "plain_sentences": r["plain"],
                 "shared_sentences": r["shared"],
                 "findings": r["findings"]} for i, r in enumerate(reports)]
        return Samples([r["text"] for r in reports], meta, TEXT_EXPORTERS)


def export_txt(samples: Samples, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(samples.data):
        p = out / f"report_{i:04d}.txt"
        p.write_text(str(text) + "\n")
        paths.append(p)
    return paths


def export_jsonl(samples: Samples, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    p = out / "reports.jsonl"
    with p.open("w") as fh:
        for text, meta in zip(samples.data, samples.metadata):
            fh.write(json.dumps({"text": text, **meta}, default=str) + "\n")
    return [p]


TEXT_EXPORTERS = {"txt": export_txt, "jsonl": export_jsonl}
