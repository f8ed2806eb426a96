"""The reporting leaf: a plan's report for a date (HTML and PDF) and the open-data
exports (CSV, XLSX). Uses the core (models, selectors, columns, charts); nothing
outside this package imports it but the URLs."""
