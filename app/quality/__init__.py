"""The score stage: MQA indicators, freshness, link checks, W3C DQV, catalogue aggregates and the dashboard.

parse → map → validate → **score** → serialise. Everything here reads a record's profile triples and Puente's
validation of it, or the plain results other stages keep (per-dataset scores, aggregates, history); nothing here
fetches a URL itself (link checks go through an injected fetch) or reads the clock (callers pass `now`).
"""
