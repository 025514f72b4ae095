"""Resolve date expressions ("on Thursday", "April 16", "until early July") against a document
date, to ISO 8601 at the precision the expression gives: day "2025-04-16", month "2025-07",
year "2024"."""
from __future__ import annotations

import datetime as dt
import re

MONTHS = {name: index for index, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
MONTHS.update({name[:3]: index for name, index in list(MONTHS.items())})
WEEKDAYS = {name: index for index, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}

_MONTH = (r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")


def parse_iso(value: str | None) -> dt.date | None:
    if not value:
        return None
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _nearest_year(month: int, day: int | None, anchor: dt.date) -> int:
    """The year that puts month (and day) closest to the anchor date."""
    best_year, best_distance = anchor.year, None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidate = dt.date(year, month, day or 15)
        except ValueError:
            continue
        distance = abs((candidate - anchor).days)
        if best_distance is None or distance < best_distance:
            best_year, best_distance = year, distance
    return best_year


def _shift_months(anchor: dt.date, months: int) -> tuple[int, int]:
    index = anchor.year * 12 + anchor.month - 1 + months
    return index // 12, index % 12 + 1


def resolve_date(expression: str, document_date: str | None) -> str | None:
    """ISO date of ``expression`` relative to ``document_date`` (ISO), or None when it names no
    resolvable point or period (durations like "90 days", vague "recent months")."""
    text = " ".join(expression.lower().replace("’", "'").split())
    text = re.sub(r"^(on|in|at|by|until|till|through|since|from|before|after|during|of|the|early|mid|late|mid-)\s+", "", text)
    text = re.sub(r"^(on|in|the|early|mid|late|mid-)\s+", "", text)
    text = re.sub(r"^(early|mid|late)-", "", text)
    anchor = parse_iso(document_date)

    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        return text
    match = re.fullmatch(rf"{_MONTH} (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})", text)
    if match:
        return _iso(int(match.group(3)), MONTHS[match.group(1)[:3]], int(match.group(2)))
    match = re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)? {_MONTH},? (\d{{4}})", text)
    if match:
        return _iso(int(match.group(3)), MONTHS[match.group(2)[:3]], int(match.group(1)))
    match = re.fullmatch(rf"{_MONTH},? (\d{{4}})", text)
    if match:
        return f"{int(match.group(2)):04d}-{MONTHS[match.group(1)[:3]]:02d}"
    match = re.fullmatch(r"(?:the )?(?:year )?(\d{4})|fiscal (?:year )?(\d{4})", text)
    if match:
        return match.group(1) or match.group(2)
    if anchor is None:
        return None
    match = (re.fullmatch(rf"{_MONTH} (\d{{1,2}})(?:st|nd|rd|th)?", text)
             or re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_MONTH}", text))
    if match:
        groups = match.groups()
        month_name, day = (groups[0], groups[1]) if not groups[0].isdigit() else (groups[1], groups[0])
        month = MONTHS[month_name[:3]]
        return _iso(_nearest_year(month, int(day), anchor), month, int(day))
    match = re.fullmatch(_MONTH, text)
    if match:
        month = MONTHS[match.group(1)[:3]]
        return f"{_nearest_year(month, None, anchor):04d}-{month:02d}"
    if text in ("today", "tonight", "this morning", "this afternoon", "this evening", "now"):
        return anchor.isoformat()
    if text in ("yesterday", "last night"):
        return (anchor - dt.timedelta(days=1)).isoformat()
    if text == "tomorrow":
        return (anchor + dt.timedelta(days=1)).isoformat()
    match = re.fullmatch(r"(this|last|next|coming)? ?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)", text)
    if match:
        which, weekday = match.group(1), WEEKDAYS[match.group(2)]
        if which in ("next", "coming"):
            delta = (weekday - anchor.weekday()) % 7 or 7
            return (anchor + dt.timedelta(days=delta)).isoformat()
        # news reports "on Thursday" for the most recent Thursday (the day of the article included)
        delta = (anchor.weekday() - weekday) % 7
        if which == "last" and delta == 0:
            delta = 7
        return (anchor - dt.timedelta(days=delta)).isoformat()
    match = re.fullmatch(r"(this|last|next|previous|the previous|the next|the coming|coming) (year|month|week)", text)
    if match:
        step = {"this": 0, "last": -1, "previous": -1, "the previous": -1, "next": 1, "the next": 1,
                "coming": 1, "the coming": 1}[match.group(1)]
        unit = match.group(2)
        if unit == "year":
            return f"{anchor.year + step:04d}"
        if unit == "month":
            year, month = _shift_months(anchor, step)
            return f"{year:04d}-{month:02d}"
        return None  # a week has no ISO form at our precisions
    match = re.fullmatch(r"(a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+) "
                         r"(day|week|month|year)s? (ago|earlier|later|from now)", text)
    if match:
        count = NUMBER_WORDS.get(match.group(1)) or int(match.group(1))
        sign = -1 if match.group(3) in ("ago", "earlier") else 1
        unit = match.group(2)
        if unit in ("day", "week"):
            return (anchor + dt.timedelta(days=sign * count * (7 if unit == "week" else 1))).isoformat()
        if unit == "month":
            year, month = _shift_months(anchor, sign * count)
            return f"{year:04d}-{month:02d}"
        return f"{anchor.year + sign * count:04d}"
    match = re.fullmatch(r"(?:the )?(first|second|third|fourth|1st|2nd|3rd|4th) quarter(?: of)?(?: (\d{4}))?", text)
    if match:
        return match.group(2) or None  # a quarter resolves to its year only
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


# Words before a date that make it a limit or a background date, not the date of the event.
NOT_EVENT_DATE_WORDS = {"until", "till", "through", "by", "before", "after", "since", "from", "ago", "earlier", "previously"}
