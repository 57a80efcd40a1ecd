"""One training loop for every generator; the generator's recipe decides the steps.

HF Accelerate supplies device placement, autocast, fp16 loss scaling and distribution,
so ``torchrun`` / ``accelerate launch`` run this same code data-parallel. The batch order
is derived from (seed, epoch) and the RNG state is checkpointed, so a resumed run reaches
the same weights as an uninterrupted one.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import BaseModel, ConfigDict, Field

from aigc_sdk.dataset import Dataset
from aigc_sdk.generator import Generator
from aigc_sdk.training.allocator import keep_freed_memory
from aigc_sdk.training.callbacks import Callback, MetricsLog
from aigc_sdk.training.checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint
from aigc_sdk.training.device import pick_device, pick_precision
from aigc_sdk.training.ema import EMA
from aigc_sdk.training.recipe import Recipe
from aigc_sdk.training.schedule import LRSchedule


class TrainConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: int = Field(2000, ge=1)
    max_minutes: float | None = Field(None, description="stop early when this time is spent")
    batch_size: int = Field(64, ge=1, description="per process, per micro-batch")
    grad_accum: int = Field(1, ge=1)
    device: str = "auto"
    precision: Literal["auto", "no", "bf16", "fp16"] = "auto"
    seed: int = 0
    ema_decay: float = Field(0.999, ge=0, lt=1)
    ema_warmup: Literal["steps", "debiased"] = Field("steps", description=(
        "steps: the decay is capped at (1+step)/(10+step), below 0.999 until step 8990, so "
        "short runs average only their last ~11% of steps; debiased: a zero-started average "
        "divided by 1-decay**t, whose window reaches 1/(1-decay) steps (see EMA)"))
    lr_schedule: Literal["constant", "cosine"] = Field("constant", description=(
        "cosine: every optimiser's learning rate falls from its own value to 0 along a "
        "half cosine over the run (steps, or the steps max_minutes allows, estimated at "
        "every log)"))
    log_every: int = Field(50, ge=1)
    checkpoint_every: int = Field(500, ge=0, description="0 writes only the final checkpoint")
    keep_checkpoints: int = 2
    progress: bool = True
    tensorboard: bool = True
    deterministic: bool = False
    keep_freed_memory: bool = Field(
        True, description="CPU on Linux: keep freed tensor memory in the heap (fewer page faults)"
    )


def make_accelerator(device: str, precision: str) -> Any:
    from accelerate import Accelerator
    from accelerate.state import AcceleratorState

    state = AcceleratorState._shared_state
    launched = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if state and not launched and state.get("_mixed_precision") != precision:
        # Outside a distributed launch the process may train several models in turn
        # (tests, benchmarks) with different precision: start Accelerate afresh.
        AcceleratorState._reset_state(True)
    return Accelerator(cpu=device == "cpu", mixed_precision=precision)


class IndexStream:
    """Batches of indices: a fresh permutation per epoch from (seed, epoch), sharded by rank.

    With ``lengths`` (samples of varying length, e.g. token sequences padded per batch),
    each run of ``GROUP`` batches of the permutation is sorted by length before it is cut
    into batches, and the batches are shuffled: batches hold samples of similar length,
    so far less padding is computed, while every epoch still sees every sample once in
    random batches (the length-grouped sampling of ``transformers``' Trainer)."""

    GROUP = 50

    def __init__(self, n: int, batch_size: int, seed: int, rank: int, world: int,
                 lengths: Sequence[int] | None = None) -> None:
        if n < batch_size * world:
            raise ValueError(
                f"dataset has {n} samples, fewer than one batch ({batch_size} x {world} "
                "processes): lower batch_size in the train config"
            )
        self.n, self.bs, self.seed, self.rank, self.world = n, batch_size, seed, rank, world
        self.per_epoch = n // (batch_size * world)
        self.position = 0  # batches consumed since the start
        if lengths is not None and len(lengths) != n:
            raise ValueError(f"lengths has {len(lengths)} entries for {n} samples")
        self.lengths = None if lengths is None else torch.as_tensor(lengths)

    def _epoch_order(self, e: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(self.seed * 100_003 + e)
        perm = torch.randperm(self.n, generator=g)
        if self.lengths is None:
            return perm
        step = self.bs * self.world
        used = perm[:self.per_epoch * step]
        chunks = [c[self.lengths[c].argsort(descending=True, stable=True)]
                  for c in used.split(self.GROUP * step)]
        batches = torch.cat(chunks).view(self.per_epoch, step)
        return batches[torch.randperm(self.per_epoch, generator=g)].flatten()

    def __iter__(self) -> Iterator[torch.Tensor]:
        perm, epoch = None, -1
        while True:
            e, b = divmod(self.position, self.per_epoch)
            if e != epoch:
                perm, epoch = self._epoch_order(e), e
            start = (b * self.world + self.rank) * self.bs
            self.position += 1
            yield perm[start:start + self.bs]


class Trainer:
    def __init__(
        self,
        generator: Generator,
        dataset: Dataset,
        config: TrainConfig | None = None,
        out_dir: str | Path = "runs/train",
        callbacks: Sequence[Callback] = (),
    ) -> None:
        self.generator = generator
        self.dataset = dataset
        self.config = config or TrainConfig()
        self.out_dir = Path(out_dir)
        self.device = pick_device(self.config.device)
        self.precision = pick_precision(self.config.precision, self.device)
        self.metrics = MetricsLog(self.out_dir / "metrics.jsonl", self.config.tensorboard)
        self.callbacks: list[Callback] = [self.metrics, *callbacks]
        self.step = 0
        self.accelerator: Any = None
        self.elapsed_s = 0.0

    @property
    def is_main(self) -> bool:
        return self.accelerator is None or self.accelerator.is_main_process

    @property
    def checkpoint_dir(self) -> Path:
        return self.out_dir / "checkpoints"

    def _setup(self) -> Recipe:
        from accelerate.utils import set_seed

        cfg = self.config
        self.accelerator = acc = make_accelerator(self.device, self.precision)
        set_seed(cfg.seed, device_specific=True)
        if cfg.deterministic:
            torch.use_deterministic_algorithms(True, warn_only=True)
        if self.device == "cpu" and cfg.keep_freed_memory:
            keep_freed_memory()
        recipe = self.generator.recipe(cfg)
        for m in recipe.modules.values():
            m.to(acc.device)
        self._raw = dict(recipe.modules)
        if acc.num_processes > 1:  # DDP only where there is more than one process
            for name in recipe.owners:
                for mod in recipe.owners[name]:
                    recipe.modules[mod] = acc.prepare_model(recipe.modules[mod])
        if self.precision == "fp16" or acc.num_processes > 1:
            # Accelerate's optimizer wrapper carries the fp16 loss scaler; elsewhere it only
            # cost time (measured: 10.7 vs 8.6 s for 100 GAN steps), so plain ones are kept.
            for name, opt in recipe.optimizers.items():
                recipe.optimizers[name] = acc.prepare_optimizer(opt)
        return recipe

    def _checkpoint_objects(self, recipe: Recipe) -> dict[str, Any]:
        objs: dict[str, Any] = dict(recipe.optimizers)
        scaler = getattr(self.accelerator, "scaler", None)
        if scaler is not None:
            objs["grad_scaler"] = scaler
        return objs

    def fit(self, resume: bool = False) -> list[dict[str, Any]]:
        cfg = self.config
        self.dataset = self.generator.prepare(self.dataset)
        recipe = self.recipe = self._setup()
        acc = self.accelerator
        stream = IndexStream(
            len(self.dataset), cfg.batch_size, cfg.seed, acc.process_index, acc.num_processes,
            self.dataset.lengths(),
        )
        if resume:
            ckpt = latest_checkpoint(self.checkpoint_dir)
            if ckpt is None:
                raise FileNotFoundError(
                    f"--resume: no checkpoint under {self.checkpoint_dir}; "
                    "run without --resume to start fresh"
                )
            state = load_checkpoint(ckpt, self._raw, self._checkpoint_objects(recipe))
            self.step, stream.position = state["step"], state["data_position"]
            self.elapsed_s = state.get("elapsed_s", 0.0)
            self.metrics.history = list(state.get("history", []))
        for cb in self.callbacks:
            cb.on_train_start(self)
        self._loop(recipe, stream)
        with torch.no_grad():
            self.generator.after_training(self.dataset)
        self.save_checkpoint(recipe, stream)
        for cb in self.callbacks:
            cb.on_train_end(self)
        for mod in self._raw.values():  # leave plain modules on the generator
            mod.eval() if isinstance(mod, EMA) else mod.train()
        self.generator.card["training"] = {
            **cfg.model_dump(), "device": self.device, "precision": self.precision,
            "steps_done": self.step, "processes": acc.num_processes,
            "train_minutes": round(self.elapsed_s / 60, 2),
        }
        return self.metrics.history

    def close(self) -> None:
        """End a distributed run cleanly: every rank waits, then the process group goes.
        Exiting while a peer still works made gloo abort ("terminate called without an
        active exception")."""
        acc = self.accelerator
        if acc is not None and acc.num_processes > 1:
            import torch.distributed as dist

            acc.wait_for_everyone()
            if dist.is_initialized():
                dist.destroy_process_group()

    def save_checkpoint(self, recipe: Recipe, stream: IndexStream) -> Path | None:
        self.accelerator.wait_for_everyone()
        if not self.is_main:
            return None
        state = {"data_position": stream.position, "elapsed_s": self.elapsed_s,
                 "history": self.metrics.history}
        path = save_checkpoint(self.checkpoint_dir, self.step, self._raw,
                               self._checkpoint_objects(recipe), state,
                               self.config.keep_checkpoints)
        for cb in self.callbacks:
            cb.on_checkpoint(self, path)
        return path

    def _loop(self, recipe: Recipe, stream: IndexStream) -> None:
        cfg = self.config
        batches = iter(stream)
        averaged = [(self._raw[src], self._raw[dst]) for src, dst in recipe.ema_pairs()]
        progress = _progress(cfg.progress and self.is_main, cfg.steps, self.step)
        t_start = time.perf_counter() - self.elapsed_s
        self._start_step, self._start_elapsed = self.step, self.elapsed_s
        schedule = LRSchedule(recipe.optimizers.values(), cfg.steps, cfg.lr_schedule)
        sums: dict[str, torch.Tensor] = {}
        count = 0
        with progress as bar:
            task = bar.add_task("train", total=cfg.steps, completed=self.step) if bar else None
            while self.step < cfg.steps:
                micro = [self._batch(next(batches)) for _ in range(cfg.grad_accum)]
                schedule.apply(self.step)
                logs = self._train_step(recipe, micro)
                for source, ema in averaged:
                    ema.update(source, cfg.ema_decay, self.step, cfg.ema_warmup)
                self.step += 1
                for k, v in logs.items():
                    sums[k] = sums[k] + v if k in sums else v.float().clone()
                count += 1
                if self.step % cfg.log_every == 0 or self.step == cfg.steps:
                    self.elapsed_s = time.perf_counter() - t_start
                    means = {k: round(float(v) / count, 5) for k, v in sums.items()}
                    means["seconds"] = round(self.elapsed_s, 2)
                    sums, count = {}, 0
                    for cb in self.callbacks:
                        cb.on_log(self, self.step, means)
                    if bar:
                        shown = " ".join(f"{k}={v:.3f}" for k, v in means.items() if k != "seconds")
                        bar.update(task, completed=self.step, description=shown)
                if cfg.checkpoint_every and self.step % cfg.checkpoint_every == 0:
                    self.elapsed_s = time.perf_counter() - t_start
                    self.save_checkpoint(recipe, stream)
                if cfg.max_minutes and self.step % cfg.log_every == 0:
                    stop, horizon = self._time_check(time.perf_counter() - t_start)
                    if stop:
                        break
                    schedule.horizon = min(cfg.steps, horizon)
        self.elapsed_s = time.perf_counter() - t_start

    def _time_check(self, elapsed: float) -> tuple[bool, int]:
        """Whether max_minutes is spent, and the step it will be spent at at this pace.
        Rank 0 decides, so every process stops at the same step and anneals alike."""
        budget = self.config.max_minutes * 60  # type: ignore[operator]
        done = self.step - self._start_step
        pace = (elapsed - self._start_elapsed) / max(1, done)
        horizon = self.step + (budget - elapsed) / pace if pace > 0 else self.config.steps
        # float32 (MPS has no float64): exact for step counts up to 16 million
        state = torch.tensor([float(elapsed > budget), float(min(horizon, 2**24))],
                             device=self.accelerator.device)
        if self.accelerator.num_processes > 1:
            from accelerate.utils import broadcast

            state = broadcast(state, from_process=0)
        return bool(state[0].item()), max(self.step, round(float(state[1].item())))

    def _batch(self, idx: torch.Tensor) -> dict[str, torch.Tensor]:
        batch = self.dataset.get_batch(idx)
        dev = self.accelerator.device
        return {k: v.to(dev, non_blocking=True) for k, v in batch.items()}

    def _train_step(self, recipe: Recipe, micro: list[dict[str, torch.Tensor]]) -> dict:
        acc = self.accelerator
        logs: dict[str, torch.Tensor] = {}
        k = len(micro)
        for phase in recipe.phases:
            if self.step % phase.every:
                continue
            opt = recipe.optimizers[phase.optimizer]
            opt.zero_grad(set_to_none=True)
            owned = [recipe.modules[m] for m in recipe.owners.get(phase.optimizer, [])]
            for i, batch in enumerate(micro):
                sync = contextlib.ExitStack()
                if i < k - 1 and acc.num_processes > 1:
                    for mod in owned:
                        sync.enter_context(acc.no_sync(mod))
                amp = acc.autocast() if phase.autocast else contextlib.nullcontext()
                with sync, amp:
                    loss, phase_logs = phase.loss(batch, recipe.modules, self.step)
                acc.backward(loss / k if k > 1 else loss)
                for name, v in phase_logs.items():
                    logs[name] = logs[name] + v / k if name in logs else v / k
            if phase.clip_grad_norm:
                params = [p for mod in owned for p in mod.parameters()]
                acc.clip_grad_norm_(params, phase.clip_grad_norm)
            opt.step()
        return logs


@contextlib.contextmanager
def _progress(enabled: bool, total: int, done: int) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), transient=False,
    ) as bar:
        yield bar
