"""An inverted-file index over 8-bit codes (``ivf_sq8``): the dense type for millions of passages.

The vectors are clustered into ``nlist`` lists by k-means; a query scans the ``nprobe`` lists whose
centroids are nearest, scoring 8-bit codes of each vector's residual to its centroid. The few
hundred best candidates are re-ranked with the exact vectors kept on disk (``index.exact``).

Why an IVF and not a graph at this size: on the 1M-remark benchmark the near neighbours of a
question are spread over many clusters and packed within 1e-3 of cosine, and a graph over the
codes missed 5% of the true top 10 even at efSearch 4096, while its links cost 256 bytes per
vector. The lists cost 8 bytes per vector (the id), deletes are done in place rather than by
rebuilding a graph, and recall is set by how many lists are scanned (``bench/scale.py``).

The number of lists follows the corpus: about 4·√n, a power of two, at most n/39 (k-means wants
39 points per centroid). When the corpus has grown enough that the list count should double, the
index is trained again on a sample of the exact vectors and refilled, so a corpus that grows
from one meeting to millions of remarks is re-clustered a logarithmic number of times.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import faiss as _faiss
import numpy as np

faiss: Any = _faiss

# k-means over this many sample points per list, for this many iterations. On the 1M benchmark
# (4096 lists, 2 cores) converting the whole index takes 4 minutes with 40 and 10; with 64 and 25
# the training alone took 4 minutes, for recall@10 0.984 instead of 0.974 at nprobe 256.
TRAIN_PER_LIST = 40
KMEANS_ITERATIONS = 10
_MIN_POINTS_PER_LIST = 39
ADD_CHUNK = 65536


def nlist_for(n: int) -> int:
    """Lists for ``n`` vectors: a power of two near 4·√n, with at least 39 vectors per list."""
    if n < 2 * _MIN_POINTS_PER_LIST:
        return 1
    target = 2 ** round(math.log2(4 * math.sqrt(n)))
    cap = 2 ** int(math.log2(n // _MIN_POINTS_PER_LIST))
    return max(1, min(target, cap))


def should_retrain(index: Any, n: int) -> bool:
    """Whether an index holding ``n`` vectors should be re-clustered (untrained, or twice the lists due)."""
    return not index.is_trained or nlist_for(n) >= 2 * index.nlist


def empty(dim: int, nlist: int = 1) -> Any:
    """An untrained IVF index over 8-bit residual codes, inner-product metric."""
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.cp.niter = KMEANS_ITERATIONS
    index.cp.min_points_per_centroid = 1  # nlist_for keeps 39 per list; this only silences faiss's warning
    index.cp.seed = 1234
    return index


def build(dim: int, ids: np.ndarray, fetch: Callable[[np.ndarray], np.ndarray]) -> Any:
    """A trained IVF index holding ``ids``; ``fetch(ids)`` returns their exact vectors.

    Training reads a random sample; filling reads the rows in chunks, so memory stays bounded by
    the codes, not the float vectors.
    """
    ids = np.sort(np.asarray(ids, dtype=np.int64))
    index = empty(dim, nlist_for(len(ids)))
    if not len(ids):
        return index
    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(ids, min(len(ids), TRAIN_PER_LIST * index.nlist), replace=False))
    index.train(np.ascontiguousarray(fetch(sample), dtype=np.float32))
    for start in range(0, len(ids), ADD_CHUNK):
        chunk = ids[start : start + ADD_CHUNK]
        index.add_with_ids(np.ascontiguousarray(fetch(chunk), dtype=np.float32), chunk)
    return index


def params(index: Any, *, nprobe: int, selector: Any = None, allowed: int | None = None) -> Any:
    """Search parameters: ``nprobe`` lists, more when a filter keeps only part of the corpus.

    A filter that keeps a fraction f of the vectors probes nprobe/f lists (up to all of them), so
    the probed lists hold as many allowed vectors as an unfiltered search scores; only members of
    the filter are scored (the membership test is a bit or hash lookup, far cheaper than a code).
    """
    probe = nprobe
    if allowed is not None and allowed > 0:
        probe = math.ceil(nprobe * max(index.ntotal, 1) / allowed)
    probe = max(1, min(probe, index.nlist))
    if selector is None:
        return faiss.SearchParametersIVF(nprobe=probe)
    return faiss.SearchParametersIVF(nprobe=probe, sel=selector)
