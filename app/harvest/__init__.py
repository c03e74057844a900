"""Harvesting: read a portal's catalogue through its own API, incrementally, into a Sink (the catalogue).

readers/ (one per source type: ckan, socrata, datajson, dcat) list a source page by page and keep a resumable
state; harvester.py drives a reader into a Sink, checkpointing after every page and deleting only after a
complete listing; publishers.py names publishers given only by IRI; model.py is the run's report.
catalogue_sink.py publishes into the harmonised catalogue; registry.py keeps sources, runs, states and the
records each source became (PUENTE_DATA_DIR/harvest.sqlite3); runs.py starts and records runs; schedule.py is the
cron-like scheduler; service.py wires them into the web service; cli_catalogue.py is `puente harvest --catalogue`.
"""
