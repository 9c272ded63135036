"""Input checks shared by the analysis functions.

Each helper raises a ``ValueError`` whose message names the column and the
problem (missing, all missing, not numeric, constant, too few groups) and says
what to do. Analysis functions call these at the point of use, never ``assert``.

>>> import pandas as pd
>>> frame = pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, 2.0, 4.0]})
>>> require_columns(frame, ["g", "y"])
>>> numeric_column(frame, "y").tolist()
[1.0, 2.0, 4.0]
>>> require_groups(frame, "g")
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd


def as_name_list(columns: str | Iterable[str] | None, *, what: str = "columns") -> list[str]:
    """Return ``columns`` as a list of names (a single name becomes a one-item list).

    Parameters
    ----------
    columns : str, iterable of str or None
        One column name or several. ``None`` gives an empty list.
    what : str
        How to call the argument in an error message.

    Returns
    -------
    list of str

    Examples
    --------
    >>> as_name_list("dv")
    ['dv']
    >>> as_name_list(("a", "b"))
    ['a', 'b']
    """
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    names = list(columns)
    for name in names:
        if not isinstance(name, str):
            raise ValueError(
                f"{what} must be column names (strings); got {name!r} of type "
                f"{type(name).__name__}. Pass the names of columns in `data`."
            )
    return names


def require_dataframe(data: object) -> pd.DataFrame:
    """Raise unless ``data`` is a pandas DataFrame; return it unchanged.

    Examples
    --------
    >>> require_dataframe(pd.DataFrame({"x": [1]})).shape
    (1, 1)
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(
            f"`data` must be a pandas DataFrame (one row per participant); "
            f"got {type(data).__name__}."
        )
    return data


def require_columns(data: pd.DataFrame, columns: str | Iterable[str]) -> None:
    """Raise ``ValueError`` if any of ``columns`` is not a column of ``data``.

    Parameters
    ----------
    data : pandas.DataFrame
    columns : str or iterable of str
        The column names the caller is about to use.

    Raises
    ------
    ValueError
        Naming every missing column and listing the columns that exist.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1, 2]})
    >>> require_columns(frame, "y")
    >>> require_columns(frame, ["y", "x"])
    Traceback (most recent call last):
    ...
    ValueError: column 'x' is not in the data...
    """
    require_dataframe(data)
    names = as_name_list(columns)
    missing = [name for name in names if name not in data.columns]
    if not missing and not data.columns.is_unique:
        repeated = [name for name in names if (data.columns == name).sum() > 1]
        if repeated:
            raise ValueError(
                f"column {repeated[0]!r} appears more than once in the data; give the columns unique names."
            )
    if missing:
        quoted = ", ".join(repr(name) for name in missing)
        noun = "column" if len(missing) == 1 else "columns"
        verb = "is" if len(missing) == 1 else "are"
        available = ", ".join(repr(str(c)) for c in data.columns[:30])
        more = " ..." if len(data.columns) > 30 else ""
        raise ValueError(
            f"{noun} {quoted} {verb} not in the data; available columns: "
            f"{available}{more}. Check the spelling or compute the column first."
        )


def numeric_column(data: pd.DataFrame, column: str, *, allow_constant: bool = False) -> pd.Series:
    """Return ``data[column]`` as float, after checking it is usable.

    Missing values stay ``NaN`` (callers drop them listwise). Booleans count as
    numeric (0/1).

    Parameters
    ----------
    data : pandas.DataFrame
    column : str
    allow_constant : bool, default False
        If False, a column whose non-missing values are all equal is an error
        (a constant variable has no variance to analyse).

    Returns
    -------
    pandas.Series
        ``float64`` values, same index as ``data``.

    Raises
    ------
    ValueError
        If the column is missing, not numeric, entirely missing, or constant.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1, None, 3], "c": [2, 2, 2]})
    >>> numeric_column(frame, "y").tolist()
    [1.0, nan, 3.0]
    >>> numeric_column(frame, "c")
    Traceback (most recent call last):
    ...
    ValueError: column 'c' is constant (every value is 2)...
    """
    require_columns(data, [column])
    series = data[column]
    if isinstance(series, pd.DataFrame):
        raise ValueError(
            f"column {column!r} appears more than once in the data; give the "
            "columns unique names."
        )
    if pd.api.types.is_bool_dtype(series):
        series = series.astype("float64")
    if not pd.api.types.is_numeric_dtype(series):
        converted = pd.to_numeric(series, errors="coerce")
        bad = series[converted.isna() & series.notna()]
        if len(bad):
            examples = ", ".join(repr(v) for v in bad.unique()[:3])
            raise ValueError(
                f"column {column!r} is not numeric (values such as {examples}); "
                "recode it to numbers or choose a numeric column."
            )
        series = converted
    values = series.astype("float64")
    present = values.dropna()
    if present.empty:
        raise ValueError(
            f"column {column!r} is all missing ({len(values)} rows, none with a "
            "value); check the column name and that the data were scored."
        )
    if not np.isfinite(present.to_numpy()).all():
        raise ValueError(
            f"column {column!r} contains infinite values; replace them by "
            "missing values or finite numbers."
        )
    if not allow_constant and present.nunique() == 1:
        raise ValueError(
            f"column {column!r} is constant (every value is {present.iloc[0]:g}); "
            "a variable without variance cannot be analysed."
        )
    return values


def require_groups(data: pd.DataFrame, column: str, minimum: int = 2) -> list:
    """Return the groups (non-missing distinct values) of ``column``; check there are enough.

    Parameters
    ----------
    data : pandas.DataFrame
    column : str
        The grouping column (a factor such as ``condition``).
    minimum : int, default 2
        The fewest groups the caller can work with.

    Returns
    -------
    list
        The groups in order of appearance (categories in category order).

    Raises
    ------
    ValueError
        If the column is missing or holds fewer than ``minimum`` groups.

    Examples
    --------
    >>> frame = pd.DataFrame({"g": ["x", "x", None]})
    >>> require_groups(frame, "g")
    Traceback (most recent call last):
    ...
    ValueError: column 'g' has 1 group ('x') but at least 2 are needed...
    """
    require_columns(data, [column])
    series = data[column]
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        groups = [level for level in series.cat.categories if level in present]
    else:
        groups = list(pd.unique(series.dropna()))
    if len(groups) < minimum:
        found = ", ".join(repr(g) for g in groups) or "none"
        noun = "group" if len(groups) == 1 else "groups"
        raise ValueError(
            f"column {column!r} has {len(groups)} {noun} ({found}) but at least "
            f"{minimum} are needed; check the grouping column and any filtering "
            "(rows with a missing value are dropped)."
        )
    return groups


def require_group_sizes(counts: pd.Series, column: str, minimum: int = 2) -> None:
    """Raise ``ValueError`` if any group in ``counts`` has fewer than ``minimum`` rows.

    Parameters
    ----------
    counts : pandas.Series
        Group -> number of usable rows.
    column : str
        The grouping column, for the message.
    minimum : int, default 2

    Examples
    --------
    >>> require_group_sizes(pd.Series({"a": 3, "b": 1}), "g")
    Traceback (most recent call last):
    ...
    ValueError: column 'g': group 'b' has 1 usable row...
    """
    small = counts[counts < minimum]
    if len(small):
        group, size = small.index[0], int(small.iloc[0])
        rows = "row" if size == 1 else "rows"
        raise ValueError(
            f"column {column!r}: group {group!r} has {size} usable {rows} but at "
            f"least {minimum} are needed (after dropping rows with missing values)."
        )


def require_level(value: float, name: str) -> float:
    """Check a confidence level such as ``ci=0.95`` lies strictly between 0 and 1.

    Examples
    --------
    >>> require_level(0.9, "ci")
    0.9
    >>> require_level(95, "ci")
    Traceback (most recent call last):
    ...
    ValueError: `ci` must be a proportion between 0 and 1 (e.g. 0.95); got 95.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ValueError(f"`{name}` must be a proportion between 0 and 1 (e.g. 0.95); got {value!r}.")
    return float(value)


def complete_rows(data: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, int]:
    """Keep the rows with a value in every one of ``columns`` (listwise deletion).

    Returns
    -------
    tuple of (pandas.DataFrame, int)
        The used columns of the complete rows, and how many rows were dropped.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1.0, None, 3.0], "g": ["a", "b", None]})
    >>> kept, dropped = complete_rows(frame, ["y", "g"])
    >>> len(kept), dropped
    (1, 2)
    """
    require_columns(data, list(columns))
    subset = data[list(dict.fromkeys(columns))]
    kept = subset.dropna()
    return kept, len(subset) - len(kept)


def require_complete_rows(data: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, int]:
    """:func:`complete_rows`, with an error naming the columns when no row is complete.

    >>> frame = pd.DataFrame({"x": [1.0, None], "y": [None, 2.0]})
    >>> require_complete_rows(frame, ["x", "y"])
    Traceback (most recent call last):
    ...
    ValueError: no row has a value in every one of the columns 'x', 'y' (2 rows, each missing at least one)...
    """
    kept, dropped = complete_rows(data, columns)
    if kept.empty:
        named = ", ".join(repr(str(name)) for name in dict.fromkeys(columns))
        raise ValueError(
            f"no row has a value in every one of the columns {named} ({len(data)} rows, each missing at least "
            "one); rows missing any analysed variable are dropped, so check for a column that is mostly empty."
        )
    return kept, dropped


def ordered_groups(data: pd.DataFrame, column: str, minimum: int = 2) -> list:
    """Like :func:`require_groups`, but in a stable order: category order, else sorted.

    Functions whose results depend on which group comes first (a mean
    difference, pairwise comparisons) use this order, the same as
    ``describe``.

    Examples
    --------
    >>> ordered_groups(pd.DataFrame({"g": ["b", "a", "b"]}), "g")
    ['a', 'b']
    """
    groups = require_groups(data, column, minimum)
    if isinstance(data[column].dtype, pd.CategoricalDtype):
        return groups
    try:
        return sorted(groups)
    except TypeError:  # mixed types that cannot be compared: keep appearance order
        return groups


def group_samples(data: pd.DataFrame, dv: str, between: str) -> tuple[list, list[np.ndarray], int]:
    """The groups of ``between`` (in order) and each group's values of ``dv``.

    Rows missing ``dv`` or ``between`` are dropped (listwise); each group needs
    at least two values.

    Returns
    -------
    groups : list
        The group labels, in category order or else sorted.
    samples : list of numpy.ndarray
        The values of ``dv`` per group, as floats.
    dropped : int
        How many rows were dropped for missing values.

    >>> frame = pd.DataFrame({"g": ["a", "a", "b", "b", "b"], "y": [1.0, 2.0, 4.0, 5.0, None]})
    >>> groups, samples, dropped = group_samples(frame, "y", "g")
    >>> groups, [s.tolist() for s in samples], dropped
    (['a', 'b'], [[1.0, 2.0], [4.0, 5.0]], 1)
    """
    if not isinstance(between, str):
        raise ValueError(
            f"`between` must be one column name; got {between!r}. For the cells of a factorial "
            "design use the `condition` column."
        )
    require_columns(data, [dv, between])
    values = numeric_column(data, dv)
    frame, dropped = complete_rows(pd.DataFrame({dv: values, between: data[between]}, index=data.index), [dv, between])
    groups = ordered_groups(frame, between, minimum=2)
    require_group_sizes(frame.groupby(between, observed=True)[dv].count(), between, minimum=2)
    numeric_column(frame, dv)
    samples = [frame.loc[frame[between] == group, dv].to_numpy(dtype=float) for group in groups]
    return groups, samples, dropped
