"""A two-node local Ray cluster for the Ray test group, on loopback only.

Ray binds its sockets to the host's interface address on purpose (it rewrites 127.0.0.1), so the
group runs inside a network namespace that has nothing but ``lo`` (``make pytest-ray`` starts one
with ``unshare -n``); outside one these tests skip and say how to run them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

OBJECT_STORE = 150 * 1024 * 1024


def loopback_only() -> bool:
    """Whether this process sees no network interface but ``lo`` (``/proc/net/dev`` is per namespace)."""
    lines = Path("/proc/net/dev").read_text().splitlines()[2:]
    return [line.split(":")[0].strip() for line in lines] == ["lo"]


@pytest.fixture(scope="session")
def ray_cluster(tmp_path_factory):
    """``(ray, cluster)``: two nodes of one CPU each, connected; shut down after the group."""
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[ray]'")
    if not loopback_only():
        pytest.skip("the Ray tests run in a loopback-only network namespace: make pytest-ray (needs unshare -n)")
    from ray.cluster_utils import Cluster

    # Short paths (AF_UNIX names stop at 108 bytes), no usage report, the auth token in a temporary home.
    tmp = Path(tmp_path_factory.mktemp("r", numbered=True))
    (tmp / "ray").mkdir()
    env = {"RAY_TMPDIR": str(tmp), "RAY_USAGE_STATS_ENABLED": "0", "HOME": str(tmp)}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "object_store_memory": OBJECT_STORE, "include_dashboard": False},
    )
    cluster.add_node(num_cpus=1, object_store_memory=OBJECT_STORE)
    ray.init(address=cluster.address, log_to_driver=False)
    try:
        yield ray, cluster
    finally:
        ray.shutdown()
        cluster.shutdown()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
