"""Numbers, p values and symbols in APA style (7th edition), in four renderings.

The building blocks of :mod:`analysis.apa`: rounding (half away from zero on
the number as written in decimal), degrees of freedom, p values, statistic
symbols per style and confidence intervals. Styles are described in
:mod:`analysis.apa`.

>>> format_p(0.0445)
'p = .045'
>>> format_number(0.125, leading_zero=False)
'.13'
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
import math

STYLES = ("text", "unicode", "html", "markdown")
#: Languages of the words in APA strings (numbers keep the decimal point in both).
LANGUAGES = ("en", "nl")

# the few words that appear in APA strings, per language ("BI" = betrouwbaarheidsinterval)
_WORDS = {
    "en": {"ci": "{pct}% CI", "indirect": "indirect effect", "via": "via", "total": "total",
           "welch": "Welch's {stat}", "fisher": "Fisher's exact test"},
    "nl": {"ci": "{pct}%-BI", "indirect": "indirect effect", "via": "via", "total": "totaal",
           "welch": "Welch-{stat}", "fisher": "exacte toets van Fisher"},
}

# symbol -> rendering per style; Latin letters are italic, Greek letters are not
_GREEK = {
    "eta2_p": ("eta2_p", "η²p", "η<sub>p</sub><sup>2</sup>"),
    "eta2": ("eta2", "η²", "η<sup>2</sup>"),
    "omega2": ("omega2", "ω²", "ω<sup>2</sup>"),
    "chi2": ("chi2", "χ²", "χ<sup>2</sup>"),
    "kappa": ("kappa", "κ", "κ"),
    "alpha": ("alpha", "α", "α"),
}


def _check_style(style: str) -> str:
    if style not in STYLES:
        raise ValueError(f"`style` must be one of {', '.join(STYLES)}; got {style!r}.")
    return style


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"`lang` must be one of {', '.join(LANGUAGES)}; got {lang!r}.")
    return lang


def _word(key: str, lang: str) -> str:
    return _WORDS[_check_lang(lang)][key]


def ci_label(level: float = 0.95, lang: str = "en") -> str:
    """The name of a confidence interval: ``95% CI`` (English), ``95%-BI`` (Dutch).

    Parameters
    ----------
    level : float, default 0.95
        Confidence level, between 0 and 1.
    lang : {"en", "nl"}

    Examples
    --------
    >>> ci_label(0.95)
    '95% CI'
    >>> ci_label(0.9, lang="nl")
    '90%-BI'
    """
    level = _finite(level, "the confidence level")
    if not 0 < level < 1:
        raise ValueError(f"the confidence level must lie between 0 and 1 (e.g. 0.95); got {level!r}.")
    return _word("ci", lang).format(pct=format_number(100 * level, 0))


def _symbol(name: str, style: str) -> str:
    if name in _GREEK:
        text, uni, html = _GREEK[name]
        return {"text": text, "unicode": uni, "html": html, "markdown": uni}[style]
    if style == "html":
        return f"<i>{name}</i>"
    if style == "markdown":
        return f"*{name}*"
    return name


def _finite(value, name: str) -> float:
    if isinstance(value, (str, bytes, bool)):
        raise ValueError(f"{name} must be a number; got {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {value!r}.") from None
    if not math.isfinite(number):
        raise ValueError(
            f"{name} is {value!r}; only finite numbers can be reported. Check the "
            "result passed in (was the test computable?)."
        )
    return number


def _round_half_up(value: float, digits: int) -> Decimal:
    exact = Decimal(repr(value))
    # enough precision for every digit of the rounded number (decimal's default 28 fails from 1e26 on)
    context = Context(prec=max(28, exact.adjusted() + digits + 2))
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=context)


def format_number(value, digits: int = 2, *, leading_zero: bool = True, style: str = "text") -> str:
    """Round a number for reporting.

    Parameters
    ----------
    value : float
    digits : int, default 2
        Decimals to keep (half away from zero).
    leading_zero : bool, default True
        False for numbers that cannot exceed 1 in absolute value (r, p, eta
        squared): ``.25`` rather than ``0.25``.
    style : {"text", "unicode", "html", "markdown"}
        ``text`` uses the hyphen-minus, the others the minus sign (U+2212).

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(-0.125)
    '-0.13'
    >>> format_number(-0.125, leading_zero=False, style="unicode")
    '−.13'
    >>> format_number(-0.001)
    '0.00'
    >>> format_number(1.8e30, style="unicode")  # a degenerate statistic (a perfect fit) in powers of ten
    '1.80 × 10^30'
    """
    _check_style(style)
    number = _finite(value, "the value")
    if abs(number) >= 1e15:  # more digits than a float holds: the power of ten says it
        mantissa, exponent = f"{number:.{digits}e}".split("e")
        mantissa = mantissa.replace("-", "-" if style == "text" else "\u2212")
        times = "x" if style == "text" else "\u00d7"
        power = f"10<sup>{int(exponent)}</sup>" if style == "html" else f"10^{int(exponent)}"
        return f"{mantissa} {times} {power}"
    rounded = _round_half_up(number, digits)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.00"
    text = f"{abs(rounded):.{digits}f}"
    if not leading_zero and text.startswith("0."):
        text = text[1:]
    if rounded < 0:
        text = ("-" if style == "text" else "\u2212") + text
    return text


def _format_df(value) -> str:
    number = _finite(value, "degrees of freedom")
    if abs(number - round(number)) < 1e-9:
        return str(int(round(number)))
    return format_number(number, 2)


def format_p(p, *, style: str = "text", digits: int = 3) -> str:
    """A p value in APA style: ``p = .044``, ``p < .001``, ``p > .999``.

    Parameters
    ----------
    p : float
        Between 0 and 1.
    style : {"text", "unicode", "html", "markdown"}
    digits : int, default 3

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``p`` is missing or outside [0, 1].

    Examples
    --------
    >>> format_p(0.0004)
    'p < .001'
    >>> format_p(0.05)
    'p = .050'
    >>> format_p(0.0004, style="html")
    '<i>p</i> &lt; .001'
    """
    _check_style(style)
    value = _finite(p, "p")
    if not 0 <= value <= 1:
        raise ValueError(f"p must lie between 0 and 1; got {value!r}.")
    threshold = 10.0**-digits
    symbol = _symbol("p", style)
    less = "&lt;" if style == "html" else "<"
    greater = "&gt;" if style == "html" else ">"
    if value < threshold:
        return f"{symbol} {less} {format_number(threshold, digits, leading_zero=False)}"
    rounded = format_number(value, digits, leading_zero=False)
    if rounded.startswith("1"):
        return f"{symbol} {greater} {format_number(1 - threshold, digits, leading_zero=False)}"
    return f"{symbol} = {rounded}"


def _stat(name: str, value, style: str, *, bounded: bool = False, digits: int = 2) -> str:
    return f"{_symbol(name, style)} = {format_number(value, digits, leading_zero=not bounded, style=style)}"


def _interval(low, high, level, style, *, leading_zero: bool = True, digits: int = 2, lang: str = "en") -> str:
    label = ci_label(level, lang)
    low_text = format_number(low, digits, leading_zero=leading_zero, style=style)
    high_text = format_number(high, digits, leading_zero=leading_zero, style=style)
    return f"{label} [{low_text}, {high_text}]"
