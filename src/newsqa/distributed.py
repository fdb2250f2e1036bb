"""Embedding on a Ray cluster: a pool of actors, each holding the embedder once, fed the
build's batches in order. Everything else of a build (reading, splitting, BM25, writing,
checkpoints) stays on the machine that runs ``newsqa build``, so a Ray build writes the
same index as a local one. Ray is optional: ``pip install -e '.[ray]'``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .embedding import Embedder, Vectors, get_embedder
from .errors import EmbedderError


class _Worker:
    """A Ray actor: loads the embedder once, then embeds the batches it is sent."""

    def __init__(self, spec: str, device: str, batch_size: int) -> None:
        self._emb = get_embedder(spec, device, batch_size)

    def embed(self, texts: list[str]) -> Vectors:
        return self._emb.embed_batch(texts)


class RayEmbedder(Embedder):
    """An :class:`Embedder` whose passages are embedded by Ray actors (one per
    ``cpus_per_worker`` CPUs of the cluster). Questions, token counts and the identity
    come from a local copy of the same embedder, so the index it builds is the one a
    local build makes."""

    def __init__(self, spec: str, address: str, *, device: str = "auto", batch_size: int = 16,
                 cpus_per_worker: int = 1, workers: int | None = None) -> None:
        try:
            import ray
        except ImportError as exc:
            raise EmbedderError("--ray needs Ray: pip install -e '.[ray]'") from exc
        self._local = get_embedder(spec, device, batch_size)
        self.id = self._local.id
        self.dim = self._local.dim
        self.max_tokens = self._local.max_tokens
        self._started_here = False
        try:
            if not ray.is_initialized():
                if address == "auto":
                    # A Ray of this machine alone, started on the spot, reachable only here.
                    ray.init(include_dashboard=False, log_to_driver=False,
                             _node_ip_address="127.0.0.1")
                    self._started_here = True
                else:
                    _check_reachable(address)
                    ray.init(address=address, log_to_driver=False)
            resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
            cpus = int(resources.get("CPU", 1))
        except EmbedderError:
            raise
        except Exception as exc:
            raise EmbedderError(f"could not reach Ray at {address!r}: {exc}. Start one with "
                                "`ray start --head`, or use --ray auto") from exc
        n = workers or max(1, cpus // cpus_per_worker)
        # Each actor gets its CPUs' worth of threads: n actors share the cluster's cores
        # instead of each one spreading over all of them.
        env = {"env_vars": {"OMP_NUM_THREADS": str(cpus_per_worker)}}
        actor = ray.remote(num_cpus=cpus_per_worker, runtime_env=env)(_Worker)
        self._actors: list[Any] = [actor.remote(spec, device, batch_size) for _ in range(n)]
        self._pool = ray.util.ActorPool(self._actors)
        self.parallel = n

    def embed_batch(self, texts: Sequence[str], is_query: bool = False) -> Vectors:
        if is_query or not texts:
            return self._local.embed_batch(texts, is_query)
        return np.concatenate(list(self.embed_many([list(texts)])))

    def embed_many(self, batches: Sequence[list[str]]) -> Iterator[Vectors]:
        """Vectors of each batch, in order, the batches spread over the actors."""
        out: Iterator[Any] = self._pool.map(lambda a, b: a.embed.remote(b), list(batches))
        for vecs in out:
            yield np.asarray(vecs, dtype=np.float32)

    def count_tokens(self, text: str) -> int | None:
        return self._local.count_tokens(text)

    def close(self) -> None:
        """Release the actors, and stop the Ray this embedder started."""
        import ray

        for a in self._actors:
            ray.kill(a)
        self._actors = []
        if self._started_here:
            ray.shutdown()



def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail fast on a host:port where nothing listens (Ray itself retries for minutes)."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # another form Ray understands (e.g. a cluster address file): let it try
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise EmbedderError(f"no Ray answers at {address} ({exc.strerror or exc}); start one "
                            "with `ray start --head`, or use --ray auto") from None
