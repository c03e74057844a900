"""The harmonised catalogue: partners publish records into it, everyone reads it as linked data (DESIGN §4a, §6).

Layers, each using only the ones below it:
- `definitions`, `identifiers`, `vocabulary`: the catalogues, how IRIs are minted, the terms records use;
- `graphstore`: the RDF store, the source of truth (one named graph per record; pyoxigraph on disk);
- `index`: SQLite beside it: paging, filters, the changes feed, counts (derived from the store), and what is not
  RDF (tokens, the write audit log, stored validation reports);
- `prepare` (runs in worker processes): a parsed document's records validated, made IRIs and checksums;
- `service`: the one writer: publishing, deleting, reconciling the index with the store, reading, exports.
"""
