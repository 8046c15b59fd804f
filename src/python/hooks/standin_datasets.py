"""A list-backed stand-in for `datasets.Dataset`, used by the hook worker when the `datasets` package is
not installed, so that task hooks written against it (`process_docs(dataset)` calling map, filter,
select …) run unchanged. It covers what lm-eval's task folders use: map (with_indices, batched,
remove_columns, input_columns, fn_kwargs), filter, select, remove_columns, rename_column, add_column,
len, iteration, row and column access, features, column_names, to_list, from_list, from_dict.

Each row remembers which input doc it came from (`_origin`), so the worker can tell the stream which
sample each output doc belongs to, and which samples a filter dropped.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator


class Value:
    """Stand-in for `datasets.Value`: the type name of a column."""

    def __init__(self, dtype: str = "string", **_: Any) -> None:
        self.dtype = dtype

    def __repr__(self) -> str:
        return f"Value(dtype='{self.dtype}')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Value) and other.dtype == self.dtype


class Features(dict):
    """Stand-in for `datasets.Features`: column name → type."""


def _dtype(value: Any) -> Any:
    if isinstance(value, bool):
        return Value("bool")
    if isinstance(value, int):
        return Value("int64")
    if isinstance(value, float):
        return Value("float64")
    if isinstance(value, str):
        return Value("string")
    if isinstance(value, list):
        return [_dtype(value[0])] if value else [Value("null")]
    if isinstance(value, dict):
        return {k: _dtype(v) for k, v in value.items()}
    return Value("null")


class Dataset:
    def __init__(self, rows: list[dict], origin: list[int] | None = None) -> None:
        self._rows = rows
        self._origin = origin

    # Construction
    @classmethod
    def from_list(cls, rows: list[dict], **_: Any) -> "Dataset":
        return cls([dict(r) for r in rows])

    @classmethod
    def from_dict(cls, columns: dict, **_: Any) -> "Dataset":
        names = list(columns)
        n = len(columns[names[0]]) if names else 0
        return cls([{k: columns[k][i] for k in names} for i in range(n)])

    # Reading
    def __len__(self) -> int:
        return len(self._rows)

    @property
    def num_rows(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[dict]:
        return (dict(r) for r in self._rows)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            if self._rows and key not in self._rows[0]:
                raise KeyError(key)
            return [r[key] for r in self._rows]
        if isinstance(key, slice):
            part = self._rows[key]
            names = self.column_names
            return {k: [r.get(k) for r in part] for k in names}
        if isinstance(key, int):
            return dict(self._rows[key])
        return [dict(self._rows[i]) for i in key]

    @property
    def column_names(self) -> list[str]:
        names: dict[str, None] = {}
        for r in self._rows[:1]:
            names.update(dict.fromkeys(r))
        return list(names)

    @property
    def features(self) -> Features:
        first = self._rows[0] if self._rows else {}
        return Features({k: _dtype(v) for k, v in first.items()})

    def to_list(self) -> list[dict]:
        return [dict(r) for r in self._rows]

    def to_dict(self) -> dict:
        return {k: [r.get(k) for r in self._rows] for k in self.column_names}

    # Transforms (each returns a new Dataset, as datasets' do)
    def map(
        self,
        function: Callable | None = None,
        with_indices: bool = False,
        input_columns: str | list[str] | None = None,
        batched: bool = False,
        batch_size: int | None = 1000,
        remove_columns: str | list[str] | None = None,
        fn_kwargs: dict | None = None,
        **_: Any,
    ) -> "Dataset":
        fn = function or (lambda *a, **k: {})
        kwargs = fn_kwargs or {}
        drop = [remove_columns] if isinstance(remove_columns, str) else list(remove_columns or [])
        if not batched:
            out = []
            for i, row in enumerate(self._rows):
                result = fn(*self._args(row, input_columns), *([i] if with_indices else []), **kwargs)
                base = {k: v for k, v in row.items() if k not in drop}
                out.append({**base, **(result or {})})
            return Dataset(out, self._origin)
        size = batch_size if batch_size and batch_size > 0 else max(len(self._rows), 1)
        out, origin = [], []
        for start in range(0, len(self._rows), size):
            part = self._rows[start : start + size]
            batch = {k: [r.get(k) for r in part] for k in self._names(part)}
            indices = list(range(start, start + len(part)))
            args = [batch[c] for c in _columns(input_columns)] if input_columns else [batch]
            result = fn(*args, *([indices] if with_indices else []), **kwargs) or {}
            kept = {k: v for k, v in batch.items() if k not in drop}
            lengths = {len(v) for v in result.values()}
            n = lengths.pop() if len(lengths) == 1 else len(part)
            if n != len(part):
                kept = {}  # datasets requires the old columns removed when the row count changes
            merged = {**kept, **result}
            out.extend({k: merged[k][i] for k in merged} for i in range(n))
            origin.extend(self._origin[start : start + n] if self._origin is not None and n == len(part) else [-1] * n)
        return Dataset(out, None if -1 in origin else origin)

    def filter(
        self,
        function: Callable | None = None,
        with_indices: bool = False,
        input_columns: str | list[str] | None = None,
        batched: bool = False,
        batch_size: int | None = 1000,
        fn_kwargs: dict | None = None,
        **_: Any,
    ) -> "Dataset":
        fn = function or (lambda *a, **k: True)
        kwargs = fn_kwargs or {}
        if batched:
            keep: list[bool] = []
            size = batch_size if batch_size and batch_size > 0 else max(len(self._rows), 1)
            for start in range(0, len(self._rows), size):
                part = self._rows[start : start + size]
                batch = {k: [r.get(k) for r in part] for k in self._names(part)}
                args = [batch[c] for c in _columns(input_columns)] if input_columns else [batch]
                indices = list(range(start, start + len(part)))
                keep.extend(bool(x) for x in fn(*args, *([indices] if with_indices else []), **kwargs))
        else:
            keep = [
                bool(fn(*self._args(row, input_columns), *([i] if with_indices else []), **kwargs))
                for i, row in enumerate(self._rows)
            ]
        return self.select([i for i, k in enumerate(keep) if k])

    def select(self, indices: Iterable[int], **_: Any) -> "Dataset":
        picked = list(indices)
        origin = [self._origin[i] for i in picked] if self._origin is not None else None
        return Dataset([self._rows[i] for i in picked], origin)

    def remove_columns(self, column_names: str | list[str], **_: Any) -> "Dataset":
        drop = set(_columns(column_names))
        return Dataset([{k: v for k, v in r.items() if k not in drop} for r in self._rows], self._origin)

    def rename_column(self, original: str, new: str, **_: Any) -> "Dataset":
        return Dataset([{(new if k == original else k): v for k, v in r.items()} for r in self._rows], self._origin)

    def add_column(self, name: str, column: list, **_: Any) -> "Dataset":
        return Dataset([{**r, name: v} for r, v in zip(self._rows, column)], self._origin)

    def _args(self, row: dict, input_columns: Any) -> list:
        return [row[c] for c in _columns(input_columns)] if input_columns else [dict(row)]

    @staticmethod
    def _names(rows: list[dict]) -> list[str]:
        names: dict[str, None] = {}
        for r in rows:
            names.update(dict.fromkeys(r))
        return list(names)

    def __repr__(self) -> str:
        return f"Dataset({{features: {self.column_names}, num_rows: {len(self)}}})"


def _columns(names: str | list[str] | None) -> list[str]:
    if names is None:
        return []
    return [names] if isinstance(names, str) else list(names)


class DatasetDict(dict):
    """Stand-in for `datasets.DatasetDict`: split name → Dataset."""


def load_dataset(*_: Any, **__: Any) -> Any:
    raise RuntimeError("datasets.load_dataset is not available: streameval reads docs from JSONL input, and `datasets` is not installed")
