"""The language server (``corpuskit server``): validate's diagnostics as you type, quick fixes,
hovers, navigation and completion for JSON and XML documents, over stdio.

``lsp`` (the handlers) and ``session`` (buffers, debounced checks) use pygls; ``convert``,
``features`` and ``actions`` build lsprotocol objects; ``buffers`` (positions and encodings),
``index`` (a buffer's annotations and source extents), ``context`` (what is being typed) and
``project`` (settings and schemes, as validate finds them) are plain Python over the engine.
pygls and lsprotocol come with the ``server`` extra and only the server command imports them.
The server reads configuration and schemes; it never writes a file.
"""
