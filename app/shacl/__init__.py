"""SHACL: the table of what Puente supports, the fast engine built from it, and pyshacl as the reference."""
