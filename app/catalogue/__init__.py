"""The harmonised catalogue: partners publish records into it, everyone reads it as linked data (DESIGN §4a, §6).

Modules, each using only the ones above it in this list:
- `definitions`, `identifiers`, `ntriples`, `canonical`, `knowledge`, `records`: the catalogues, record ids and
  IRIs, terms as strict N-Triples, canonical checksums, the vocabulary knowledge added on reading, and the graphs
  the catalogue writes besides a dataset's own (its CatalogRecord, tombstones, the catalogue's description);
- `graphstore`: the RDF store, the source of truth (one named graph per record, written atomically; pyoxigraph
  on disk by default), behind the small `GraphStore` interface another store can implement;
- `index`, `tokens`, `lock`: SQLite beside the store (paging, filters, search, the changes feed and counts, all
  derived from the store; tokens, the audit log and stored reports, which are not RDF), one writer per folder;
- `prepare` (runs in the validation workers): a parsed document's datasets validated, given Puente's IRIs,
  checksummed and written out for the index;
- `service`: the one writer (publishing, deleting, reconciling the index with the store) and every read.
"""
