"""Harm weights per offence: the Cambridge Crime Harm Index (CCHI) and the ONS Crime Severity Score.

The CCHI weighs an offence by the days of imprisonment at the Sentencing Council starting point
for a first offender at the least-aggravated tier (Sherman, Neyroud & Neyroud 2016, *Policing*
10(3):171-183, https://www.repository.cam.ac.uk/handle/1810/254901). Three tables can be used:

- the official CCHI workbook, read by :func:`cchi_workbook_read` (by Home Office code or ATHENA
  URN; users download it from the Cambridge Centre for Evidence-Based Policing);
- the default table shipped in ``vawg/data/harm_default.csv``: verified published values where
  they exist and, marked provisional, Home Office subgroup medians from
  the real data folder's ``reference/`` (``cchi_days_by_prc_subgroup.csv``) elsewhere;
- the partial ONS Crime Severity Score (2016) weights (``vawg/data/harm_ons_css_partial.csv``).

Every table has a name that every output carries, and each value says whether it is verified and
where it comes from. Units are days (per offence) and harm-days (sums of them).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from vawg.errors import UserInputError
from vawg.taxonomy import offence_code_normalise

DATA = Path(__file__).parent / "data"
DEFAULT_PATH = DATA / "harm_default.csv"
ONS_CSS_PATH = DATA / "harm_ons_css_partial.csv"
_COLUMNS = ("offence_code", "title", "ho_subgroup", "harm_days", "status", "basis", "source")
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

WORKBOOK_COLUMNS = {
    "athena_urn": "ATHENA URN",
    "title": "FULL_OFFENCE_TITLE",
    "cchi_score": "CCHI Score",
    "starting_point": "Starting Point",
    "group": "GROUP",
    "sub_group": "SUB_GROUP",
    "sub_sub_group": "SUB_SUB_GROUP",
    "ho_code": "HO_CODE",
    "ho_sub_code": "HO_SUB_CODE",
}
"""The Feb 2026 CCHI workbook's columns (Cambridge Centre for Evidence-Based Policing,
https://cambridge-ebp.co.uk/the-chi; ``docs/sources.md``), by our name."""


@dataclass(frozen=True)
class HarmTable:
    """Harm weights per offence key.

    Attributes
    ----------
    name : str
        What the table is, with its version (printed in every output).
    table : pl.DataFrame
        ``offence_code`` (the key: a Home Office code, or an ATHENA URN), ``title``,
        ``ho_subgroup``, ``harm_days`` (days, float), ``status`` (``verified`` or
        ``provisional``), ``basis``, ``source``.
    """

    name: str
    table: pl.DataFrame

    def days(self) -> dict[str, float]:
        """Offence code to harm in days.

        >>> harm_table_default().days()["19C"]
        1825.0
        """
        return dict(zip(self.table["offence_code"], self.table["harm_days"], strict=True))


def _read_csv_table(path: Path, *, label: str) -> HarmTable:
    try:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        table = pl.read_csv(path, comment_prefix="#", infer_schema=False)
    except (OSError, IndexError, pl.exceptions.PolarsError) as error:
        raise UserInputError(f"{path}: cannot read the harm table ({error})") from error
    if "harm_days" not in table.columns and "cchi_days" in table.columns:
        table = table.rename({"cchi_days": "harm_days"})
    if "offence_code" not in table.columns or "harm_days" not in table.columns:
        raise UserInputError(f"{path}: a harm table needs columns offence_code and harm_days")
    for column in _COLUMNS:
        if column not in table.columns:
            default = "provisional" if column == "status" else ""
            if column == "source":
                default = str(path)
            table = table.with_columns(pl.lit(default).alias(column))
    table = table.select(_COLUMNS).with_columns(
        offence_code_normalise(pl.col("offence_code")).alias("offence_code"),
        pl.col("harm_days").str.strip_chars().cast(pl.Float64, strict=False),
    )
    bad = table.filter(pl.col("harm_days").is_null() | (pl.col("harm_days") < 0))
    if bad.height:
        raise UserInputError(
            f"{path}: harm_days must be a number >= 0 (offence code {bad['offence_code'][0]})"
        )
    if table["offence_code"].is_duplicated().any():
        raise UserInputError(f"{path}: an offence code is listed twice")
    version = ""
    if first.startswith("#") and "version " in first:
        version = " v" + first.split("version ", 1)[1].split()[0]
    return HarmTable(name=f"{label}{version}", table=table)


def harm_table_default() -> HarmTable:
    """The shipped default CCHI table (``vawg/data/harm_default.csv``).

    Returns
    -------
    HarmTable
        Named ``cchi-default v...``; one row per Home Office code of the taxonomy.

    Examples
    --------
    >>> t = harm_table_default()
    >>> t.name
    'cchi-default v2025.11.1'
    >>> t.table.filter(pl.col("offence_code") == "1")["status"].item()
    'verified'
    """
    return _read_csv_table(DEFAULT_PATH, label="cchi-default")


def harm_table_ons_css() -> HarmTable:
    """The ONS Crime Severity Score weights that could be verified (a partial table).

    Returns
    -------
    HarmTable
        Named ``ons-css-partial v2016.11``; codes it lacks get no weight and are reported.

    Examples
    --------
    >>> harm_table_ons_css().days()["8G"]
    127.0
    """
    return _read_csv_table(ONS_CSS_PATH, label="ons-css-partial")


def harm_table_named(*, spec: str | Path) -> HarmTable:
    """A harm table by name (``default``, ``ons-css``) or path (``.csv`` or the CCHI ``.xlsx``).

    Parameters
    ----------
    spec : str or Path

    Returns
    -------
    HarmTable

    Raises
    ------
    UserInputError
        An unknown name, or a file that cannot be read as a harm table.

    Examples
    --------
    >>> harm_table_named(spec="ons-css").name
    'ons-css-partial v2016.11'
    """
    text = str(spec)
    if text in ("default", "cchi-default"):
        return harm_table_default()
    if text in ("ons-css", "ons-css-partial"):
        return harm_table_ons_css()
    path = Path(text)
    if not path.is_file():
        raise UserInputError(
            f"--harm-table {text}: not 'default', 'ons-css' or an existing .csv/.xlsx file"
        )
    if path.suffix.lower() == ".xlsx":
        return cchi_workbook_read(path=path)
    return _read_csv_table(path, label=path.stem)


# --- the official CCHI workbook, read with the standard library -------------------------------


# The workbook is a file the user chose to load. ElementTree resolves no external entities and
# the bundled expat (>= 2.4.1) limits entity expansion, so defusedxml is not needed here.


def _xlsx_sheets(archive: zipfile.ZipFile) -> dict[str, str]:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    sheets: dict[str, str] = {}
    for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(_REL_NS), "")
        target = target.lstrip("/")
        if not target.startswith("xl/"):
            target = "xl/" + target
        sheets[sheet.get("name", "")] = target
    return sheets


def _column_index(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    index = 0
    for char in letters.group(0) if letters else "A":
        index = index * 26 + (ord(char) - 64)
    return index - 1


def _xlsx_rows(archive: zipfile.ZipFile, sheet_path: str) -> list[list[str]]:
    shared: list[str] = []
    if "xl/sharedStrings.xml" in archive.namelist():
        root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314
        for item in root.iterfind("m:si", _NS):
            shared.append("".join(t.text or "" for t in item.iter(f"{{{_NS['m']}}}t")))
    root = ElementTree.fromstring(archive.read(sheet_path))  # noqa: S314
    rows: list[list[str]] = []
    for row in root.iterfind("m:sheetData/m:row", _NS):
        values: dict[int, str] = {}
        for position, cell in enumerate(row.iterfind("m:c", _NS)):
            kind = cell.get("t", "n")
            index = _column_index(cell.get("r", "")) if cell.get("r") else position
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{{{_NS['m']}}}t"))
            else:
                value = cell.find("m:v", _NS)
                raw = value.text if value is not None and value.text is not None else ""
                text = shared[int(raw)] if kind == "s" and raw else raw
            values[index] = text.strip()
        width = max(values) + 1 if values else 0
        rows.append([values.get(i, "") for i in range(width)])
    return rows


def _clean_code(text: str) -> str:
    # Workbook cells holding numbers come back as "8.0" or "008": write codes as the HOCR does.
    text = text.strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    if re.fullmatch(r"0+\d+", text):
        text = text.lstrip("0")
    return text.upper()


def cchi_workbook_read(
    *, path: Path, key: str = "ho_code", aggregate: str = "median", sheet: str | None = None
) -> HarmTable:
    """Read the official CCHI workbook (``.xlsx``) into a harm table.

    The sheet read is ``sheet``, else the first whose name contains ``values sheet`` (the Feb
    2026 workbook's ``CCHI 2026 values sheet``), else the first sheet. The header row is the
    first row holding ``CCHI Score``; rows whose title contains ``EXPIRED`` are left out.

    Parameters
    ----------
    path : Path
        The workbook.
    key : {"ho_code", "ho_sub_code", "athena_urn"}
        What the table is keyed by: the Home Office code (``HO_CODE``, e.g. ``8Q``), the code
        with its sub-code (``HO_CODE/HO_SUB_CODE``), or the ATHENA URN.
    aggregate : {"median", "min", "max"}
        How several workbook rows sharing a key are combined into one weight (days). The
        median matches the Home Office subgroup derivation of the default table; ``min`` is the
        CCHI's "first rung" reading.
    sheet : str, optional

    Returns
    -------
    HarmTable
        Named ``cchi-workbook <file> [<sheet>] by <key>``; every value ``verified``.

    Raises
    ------
    UserInputError
        The file is not an xlsx workbook, or lacks the needed columns.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "cchi.xlsx"
    >>> cchi_workbook_write_example(path=p)
    >>> t = cchi_workbook_read(path=p)
    >>> t.days()["8Q"], t.days()["19C"]
    (131.0, 1825.0)
    >>> cchi_workbook_read(path=p, aggregate="min").days()["8Q"]
    10.0
    """
    if key not in ("ho_code", "ho_sub_code", "athena_urn"):
        raise UserInputError(f"key must be ho_code, ho_sub_code or athena_urn, not {key!r}")
    if aggregate not in ("median", "min", "max"):
        raise UserInputError(f"aggregate must be median, min or max, not {aggregate!r}")
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = _xlsx_sheets(archive)
            chosen = sheet or next(
                (name for name in sheets if "values sheet" in name.lower()), next(iter(sheets))
            )
            if chosen not in sheets:
                raise UserInputError(f"{path}: no sheet {chosen!r} (sheets: {', '.join(sheets)})")
            rows = _xlsx_rows(archive, sheets[chosen])
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError) as error:
        raise UserInputError(f"{path}: not a readable xlsx workbook ({error})") from error

    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.lower())

    wanted = {norm(v): k for k, v in WORKBOOK_COLUMNS.items()}
    header_at = next(
        (i for i, row in enumerate(rows) if norm("CCHI Score") in {norm(c) for c in row}), None
    )
    if header_at is None:
        raise UserInputError(f"{path} [{chosen}]: no header row with 'CCHI Score'")
    positions = {wanted[norm(c)]: i for i, c in enumerate(rows[header_at]) if norm(c) in wanted}
    needed = ["cchi_score", "title"] + (["athena_urn"] if key == "athena_urn" else ["ho_code"])
    if key == "ho_sub_code":
        needed.append("ho_sub_code")
    missing = [WORKBOOK_COLUMNS[n] for n in needed if n not in positions]
    if missing:
        raise UserInputError(f"{path} [{chosen}]: missing column(s) {', '.join(missing)}")

    def cell(row: list[str], name: str) -> str:
        at = positions.get(name)
        return row[at] if at is not None and at < len(row) else ""

    records: list[dict[str, object]] = []
    for row in rows[header_at + 1 :]:
        title = cell(row, "title")
        score = cell(row, "cchi_score")
        if not score or "EXPIRED" in title.upper():
            continue
        try:
            days = float(score)
        except ValueError:
            continue
        if key == "athena_urn":
            code = cell(row, "athena_urn").strip()
        else:
            code = _clean_code(cell(row, "ho_code"))
            if key == "ho_sub_code":
                code = f"{code}/{_clean_code(cell(row, 'ho_sub_code'))}"
        if not code:
            continue
        records.append(
            {
                "offence_code": code,
                "title": title,
                "ho_subgroup": cell(row, "sub_group"),
                "harm_days": days,
            }
        )
    if not records:
        raise UserInputError(f"{path} [{chosen}]: no rows with a CCHI score")
    frame = pl.DataFrame(records)
    agg = {"median": pl.median, "min": pl.min, "max": pl.max}[aggregate]
    table = (
        frame.group_by("offence_code", maintain_order=True)
        .agg(
            agg("harm_days").cast(pl.Float64).alias("harm_days"),
            pl.col("title").first(),
            pl.col("ho_subgroup").first(),
            pl.len().alias("rows"),
        )
        .with_columns(
            pl.lit("verified").alias("status"),
            pl.format(f"{aggregate} of {{}} workbook row(s)", pl.col("rows")).alias("basis"),
            pl.lit(f"CCHI workbook {path.name} [{chosen}]").alias("source"),
        )
        .select(_COLUMNS)
    )
    return HarmTable(name=f"cchi-workbook {path.name} [{chosen}] by {key}", table=table)


def cchi_workbook_write_example(*, path: Path) -> None:
    """Write a tiny workbook laid out like the official CCHI one (for examples and tests).

    Parameters
    ----------
    path : Path
        Where to write the ``.xlsx``.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.xlsx"
    >>> cchi_workbook_write_example(path=p)
    >>> p.stat().st_size > 0
    True
    """
    header = list(WORKBOOK_COLUMNS.values())
    body = [
        [
            "URN1",
            "Rape of a female aged 16 and over",
            "1825",
            "5 years",
            "SEXUAL",
            "RAPE",
            "",
            "19C",
            "1",
        ],
        ["URN2", "Stalking", "10", "fine", "VAP", "STALKING AND HARASSMENT", "", "8Q", "1"],
        [
            "URN3",
            "Stalking involving fear of violence",
            "252",
            "36 weeks",
            "VAP",
            "STALKING AND HARASSMENT",
            "",
            "8Q",
            "2",
        ],
        ["URN4", "Harassment", "10", "fine", "VAP", "STALKING AND HARASSMENT", "", "8L", "1"],
        ["URN5", "EXPIRED old offence", "730", "", "", "", "", "28", "1"],
    ]
    strings: list[str] = []

    def sref(text: str) -> str:
        if text not in strings:
            strings.append(text)
        return str(strings.index(text))

    def row_xml(number: int, values: list[str]) -> str:
        cells = []
        for i, value in enumerate(values):
            ref = f"{chr(65 + i)}{number}"
            if value and re.fullmatch(r"\d+(\.\d+)?", value) and i == 2:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value:
                cells.append(f'<c r="{ref}" t="s"><v>{sref(value)}</v></c>')
        return f'<row r="{number}">{"".join(cells)}</row>'

    rows = [row_xml(1, ["Cambridge Crime Harm Index 2026"]), row_xml(2, header)]
    rows += [row_xml(i + 3, r) for i, r in enumerate(body)]
    main = _NS["m"]
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet = f'<worksheet xmlns="{main}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    shared = "".join(
        f"<si><t>{s.replace('&', '&amp;').replace('<', '&lt;')}</t></si>" for s in strings
    )
    files = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Notes" sheetId="1" r:id="rId1"/>'
            '<sheet name="CCHI 2026 values sheet" sheetId="2" r:id="rId2"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="ws"/>'
            '<Relationship Id="rId2" Target="worksheets/sheet2.xml" Type="ws"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData/></worksheet>',
        "xl/worksheets/sheet2.xml": sheet,
        "xl/sharedStrings.xml": f'<sst xmlns="{main}">{shared}</sst>',
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)


def crimes_harm(crimes: pl.LazyFrame, *, harm: HarmTable) -> pl.LazyFrame:
    """Add each crime's harm in days (``harm_days``; null when the table lacks its code).

    Parameters
    ----------
    crimes : pl.LazyFrame
        Needs ``offence_code`` (normalised, see :func:`vawg.taxonomy.offence_code_normalise`).
    harm : HarmTable

    Returns
    -------
    pl.LazyFrame
        The input plus ``harm_days`` (float, days).

    Examples
    --------
    >>> f = pl.LazyFrame({"offence_code": ["19C", "ZZ"]})
    >>> crimes_harm(f, harm=harm_table_default()).collect()["harm_days"].to_list()
    [1825.0, None]
    """
    return crimes.with_columns(
        pl.col("offence_code")
        .replace_strict(harm.days(), default=None, return_dtype=pl.Float64)
        .alias("harm_days")
    )
