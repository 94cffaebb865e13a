"""corpuskit reanchor: alignment properties, the final-newline rule, editing the text in place."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, POSITIVE, run_cli
from corpuskit import reanchor as reanchor_module
from corpuskit.formats import json_format
from corpuskit.model import Document, Fragment, Mention, Metadata, spans_of, text_sha256
from corpuskit.reanchor import CHANGED, NEAR_CHANGES, TRUSTED, WORD_CHANGED, reanchor
from corpuskit.texts import drop_editor_newline
from strategies import documents

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
MINIMAL = POSITIVE / "minimal.json"
MINIMAL_TEXT: str = json.loads(MINIMAL.read_text("utf-8"))["text"]


def _fragments(doc: Document) -> list[tuple[str, str, Fragment]]:
    return [
        (a.id, field, f)
        for _, _, a in doc.annotations()
        for field, span in spans_of(a)
        for f in span
    ]


def _common_prefix(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


# --- alignment properties -------------------------------------------------------------------


@PROPERTY
@given(
    documents(),
    st.integers(0, 10_000),
    st.integers(0, 6),
    st.text(alphabet="abc xyz\n😀é", max_size=TRUSTED // 2),
)
def test_every_span_covers_the_same_characters_or_is_listed(
    doc: Document, at: int, length: int, insert: str
) -> None:
    text = doc.text
    at %= len(text) + 1
    new_text = text[:at] + insert + text[min(len(text), at + length) :]
    assume(new_text)  # an empty text is refused before any alignment
    moved_doc, moved = reanchor(doc, new_text)
    # The characters that changed, however the edit is told (inserting "ab" before "ab" is
    # inserting it after): what lies before the common prefix's end or after the common
    # suffix's start is untouched.
    prefix = _common_prefix(text, new_text)
    suffix = _common_prefix(text[prefix:][::-1], new_text[prefix:][::-1])
    delta = len(new_text) - len(text)
    listed = {(m.annotation_id, m.field, m.old): m for m in moved}
    before, after = _fragments(doc), _fragments(moved_doc)
    assert len(before) == len(after)  # no annotation is lost
    for (ident, field, old), (_, _, new) in zip(before, after, strict=True):
        entry = listed.get((ident, field, old))
        assert new.text == old.text  # the stored text is kept, always
        assert 0 <= new.start < new.end <= len(new_text)
        # Untouched characters move exactly; they are listed only when glued to a changed
        # neighbour ("he" becoming "she"): then they are part of another word.
        if old.end <= prefix:
            assert entry is None or entry.kind == WORD_CHANGED
            assert (new.start, new.end) == (old.start, old.end)
        elif old.start >= len(text) - suffix:
            assert entry is None or entry.kind == WORD_CHANGED
            assert (new.start, new.end) == (old.start + delta, old.end + delta)
        else:  # some of its characters changed, or sit amid the change: a person looks
            assert entry is not None
        if entry is None or entry.kind == NEAR_CHANGES:
            assert new_text[new.start : new.end] == old.text


LETTERS = "abcdefghij"


@st.composite
def word_texts(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    """Text of unique four-letter words (so that every word has one place), with separators."""
    words = draw(
        st.lists(st.text(LETTERS, min_size=4, max_size=4), min_size=3, max_size=80, unique=True)
    )
    separators = draw(
        st.lists(
            st.sampled_from([" ", ", ", "\n", ". ", " \u2014 "]),
            min_size=len(words) - 1,
            max_size=len(words) - 1,
        )
    )
    text = words[0] + "".join(s + w for s, w in zip(separators, words[1:], strict=True))
    return text, words, separators


def _slides(text: str, start: int, end: int, replacement: str) -> bool:
    """Whether replacing text[start:end] could be told another way, moving equal characters
    between the edit and its neighbours ("aaaa " -> " UV " is also "aaaa" -> " UV")."""
    before = text[start - 1] if start else None
    after = text[end] if end < len(text) else None
    edges = [(before, -1), (after, 0)]
    for piece in (text[start:end], replacement):
        if piece and any(ch == piece[i] for ch, i in edges):
            return True
    deleted = text[start:end]
    return bool(deleted and replacement) and (
        deleted[0] == replacement[0] or deleted[-1] == replacement[-1]
    )


@PROPERTY
@given(word_texts(), st.data(), st.sampled_from([reanchor_module.WORD_ALIGN_LIMIT, 30]))
def test_after_scattered_edits_untouched_spans_move_exactly_and_the_rest_is_listed(
    parts: tuple[str, list[str], list[str]], data: st.DataObject, limit: int
) -> None:
    text = parts[0]
    # Edits: (start, end, replacement) on the old text, apart from each other; new words are
    # upper case, so they never equal old text. A deletion that could slide ("aab" less one
    # "a": which one?) has no single right answer, so such edits are left out.
    cuts = sorted(
        data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=20, unique=True))
    )
    edits: list[tuple[int, int, str]] = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        end = min(end, start + data.draw(st.integers(0, 12)))
        replacement = data.draw(st.sampled_from(["", "X", "QRST", " UVWX YZ "]))
        apart = not edits or start > edits[-1][1]
        if (start < end or replacement) and apart and not _slides(text, start, end, replacement):
            edits.append((start, end, replacement))
    # The new text and, for each of its characters, the old position it came from.
    pieces: list[str] = []
    origin: list[int | None] = []
    last = 0
    for start, end, replacement in edits:
        pieces += [text[last:start], replacement]
        origin += [*range(last, start), *[None] * len(replacement)]
        last = end
    pieces.append(text[last:])
    origin += list(range(last, len(text)))
    new_text = "".join(pieces)
    spans = data.draw(
        st.lists(st.tuples(st.integers(0, len(text) - 1), st.integers(1, 30)), max_size=25)
    )
    mentions = tuple(
        Mention(f"m{i}", "X", (Fragment(s, min(len(text), s + n), text[s : s + n]),))
        for i, (s, n) in enumerate(spans)
    )
    doc = Document("d", Metadata("t", "en"), text, text_sha256(text), mentions=mentions)
    saved = reanchor_module.WORD_ALIGN_LIMIT
    reanchor_module.WORD_ALIGN_LIMIT = limit  # a small limit sends pieces through the anchors
    try:
        moved_doc, moved = reanchor(doc, new_text)
    finally:
        reanchor_module.WORD_ALIGN_LIMIT = saved
    listed = {m.annotation_id: m for m in moved}
    new_position = {old: i for i, old in enumerate(origin) if old is not None}
    for before, after in zip(doc.mentions, moved_doc.mentions, strict=True):
        old, new = before.span[0], after.span[0]
        assert new.text == old.text
        if before.id not in listed:
            # Not listed: exactly the same characters, each where the edits put it.
            assert [origin[i] for i in range(new.start, new.end)] == list(range(old.start, old.end))
        # Far from every edit (its own characters and TRUSTED around them untouched and
        # still side by side; where that reaches an end of the text, nothing added there): it
        # must move without review.
        around = range(max(0, old.start - TRUSTED), min(len(text), old.end + TRUSTED))
        if (
            all(p in new_position for p in around)
            and all(new_position[p] + 1 == new_position[p + 1] for p in around[:-1])
            and (around[0] > 0 or new_position[0] == 0)
            and (around[-1] < len(text) - 1 or new_position[len(text) - 1] == len(new_text) - 1)
        ):
            assert before.id not in listed, listed[before.id]
            assert new.start == new_position[old.start]


def test_a_short_equal_stretch_between_changes_is_placed_but_listed() -> None:
    text = "In 2019 Smith said the plan was final."
    new_text = "In 2020 Smith stated the plan was final."
    smith = Fragment(8, 13, "Smith")
    plan = Fragment(19, 27, "the plan")
    doc = Document(
        "d",
        Metadata("t", "en"),
        text,
        text_sha256(text),
        mentions=(Mention("m1", "PER", (smith,)), Mention("m2", "X", (plan,))),
    )
    moved_doc, moved = reanchor(doc, new_text)
    assert [(m.annotation_id, m.kind) for m in moved] == [("m1", NEAR_CHANGES)]
    assert moved_doc.mentions[0].span == (Fragment(8, 13, "Smith"),)
    assert moved_doc.mentions[1].span == (Fragment(21, 29, "the plan"),)


def test_a_changed_word_is_listed_and_keeps_its_text() -> None:
    text = "The minister recieved the letter on Monday."
    new_text = "The minister received the letter on Monday."
    doc = Document(
        "d",
        Metadata("t", "en"),
        text,
        text_sha256(text),
        mentions=(
            Mention("m1", "X", (Fragment(13, 21, "recieved"),)),
            Mention("m2", "X", (Fragment(26, 32, "letter"),)),
        ),
    )
    moved_doc, moved = reanchor(doc, new_text)
    assert [(m.annotation_id, m.kind) for m in moved] == [("m1", CHANGED)]
    assert moved_doc.mentions[0].span == (Fragment(13, 21, "recieved"),)
    assert moved_doc.mentions[1].span == (Fragment(26, 32, "letter"),)


def test_a_long_paragraph_with_one_change_is_aligned_in_well_under_two_seconds() -> None:
    words = [f"w{i % 997}x{i % 13}" for i in range(12_000)]
    text = " ".join(words)[:80_000]
    middle = len(text) // 2
    new_text = text[:middle] + "#" + text[middle + 1 :]
    doc = Document(
        "d",
        Metadata("t", "en"),
        text,
        text_sha256(text),
        mentions=tuple(
            Mention(f"m{i}", "X", (Fragment(s, s + 4, text[s : s + 4]),))
            for i, s in enumerate(range(0, len(text) - 4, 400))
        ),
    )
    start = time.perf_counter()
    _, moved = reanchor(doc, new_text)
    assert time.perf_counter() - start < 2.0  # difflib took 98 s here
    assert len(moved) <= 1


# --- the final-newline rule -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("A text.\n", "A text.", ("A text.", "\n")),
        ("A text.\r\n", "A text.", ("A text.", "\r\n")),
        ("A text.\n\n", "A text.", ("A text.\n", "\n")),  # only the editor's one
        ("A text.\n", "A text.\n", ("A text.\n", "")),  # the old text ends with one: kept
        ("A text.", "A text.\n", ("A text.", "")),
        ("A text.\n", None, ("A text.", "\n")),  # a new document: dropped
        ("A text.", None, ("A text.", "")),
    ],
)
def test_the_final_newline_rule(text: str, current: str | None, expected: tuple[str, str]) -> None:
    assert drop_editor_newline(text, current) == expected
    as_bytes = drop_editor_newline(text.encode(), current)
    assert as_bytes == (expected[0].encode(), expected[1])


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_reanchor_text_drops_the_final_newline_an_editor_added_and_says_so(
    tmp_path: Path, ending: str
) -> None:
    doc = tmp_path / "d.json"
    shutil.copy(MINIMAL, doc)
    corrected = MINIMAL_TEXT.replace("roughly 400", "about 400")
    (tmp_path / "new.txt").write_bytes((corrected + ending).encode())
    result = run_cli("reanchor", str(doc), "--text", str(tmp_path / "new.txt"))
    assert result.returncode == 1, result.stderr  # m2 "roughly 400" changed: listed
    assert json_format.loads(doc.read_bytes()).text == corrected
    shown = "CRLF" if ending == "\r\n" else "newline"
    assert f"dropped the final {shown} the editor added" in result.stdout


def test_reanchor_text_keeps_a_final_newline_the_old_text_has(tmp_path: Path) -> None:
    doc = tmp_path / "d.json"
    data = json.loads(MINIMAL.read_text("utf-8"))
    data["text"] += "\n"
    data["text_sha256"] = text_sha256(data["text"])
    doc.write_text(json.dumps(data), "utf-8")
    corrected = data["text"].replace("More will come", "More will come soon")
    (tmp_path / "new.txt").write_text(corrected, "utf-8", newline="")
    result = run_cli("reanchor", str(doc), "--text", str(tmp_path / "new.txt"))
    assert result.returncode == 1, result.stderr  # q1's span changed
    assert json_format.loads(doc.read_bytes()).text == corrected
    assert "dropped" not in result.stdout


# --- editing the text in place --------------------------------------------------------------

NO_GIT_ABOVE = {"GIT_CEILING_DIRECTORIES": "/"}
#: An edit of the minimal document's text that no span covers (every span after it shifts).
EDIT = ("official said.", "official said on Monday.")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _edit_in_place(doc: Path, old: str, new: str) -> bytes:
    """Change the document's text (not its spans or hash) as an editor would; its new bytes."""
    content = doc.read_text("utf-8")
    line = next(x for x in content.splitlines() if x.startswith('  "text": '))
    assert old in line
    content = content.replace(line, line.replace(old, new))
    doc.write_text(content, "utf-8")
    return doc.read_bytes()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with the minimal document committed as d.json."""
    folder = tmp_path / "repo"
    folder.mkdir()
    _git(folder, "init", "-q")
    shutil.copy(MINIMAL, folder / "d.json")
    _git(folder, "add", "d.json")
    _git(folder, "commit", "-q", "-m", "add d.json")
    return folder


def _codes(doc: Path, cwd: Path) -> set[str]:
    check = run_cli("validate", "--no-cache", "--format", "json", str(doc), cwd=cwd)
    return {d["code"] for d in json.loads(check.stdout)["diagnostics"]}


def test_validate_says_to_run_reanchor_when_the_text_was_edited_in_place(repo: Path) -> None:
    _edit_in_place(repo / "d.json", *EDIT)
    check = run_cli("validate", "--no-cache", str(repo / "d.json"), cwd=repo)
    assert "O006" in check.stdout and "corpuskit reanchor DOC" in check.stdout


def test_reanchor_moves_the_spans_to_a_text_edited_in_place(repo: Path) -> None:
    doc = repo / "d.json"
    edited = json_format.loads(_edit_in_place(doc, *EDIT)).text
    result = run_cli("reanchor", "d.json", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "old text: git HEAD:d.json" in result.stdout
    assert "nothing to review" in result.stdout
    moved = json_format.loads(doc.read_bytes())
    assert moved.text == edited  # the published text is the one the user wrote, untouched
    assert moved.text_sha256 == text_sha256(edited)
    assert moved.mentions[5].span == (Fragment(88, 90, "he"),)
    assert _codes(doc, repo) == set()


def test_reanchor_with_the_same_text_as_edited_in_place_moves_instead_of_listing(
    repo: Path,
) -> None:
    # The issue: --text with the text already edited in place listed every span with the
    # same old and new context. Now the old text comes from git.
    doc = repo / "d.json"
    edited = json_format.loads(_edit_in_place(doc, *EDIT)).text
    (repo / "new.txt").write_text(edited + "\n", "utf-8")
    result = run_cli("reanchor", "d.json", "--text", "new.txt", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing to review" in result.stdout and "dropped the final newline" in result.stdout
    assert json_format.loads(doc.read_bytes()).text == edited


def test_reanchor_finds_the_old_text_in_an_earlier_commit_or_from_ref(repo: Path) -> None:
    doc = repo / "d.json"
    _edit_in_place(doc, *EDIT)
    _git(repo, "commit", "-q", "-am", "edit the text in place (spans not moved)")
    first = _git(repo, "rev-list", "--max-parents=0", "HEAD")
    edited = doc.read_bytes()
    # HEAD's text is the edited one; named explicitly, it is refused with a reason.
    refused = run_cli("reanchor", "d.json", "--from", "HEAD", cwd=repo)
    assert refused.returncode == 2
    assert "HEAD:d.json does not hold the text the spans point into" in refused.stderr
    assert doc.read_bytes() == edited
    unknown = run_cli("reanchor", "d.json", "--from", "no-such-ref", cwd=repo)
    assert unknown.returncode == 2 and "unknown revision" in unknown.stderr
    assert doc.read_bytes() == edited
    # By default the newest version whose text has the stored hash is found.
    found = run_cli("reanchor", "d.json", cwd=repo)
    assert found.returncode == 0, found.stdout + found.stderr
    assert f"old text: git {first[:12]}:d.json" in found.stdout
    assert _codes(doc, repo) == set()
    doc.write_bytes(edited)
    named = run_cli("reanchor", "d.json", "--from", "HEAD~1", cwd=repo)
    assert named.returncode == 0, named.stdout + named.stderr
    assert "old text: git HEAD~1:d.json" in named.stdout
    assert _codes(doc, repo) == set()


def test_reanchor_takes_the_old_text_from_a_file(tmp_path: Path) -> None:
    doc = tmp_path / "d.json"
    shutil.copy(MINIMAL, doc)
    edited = json_format.loads(_edit_in_place(doc, *EDIT)).text
    (tmp_path / "old.txt").write_text(MINIMAL_TEXT + "\n", "utf-8")  # saved by an editor
    result = run_cli(
        "reanchor", str(doc), "--old-text", str(tmp_path / "old.txt"), env=NO_GIT_ABOVE
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dropped the final newline" in result.stdout
    assert json_format.loads(doc.read_bytes()).text == edited
    assert _codes(doc, tmp_path) == set()


def test_reanchor_refuses_an_old_text_the_spans_do_not_point_into(tmp_path: Path) -> None:
    doc = tmp_path / "d.json"
    shutil.copy(MINIMAL, doc)
    edited = _edit_in_place(doc, *EDIT)
    (tmp_path / "old.txt").write_text("Some other article.", "utf-8")
    result = run_cli(
        "reanchor", str(doc), "--old-text", str(tmp_path / "old.txt"), env=NO_GIT_ABOVE
    )
    assert result.returncode == 2
    assert "is not the text the spans point into" in result.stderr
    assert doc.read_bytes() == edited


def test_reanchor_without_a_way_to_the_old_text_says_what_to_do_and_writes_nothing(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "d.json"
    shutil.copy(MINIMAL, doc)
    edited = _edit_in_place(doc, *EDIT)
    result = run_cli("reanchor", str(doc), env=NO_GIT_ABOVE, cwd=tmp_path)
    assert result.returncode == 2
    assert "edited in place" in result.stderr and "--old-text FILE" in result.stderr
    assert "Traceback" not in result.stderr
    assert doc.read_bytes() == edited
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json"]
    # Also with --text: the spans do not point into the document's text, so it cannot be
    # the old one (this used to list every span with the same old and new context).
    (tmp_path / "new.txt").write_text(json_format.loads(edited).text, "utf-8")
    again = run_cli("reanchor", str(doc), "--text", str(tmp_path / "new.txt"), env=NO_GIT_ABOVE)
    assert again.returncode == 2 and "edited in place" in again.stderr
    assert doc.read_bytes() == edited


def test_reanchor_refuses_a_text_edited_in_place_that_the_validator_refuses(repo: Path) -> None:
    doc = repo / "d.json"
    edited = _edit_in_place(doc, "official said.", "official said, cafe\u0301.")
    result = run_cli("reanchor", "d.json", cwd=repo)
    assert result.returncode == 2 and "is not NFC-normalised" in result.stderr
    assert doc.read_bytes() == edited


def test_reanchor_again_after_spans_were_listed_says_to_correct_them_by_hand(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "d.json"
    shutil.copy(MINIMAL, doc)
    corrected = MINIMAL_TEXT.replace("he said", "she said").replace("will come", "will follow")
    (tmp_path / "new.txt").write_text(corrected, "utf-8")
    first = run_cli("reanchor", str(doc), "--text", str(tmp_path / "new.txt"))
    assert first.returncode == 1
    assert "1 span whose text changed" in first.stdout and "q1 (span)" in first.stdout
    # "he" is now inside "she": the same characters, another word.
    assert "1 span whose word changed around them" in first.stdout and "m6 (span)" in first.stdout
    before = doc.read_bytes()
    again = run_cli("reanchor", str(doc), env=NO_GIT_ABOVE)
    assert again.returncode == 2 and "corrected by hand" in again.stderr
    assert doc.read_bytes() == before


def test_reanchor_of_an_untouched_document_has_nothing_to_do(tmp_path: Path) -> None:
    doc = tmp_path / "d.json"
    shutil.copy(MINIMAL, doc)
    before = doc.read_bytes()
    result = run_cli("reanchor", str(doc), env=NO_GIT_ABOVE)
    assert result.returncode == 0 and "nothing to re-anchor" in result.stdout
    assert doc.read_bytes() == before


def test_reanchor_cli_updates_the_hash_and_lists_changed_spans(tmp_path: Path) -> None:
    target = tmp_path / "d.json"
    shutil.copy(CORPUS / "iran-russia-missiles.json", target)
    codes_before = _codes(target, tmp_path)
    text = json_format.loads(target.read_bytes()).text
    new = text.replace("has sent roughly", "has shipped roughly").replace(
        "Numerous sources", "Several sources"
    )
    (tmp_path / "new.txt").write_text(new, "utf-8")
    result = run_cli(
        "reanchor",
        str(target),
        "--text",
        str(tmp_path / "new.txt"),
        "--report",
        str(tmp_path / "r.txt"),
    )
    assert result.returncode == 1  # some spans changed: review needed
    assert "m12" in result.stdout and "'Numerous sources'" in result.stdout
    moved = json_format.loads(target.read_bytes())
    assert moved.text == new
    # The changed spans are flagged (O003); nothing else breaks.
    assert _codes(target, tmp_path) - codes_before == {"O003"}
    review = (tmp_path / "r.txt").read_text()
    assert "m12 (span)" in review and "'Numerous sources'" in review and "Several" in review
