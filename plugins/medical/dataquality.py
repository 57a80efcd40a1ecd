"""Data-quality report of the medical sources, from figures gathered once while reading.

A source feeds a :class:`QualityLog` with each image's raw pixels (hashed and summed,
not kept), the files it could not read and any notes; the report (class balance,
duplicates, split leakage, unreadable files, raw intensity, constant images) then
never re-reads a file, so it stays fast on large sets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import combinations

import numpy as np

from aigc_sdk.dataset import ConditionSpec
from aigc_sdk.quality import QualityReport, Status


class QualityLog:
    """Per-image hash and intensity sums for every split, unreadable files and notes."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.splits: list[str] = []
        self.hashes: list[str] = []
        self.rows: list[np.ndarray] = []  # (k, 5) float64: min, max, sum, sumsq, n
        self.failed: list[tuple[str, str]] = []  # (file, why)
        self.notes: list[tuple[str, Status, str]] = []  # extra checks: (name, status, detail)

    def add(self, raw: np.ndarray, names: Sequence[str], split: str = "") -> None:
        """``raw`` is (N, ...): the pixels as stored, before any scaling."""
        raw = np.ascontiguousarray(raw)
        flat = raw.reshape(len(raw), -1)
        tag = f"{raw.dtype}{raw.shape[1:]}".encode()
        self.hashes += [hashlib.blake2b(tag + r.tobytes(), digest_size=16).hexdigest()
                        for r in flat]
        f = flat.astype(np.float64)
        self.rows.append(np.stack([f.min(1), f.max(1), f.sum(1), (f * f).sum(1),
                                   np.full(len(f), f.shape[1], np.float64)], axis=1))
        self.names += list(names)
        self.splits += [split] * len(raw)

    def assign(self, parts: dict[str, np.ndarray]) -> None:
        """Record the split of each image added so far (by position)."""
        for split, idx in parts.items():
            for i in idx:
                self.splits[i] = split

    def unreadable(self, name: str, why: BaseException | str) -> None:
        if isinstance(why, BaseException):
            why = f"{type(why).__name__}: {why}"[:200]
        self.failed.append((name, why))

    def note(self, name: str, status: Status, detail: str) -> None:
        self.notes.append((name, status, detail))

    def report(self, source: str, kind: str, split: str, spec: ConditionSpec,
               codes: np.ndarray, sample_shape: Sequence[int],
               split_order: Sequence[str] = ("train", "val", "test")) -> QualityReport:
        """Report on the images of ``split`` ("all": every split), whose condition codes
        are ``codes``; leakage is checked between every pair of splits."""
        rep = QualityReport(source=source, kind=kind)
        in_split = np.array([s == split or split == "all" for s in self.splits], bool)
        n = len(codes)
        counts = np.bincount(codes, minlength=len(spec.values))
        rep.summary = {"split": split, "samples": n, "sample shape": list(sample_shape),
                       "condition": spec.name, "classes": ", ".join(spec.values),
                       "images read (all splits)": len(self.names)}
        rep.tables[f"{spec.name} counts ({split})"] = [
            {spec.name: v, "count": int(c), "fraction": round(c / max(1, n), 3)}
            for v, c in zip(spec.values, counts, strict=True)]
        _check_balance(rep, counts, spec.values)
        self._check_duplicates(rep, in_split, split)
        self._check_leakage(rep, split_order)
        self._check_failed(rep)
        self._check_intensity(rep, in_split)
        for name, status, detail in self.notes:
            rep.add(name, status, detail)
        return rep

    def _check_duplicates(self, rep: QualityReport, in_split: np.ndarray, split: str) -> None:
        groups: dict[str, list[str]] = {}
        for i in np.flatnonzero(in_split):
            groups.setdefault(self.hashes[i], []).append(self.names[i])
        dups = [g for g in groups.values() if len(g) > 1]
        if not dups:
            rep.add("duplicates", "ok", f"no identical images in {split}")
            return
        shown = "; ".join(" = ".join(g) for g in dups[:10])
        more = f" (and {len(dups) - 10} more groups)" if len(dups) > 10 else ""
        rep.add("duplicates", "warn", f"{len(dups)} group(s) of identical images, "
                f"{sum(len(g) - 1 for g in dups)} redundant: {shown}{more}")
        rep.tables["duplicate groups"] = [{"group": k, "count": len(g), "images": ", ".join(g)}
                                          for k, g in enumerate(dups)]

    def _check_leakage(self, rep: QualityReport, split_order: Sequence[str]) -> None:
        by_split: dict[str, dict[str, str]] = {}
        for h, s, n in zip(self.hashes, self.splits, self.names, strict=True):
            by_split.setdefault(s, {}).setdefault(h, n)
        leaks = []
        order = [s for s in dict.fromkeys([*split_order, *sorted(by_split)]) if s in by_split]
        for a, b in combinations(order, 2):
            common = by_split[a].keys() & by_split[b].keys()
            if common:
                ex = ", ".join(f"{by_split[a][h]} = {by_split[b][h]}" for h in sorted(common)[:5])
                leaks.append(f"{len(common)} image(s) in both {a} and {b} (e.g. {ex})")
        if len(by_split) > 1:
            rep.add("split leakage", "warn" if leaks else "ok",
                    "; ".join(leaks) or f"no image shared between {', '.join(order)}")

    def _check_failed(self, rep: QualityReport) -> None:
        n_ok, failed = len(self.names), self.failed
        if not failed:
            rep.add("unreadable files", "ok", "every file was read")
            return
        names = ", ".join(n for n, _ in failed[:20]) + (" ..." if len(failed) > 20 else "")
        status = "error" if n_ok == 0 else "warn"
        rep.add("unreadable files", status, f"{len(failed)} skipped: {names}")
        rep.tables["unreadable files"] = [{"file": n, "error": e} for n, e in failed]

    def _check_intensity(self, rep: QualityReport, in_split: np.ndarray) -> None:
        if not self.rows or not in_split.any():
            return
        rows = np.concatenate(self.rows)[in_split]
        n = rows[:, 4].sum()
        mean = rows[:, 2].sum() / n
        std = float(np.sqrt(max(rows[:, 3].sum() / n - mean * mean, 0.0)))
        rep.summary["raw intensity"] = (f"min {rows[:, 0].min():g}, max {rows[:, 1].max():g}, "
                                        f"mean {mean:.4g}, std {std:.4g}")
        const = np.flatnonzero(rows[:, 0] == rows[:, 1])
        if len(const):
            names = [self.names[i] for i in np.flatnonzero(in_split)[const]]
            rep.add("constant images", "warn",
                    f"{len(const)} image(s) have one value only: {', '.join(names[:20])}")
        else:
            rep.add("constant images", "ok", "every image has contrast")


def _check_balance(rep: QualityReport, counts: np.ndarray, values: list[str]) -> None:
    if counts.sum() == 0:
        return
    ratio, lo, hi = counts.min() / counts.max(), int(counts.argmin()), int(counts.argmax())
    detail = f"minority/majority = {ratio:.2f}" + (
        f" ({values[lo]}: {counts[lo]}, {values[hi]}: {counts[hi]})" if lo != hi else "")
    rep.add("class balance", "warn" if ratio < 0.2 else "ok", detail)
