"""Reading an uploaded sheet row by row with bounded memory: .xlsx through openpyxl in read-only mode,
.csv (UTF-8, UTF-8 with BOM, or GBK/GB18030 as Excel saves it in China) through the csv module."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator

import openpyxl
from django.utils.translation import gettext_lazy as _

MSG_FILE_TYPE = _("只支持 Excel（.xlsx）或 CSV（.csv）文件。")
MSG_FILE_UNREADABLE = _("无法读取该文件，请确认是有效的 .xlsx 或 .csv 文件。")
MSG_FILE_ENCODING = _("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码。")
MSG_FILE_NO_HEADER = _("文件第一行应为表头，但第一行是空的。")

SUPPORTED_EXTENSIONS = (".xlsx", ".csv")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class SheetError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Sheet:
    """The first worksheet of a file: its header row, an estimated row count, and the data rows."""

    headers: list[str]
    estimated_rows: int

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """Non-blank data rows as (sheet row number, cell values); the header is row 1."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class XlsxSheet(Sheet):
    def __init__(self, fileobj):
        try:
            self.workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
            worksheet = self.workbook.worksheets[0]
            self._iterator = worksheet.iter_rows(values_only=True)
            header = next(self._iterator, None)
        except Exception:  # openpyxl raises many kinds of errors on damaged or foreign files
            raise SheetError(MSG_FILE_UNREADABLE)
        if header is None or all(is_blank(v) for v in header):
            self.close()
            raise SheetError(MSG_FILE_NO_HEADER)
        self.headers = ["" if v is None else str(v) for v in header]
        self.estimated_rows = max(0, (self._count_rows(worksheet) or 1) - 1)

    @staticmethod
    def _count_rows(worksheet) -> int | None:
        """Count <row> elements in the sheet's XML: much faster than parsing cells, and exact enough to
        decide between running now and running in the background. Files may lack a <dimension>."""
        try:
            source = worksheet._get_source()
        except (AttributeError, KeyError, OSError):
            return worksheet.max_row
        count, tail = 0, b""
        with source:
            while chunk := source.read(1 << 20):
                data = tail + chunk
                # Matches wholly inside the carried-over tail were counted with the previous chunk.
                count += sum(1 for m in _ROW_TAG.finditer(data) if m.end() > len(tail))
                tail = data[-64:]
        return count

    def rows(self):
        for number, values in enumerate(self._iterator, start=2):
            if not all(is_blank(v) for v in values):
                yield number, values

    def close(self):
        self.workbook.close()


class CsvSheet(Sheet):
    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.encoding, count = self._detect(fileobj)
        header = next(self._reader(), None)
        if header is None or all(is_blank(v) for v in header):
            raise SheetError(MSG_FILE_NO_HEADER)
        self.headers = header
        self.estimated_rows = max(0, count - 1)

    def _reader(self):
        self.fileobj.seek(0)
        return csv.reader(codecs.iterdecode(iter(self.fileobj), self.encoding))

    def _detect(self, fileobj) -> tuple[str, int]:
        """The first encoding that decodes the whole file, and its record count."""
        for encoding in _CSV_ENCODINGS:
            self.encoding = encoding
            try:
                return encoding, sum(1 for _record in self._reader())
            except UnicodeDecodeError:
                continue
            except csv.Error:
                raise SheetError(MSG_FILE_UNREADABLE)
        raise SheetError(MSG_FILE_ENCODING)

    def rows(self):
        reader = self._reader()
        next(reader, None)
        for number, values in enumerate(reader, start=2):
            if not all(is_blank(v) for v in values):
                yield number, tuple(values)


def open_sheet(fileobj, filename: str) -> Sheet:
    """Open an uploaded or stored file by its name's extension; raises SheetError with a user message."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        fileobj.seek(0)
        if fileobj.read(4) != b"PK\x03\x04":
            raise SheetError(MSG_FILE_UNREADABLE)
        fileobj.seek(0)
        return XlsxSheet(fileobj)
    if name.endswith(".csv"):
        return CsvSheet(fileobj)
    raise SheetError(MSG_FILE_TYPE)
