"""One reader per source type; each lists its source page by page with a resumable state."""
