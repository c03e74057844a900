"""The common profile: shapes, vocabularies, background knowledge and JSON-LD context."""
