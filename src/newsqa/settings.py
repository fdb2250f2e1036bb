"""All tunable settings in one place, overridable with ``NEWSQA_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """newsqa settings; e.g. ``NEWSQA_INDEX_DIR=/tmp/ix`` or ``NEWSQA_EMBEDDER=e5``."""

    model_config = SettingsConfigDict(env_prefix="NEWSQA_", extra="ignore")

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("embeddings")
    embedder: str = Field(
        default="e5", description="'e5' or 'sentence-transformers:<name or path>'"
    )
    chunk_tokens: int = Field(default=400, ge=16, le=480, description="chunk budget, tiktoken")
    chunk_overlap: int = Field(default=1, ge=0, le=3, description="sentences of overlap")
    batch_size: int = Field(default=16, ge=1, le=512)
    top_k: int = Field(default=5, ge=1, le=50)
    max_question_chars: int = Field(default=2000, ge=16)
    abstain_threshold: float = Field(
        default=0.0, description="raise to abstain more often, lower to answer more often")
    lock_timeout: float = Field(default=0.0, ge=0.0, description="seconds a build waits for a lock")


def get_settings() -> Settings:
    """Settings read from the environment now."""
    return Settings()
