"""The published schemas, shipped inside the corpuskit package as corpuskit.schema."""
