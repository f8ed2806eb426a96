"""The workflow forms: one module per kind of record, review.py for what both share,
sources.py for citing sources in any of them."""
