"""Fingerprints that identify a problem across runs, unique within one report.

Code scanning (SARIF ``partialFingerprints``) and GitLab Code Quality (``fingerprint``) track a
problem from run to run by its fingerprint, and merge results that share one: two identical
problems in one file (the same code, annotation and message, e.g. two fragments of one span with
the same defect) would show as one. So the n-th repetition of a fingerprint in a report gets the
occurrence number folded in; the first keeps the plain value, so fingerprints already recorded
by earlier runs stay what they were.
"""

from __future__ import annotations

import hashlib

from corpuskit.diagnostics import Diagnostic


def fingerprint(d: Diagnostic, path: str) -> str:
    """Stable across runs and line moves: file, code, annotation (or pointer) and message."""
    anchor = d.annotation_id or d.pointer or ""
    return _digest("\0".join((path, d.code, anchor, d.message)))


def _digest(raw: str) -> str:
    # surrogatepass: a file name that is not UTF-8 still hashes (to the same value every run).
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class Fingerprints:
    """Hands out fingerprints for one report, each value once."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def unique(self, d: Diagnostic, path: str) -> str:
        """The diagnostic's fingerprint, with its occurrence number folded in after the first."""
        base = fingerprint(d, path)
        count = self.seen.get(base, 0) + 1
        self.seen[base] = count
        return base if count == 1 else _digest(f"{base}\0{count}")
