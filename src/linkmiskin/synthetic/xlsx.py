"""A small, fast XLSX writer (one sheet, text cells kept as text) for the generated lists and exports.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from linkmiskin.synthetic.arrays import _ostr

_XLSX_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XLSX_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XLSX_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_XLSX_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _xml_escape(values: np.ndarray) -> np.ndarray:
    codes, uniq = pd.factorize(values)
    esc = np.array([str(u).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for u in uniq], dtype=object)
    return esc[codes] if len(uniq) else np.full(len(values), "", dtype=object)


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _xlsx_cells(col: pd.Series, ref: np.ndarray, text_style: bool) -> np.ndarray:
    """XML of one column's cells (inline strings, numbers, dates); '' for empty cells."""
    n = len(col)
    out = np.full(n, "", dtype=object)
    if pd.api.types.is_datetime64_any_dtype(col):
        ok = col.notna().to_numpy()
        serial = ((col[ok] - pd.Timestamp("1899-12-30")).dt.days).to_numpy()
        out[ok] = '<c r="' + ref[ok] + '" s="1"><v>' + _ostr(serial) + "</v></c>"
        return out
    vals = col.to_numpy(dtype=object)
    is_num = np.array([isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                       and v == v for v in vals], dtype=bool)
    is_str = np.array([isinstance(v, str) and v != "" for v in vals], dtype=bool)
    if is_num.any():
        num = np.array([f"{int(v)}" if float(v).is_integer() else repr(float(v)) for v in vals[is_num]], dtype=object)
        out[is_num] = '<c r="' + ref[is_num] + '"><v>' + num + "</v></c>"
    if is_str.any():
        sv = vals[is_str]
        space = np.array([v[:1].isspace() or v[-1:].isspace() for v in sv], dtype=bool)
        t_open = np.where(space, '<t xml:space="preserve">', "<t>")
        style = ' s="3"' if text_style else ""
        out[is_str] = '<c r="' + ref[is_str] + '"' + style + ' t="inlineStr"><is>' + t_open + _xml_escape(sv) + "</t></is></c>"
    return out


def _write_xlsx(df: pd.DataFrame, path: Path, sheet: str, text_columns: tuple[str, ...] = ()) -> None:
    """A minimal, fast .xlsx writer (inline strings; number cells stay numbers; dates as Excel dates).

    openpyxl without lxml needs minutes for a few hundred thousand rows; this writes the same workbook
    structure in seconds. ``text_columns`` get the Text ("@") number format, as a careful clerk would set.
    """
    import zipfile
    from xml.sax.saxutils import escape

    n = len(df)
    rows = _ostr(np.arange(2, n + 2))
    body = np.full(n, "", dtype=object)
    header = []
    for i, c in enumerate(df.columns):
        letter = _col_letter(i)
        header.append(f'<c r="{letter}1" s="2" t="inlineStr"><is><t>{escape(str(c))}</t></is></c>')
        body = body + _xlsx_cells(df[c], letter + rows, str(c) in text_columns)
    lines = '<row r="' + rows + '">' + body + "</row>"
    sheet_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_XLSX_NS}" '
                 f'xmlns:r="{_XLSX_REL}"><sheetData><row r="1">{"".join(header)}</row>'
                 + "".join(lines.tolist()) + "</sheetData></worksheet>")
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '<Override PartName="/xl/styles.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_XLSX_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_XLSX_NS}" '
          f'xmlns:r="{_XLSX_REL}"><sheets><sheet name="{escape(sheet[:31])}" sheetId="1" r:id="rId1"/>'
          "</sheets></workbook>")
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               f'<Relationship Id="rId1" Type="{_XLSX_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
               f'<Relationship Id="rId2" Type="{_XLSX_REL}/styles" Target="styles.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        z.writestr("xl/styles.xml", _XLSX_STYLES)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
