"""Run-time settings, overridable with ``NEWSQA_*`` environment variables and validated
where they are read: a bad value is a :class:`SettingsError` naming the variable and the
values it allows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import SettingsError
from .tuning import Tuning

PREFIX = "NEWSQA_"


class Settings(BaseSettings):
    """newsqa settings; e.g. ``NEWSQA_INDEX_DIR=/tmp/ix`` or ``NEWSQA_EMBEDDER=e5``."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore",
                                      env_nested_delimiter="__")

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("embeddings")
    embedder: str = Field(
        default="e5", description="'e5' or 'sentence-transformers:<name or path>'")
    chunk_tokens: int = Field(default=400, ge=16, le=480, description="chunk budget, tiktoken")
    chunk_overlap: int = Field(default=1, ge=0, le=3, description="sentences of overlap")
    vectors: str = Field(
        default="chunks+sentences", pattern=r"^(sentences|chunks\+sentences)$",
        description="what a build embeds: 'chunks+sentences' (every chunk and sentence with "
        "its title) or 'sentences' (each sentence and title once: 2.6 times faster)")
    title_weight: float = Field(default=0.3, ge=0.0, le=4.0, allow_inf_nan=False,
                                description="share of the title's vector in each sentence's "
                                "and chunk's ('sentences' only)")
    ivf_above: int = Field(default=200_000, ge=1_000, le=1_000_000_000,
                           description="chunks above which FAISS searches inverted lists")
    ray_address: str = Field(default="", max_length=500,
                             description="Ray cluster that embeds a build ('' for none, "
                             "'auto' for a local Ray started on the spot)")
    ray_cpus_per_worker: int = Field(default=1, ge=1, le=256,
                                     description="CPUs (threads) of each Ray embedding actor")
    batch_size: int = Field(default=16, ge=1, le=512, description="texts per embedder call")
    device: str = Field(default="auto", pattern=r"^(auto|cpu|mps|cuda(:\d+)?)$",
                        description="sentence-transformers device: auto, cpu, cuda, mps")
    checkpoint_texts: int = Field(default=512, ge=1, le=1_000_000,
                                  description="texts embedded between two checkpoints")
    top_k: int = Field(default=5, ge=1, le=50)
    max_question_chars: int = Field(default=2000, ge=16, le=100_000)
    max_history_answer_chars: int = Field(
        default=10_000, ge=0, le=1_000_000,
        description="characters of a conversation's last answer read (three quotes fit)")
    abstain_threshold: float = Field(
        default=0.0, ge=-1.0, le=1.0, allow_inf_nan=False,
        description="raise to abstain more often, lower to answer more often")
    lock_timeout: float = Field(default=0.0, ge=0.0, le=86_400.0, allow_inf_nan=False,
                                description="seconds a build waits for a lock")
    tuning: Tuning = Field(default_factory=Tuning, description="every scoring weight")

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsError(_describe(exc)) from None


def _allowed(name: str) -> str:
    field = Settings.model_fields[name]
    lo = hi = None
    for meta in field.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    kind = "an integer" if field.annotation is int else "a number"
    if lo is not None and hi is not None:
        return f"{kind} from {lo} to {hi}"
    if field.annotation in (int, float):
        return kind
    return field.description or "text"


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if not loc or loc[0] not in Settings.model_fields:
            continue
        var = PREFIX + "__".join(loc).upper()
        value = str(err.get("input", ""))[:40]
        allowed = _allowed(loc[0]) if len(loc) == 1 else "a number"
        parts.append(f"{var}={value!r} is not valid ({err['msg'].lower()}); use {allowed}")
    return "; ".join(parts) or str(exc)
