"""Arrow tables as polars and pandas DataFrames: the work behind ``Dataset.to_polars``,
``Dataset.to_pandas``, ``TableReport.to_polars`` and ``TableReport.to_pandas``; and a table's
files as a ``pyarrow.dataset`` (``Dataset.scan``).

polars, pandas and pyarrow are optional: barnvern imports each only when a conversion asks for
it, and a missing one is an ``ImportError`` that says what to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from barnvern._types import ArrowTable

__all__ = ["scan", "to_pandas", "to_polars"]


def _require(module: str, caller: str, install: str) -> ModuleType:
    """Imports ``module`` or raises an ImportError naming it and the pip command."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ImportError(
            f"{caller} needs the package {module!r}, which is not installed: pip install {install}",
            name=module,
        ) from err


def to_polars(data: ArrowTable, caller: str) -> Any:
    """``polars.DataFrame(data)``, read through the Arrow C stream. Codes (dictionary
    columns) become ``pl.Categorical``, dates ``pl.Date``."""
    polars = _require("polars", caller, "polars")
    return polars.DataFrame(data)


def to_pandas(data: ArrowTable, caller: str) -> Any:
    """``pyarrow.table(data).to_pandas(...)`` with dtypes that keep what the Arrow types say.

    - integer columns become pandas' nullable integer dtypes (``Int32``, ``Int64``, ...) and
      boolean columns ``boolean``, so a column keeps its dtype whether or not it holds a null
      (pyarrow's default turns an integer column with a null into ``float64``);
    - codes (dictionary columns) become ``category``;
    - dates (``date32``) become ``datetime64[ms]`` (midnight), so ``.dt`` and comparisons with
      ``pandas.Timestamp`` work; instants stay ``datetime64[us, UTC]``;
    - text becomes pandas' default string dtype.
    """
    pandas = _require("pandas", caller, "pandas pyarrow")
    pyarrow = _require("pyarrow", caller, "pandas pyarrow")
    nullable = {
        pyarrow.int8(): pandas.Int8Dtype(),
        pyarrow.int16(): pandas.Int16Dtype(),
        pyarrow.int32(): pandas.Int32Dtype(),
        pyarrow.int64(): pandas.Int64Dtype(),
        pyarrow.uint8(): pandas.UInt8Dtype(),
        pyarrow.uint16(): pandas.UInt16Dtype(),
        pyarrow.uint32(): pandas.UInt32Dtype(),
        pyarrow.uint64(): pandas.UInt64Dtype(),
        pyarrow.bool_(): pandas.BooleanDtype(),
    }
    return pyarrow.table(data).to_pandas(types_mapper=nullable.get, date_as_object=False)


def scan(files: list[str], base: str, caller: str) -> Any:
    """``pyarrow.dataset.dataset(files)`` with hive partitioning below ``base`` (the table's
    directory), so ``jurisdiction`` and ``year`` are columns taken from the directory names."""
    dataset = _require("pyarrow.dataset", caller, "pyarrow")
    return dataset.dataset(files, format="parquet", partitioning="hive", partition_base_dir=base)
