"""Progress a person can read anywhere: a bar with rate and ETA on a terminal, a plain line
at least every few seconds when output goes to a pipe or a log."""

from __future__ import annotations

import time
from typing import Any, TextIO

from .models import Progress


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def seconds_left(done: int, total: int, elapsed: float) -> float | None:
    """Seconds a stage still needs at its rate so far (None before there is a rate, and
    once the stage is done)."""
    if done <= 0 or done >= total:
        return None
    return elapsed / done * (total - done)


def progress_lines(stream: TextIO, every: float = 10.0) -> Progress:
    """A :data:`Progress` that writes one plain line per stage at most every ``every``
    seconds, and one when the stage ends: done/total, rate and ETA."""
    state: dict[str, Any] = {"stage": None, "start": 0.0, "last": 0.0}

    def update(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != state["stage"]:
            state.update(stage=stage, start=now, last=now)
        finished = done >= total
        if not finished and now - state["last"] < every:
            return
        state["last"] = now
        elapsed = max(now - state["start"], 1e-9)
        rate = done / elapsed
        eta = seconds_left(done, total, elapsed)
        left = f", ETA {_duration(eta)}" if eta is not None else ""
        share = f" ({100 * done // total}%)" if total else ""
        stream.write(f"{stage}: {done}/{total}{share}, {rate:.1f}/s{left}\n")
        stream.flush()

    return update


def progress_bars(stream: TextIO) -> Progress:
    """A :data:`Progress` that draws a tqdm bar per stage, with rate and ETA."""
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=f"{stage:>9}", unit="", file=stream,
                                     leave=False)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update
