"""Dates as departments write them.

>>> parse_date("2020年3月5日"), parse_date("2020/3/5"), parse_date("20200305")
(datetime.date(2020, 3, 5), datetime.date(2020, 3, 5), datetime.date(2020, 3, 5))
>>> parse_date("2020-02-30")
Traceback (most recent call last):
...
ValueError: 2020-02-30 is not a real date
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: Any) -> date:
    """Parse a date cell: ISO text, ``2020/3/5``, ``2020.3.5``, ``2020年3月5日``, ``20200305``,
    a ``date``/``datetime``, or an Excel serial day number. Raise ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 200000:  # an Excel serial day; openpyxl normally converts these itself
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(f"{value!r} is not a date")
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass  # fall through for the message
    match = _YMD.match(text) or _COMPACT.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a date; write it as YYYY-MM-DD")
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text} is not a real date") from None
