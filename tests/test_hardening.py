"""Hardening: no fetches, no regex hangs, atomic writes that survive kill -9, CRLF checkouts.

The short fuzz run lives in test_fuzz.py."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import CORPUS, NEGATIVE, POSITIVE, ROOT, run_cli
from corpuskit.engine import check_bytes
from corpuskit.formats.schema import compile_schema


def test_no_remote_or_file_reference_is_ever_fetched() -> None:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"type": "string"}')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for ref in (f"http://127.0.0.1:{server.server_port}/s.json", "file:///etc/hostname"):
            with pytest.raises(Exception, match="never fetches"):
                compile_schema({"$ref": ref})
    finally:
        server.shutdown()
    assert hits == []


def test_a_catastrophic_kb_pattern_cannot_hang_the_validator(tmp_path: Path) -> None:
    scheme = (ROOT / "tests" / "examples" / "scheme.toml").read_text()
    scheme = scheme.replace('id_pattern = "^Q[1-9][0-9]*$"', 'id_pattern = "^(a+)+$"')
    (tmp_path / "scheme.toml").write_text(scheme)
    doc = (
        (POSITIVE / "minimal.json")
        .read_text()
        .replace('"id": "Q794"', '"id": "' + "a" * 50_000 + 'b"')
    )
    (tmp_path / "d.json").write_text(doc)
    start = time.perf_counter()
    result = run_cli(
        "validate",
        "--no-cache",
        "--format",
        "concise",
        "--scheme",
        str(tmp_path / "scheme.toml"),
        str(tmp_path / "d.json"),
    )
    elapsed = time.perf_counter() - start
    assert "C009" in result.stdout
    assert elapsed < 10, f"took {elapsed:.1f} s"


def test_backreferences_are_refused_in_scheme_patterns(tmp_path: Path) -> None:
    scheme = (
        (ROOT / "tests" / "examples" / "scheme.toml")
        .read_text()
        .replace('"^Q[1-9][0-9]*$"', '"^(Q)\\\\1$"')
    )
    (tmp_path / "scheme.toml").write_text(scheme)
    result = run_cli("validate", "--scheme", str(tmp_path / "scheme.toml"), str(POSITIVE))
    assert result.returncode == 2 and "RE2 syntax" in result.stderr


def _verdict(data: bytes, name: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in check_bytes(data, name).diagnostics]


CRLF_CASES = [
    *sorted(p for p in CORPUS.iterdir() if p.suffix in (".json", ".xml")),
    NEGATIVE / "O003-span-text-mismatch.json",
    NEGATIVE / "O003-span-text-mismatch.xml",
    NEGATIVE / "R002-dangling-reference.json",
]


@pytest.mark.parametrize("source", CRLF_CASES, ids=lambda p: p.name)
def test_crlf_and_lf_checkouts_get_the_same_verdict(source: Path) -> None:
    lf = source.read_bytes()
    crlf = lf.replace(b"\n", b"\r\n")
    assert _verdict(lf, source.name) == _verdict(crlf, source.name)


def test_gitattributes_pins_lf_for_corpus_documents() -> None:
    attributes = (ROOT / ".gitattributes").read_text()
    assert "*.json text eol=lf" in attributes and "*.xml text eol=lf" in attributes


WRITER = """
import sys
from pathlib import Path
from corpuskit.io import write_atomic
target = Path(sys.argv[1])
contents = [sys.argv[2] * 200_000, sys.argv[3] * 300_000]
i = 0
while True:
    write_atomic(target, contents[i % 2])
    i += 1
"""


def test_a_writer_killed_at_any_moment_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    target = tmp_path / "doc.json"
    target.write_text("A" * 200_000)
    valid = {"A" * 200_000, "B" * 300_000}
    for attempt in range(25):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), "A", "B"], cwd=ROOT)
        time.sleep(0.05 + (attempt % 5) * 0.03)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert target.read_text() in valid, f"attempt {attempt}: a torn file"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "doc.json"]
    # A killed writer may leave its temporary file behind, never a half-written target.
    assert all(name.startswith(".doc.json.") and name.endswith(".tmp") for name in leftovers)


def test_fix_keeps_mode_line_ends_and_refuses_links_out_of_the_tree(tmp_path: Path) -> None:
    import shutil

    source = NEGATIVE / "O003-span-text-mismatch.json"
    crlf = tmp_path / "crlf.json"
    crlf.write_bytes(source.read_bytes().replace(b"\n", b"\r\n"))
    crlf.chmod(0o640)
    (tmp_path / "corpuskit.toml").write_text('paths = ["."]\n')
    assert run_cli("fix", "crlf.json", cwd=tmp_path).returncode == 0
    data = crlf.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 10
    assert crlf.stat().st_mode & 0o777 == 0o640
    outside = tmp_path.parent / f"{tmp_path.name}-outside.json"
    shutil.copy(source, outside)
    (tmp_path / "link.json").symlink_to(outside)
    result = run_cli("fix", "link.json", cwd=tmp_path)
    # refused before reading: a P010 diagnostic names the link's target
    assert result.returncode == 1 and "P010" in result.stdout and "outside" in result.stdout
    assert outside.read_bytes() == source.read_bytes()
