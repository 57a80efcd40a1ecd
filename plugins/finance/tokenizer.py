"""A byte-level BPE tokenizer trained on the user's corpus with HF ``tokenizers``.

Slot tokens (``<m0.value>``...) and the facts-prefix markers are added as special tokens
so BPE never splits them: the decoder emits a slot as one token and constrained decoding
can allow or forbid it by id. Byte-level pre-tokenisation makes decode(encode(t)) == t for
any text, which the template round trip needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

PAD, BOS, EOS, SEP, UNK = "[PAD]", "[BOS]", "[EOS]", "[SEP]", "[UNK]"
BASE_SPECIALS = [PAD, BOS, EOS, SEP, UNK]


class ReportTokenizer:
    """Thin wrapper: ids for the specials, encode without added tokens, decode exactly."""

    def __init__(self, tok) -> None:  # noqa: ANN001 - a tokenizers.Tokenizer
        self.tok = tok
        self.pad_id, self.bos_id, self.eos_id, self.sep_id, self.unk_id = (
            tok.token_to_id(t) for t in BASE_SPECIALS)

    @classmethod
    def train(cls, texts: Iterable[str], specials: list[str], vocab_size: int = 2000
              ) -> ReportTokenizer:
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

        tok = Tokenizer(models.BPE(unk_token=UNK))
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size, special_tokens=BASE_SPECIALS + specials,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
        tok.train_from_iterator(texts, trainer=trainer)
        return cls(tok)

    @classmethod
    def load(cls, path: str | Path) -> ReportTokenizer:
        from tokenizers import Tokenizer

        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(
                f"{p}: tokenizer.json not found; a report_vae bundle keeps it in assets/, "
                "and generator.tokenizer_path must name a tokenizer.json file"
            )
        return cls(Tokenizer.from_file(str(p)))

    def save(self, path: str | Path) -> None:
        self.tok.save(str(path))

    @property
    def vocab_size(self) -> int:
        return self.tok.get_vocab_size()

    def encode(self, text: str) -> list[int]:
        return self.tok.encode(text, add_special_tokens=False).ids

    def token_id(self, token: str) -> int | None:
        return self.tok.token_to_id(token)

    def decode(self, ids: list[int]) -> str:
        return self.tok.decode(ids, skip_special_tokens=False)
