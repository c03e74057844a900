"""RDF foundations every other package uses: namespaces, terms, a small triple index and serialisation."""
