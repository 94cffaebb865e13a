"""Annotator views: an HTML view of a document, a semantic diff of annotations, corpus statistics.

- ``corpuskit.views.common``: reading a document leniently and naming annotations for people.
- ``corpuskit.views.html``: ``render_html`` for ``corpuskit show`` (spans nested by ``nesting``,
  style and script in ``assets``).
- ``corpuskit.views.diff``: ``diff_documents`` (text edits and the offset map in ``text_edits``)
  and its text, markdown, JSON and textconv renderings (``diff_report``);
  ``corpuskit.views.git`` finds the documents a git revision range changed.
- ``corpuskit.views.stats``: ``corpus_stats`` and its renderings.
- ``corpuskit.views.commands``: ``register(app)`` adds ``show``, ``diff`` and ``stats`` to a CLI.

Submodules are imported on demand: the command line only pays for the view it runs.
"""
