"""Interoperability: other annotation formats, in and out, one module per format.

``registry`` lists the formats (``FORMATS``): each entry names its module's reader and writer,
one signature each, and says what it reads and writes. Readers yield
:class:`~corpuskit.interop.common.Imported` (a document, findings, and where each annotation
was read); writers return :class:`~corpuskit.interop.common.Exported` (files by suffix and
findings). Offsets are converted at this edge only (``units``). ``commands`` holds the
``corpuskit import`` and ``corpuskit export`` commands, made from the registry. docs/interop.md
has the mapping tables.
"""
