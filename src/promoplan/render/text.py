"""Text shared by renderers: escaping untrusted strings and formatting numbers.

Every string that comes from a plan or a CSV passes through one of the
escapers here before it reaches a terminal, Markdown, HTML or CSV.
"""

from __future__ import annotations

import math
import re
import unicodedata

from promoplan.vocabulary import Units, default_units

# C0 (but tab), DEL, C1, bidi overrides and isolates, zero-width characters, line/para
# separators, and lone surrogates (a YAML "\ud800" escape), which cannot be encoded as UTF-8.
_UNSAFE = re.compile(
    r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)


def safe_text(text: str) -> str:
    """Replace control, bidi and zero-width characters with visible ``\\uXXXX`` escapes."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(text: str) -> str:
    """Collapse newlines to spaces, then make the rest safe."""
    return safe_text(re.sub(r"\r\n|\r|\n", " ", text))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


# GitHub and GitLab link a bare URL (http://, https://, www.) and mention @someone in
# text: a plan string or a CSV value must do neither in a report posted to a PR, so
# the ":" of "://", the "." after "www" and an "@" are escaped (they read the same).
_AUTOLINKS = re.compile(r":(?=//)|(?<=\bwww)\.|@", re.IGNORECASE)


def escape_markdown(text: str) -> str:
    """Escape a string for a GFM table cell or inline text: one line, no markup, no HTML,
    no link or mention made of it."""
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line(text))
    return _AUTOLINKS.sub(lambda match: "\\" + match[0], escaped)


def neutralise_csv(text: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with ``'`` (idempotent)."""
    if text and text[0] in "=+-@\t\r\0":
        return "'" + text
    return text


# GitHub's runner reads a line that starts (after blanks) with "::" as a workflow
# command, and the legacy "##[" anywhere in a line too (CVE-2020-15228): plan text
# printed in a CI log must not forge annotations or outputs. A line starts after LF
# or CR (the runner splits on both).
_LINE_COMMAND = re.compile(r"(?:^|(?<=\r))([^\S\r\n]*):(?=:)", re.MULTILINE)
_LEGACY_COMMAND = re.compile(r"##\[")
# format -> (what replaces a line-leading ":", what replaces "##["): an escape the
# format decodes where it has one, so that the text reads the same.
_COMMAND_ESCAPES = {
    "json": ("\\u003a", "\\u0023#["),
    "sarif": ("\\u003a", "\\u0023#["),
    "html": ("&#58;", "&#35;#["),
    "junit": ("&#58;", "&#35;#["),
    "markdown": ("\\:", "##\\["),
}


def neutralise_workflow_commands(text: str, fmt: str = "table") -> str:
    """Make sure no line of a rendered ``text`` reads as a GitHub Actions workflow command.

    A line-leading ``::`` and ``##[`` are escaped in ``fmt``'s terms (``\\u003a`` in
    JSON, ``&#58;`` in HTML, ``\\:`` in Markdown, a visible ``\\u003a`` in plain text).
    Idempotent. Not for the ``github`` format, whose lines are commands.
    """
    colon, legacy = _COMMAND_ESCAPES.get(fmt, ("\\u003a", "\\u0023#["))
    text = _LINE_COMMAND.sub(lambda m: m.group(1) + colon, text)
    return _LEGACY_COMMAND.sub(lambda _: legacy, text)


def display_width(text: str) -> int:
    """Terminal columns taken by ``text`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _trim(number: float, decimals: int) -> str:
    text = f"{number:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _significant(number: float, decimals: int) -> str:
    """``number`` with ``decimals`` decimals, but three significant digits below 1:
    a cost per conversion of 0.003 is ``0.003``, not ``0``."""
    size = abs(number)
    if 0 < size < 1:
        decimals = max(decimals, 2 - math.floor(math.log10(size)))
    return _trim(number, decimals)


def format_amount(value: float | None, units: Units = "cn") -> str:
    """A large count or amount, short: ``1.23亿``, ``4,560万`` (cn); ``12.3k``, ``1.2M`` (intl).

    Below 10,000 the number is written out (``3,995``), with three significant digits
    below 1 (``0.003``).
    """
    if value is None or not math.isfinite(value):
        return "-"
    sign = "-" if value < 0 else ""
    size = abs(value)
    if units == "cn":
        if size >= 1e8:
            return f"{sign}{_trim(size / 1e8, 2)}亿"
        if size >= 1e4:
            return f"{sign}{_trim(size / 1e4, 2 if size < 1e6 else 1)}万"
        return f"{sign}{_significant(size, 2)}"
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= max(scale, 1e4):  # 3,995 orders is written out, as in cn
            return f"{sign}{_trim(size / scale, 2)}{suffix}"
    return f"{sign}{_significant(size, 2)}"


# The sign of each common ISO 4217 code; another code is written before the amount
# (``CHF 1.2M``). ``¥`` is both yuan and yen: a plan has one currency, so it is unambiguous.
CURRENCY_SIGNS = {
    "CNY": "¥",
    "RMB": "¥",
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "HKD": "HK$",
    "TWD": "NT$",
    "KRW": "₩",
    "BRL": "R$",
    "INR": "₹",
    "SGD": "S$",
    "AUD": "A$",
    "CAD": "CA$",
}


def currency_sign(currency: str) -> str:
    """What goes before an amount: ``$``, ``R$``; an unknown code with a space (``CHF ``)."""
    code = currency.strip().upper()
    if code in CURRENCY_SIGNS:
        return CURRENCY_SIGNS[code]
    if not code:
        return ""
    return f"{code} " if code.isalpha() else code  # "¥" written as the currency stays as it is


def format_value(
    value: float | None,
    unit: str,
    *,
    currency: str = "CNY",
    units: Units | None = None,
) -> str:
    """A metric value in its unit: ``4.6%``, ``1:2.4``, ``¥1.2亿``, ``$90M``, ``45``, ``-``
    when unknown. ``units`` defaults to the currency's (:func:`default_units`)."""
    if value is None or not math.isfinite(value):
        return "-"
    shown_units = units or default_units(currency)
    if unit == "percent":
        return f"{_significant(value * 100, 1)}%"
    if unit == "ratio":
        return f"1:{_significant(value, 2)}"
    if unit == "currency":
        sign = "-" if value < 0 else ""  # -¥50万, not ¥-50万
        return sign + currency_sign(currency) + format_amount(abs(value), shown_units)
    if unit == "number":
        return _significant(value, 2) if abs(value) < 1e4 else format_amount(value, shown_units)
    return format_amount(value, shown_units)


def format_fraction(value: float | None) -> str:
    """A share as a whole percentage: ``82%``; ``<1%`` for a share above 0 that would
    round to ``0%`` (¥1.75万 of ¥1,860万 unmapped is not none)."""
    if value is None or not math.isfinite(value):
        return "-"
    if 0 < value < 0.005:
        return "<1%"
    return f"{value * 100:.0f}%"


def format_progress(value: float | None) -> str:
    """A goal's progress as a whole percentage, ``82%``, but ``89.7%`` near a band edge.

    Status bands start at 100% and at 1 - tolerance (90%, 95%, 80%: multiples of 5%), so a
    value within half a point of one keeps a decimal, rounded away from the edge: 0.89699
    is ``89.7%`` (off track), not ``90%``; 0.9996 is ``99.9%`` (at risk), not ``100%``.
    """
    if value is None or not math.isfinite(value):
        return "-"
    percent = value * 100
    edge = round(percent / 5) * 5
    if 0 < edge <= 100 and 1e-9 < abs(percent - edge) < 0.5:
        shown = round(percent, 1)
        if abs(shown - edge) < 1e-9:  # one decimal still lands on the edge: step off it
            shown = edge - 0.1 if percent < edge else edge + 0.1
        return f"{shown:.1f}%"
    return f"{percent:.0f}%"


def format_change(value: float | None, kind: str = "relative", unit: str = "count") -> str:
    """A signed change: relative ``+12.5%``, ``-3%``; in points for rates, ``+8.5 pp`` for a
    percent, ``+0.6 pts`` for a ratio (1:2.4 to 1:3)."""
    if value is None or not math.isfinite(value):
        return "-"
    if kind == "points":
        text, suffix = (
            (_trim(value * 100, 1), " pp") if unit == "percent" else (_trim(value, 2), " pts")
        )
    else:
        text, suffix = _trim(value * 100, 1), "%"
    if text in ("0", "-0"):  # a change that rounds to nothing is +0, never -0
        text = "0"
    return f"{'' if text.startswith('-') else '+'}{text}{suffix}"


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def safe_lines(text: str) -> str:
    """Like :func:`safe_text`, but keep line breaks (CR, LF, CRLF) for multi-line fields.

    Lone surrogates, which cannot be encoded as UTF-8, become ``\\uXXXX`` as well.
    """
    parts = re.split(r"(\r\n|\r|\n)", text)
    joined = "".join(part if index % 2 else safe_text(part) for index, part in enumerate(parts))
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", joined)


def format_goal_value(
    value: float | None,
    unit: str,
    kind: str,
    *,
    currency: str = "CNY",
    units: Units | None = None,
) -> str:
    """A goal's target, actual or expected: a signed change for growth goals, else the unit's."""
    if kind == "growth":
        return format_change(value)
    return format_value(value, unit, currency=currency, units=units)


def format_apart(
    value: float | None,
    other: float | None,
    unit: str,
    kind: str,
    *,
    currency: str = "CNY",
    units: Units | None = None,
) -> str:
    """``value`` as :func:`format_goal_value` shows it, with more digits when it would
    print as ``other`` does but differs from it: an actual of -0.004% against a growth
    target of 0% is ``-0.004%``, not ``+0%`` (beside a status of off_track), and
    ¥364,999 against ¥36.5万 is written out. The number never contradicts the status."""
    text = format_goal_value(value, unit, kind, currency=currency, units=units)
    if value is None or other is None or not (math.isfinite(value) and math.isfinite(other)):
        return text
    if value == other or text != format_goal_value(
        other, unit, kind, currency=currency, units=units
    ):
        return text
    scale, lead, tail, first = 1.0, "", "", 0
    if kind == "growth" or unit == "percent":
        scale, tail, first = 100.0, "%", 2
        lead = "+" if kind == "growth" and value >= 0 else ""
    elif unit == "ratio":
        lead, first = "1:", 3
    elif unit == "currency":
        lead = ("-" if value < 0 else "") + currency_sign(currency)
        value, other = abs(value), abs(other)
    for decimals in range(first, 9):
        if round(value * scale, decimals) != round(other * scale, decimals):
            return lead + _trim(value * scale, decimals) + tail
    return text


def format_group(group: tuple[tuple[str, str], ...]) -> str:
    """An alert's group as ``channel=kuaishou`` (several joined by ``, ``); empty for none."""
    return ", ".join(f"{name}={value}" for name, value in group)


def format_location(file: str | None, line: int | None, column: int | None) -> str:
    """``file:line:col`` with the parts that are known (``plan.yaml:4``, ``plan.yaml``)."""
    text = file or ""
    if line is not None:
        text += f":{line}"
        if column is not None:
            text += f":{column}"
    return text


def describe_alert(
    condition: str,
    value: float | None,
    threshold: float | None,
    unit: str,
    *,
    currency: str = "CNY",
    units: Units | None = None,
) -> str:
    """Value against threshold in words: ``1:2.4 below 1:3``, ``down 25% (more than 20%)``."""
    if condition in ("drop_over", "rise_over"):
        way = "down" if condition == "drop_over" else "up"
        return (
            f"{way} {format_value(value, 'percent')} "
            f"(more than {format_value(threshold, 'percent')})"
        )
    shown = format_value(value, unit, currency=currency, units=units)
    limit = format_value(threshold, unit, currency=currency, units=units)
    # The limit in words of what it is: "behind ¥34.62万" read as a shortfall of 34.62万
    # when it was what pace less the tolerance calls for.
    if condition == "over_budget":
        return f"spent {shown}, over the {limit} planned"
    if condition == "ahead":
        return f"spent {shown}, ahead of pace (more than {limit})"
    if condition == "behind":
        return f"spent {shown}, behind pace (less than {limit})"
    if condition == "unmapped":
        share, most = format_value(value, "percent"), format_value(threshold, "percent")
        return f"{share} of spend on unmapped channels (more than {most})"
    return f"{shown} {condition} {limit}"


def count_words(counts: dict[str, int]) -> str:
    """``2 errors, 1 warning``; ``no problems`` when every count is zero."""
    words = []
    for severity, one, many in (
        ("error", "error", "errors"),
        ("warning", "warning", "warnings"),
        ("info", "info", "infos"),
    ):
        number = counts.get(severity, 0)
        if number:
            words.append(f"{number} {one if number == 1 else many}")
    return ", ".join(words) or "no problems"
