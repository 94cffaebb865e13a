"""sha256_hex: the same digest from the built-in code and from OpenSSL, and the switch between them."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import CORPUS, ROOT
from corpuskit import model


@given(st.binary(max_size=5000))
def test_same_digest_as_hashlib(data: bytes) -> None:
    assert model.sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_the_builtin_code_gives_the_openssl_digest() -> None:
    builtin = model._builtin_sha256()
    assert builtin is not None  # CPython as CI installs it has one
    for data in (b"", b"abc", bytes(range(256)) * 300):
        assert builtin(data).hexdigest() == hashlib.sha256(data).hexdigest()


@pytest.fixture
def fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that has hashed nothing yet, with hashlib not imported as far as it knows."""
    monkeypatch.setattr(model, "_openssl", None)
    monkeypatch.setattr(model, "_builtin_left", 100)
    monkeypatch.delitem(sys.modules, "hashlib")


def test_builtin_until_the_budget_is_spent_then_openssl(fresh_state: None) -> None:
    assert model.sha256_hex(b"x" * 60) == hashlib.sha256(b"x" * 60).hexdigest()
    assert model._openssl is None and model._builtin_left == 40
    assert model.sha256_hex(b"y" * 41) == hashlib.sha256(b"y" * 41).hexdigest()
    assert model._openssl is not None  # 41 bytes > the 40 left: OpenSSL from now on


def test_openssl_at_once_when_hashlib_is_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "_openssl", None)
    monkeypatch.setattr(model, "_builtin_left", 100)
    assert "hashlib" in sys.modules
    model.sha256_hex(b"abc")
    assert model._openssl is not None and model._builtin_left == 100


def test_without_builtin_code_openssl(fresh_state: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "_builtin_sha256", lambda: None)
    assert model.sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert model._openssl is not None


CHECK_ONE = """
import sys
sys.argv = ["corpuskit", "validate", "--no-cache", sys.argv[1]]
from corpuskit.entry import main
try:
    main()
except SystemExit as exc:
    print("exit", exc.code, "hashlib" in sys.modules)
"""


def test_checking_one_document_does_not_load_openssl() -> None:
    """A pre-commit hook's run (one document, --no-cache): OpenSSL's start-up is not paid."""
    run = subprocess.run(
        [sys.executable, "-c", CHECK_ONE, str(CORPUS / "iran-russia-missiles.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.stdout.splitlines()[-1] == "exit 0 False", run.stdout + run.stderr
