"""What every reader shares: rejections, the result of a read, and opening files as text.

Files arrive plain, gzip-compressed, inside a ``.zip`` archive (with nested folders, as the
data.police.uk archive is), with or without a UTF-8 byte-order mark, with CRLF or LF line ends, and
now and then in Windows-1252 or Latin-1 rather than UTF-8. :func:`source_files` turns the paths a
user gives into a sorted list of :class:`SourceFile` objects and :func:`text_decode` turns bytes
into text. :func:`csv_rows` splits CSV text into rows, keeping each row's physical line number so
that a rejection can point the analyst at the line to correct.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError
from vawg.ingest.csvlines import BadLine, OverlongLine, Records
from vawg.ingest.limits import (
    MAX_FIELDS,
    MAX_LINE_BYTES,
    BoundedStream,
    read_capped,
)


def utf8_safe(text: str) -> str:
    """``text`` with any lone surrogate (from a JSON escape; not UTF-8, so no table can hold
    it) written as a backslash escape.

    >>> utf8_safe("a" + chr(0xD800)), utf8_safe("ok")
    ('a\\\\ud800', 'ok')
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


@dataclass(frozen=True)
class Rejection:
    """One row that was read but not loaded, and why.

    ``line`` is the 1-based physical line of a CSV row (the header is line 1), or the 1-based
    record number in a JSON array or Parquet file.
    """

    file: str
    line: int
    reason: str
    raw: str = ""

    def __post_init__(self) -> None:
        # Kept text must be storable in every database: NUL (which PostgreSQL's text cannot
        # hold) and lone surrogates are written as escapes. The raw row is kept whole (a cut
        # row cannot be corrected and loaded again).
        for name in ("reason", "raw"):
            text = utf8_safe(getattr(self, name)).replace("\x00", "\\x00")
            object.__setattr__(self, name, text)

    def as_dict(self) -> dict[str, str | int]:
        """The public form used by ``--json``: file, line and reason (not the raw row)."""
        return {"file": self.file, "line": self.line, "reason": self.reason}


@dataclass(frozen=True)
class SkippedFile:
    """A file that was recognised but not loaded (e.g. a police.uk outcomes file)."""

    file: str
    reason: str


@dataclass(frozen=True)
class ReadResult:
    """Normalised rows from one or more files.

    ``read == rows.height + duplicates + len(rejections)`` always holds: every row read is either
    in ``rows``, or was a repeat of a row with the same identity (the last one is kept), or was
    rejected with a reason.
    """

    rows: pl.DataFrame
    read: int
    duplicates: int
    rejections: tuple[Rejection, ...]
    skipped: tuple[SkippedFile, ...] = ()
    notices: tuple[str, ...] = field(default=())
    unmatched_wards: tuple[UnmatchedWard, ...] = ()


@dataclass(frozen=True)
class UnmatchedWard:
    """A ward name of the Met's extracts that matched no 2024 ward of its borough."""

    borough: str
    ward_name: str
    rows: int
    """Stored rows that carry the name (every measure and sheet)."""
    offences: int
    """Offences on the location sheet that carry the name."""

    def as_dict(self) -> dict[str, str | int]:
        return {
            "borough": self.borough,
            "ward_name": self.ward_name,
            "rows": self.rows,
            "offences": self.offences,
        }


@dataclass(frozen=True)
class SourceFile:
    """One readable file: a plain or gzip file on disk, or a member of a zip archive."""

    name: str
    """What a user sees in messages: the path, or ``archive.zip!folder/member.csv``."""
    path: Path
    member: str | None = None

    @property
    def inner_name(self) -> str:
        """The file's own name without ``.gz`` (``2023-03-x-street.csv``), lower case."""
        name = (self.member or self.path.name).rsplit("/", 1)[-1].lower()
        return name[:-3] if name.endswith(".gz") else name

    def read_bytes(self) -> bytes:
        """The file's bytes, decompressed, for a reader that needs the whole file; a file that
        cannot be read, or is longer than :data:`~vawg.ingest.limits.MAX_WHOLE_FILE_BYTES`
        once decompressed, raises UserInputError."""
        with self.open_binary() as stream:
            try:
                return read_capped(stream, name=self.name)
            except READ_ERRORS as error:
                raise UserInputError(f"cannot read {self.name}: {_why(error)}") from error

    @contextmanager
    def open_binary(self) -> Iterator[io.BufferedIOBase]:
        """The file as a binary stream, decompressed on the fly (gzip is recognised by its magic
        bytes, whatever the name), bounded against compression bombs
        (:class:`~vawg.ingest.limits.BoundedStream`). Errors while opening raise
        UserInputError; errors while reading (a truncated gzip) surface from the stream: see
        :func:`text_lines`."""
        try:
            with _open_raw(self) as (raw, consumed):
                if raw.peek(2)[:2] == b"\x1f\x8b":
                    with gzip.GzipFile(fileobj=raw) as unzipped:
                        bounded = BoundedStream(unzipped, name=self.name, consumed=consumed)
                        yield io.BufferedReader(bounded, buffer_size=1024**2)
                else:
                    yield raw
        except READ_ERRORS as error:
            raise UserInputError(f"cannot read {self.name}: {_why(error)}") from error


READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, KeyError, zlib.error)
"""What reading a damaged file raises: a truncated gzip raises EOFError, bad gzip data OSError or
zlib.error, a damaged archive BadZipFile."""


def _why(error: BaseException) -> str:
    if isinstance(error, EOFError):
        return "the compressed file is truncated (it ends before its end marker)"
    return str(error) or type(error).__name__


@contextmanager
def _open_raw(
    source: SourceFile,
) -> Iterator[tuple[io.BufferedReader | zipfile.ZipExtFile, Callable[[], int]]]:
    """The file's own bytes (a zip member decompressed, bounded) and a function that says how
    many compressed bytes have been consumed so far."""
    if source.member is None:
        with open(source.path, "rb") as handle:
            yield handle, handle.tell
    else:
        with zipfile.ZipFile(source.path) as archive, archive.open(source.member) as member:
            info = archive.getinfo(source.member)
            assert isinstance(member, zipfile.ZipExtFile)  # opened for reading
            if info.compress_type == zipfile.ZIP_STORED:
                yield member, member.tell
                return
            # The member's compressed size bounds what decompressing it can have consumed.
            bounded = BoundedStream(member, name=source.name, consumed=lambda: info.compress_size)
            yield io.BufferedReader(bounded, buffer_size=1024**2), lambda: bounded.given


def line_decode(line: bytes) -> str:
    """Decode one line: UTF-8, else Windows-1252, else Latin-1 (which never fails).

    Decoding line by line lets a file stream and copes with files that mix encodings.

    >>> line_decode("Café".encode("cp1252")), line_decode("Café".encode("utf-8"))
    ('Café', 'Café')
    """
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def text_lines(source: SourceFile) -> Generator[str, None, None]:
    """The file's text lines (line ends kept), streaming: a UTF-8 byte-order mark is dropped,
    CRLF and LF both work, each line is decoded by :func:`line_decode`. A line longer than
    :data:`~vawg.ingest.limits.MAX_LINE_BYTES` is read past and given as an
    :class:`~vawg.ingest.csvlines.OverlongLine` (its beginning), so that memory holds at most
    one bounded line. A file that turns out to be unreadable part-way (a truncated gzip, a
    compression bomb) raises UserInputError."""
    with source.open_binary() as stream:
        first = True
        try:
            while line := stream.readline(MAX_LINE_BYTES + 1):
                if first:
                    first = False
                    if line.startswith(b"\xef\xbb\xbf"):
                        line = line[3:]
                if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                    size = len(line)
                    while rest := stream.readline(MAX_LINE_BYTES):
                        size += len(rest)
                        if rest.endswith(b"\n"):
                            break
                    yield OverlongLine.of(line_decode(line), size)
                    continue
                yield line_decode(line)
        except READ_ERRORS as error:
            raise UserInputError(f"cannot read {source.name}: {_why(error)}") from error


def text_decode(data: bytes) -> str:
    """Decode file bytes: UTF-8 (a leading byte-order mark is dropped), else Windows-1252/Latin-1.

    >>> text_decode(b"\\xef\\xbb\\xbfCrime ID,Month")
    'Crime ID,Month'
    >>> text_decode("Caf\\u00e9".encode("cp1252"))
    'Café'
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def source_files(paths: Iterable[Path], *, accept: Callable[[str], bool]) -> list[SourceFile]:
    """The files named by ``paths``: files as given, folders searched recursively (sorted by their
    path inside the folder), and ``.zip`` archives opened (members sorted by name).

    ``accept`` is given a lower-case file name without ``.gz`` and says whether to take it from a
    folder or archive; a file named directly is always taken. A path that does not exist raises
    :class:`~vawg.errors.UserInputError`.
    """
    found: list[SourceFile] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            before = len(found)
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() == ".zip":
                    found.extend(_zip_members(child, accept))
                elif accept(_plain_name(child.name)):
                    found.append(SourceFile(name=str(child), path=child))
            if len(found) == before:
                raise UserInputError(f"{path}: the folder holds no file to load")
        elif path.is_file():
            if path.suffix.lower() == ".zip":
                members = _zip_members(path, accept)
                if not members:
                    raise UserInputError(f"{path}: the archive holds no file to load (no CSV)")
                found.extend(members)
            else:
                found.append(SourceFile(name=str(path), path=path))
        else:
            raise UserInputError(f"no such file or folder: {path}")
    return found


def _plain_name(name: str) -> str:
    name = name.lower()
    return name[:-3] if name.endswith(".gz") else name


def _zip_members(path: Path, accept: Callable[[str], bool]) -> list[SourceFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(info.filename for info in archive.infolist() if not info.is_dir())
    except (OSError, zipfile.BadZipFile) as error:
        raise UserInputError(f"cannot open archive {path}: {error}") from error
    for name in names:
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            # Members are read, never written out, so such a name could do no harm here; it is
            # refused all the same, as no publisher's archive holds one.
            raise UserInputError(
                f"{path}: the archive holds a member named {name[:200]!r}, a path outside the "
                "archive (refused)"
            )
    return [
        SourceFile(name=f"{path}!{name}", path=path, member=name)
        for name in names
        if accept(_plain_name(name.rsplit("/", 1)[-1])) and "__MACOSX" not in name
    ]


@dataclass(frozen=True)
class CsvTable:
    """A CSV file split into a header and string columns, with each row's physical line."""

    header: tuple[str, ...]
    rows: pl.DataFrame
    """One string column per header name (stripped of surrounding spaces), plus ``_line``."""
    rejections: tuple[Rejection, ...]
    """Rows whose number of fields differs from the header's."""


def csv_rows(text: str | Iterable[str], *, file: str) -> CsvTable:
    """Split CSV ``text`` (a string, or lines as :func:`text_lines` gives them) into a header
    and rows of strings (all at once; see :func:`csv_chunks`).

    Fields are stripped of surrounding white space; blank lines are skipped (they are not rows);
    a row with more or fewer fields than the header is rejected with its line number.

    >>> t = csv_rows("a,b\\r\\n1,2\\r\\n\\r\\n3\\r\\n", file="x.csv")
    >>> t.rows.rows(), [r.line for r in t.rejections]
    ([('1', '2', 2)], [4])
    """
    lines = io.StringIO(text, newline="") if isinstance(text, str) else text
    chunks = list(csv_chunks(lines, file=file, chunk_rows=None))
    if len(chunks) == 1:
        return chunks[0]
    return CsvTable(
        chunks[0].header,
        pl.concat([c.rows for c in chunks]),
        tuple(r for c in chunks for r in c.rejections),
    )


def csv_chunks(
    lines: Iterable[str], *, file: str, chunk_rows: int | None = 100_000
) -> Iterator[CsvTable]:
    """Split CSV lines into a header and chunks of at most ``chunk_rows`` rows (all in one chunk
    when None), streaming: memory holds one chunk, whatever the file's size.

    Yields at least one chunk (an empty file gives a chunk with an empty header). Each chunk's
    rejections are the lines in it that are no row (too long, a stray quote, unparseable: see
    :mod:`vawg.ingest.csvlines`) and the rows whose number of fields differs from the header's.
    A header wider than :data:`~vawg.ingest.limits.MAX_FIELDS` refuses the file.
    """
    records = Records(lines)
    found = iter(records)
    first = next(found, None)
    while isinstance(first, BadLine) and not first.text.strip():
        first = next(found, None)
    if first is None:
        yield CsvTable((), pl.DataFrame({"_line": pl.Series([], dtype=pl.Int64)}), ())
        return
    if isinstance(first, BadLine):
        raise UserInputError(f"{file}: not a CSV file (its header: {first.reason})")
    header = tuple(name.strip() for name in first.fields)
    width = len(header)
    if width > MAX_FIELDS:
        raise UserInputError(f"{file}: the header has {width:,} columns, more than {MAX_FIELDS:,}")
    if len(set(header)) != width:
        raise UserInputError(f"{file}: the header repeats a column name")
    records.width = width
    columns: list[list[str]] = [[] for _ in range(width)]
    lines_kept: list[int] = []
    rejections: list[Rejection] = []
    emitted = False
    for record in found:
        if isinstance(record, BadLine):
            rejections.append(Rejection(file, record.line, record.reason, record.text))
            continue
        row = record.fields
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != width:
            rejections.append(
                Rejection(
                    file,
                    record.line,
                    f"{len(row)} fields where the header has {width}",
                    record.text.rstrip("\r\n"),
                )
            )
            continue
        for values, value in zip(columns, row, strict=True):
            values.append(value.strip())
        lines_kept.append(record.line)
        if chunk_rows is not None and len(lines_kept) >= chunk_rows:
            yield _chunk(header, columns, lines_kept, rejections)
            emitted = True
            columns = [[] for _ in range(width)]
            lines_kept = []
            rejections = []
    if lines_kept or rejections or not emitted:
        yield _chunk(header, columns, lines_kept, rejections)


def _chunk(
    header: tuple[str, ...],
    columns: list[list[str]],
    lines: list[int],
    rejections: list[Rejection],
) -> CsvTable:
    data: dict[str, pl.Series] = {
        name: pl.Series(name, values, dtype=pl.String)
        for name, values in zip(header, columns, strict=True)
    }
    data["_line"] = pl.Series("_line", lines, dtype=pl.Int64)
    return CsvTable(header, pl.DataFrame(data), tuple(rejections))


def raw_rows(frame: pl.DataFrame, columns: Sequence[str]) -> list[str]:
    """Each row of ``frame`` re-joined as comma-separated text, for a rejection's ``raw``."""
    if frame.height == 0:
        return []
    joined = frame.select(
        pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in columns], separator=",")
    ).to_series()
    return joined.to_list()


def rejections_from(
    frame: pl.DataFrame, *, file: str | None = None, columns: Sequence[str]
) -> list[Rejection]:
    """Rejections for the rows of ``frame`` (which has ``_reason``, ``_line`` and ``_file`` when
    ``file`` is None), with the listed ``columns`` joined as raw text."""
    raws = raw_rows(frame, columns)
    files = [file] * frame.height if file is not None else frame["_file"].to_list()
    return [
        Rejection(f, int(line), str(reason), raw)
        for f, line, reason, raw in zip(
            files, frame["_line"].to_list(), frame["_reason"].to_list(), raws, strict=True
        )
    ]
