"""The language server (``corpuskit server``): validate's diagnostics as you type, quick fixes,
hovers, navigation and completion for JSON and XML documents, over stdio.

Only :mod:`corpuskit.server.lsp` imports pygls and lsprotocol (the ``server`` extra); the other
modules are plain Python over the engine: buffers and position encodings, an index of a
document's annotations and their source extents, the completion context at a cursor, and the
project's settings and schemes. The server reads configuration and schemes, never writes a file.
"""
