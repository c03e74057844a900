"""Declarative crosswalks: the engine that maps a national JSON record onto the common profile."""
