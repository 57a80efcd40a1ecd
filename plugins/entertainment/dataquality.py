"""Data-quality report of the sprite sources: what would spoil a character generator.

Sprites fail in their own ways: a frame that is all transparent (an empty cell of a
sheet), a frame with no transparency (alpha lost on export, so the model learns a box),
soft alpha, the same character twice, views of different sizes, a rare attribute value.
Sources note what they see while reading (unreadable files, conversions, left-out
characters) in a :class:`SpriteLog`; :func:`sprite_report` adds the checks on pixels.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from aigc_sdk.dataset import ConditionSpec
from aigc_sdk.quality import QualityReport, Status

MIN_BALANCE = 0.2  # a value with fewer than 20% of the largest class's count is flagged
MAX_TABLE_VALUES = 50  # per-value count tables for conditions with at most this many values
SOFT_ALPHA = 0.25  # share of visible pixels that are semi-transparent before we warn
_SHOWN = 20


class SpriteLog:
    """What a source saw while reading: unreadable files, frame sizes and notes."""

    def __init__(self) -> None:
        self.failed: list[tuple[str, str]] = []  # (file, why)
        self.notes: list[tuple[str, Status, str]] = []  # (check name, status, detail)

    def unreadable(self, name: str, why: BaseException | str) -> None:
        if isinstance(why, BaseException):
            why = f"{type(why).__name__}: {why}"
        self.failed.append((name, why[:200]))

    def note(self, name: str, status: Status, detail: str) -> None:
        self.notes.append((name, status, detail))

    def sizes(self, sizes: Mapping[str, tuple[int, int]], target: tuple[int, int],
              resized: bool) -> None:
        """Record frame sizes (h, w): resized ones are a note, differing ones an error
        (the source left them out, so the user must choose a size)."""
        odd = {n: s for n, s in sizes.items() if s != target}
        if not odd:
            self.note("frame size", "ok", f"every frame is {_hw(target)} (h x w)")
            return
        seen = ", ".join(f"{_hw(s)} x{c}" for s, c in Counter(sizes.values()).most_common())
        names = _list(odd)
        if resized:
            self.note("frame size", "warn", f"frames of several sizes ({seen}); {len(odd)} "
                      f"resized to {_hw(target)} with nearest neighbour: {names}")
        else:
            self.note("frame size", "error", f"frames of several sizes ({seen}); {len(odd)} "
                      f"not {_hw(target)} were left out: {names}. Pass size=(h, w) to resize "
                      "them all, or fix the files")


def character_hashes(images: np.ndarray) -> list[str]:
    """One hash per character (N, V, H, W, 4) uint8, of its canonical pixels: RGB hidden
    under alpha 0 does not count, so two characters that look the same hash the same."""
    rgba = np.ascontiguousarray(images, dtype=np.uint8)
    rgba = rgba * (rgba[..., 3:] > 0)  # alpha 0 makes the whole pixel 0
    tag = f"{rgba.shape[1:]}".encode()
    return [hashlib.blake2b(tag + c.tobytes(), digest_size=16).hexdigest() for c in rgba]


def sprite_report(source: str, kind: str, images: np.ndarray, views: Sequence[str], *,
                  names: Sequence[str] | None = None, conditions: Sequence[ConditionSpec] = (),
                  codes: np.ndarray | None = None, log: SpriteLog | None = None,
                  split: str = "all",
                  other_splits: Mapping[str, Sequence[str]] | None = None) -> QualityReport:
    """Report on characters ``images`` (N, V, H, W, 4) uint8 RGBA with straight alpha.

    ``names`` label characters in findings; ``codes`` (N, K) are the condition codes;
    ``other_splits`` maps each other split to its :func:`character_hashes`, for leakage.
    """
    if images.ndim != 5 or images.shape[-1] != 4:
        raise ValueError(f"{source}: expected characters (N, V, H, W, 4), got {images.shape}")
    n, v, h, w, _ = images.shape
    names = list(names) if names is not None else [str(i) for i in range(n)]
    log = log or SpriteLog()
    rep = QualityReport(source=source, kind=kind)
    rep.summary = {"split": split, "characters": n, "views": f"{v} ({', '.join(views)})",
                   "frame size (h x w)": _hw((h, w)),
                   "conditions": ", ".join(f"{c.name} ({len(c.values)})" for c in conditions)
                   or "none"}
    if n == 0:
        rep.add("characters", "error", f"no characters in split {split!r}")
    _check_alpha(rep, images, views, names)
    hashes = character_hashes(images)
    _check_duplicates(rep, hashes, names, split)
    if other_splits:
        _check_leakage(rep, hashes, names, split, other_splits)
    if conditions and codes is not None:
        for k, spec in enumerate(conditions):
            _check_balance(rep, np.asarray(codes)[:, k], spec, split)
    _check_failed(rep, log)
    for name, status, detail in log.notes:
        rep.add(name, status, detail)
    return rep


def _check_alpha(rep: QualityReport, images: np.ndarray, views: Sequence[str],
                 names: Sequence[str]) -> None:
    alpha = images[..., 3]
    cover = (alpha > 0).mean(axis=(2, 3))  # (N, V): visible share of each frame
    semi = ((alpha > 0) & (alpha < 255)).sum(axis=(2, 3))
    if cover.size:
        rep.tables["alpha coverage per view"] = [
            {"view": view, "mean": round(float(cover[:, k].mean()), 3),
             "min": round(float(cover[:, k].min()), 3), "max": round(float(cover[:, k].max()), 3)}
            for k, view in enumerate(views)]
    frame = [f"{names[i]}[{views[k]}]" for i, k in np.argwhere(cover == 0)]
    if frame:
        rep.add("empty frames", "error", f"{len(frame)} frame(s) are fully transparent "
                f"(an empty sheet cell or a wrong view order?): {_list(frame)}")
    else:
        rep.add("empty frames", "ok", "every frame shows something")
    full = [f"{names[i]}[{views[k]}]" for i, k in np.argwhere(cover == 1)]
    if full:
        rep.add("alpha", "warn", f"{len(full)} frame(s) have no transparent pixel: alpha "
                f"probably missing (saved without it, or an opaque background): {_list(full)}")
    else:
        rep.add("alpha", "ok", "every frame has transparent background")
    visible = int((alpha > 0).sum())
    share = float(semi.sum()) / max(1, visible)
    rep.summary["semi-transparent pixels"] = f"{share:.2%} of visible pixels"
    status: Status = "warn" if share > SOFT_ALPHA else "ok"
    rep.add("soft alpha", status, f"{share:.2%} of visible pixels are semi-transparent" + (
        " (antialiased or premultiplied art? exports threshold alpha, which will change "
        "its look)" if status == "warn" else ""))


def _check_duplicates(rep: QualityReport, hashes: Sequence[str], names: Sequence[str],
                      split: str) -> None:
    groups: dict[str, list[str]] = {}
    for h, name in zip(hashes, names):
        groups.setdefault(h, []).append(name)
    dups = [g for g in groups.values() if len(g) > 1]
    if not dups:
        rep.add("duplicates", "ok", f"no identical characters in {split}")
        return
    shown = "; ".join(" = ".join(g) for g in dups[:10])
    more = f" (and {len(dups) - 10} more groups)" if len(dups) > 10 else ""
    rep.add("duplicates", "warn", f"{len(dups)} group(s) of identical characters, "
            f"{sum(len(g) - 1 for g in dups)} redundant: {shown}{more}")
    rep.tables["duplicate characters"] = [
        {"group": k, "count": len(g), "characters": ", ".join(g)} for k, g in enumerate(dups)]


def _check_leakage(rep: QualityReport, hashes: Sequence[str], names: Sequence[str], split: str,
                   other_splits: Mapping[str, Sequence[str]]) -> None:
    leaks = []
    for other, theirs in other_splits.items():
        common = set(theirs)
        shared = [name for h, name in zip(hashes, names) if h in common]
        if shared:
            leaks.append(f"{len(shared)} character(s) of {split} also in {other}: "
                         f"{_list(shared, 10)}")
    rep.add("split leakage", "warn" if leaks else "ok",
            "; ".join(leaks) or f"no character of {split} is in {', '.join(other_splits)}")


def _check_balance(rep: QualityReport, codes: np.ndarray, spec: ConditionSpec,
                   split: str) -> None:
    counts = np.bincount(codes.astype(np.int64), minlength=len(spec.values))
    if counts.sum() == 0:
        return
    lo, hi = int(counts.argmin()), int(counts.argmax())
    rare = [val for val, c in zip(spec.values, counts) if c < MIN_BALANCE * counts[hi]]
    detail = (f"smallest {spec.values[lo]!r}: {counts[lo]}, largest {spec.values[hi]!r}: "
              f"{counts[hi]}")
    if rare:
        detail += (f"; {len(rare)} value(s) under {MIN_BALANCE:.0%} of the largest: "
                   f"{_list(rare)}")
    rep.add(f"balance: {spec.name}", "warn" if rare else "ok", detail)
    if len(spec.values) <= MAX_TABLE_VALUES:
        n = int(counts.sum())
        rep.tables[f"{spec.name} counts ({split})"] = [
            {spec.name: val, "count": int(c), "fraction": round(c / n, 3)}
            for val, c in zip(spec.values, counts)]


def _check_failed(rep: QualityReport, log: SpriteLog) -> None:
    if not log.failed:
        rep.add("unreadable files", "ok", "every file was read")
        return
    rep.add("unreadable files", "warn",
            f"{len(log.failed)} skipped: {_list([n for n, _ in log.failed])}")
    rep.tables["unreadable files"] = [{"file": n, "error": e} for n, e in log.failed]


def _hw(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _list(items: Sequence[str] | Mapping[str, object], k: int = _SHOWN) -> str:
    items = list(items)
    return ", ".join(map(str, items[:k])) + (f" ... ({len(items) - k} more)"
                                            if len(items) > k else "")
