"""Harvesting: read a portal's catalogue through its own API, incrementally, into a Sink (the catalogue).

readers/ (one per source type: ckan, socrata, datajson, dcat) list a source page by page and keep a resumable
state; harvester.py drives a reader into a Sink, checkpointing after every page and deleting only after a
complete listing; publishers.py names publishers given only by IRI; model.py is the run's report.
"""
