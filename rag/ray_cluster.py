"""Connecting to Ray (the optional ``gijiroku[ray]`` extra): one place for the import guard and the settings.

``address`` is ``auto`` (a running cluster on this machine if there is one, else a local one
started for this command and stopped after it) or a cluster address (``ray://…`` or ``host:port``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from rag.errors import DependencyMissing
from rag.settings import Settings

INSTALL_HINT = "pip install 'gijiroku[ray]' (or, in this checkout, .venv/bin/pip install -e '.[ray]')"


def require_ray() -> ModuleType:
    """The ``ray`` module; ``DependencyMissing`` with the install command when it is absent."""
    try:
        import ray
    except ImportError as exc:
        raise DependencyMissing(f"this command needs Ray, which is not installed: {INSTALL_HINT}") from exc
    return ray


@contextmanager
def connected(address: str, settings: Settings) -> Iterator[ModuleType]:
    """Ray, connected to ``address`` for the duration of the block (left as found when already connected)."""
    ray = require_ray()
    if ray.is_initialized():  # a notebook or a test that set the cluster up itself
        yield ray
        return
    # Ray reports usage to its authors unless told not to; nothing leaves this machine by default.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    # Ray's own progress lines would bury the per-file report; its warnings and errors still show.
    kwargs: dict = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
    if address == "auto":
        kwargs |= {"object_store_memory": settings.ray_object_store_mb * 1024 * 1024}
        if settings.ray_num_cpus:
            kwargs["num_cpus"] = settings.ray_num_cpus
        if settings.ray_tmpdir is not None:
            kwargs["_temp_dir"] = str(settings.ray_tmpdir)
    else:
        kwargs["address"] = address
    ray.init(**kwargs)
    try:
        yield ray
    finally:
        ray.shutdown()


@contextmanager
def isolated_env(tmp: Path) -> Iterator[None]:
    """Ray's session files, auth token and home under ``tmp``, usage reporting off, for the block.

    For tests and benchmarks: ``ray.cluster_utils.Cluster`` needs ``$RAY_TMPDIR/ray`` to exist, and
    processes that disagree about the token fail, so every process started inside shares this one.
    """
    (tmp / "ray").mkdir(parents=True, exist_ok=True)
    env = {"RAY_TMPDIR": str(tmp), "RAY_USAGE_STATS_ENABLED": "0", "HOME": str(tmp)}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def local_cluster(nodes: int, *, object_store_mb: int) -> Iterator[tuple[ModuleType, Any]]:
    """``(ray, cluster)``: ``nodes`` one-CPU nodes on this machine (``ray.cluster_utils``), connected for the block."""
    ray = require_ray()
    from ray.cluster_utils import Cluster

    store = object_store_mb * 1024 * 1024
    cluster = Cluster(
        initialize_head=True, head_node_args={"num_cpus": 1, "object_store_memory": store, "include_dashboard": False}
    )
    try:
        for _ in range(nodes - 1):
            cluster.add_node(num_cpus=1, object_store_memory=store)
        ray.init(address=cluster.address, log_to_driver=False)
        yield ray, cluster
    finally:
        ray.shutdown()
        cluster.shutdown()
