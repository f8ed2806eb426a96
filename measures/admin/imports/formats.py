"""The file formats the admin import reads: CSV and XLSX as the public exports
write them and as spreadsheets save them (separator, encoding, the formula guard,
the first sheet). See docs/exports.md ("Import").
"""

import csv
import io

import tablib
from import_export.formats import base_formats

from measures.columns import FORMULA_TRIGGERS


def _dataset(rows: list[list]) -> tablib.Dataset:
    """A dataset from the header row and the data rows: trailing blank rows
    dropped, short rows padded (a cell beyond the header gets a blank heading,
    which the resource reports)."""
    while rows and all(cell in (None, "") for cell in rows[-1]):
        rows.pop()
    dataset = tablib.Dataset()
    if not rows:
        return dataset
    width = max(len(row) for row in rows)
    padded = [list(row) + [""] * (width - len(row)) for row in rows]
    dataset.headers = padded[0]
    for row in padded[1:]:
        dataset.append(row)
    return dataset


def _unguard(cell: str) -> str:
    """Undo the exports' guard against formulas: one leading apostrophe before
    = + - @, a tab or a carriage return."""
    if len(cell) > 1 and cell[0] == "'" and cell[1:].startswith(FORMULA_TRIGGERS):
        return cell[1:]
    return cell


class CSV(base_formats.Format):
    """CSV as the exports write it (UTF-8 with BOM, ";"), and as spreadsheets save
    it: the separator (";", "," or tab) is the one the header line uses most,
    and a file that is not UTF-8 is read as Windows-1252 (Excel's "CSV" on
    Windows). Read as bytes so that the encoding is decided here."""

    def __init__(self, encoding=None):
        self.encoding = encoding

    def get_title(self):
        return "csv"

    def get_extension(self):
        return "csv"

    def get_content_type(self):
        return "text/csv"

    def can_import(self):
        return True

    def create_dataset(self, in_stream):
        if isinstance(in_stream, bytes):
            try:
                text = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = in_stream.decode("cp1252", errors="replace")
        else:
            text = in_stream.removeprefix("\ufeff")
        header_line = text.split("\n", 1)[0]
        delimiter = max((";", ",", "\t"), key=header_line.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _dataset([[_unguard(cell) for cell in row] for row in reader])


class XLSX(base_formats.XLSX):
    """The first sheet of a workbook (the exports put the data there and the
    licence on "Om dataene"), whichever sheet was active when it was saved."""

    def create_dataset(self, in_stream):
        import openpyxl

        workbook = openpyxl.load_workbook(
            io.BytesIO(in_stream), read_only=True, data_only=True
        )
        try:
            sheet = workbook.worksheets[0]
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
        return _dataset(rows)
