"""The admin's CSV/XLSX import (django-import-export): the public exports read back.

- mixin: ServiceImportMixin for a ModelAdmin: the import pages, form and report
- formats: how CSV and XLSX files are read

See docs/exports.md ("Import").
"""
