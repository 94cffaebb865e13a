"""Interoperability: brat standoff, BioC (XML and JSON) and W3C Web Annotation, in and out.

One module per format, each a library API that never prints: ``brat`` (with ``bratconf`` for
annotation.conf -> scheme), ``bioc``, ``webanno``. Importers return
:class:`~corpuskit.interop.common.Imported` (a document, findings, and where each annotation
was read); exporters return :class:`~corpuskit.interop.common.Exported` (files by suffix and
findings). Offsets are converted at this edge only (``units``). ``commands`` holds the
``corpuskit import`` and ``corpuskit export`` commands. docs/interop.md has the mapping tables.
"""
