"""Latency of ``corpuskit server``: from an edit sent by a client to its diagnostics received.

Generates one realistic document (``generate.py``: the seed article reshuffled, with accented
names and astral emoji; ~the size of corpus/iran-russia-missiles.json) in JSON and XML, in a
temporary project that follows the corpus scheme, starts the server over stdio with pygls's
client, and times edits that alternately break and repair one span. The time includes the
server's debounce (its default, 50 ms), the check, the conversion and both pipes.

    python benchmarks/server.py [--rounds 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from generate import SEED_DOCUMENT, generate
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from corpuskit.formats import json_format, xml_format

ROOT = Path(__file__).resolve().parents[1]
#: The issue's goal: diagnostics within this many milliseconds of a change.
TARGET_MS = 150.0


class Timer:
    """Records when the diagnostics of each (uri, version) arrive."""

    def __init__(self, client: LanguageClient) -> None:
        self.arrived: dict[tuple[str, int | None], asyncio.Future[tuple[float, int]]] = {}

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            found = self._future(params.uri, params.version)
            if not found.done():
                found.set_result((time.perf_counter(), len(params.diagnostics)))

    def _future(self, uri: str, version: int | None) -> asyncio.Future[tuple[float, int]]:
        key = (uri, version)
        if key not in self.arrived:
            self.arrived[key] = asyncio.get_running_loop().create_future()
        return self.arrived[key]

    async def wait(self, uri: str, version: int, timeout: float = 30) -> tuple[float, int]:
        """The arrival time and count of a version's diagnostics."""
        return await asyncio.wait_for(self._future(uri, version), timeout)


def _range(text: str, start: int, end: int) -> types.Range:
    """An LSP range (UTF-16, the default encoding) of code-point offsets."""

    def pos(offset: int) -> types.Position:
        line = text.count("\n", 0, offset)
        line_start = text.rfind("\n", 0, offset) + 1
        units = len(text[line_start:offset].encode("utf-16-le")) // 2
        return types.Position(line=line, character=units)

    return types.Range(start=pos(start), end=pos(end))


async def measure(client: LanguageClient, timer: Timer, path: Path, rounds: int) -> list[float]:
    """Milliseconds from each edit to its diagnostics."""
    uri, text = path.as_uri(), path.read_text("utf-8")
    language = "xml" if path.suffix == ".xml" else "json"
    item = types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    _, count = await timer.wait(uri, 1)
    if count:
        raise SystemExit(f"{path.name}: the generated document has {count} problems")
    # Break and repair one span's end offset, alternately (the check runs on the whole text).
    needle = '"end": ' if language == "json" else ' end="'
    at = text.index(needle, text.index("mentions")) + len(needle)
    digits = len(text[at:]) - len(text[at:].lstrip("0123456789"))
    current = original = text[at : at + digits]
    broken = str(int(original) + 1)
    samples = []
    for version in range(2, rounds + 2):
        new = broken if version % 2 == 0 else original
        change = types.TextDocumentContentChangePartial(
            range=_range(text, at, at + len(current)), text=new
        )
        text = text[:at] + new + text[at + len(current) :]
        current = new
        document = types.VersionedTextDocumentIdentifier(uri=uri, version=version)
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(text_document=document, content_changes=[change])
        )
        arrived, count = await timer.wait(uri, version)
        if (count > 0) != (version % 2 == 0):
            raise SystemExit(f"{path.name} version {version}: unexpected {count} diagnostics")
        samples.append((arrived - sent) * 1000)
        await asyncio.sleep(0.2)  # a pause between edits, as a person makes them
    return samples


async def run(rounds: int, seed: int) -> None:
    """Generate the documents, run the server and print the figures."""
    folder = Path(tempfile.mkdtemp(prefix="corpuskit-server-bench-"))
    try:
        shutil.copy(ROOT / "corpus" / "scheme.toml", folder / "scheme.toml")
        (folder / "corpuskit.toml").write_text('paths = ["."]\nscheme = "scheme.toml"\n')
        document = generate(json_format.load(SEED_DOCUMENT), seed, 0)
        paths = [folder / "doc.json", folder / "doc.xml"]
        paths[0].write_text(json_format.dumps(document), "utf-8")
        paths[1].write_text(xml_format.dumps(document), "utf-8")
        client = LanguageClient("corpuskit-bench", "1")
        timer = Timer(client)
        await client.start_io(sys.executable, "-m", "corpuskit", "server")
        await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(), root_uri=folder.as_uri()
            )
        )
        client.initialized(types.InitializedParams())
        print(
            f"document: {len(document.text):,} characters, {len(document.annotations()):,} annotations"
        )
        for path in paths:
            samples = sorted(await measure(client, timer, path, rounds))
            p90 = samples[max(0, round(len(samples) * 0.9) - 1)]
            print(
                f"{path.suffix[1:].upper():4} {path.stat().st_size:>7,} bytes: edit -> diagnostics "
                f"median {statistics.median(samples):.0f} ms, p90 {p90:.0f} ms, "
                f"max {samples[-1]:.0f} ms over {len(samples)} edits (target {TARGET_MS:.0f} ms)"
            )
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="edits per format")
    parser.add_argument("--seed", type=int, default=0, help="generator seed")
    args = parser.parse_args()
    asyncio.run(run(args.rounds, args.seed))


if __name__ == "__main__":
    main()
