"""corpuskit: keep a standoff-annotated news corpus in git.

The library API: ``corpuskit.engine.validate`` / ``check_file`` / ``check_bytes`` check
documents; ``corpuskit.formats.json_format`` and ``xml_format`` load and dump them.
"""

__version__ = "0.1.0"
