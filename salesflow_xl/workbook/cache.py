"""A columnar copy of a workbook's tables beside the file, so that an action on a workbook
SalesFlow wrote itself need not parse and check its sheets again.

After each action the file gateway stores ``.<name>.salesflow-cache`` beside the workbook: the
data as validated (every table column by column, each record's Excel row, the settings, the
pipeline and the lists) and the figures it wrote into the computed and derived columns. It is
used only while the workbook's bytes have exactly the SHA-256 recorded in it and the code that
wrote it (SalesFlow's sources, pandas, NumPy, python-calamine, Python) is the code running; a
workbook changed anywhere else — saved by Excel, restored from the backup — is read from its
sheets as ever. A workbook whose as-of date is blank is read as of today, as the reader reads
it. Reading the cache runs no code from the file: JSON and raw NumPy arrays only, each length
checked. The cache holds the workbook's personal data: each action rewrites it from what it
wrote (an erasure leaves nothing behind in it) and deleting it costs only speed.

Layer: the SalesFlow workbook (imports ``salesflow_xl.core``, ``salesflow_xl.ooxml`` and
``salesflow_xl.workbook`` only).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import struct
import sys
import tempfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salesflow_xl.core.dataset import RECORD_TYPES, SalesData
from salesflow_xl.core.excel_errors import ExcelError
from salesflow_xl.core.model import Lists, Pipeline, Settings, Stage
from salesflow_xl.ooxml.package import Chunks
from salesflow_xl.workbook import reader
from salesflow_xl.workbook.cached import FigureColumn
from salesflow_xl.workbook.reader import Snapshot

MAGIC = b"SalesFlow table cache 1\n"
#: table key → column header → the figure in each record's cell (record order)
Figures = Mapping[str, Mapping[str, FigureColumn]]


@dataclass(frozen=True)
class Cached:
    """A workbook as its cache gives it: the snapshot (no problems: only validated data is
    cached) and the figures its computed and derived cells hold, computed as of
    ``figures_as_of``; ``tables`` and ``payload`` let an unchanged table be stored again
    as it is."""

    snapshot: Snapshot
    figures: Figures
    figures_as_of: date
    #: where the workbook's parts written in chunks have them (:attr:`Package.chunks`)
    chunks: Mapping[str, Chunks] = dataclasses.field(default_factory=dict)
    tables: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)
    payload: memoryview | None = dataclasses.field(default=None, repr=False)


def path_for(workbook: Path) -> Path:
    """The cache of ``workbook``: a hidden file beside it."""
    return workbook.with_name(f".{workbook.name}.salesflow-cache")


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def load(workbook: Path, content: bytes) -> Cached | None:
    """The cache of ``workbook`` when it was made from exactly ``content`` by this code; None
    otherwise (no cache, another workbook version, other code, a damaged file)."""
    try:
        raw = path_for(workbook).read_bytes()
    except OSError:
        return None
    try:
        header, payload = _split(raw)
        if header.get("code") != code_fingerprint() or header.get("workbook") != digest(content):
            return None
        return _decode(header, payload)
    except Exception:  # whatever is wrong with it, the workbook itself is read instead
        return None


def save(
    workbook: Path,
    content: bytes,
    snapshot: Snapshot,
    figures: Figures,
    chunks: Mapping[str, Chunks] | None = None,
    previous: Cached | None = None,
) -> None:
    """Store the cache of ``workbook`` (whose bytes are ``content``) holding ``snapshot``
    (validated data), ``figures`` (what its computed and derived cells hold) and ``chunks``
    (where its parts written in chunks have them); tables that are the very frames of the
    ``previous`` cache are copied from it. Data it cannot store exactly, or a folder it cannot
    write, leave no cache (an old one is removed): the next action reads the workbook
    itself."""
    target = path_for(workbook)
    try:
        encoded = _encode(snapshot, figures, previous)
        if encoded is None:
            discard(workbook)
            return
        header, payload = encoded
        header.update(
            code=code_fingerprint(),
            workbook=digest(content),
            chunks={name: [list(c) for c in found] for name, found in (chunks or {}).items()},
        )
        head = json.dumps(header, ensure_ascii=False).encode()
        fd, temp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + struct.pack("<Q", len(head)) + head)
                handle.write(payload)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except (OSError, ValueError, TypeError, OverflowError):  # UnicodeError is a ValueError
        discard(workbook)  # the workbook is written: only its cache is given up


def discard(workbook: Path) -> None:
    """Remove the cache of ``workbook``, if any."""
    with contextlib.suppress(OSError):
        path_for(workbook).unlink(missing_ok=True)


@cache
def code_fingerprint() -> str:
    """What the cached data depends on besides the file: this package's sources (name, size,
    modification time), the libraries that read and type the data, and Python."""
    parts = [sys.version, np.__version__, pd.__version__]
    roots = [Path(__file__).resolve().parent.parent]
    spec = find_spec("python_calamine")
    if spec is not None and spec.origin:
        roots.append(Path(spec.origin).parent)
    for root in roots:
        for folder, folders, files in os.walk(root):
            folders.sort()
            for name in sorted(files):
                if name.endswith((".py", ".so", ".pyd")):
                    info = os.stat(os.path.join(folder, name))
                    parts.append(f"{folder}/{name}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


# -- the file: magic, header length, JSON header, payload of arrays -----------------------------


def _split(raw: bytes) -> tuple[dict[str, Any], memoryview]:
    if not raw.startswith(MAGIC):
        raise ValueError("not a SalesFlow cache")
    start = len(MAGIC) + 8
    (length,) = struct.unpack_from("<Q", raw, len(MAGIC))
    header = json.loads(raw[start : start + length])
    payload = memoryview(raw)[start + length :]
    if len(payload) != header["size"] or zlib.crc32(payload) != header["crc"]:
        raise ValueError("a damaged cache")
    return header, payload


class _Blobs:
    """The payload being written: byte strings, each named by (offset, size)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, data: bytes | memoryview) -> list[int]:
        self.parts.append(bytes(data))
        self.size += len(data)
        return [self.size - len(data), len(data)]

    def copy(self, entry: Any, payload: memoryview) -> Any:
        """A header entry of another payload, its blobs ([offset, size]) copied here."""
        if isinstance(entry, list) and len(entry) == 2 and all(type(n) is int for n in entry):
            return self.add(_blob(payload, entry))
        if isinstance(entry, list):
            return [self.copy(item, payload) for item in entry]
        if isinstance(entry, dict):
            return {key: self.copy(item, payload) for key, item in entry.items()}
        return entry


def _blob(payload: memoryview, where: Sequence[int]) -> memoryview:
    offset, size = where
    if offset < 0 or size < 0 or offset + size > len(payload):
        raise ValueError("a blob outside the cache")
    return payload[offset : offset + size]


def _encode(
    snapshot: Snapshot, figures: Figures, previous: Cached | None
) -> tuple[dict[str, Any], bytes] | None:
    data = snapshot.data
    if snapshot.problems:
        return None
    blobs = _Blobs()
    tables = {}
    for key in RECORD_TYPES:
        frame = data.table(key)
        if (
            previous is not None
            and previous.payload is not None
            and key in previous.tables
            and frame is previous.snapshot.data.table(key)
        ):
            tables[key] = {
                "length": previous.tables[key]["length"],
                "columns": blobs.copy(previous.tables[key]["columns"], previous.payload),
            }
            continue
        table = _encode_frame(frame, blobs)
        if table is None:
            return None
        tables[key] = table
    encoded_figures = {}
    for key, columns in figures.items():
        encoded_figures[key] = {}
        for header, values in columns.items():
            column = _encode_figures(values, blobs)
            if column is None:
                return None
            encoded_figures[key][header] = column
    settings = dataclasses.asdict(data.settings)
    settings["as_of"] = data.settings.as_of.isoformat()
    header = {
        "settings": settings,
        "pipeline": [dataclasses.asdict(stage) for stage in data.pipeline.stages],
        "lists": {f.name: list(getattr(data.lists, f.name)) for f in dataclasses.fields(Lists)},
        "setting_rows": dict(snapshot.setting_rows),
        "rows": {
            key: blobs.add(np.asarray(rows, dtype="<i4").tobytes())
            for key, rows in snapshot.rows.items()
        },
        "tables": tables,
        "figures": encoded_figures,
    }
    payload = b"".join(blobs.parts)
    header.update(size=len(payload), crc=zlib.crc32(payload))
    return header, payload


def _encode_frame(frame: pd.DataFrame, blobs: _Blobs) -> dict[str, Any] | None:
    """A typed table column by column: numbers as float64, dates as int64 ticks of their
    unit, text as codes into a JSON list of its distinct values; None for anything else."""
    index = frame.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        return None
    columns = []
    for name in frame.columns:
        series = frame[name]
        dtype = series.dtype
        if dtype == np.float64:
            columns.append([name, "f8", blobs.add(series.to_numpy().astype("<f8").tobytes())])
        elif isinstance(dtype, np.dtype) and dtype.kind == "M":
            unit = np.datetime_data(dtype)[0]
            ticks = series.to_numpy().view("<i8").tobytes()
            columns.append([name, f"M8[{unit}]", blobs.add(ticks)])
        elif dtype == np.dtype(object):
            values = series.to_numpy()
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            if not all(type(u) is str for u in uniques):
                return None
            if not all(v is None for v in values[codes < 0]):
                return None  # NaN where the reader gives None
            text = json.dumps(list(uniques), ensure_ascii=False).encode()
            columns.append(
                [name, "text", blobs.add(codes.astype("<i4").tobytes()), blobs.add(text)]
            )
        else:
            return None
    return {"length": len(frame), "columns": columns}


def _encode_figures(values: FigureColumn, blobs: _Blobs) -> list[Any] | None:
    """A column of figures: float64 (NaN for blank), or a JSON list (an error value as
    {"error": text})."""
    if isinstance(values, np.ndarray):
        return ["f8", blobs.add(values.astype("<f8").tobytes())]
    plain: list[Any] = []
    for value in values:
        if isinstance(value, ExcelError):
            plain.append({"error": value.text})
        elif value is None or isinstance(value, str | bool | int | float):
            plain.append(value)
        else:
            return None
    return ["json", blobs.add(json.dumps(plain, ensure_ascii=False).encode())]


def _decode(header: dict[str, Any], payload: memoryview) -> Cached:
    values = dict(header["settings"])
    figures_as_of = date.fromisoformat(values["as_of"])
    values["as_of"] = figures_as_of if values["as_of_pinned"] else reader.today()
    settings = Settings(**values)
    pipeline = Pipeline(tuple(Stage(**stage) for stage in header["pipeline"]))
    lists = Lists(**{name: tuple(items) for name, items in header["lists"].items()})
    frames = {key: _decode_frame(header["tables"][key], payload) for key in RECORD_TYPES}
    data = SalesData(settings=settings, pipeline=pipeline, lists=lists, **frames)
    rows = {
        key: tuple(np.frombuffer(_blob(payload, where), dtype="<i4").tolist())
        for key, where in header["rows"].items()
    }
    for key in RECORD_TYPES:
        if len(rows[key]) != len(frames[key]):
            raise ValueError(f"{key}: rows and records differ")
    setting_rows = {name: int(row) for name, row in header["setting_rows"].items()}
    snapshot = Snapshot(data, rows, [], {}, setting_rows)
    figures = {
        key: {h: _decode_figures(c, payload, len(rows[key])) for h, c in columns.items()}
        for key, columns in header["figures"].items()
    }
    chunks = {
        str(name): [(int(size), int(packed)) for size, packed in found]
        for name, found in header.get("chunks", {}).items()
    }
    return Cached(snapshot, figures, figures_as_of, chunks, header["tables"], payload)


def _decode_frame(table: dict[str, Any], payload: memoryview) -> pd.DataFrame:
    length = table["length"]
    columns: dict[str, pd.Series] = {}
    for name, kind, *where in table["columns"]:
        if kind == "text":
            codes = np.frombuffer(_blob(payload, where[0]), dtype="<i4")
            uniques = json.loads(bytes(_blob(payload, where[1])))
            if len(codes) != length or (len(codes) and codes.max(initial=-1) >= len(uniques)):
                raise ValueError(f"column {name}: codes out of range")
            lookup = np.empty(len(uniques) + 1, dtype=object)
            lookup[: len(uniques)] = uniques
            lookup[-1] = None  # code -1: blank
            columns[name] = pd.Series(lookup.take(codes), dtype=object)
        elif kind == "f8" or kind.startswith("M8["):
            array = np.frombuffer(_blob(payload, where[0]), dtype="<f8" if kind == "f8" else "<i8")
            if len(array) != length:
                raise ValueError(f"column {name}: {len(array)} values for {length} rows")
            columns[name] = pd.Series(array if kind == "f8" else array.view(kind), copy=True)
        else:
            raise ValueError(f"column {name}: unknown kind {kind}")
    return pd.DataFrame(columns, index=pd.RangeIndex(length))


def _decode_figures(column: list[Any], payload: memoryview, length: int) -> FigureColumn:
    kind, where = column
    if kind == "f8":
        values: FigureColumn = np.frombuffer(_blob(payload, where), dtype="<f8")
    elif kind == "json":
        found = json.loads(bytes(_blob(payload, where)))
        values = [ExcelError(v["error"]) if isinstance(v, dict) else v for v in found]
    else:
        raise ValueError(f"unknown figures {kind}")
    if len(values) != length:
        raise ValueError(f"{len(values)} figures for {length} records")
    return values
