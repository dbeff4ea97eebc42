"""A two-node local Ray cluster for the Ray test group, on loopback only.

Ray binds its sockets to the host's interface address on purpose (it rewrites 127.0.0.1), so the
group runs inside a network namespace that has nothing but ``lo`` (``make pytest-ray`` starts one
with ``unshare -n``); outside one these tests skip and say how to run them.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def loopback_only() -> bool:
    """Whether this process sees no network interface but ``lo`` (``/proc/net/dev`` is per namespace)."""
    lines = Path("/proc/net/dev").read_text().splitlines()[2:]
    return [line.split(":")[0].strip() for line in lines] == ["lo"]


@pytest.fixture(scope="session")
def ray_cluster(tmp_path_factory):
    """``(ray, cluster)``: two nodes of one CPU each, connected; shut down after the group."""
    pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[ray]'")
    if not loopback_only():
        pytest.skip("the Ray tests run in a loopback-only network namespace: make pytest-ray (needs unshare -n)")
    from rag.ray_cluster import isolated_env, local_cluster

    # A short path: AF_UNIX socket names stop at 108 bytes.
    with isolated_env(Path(tmp_path_factory.mktemp("r", numbered=True))), local_cluster(2, object_store_mb=150) as up:
        yield up
