"""corpuskit: keep a standoff-annotated news corpus in git.

The library API: ``corpuskit.runner.validate`` (paths, in parallel, cached) and
``corpuskit.engine.check_file`` / ``check_bytes`` (one document) check documents; ``corpuskit.formats.json_format`` and ``xml_format`` load and dump them.
"""

__version__ = "0.1.0"
