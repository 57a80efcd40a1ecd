"""Length-grouped batching: every sample once per epoch, batches of similar length."""

import torch

from aigc_sdk.training.trainer import IndexStream


def _epoch(stream: IndexStream) -> list[torch.Tensor]:
    it = iter(stream)
    return [next(it) for _ in range(stream.per_epoch)]


def test_plain_stream_is_a_permutation_per_epoch() -> None:
    batches = _epoch(IndexStream(100, 10, seed=0, rank=0, world=1))
    assert sorted(torch.cat(batches).tolist()) == list(range(100))


def test_length_grouping_keeps_coverage_and_cuts_padding() -> None:
    g = torch.Generator().manual_seed(0)
    lengths = torch.randint(5, 90, (3200,), generator=g).tolist()
    grouped = _epoch(IndexStream(3200, 64, seed=1, rank=0, world=1, lengths=lengths))
    plain = _epoch(IndexStream(3200, 64, seed=1, rank=0, world=1))
    assert sorted(torch.cat(grouped).tolist()) == list(range(3200))

    def padded(batches: list[torch.Tensor]) -> int:
        return sum(len(b) * max(lengths[i] for i in b.tolist()) for b in batches)
    assert padded(grouped) < 0.7 * padded(plain)
    # batch order is shuffled, not sorted from long to short
    maxima = [max(lengths[i] for i in b.tolist()) for b in grouped]
    assert maxima != sorted(maxima, reverse=True)
    again = _epoch(IndexStream(3200, 64, seed=1, rank=0, world=1, lengths=lengths))
    assert all(torch.equal(a, b) for a, b in zip(grouped, again))


def test_length_grouping_shards_ranks_disjointly() -> None:
    lengths = list(range(400))
    a = _epoch(IndexStream(400, 10, seed=0, rank=0, world=2, lengths=lengths))
    b = _epoch(IndexStream(400, 10, seed=0, rank=1, world=2, lengths=lengths))
    seen = torch.cat(a + b).tolist()
    assert len(seen) == len(set(seen)) == 400
