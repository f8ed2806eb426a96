"""The workflow views: one module per page group; review_queue.py serves both kinds."""
