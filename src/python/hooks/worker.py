"""streameval's Python hook worker: runs a task folder's `!function` hooks for the TypeScript side.

Protocol: one JSON object a line. Requests on stdin, each `{"id": N, "op": ..., ...}`; one response a
request on the original stdout, `{"id": N, "result": ...}` or `{"id": N, "error": "..."}` when the request
itself is malformed. A hook that raises is not a failed request: its entry in the result says
`{"error": "<the traceback's last line>"}` and the other calls of the batch go on.

Ops:
  load          {"hooks": {KEY: {"dir", "module", "name"}}} → {KEY: null | "error line"}
                imports each module as lm-eval's `!function` does: DIR/a/b.py for `a.b`, once per file,
                else the importable module `a.b`.
  call          {"calls": [{"hook", "args": [...], "kwargs": {...}}]} → [{"ok": value} | {"error": line}]
  process_docs  {"hook", "docs": [...]} → {"docs": [...], "origin": [input index per output doc] | null}
  filter        {"hook", "kind": "fn" | "class", "args": {...}, "resps": [...], "docs": [...]}
                → {"ok": [one value per doc]} | {"error": line}: a filter step over a batch, as lm-eval's
                FilterEnsemble applies it (`custom` with `filter_fn`, or a Filter class built with `args`)
  metric        {"calls": [{"hook", "name", "gold", "result", "kwargs", "multiple": bool}]}
                → [{"ok": {key: value}} | {"error": line}]: a `metric: !function` as lm-eval's generate_until
                process_results calls it
  aggregate     {"hook", "items": [...], "item"?: "float" | "tuple" | "int"} → {"ok": value} | {"error": line}:
                `aggregation: !function`, each item first made the Python type `item` names

Hooks' own printing goes to stderr: the protocol keeps the process's real stdout to itself.
"""

from __future__ import annotations

import base64
import importlib.util
import inspect
import io
import json
import math
import os
import struct
import sys
import traceback
import wave
import zlib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# Modules that stand in for packages a task's code may use (see shims/README.md). Last on the path, so
# an installed package always wins over a shim.
sys.path.append(str(HERE / "shims"))
sys.path.insert(0, str(HERE))

ORIGIN_COLUMN = "__streameval_row__"


def install_datasets() -> Any:
    """The real `datasets` when installed, else the list-backed stand-in under that name."""
    try:
        import datasets  # noqa: F401

        return sys.modules["datasets"]
    except ImportError:
        import standin_datasets

        sys.modules["datasets"] = standin_datasets
        return standin_datasets


DATASETS = install_datasets()
REAL_DATASETS = DATASETS.__name__ == "datasets"

MODULES: dict[str, Any] = {}
HOOKS: dict[str, Any] = {}


# Import names whose pip package is named otherwise.
PIP_NAMES = {"lm_eval": "lm-eval", "sklearn": "scikit-learn", "rouge_score": "rouge-score", "yaml": "pyyaml", "PIL": "pillow", "Levenshtein": "python-Levenshtein", "bs4": "beautifulsoup4", "cv2": "opencv-python", "attr": "attrs", "dateutil": "python-dateutil"}


def last_line(error: BaseException) -> str:
    lines = traceback.format_exception_only(type(error), error)
    line = lines[-1].strip() if lines else type(error).__name__
    missing = getattr(error, "name", None) if isinstance(error, ModuleNotFoundError) else None
    if missing and "streameval" not in line:
        top = missing.split(".")[0]
        line += f" (the hook needs the Python package `{PIP_NAMES.get(top, top)}`: install it into the interpreter the hooks run in, `{sys.executable} -m pip install {PIP_NAMES.get(top, top)}`, or name one that has it with --python PATH)"
    return line


def load_module(directory: str, module: str) -> Any:
    """As lm-eval 0.4.13's `_import_func_in_yml`: DIR/a/b.py for module `a.b` when that file exists (loaded
    once per file, registered in sys.modules under its path without `.py`), else `import a.b`."""
    path = (Path(directory) / f"{module.replace('.', '/')}.py").resolve()
    if not path.exists():
        try:
            return importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module.split(".")[0]:
                raise
            raise ModuleNotFoundError(f"no module `{module}`: no {path.name} in {path.parent}, and no installed module of that name") from None
    key = str(path.with_suffix(""))
    if key not in MODULES:
        spec = importlib.util.spec_from_file_location(key, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"Cannot load module from {path}")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        sys.modules[key] = mod
        MODULES[key] = mod
    return MODULES[key]


def op_load(req: dict) -> dict:
    out: dict[str, Any] = {}
    for key, spec in req["hooks"].items():
        try:
            mod = load_module(spec["dir"], spec["module"])
            HOOKS[key] = getattr(mod, spec["name"])
            out[key] = None
        except BaseException as e:  # noqa: BLE001 - reported to the caller, who names the YAML line
            out[key] = last_line(e)
    return out


def takes_positional(fn: Any, count: int) -> bool:
    """Whether fn accepts `count` positional arguments (lmms-eval passes its kwargs only to hooks that take them)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in params):
        return True
    return sum(1 for p in params if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)) >= count


def media_json(value: Any) -> Any:
    """A media value of a hook as {"bytes": base64}: raw bytes as they are, a PIL image as PNG, an
    audio dict ({"array", "sampling_rate"}, as Hugging Face decodes audio) as 16-bit WAV. None otherwise."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if hasattr(value, "save") and hasattr(value, "mode") and hasattr(value, "size"):  # a PIL image
        buf = io.BytesIO()
        value.save(buf, format="PNG")
        return {"bytes": base64.b64encode(buf.getvalue()).decode("ascii")}
    if isinstance(value, dict) and "array" in value and "sampling_rate" in value:
        return wav_json(value["array"], int(value["sampling_rate"]))
    return None


def wav_json(samples: Any, rate: int) -> dict:
    """Mono samples in [-1, 1] as a 16-bit WAV."""
    samples = samples.tolist() if hasattr(samples, "tolist") else list(samples)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", max(-32768, min(32767, int(round(float(s) * 32767))))) for s in samples))
    return {"bytes": base64.b64encode(buf.getvalue()).decode("ascii"), "media_type": "audio/wav"}


# A bare array from an audio hook carries no rate: 16 kHz, what speech models (Whisper) take.
ARRAY_AUDIO_RATE = 16000
PNG_COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> grey, grey+alpha, RGB, RGBA


def png_json(array: Any) -> dict:
    """An H×W or H×W×C array (uint8, or floats in [0, 1]) as an 8-bit PNG, with zlib only (no PIL needed)."""
    shape = tuple(array.shape)
    channels = 1 if len(shape) == 2 else shape[2]
    if len(shape) not in (2, 3) or channels not in PNG_COLOUR_TYPES:
        raise ValueError(f"an image array must be H×W or H×W×(1-4), got shape {shape}")
    if array.dtype.kind == "f":
        array = (array.clip(0, 1) * 255).round()
    rows = array.astype("uint8").reshape(shape[0], shape[1] * channels)
    raw = b"".join(b"\x00" + rows[y].tobytes() for y in range(shape[0]))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", shape[1], shape[0], 8, PNG_COLOUR_TYPES[channels], 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return {"bytes": base64.b64encode(png).decode("ascii"), "media_type": "image/png"}


def media_value(value: Any, kind: str) -> Any:
    """A media hook's value (one item or a list) with numpy arrays encoded: an image hook's as PNG, an
    audio hook's as WAV; doc_to_visual's by shape (1-D: audio, else an image). Other items pass through."""
    if isinstance(value, (list, tuple)):
        return [media_value(v, kind) for v in value]
    if not (hasattr(value, "shape") and hasattr(value, "dtype")) or len(value.shape) == 0:
        return value
    if kind == "audio" or (kind == "visual" and len(value.shape) == 1):
        return wav_json(value, ARRAY_AUDIO_RATE)
    return png_json(value)


def to_json(value: Any) -> Any:
    """Python values as JSON: numpy scalars and arrays, tuples and sets become numbers and lists; a
    non-finite float becomes {"$float": "nan" | "inf" | "-inf"}; images, bytes and audio arrays become
    {"bytes": base64} (see media_json)."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    media = media_json(value)
    if media is not None:
        return media
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"$float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return to_json(value.tolist())
    if hasattr(value, "item"):
        return to_json(value.item())
    if isinstance(value, DATASETS.Dataset):
        return [to_json(r) for r in value]
    return str(value)


def from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "$float" in value:
            return float(value["$float"])
        if len(value) == 1 and "$tuple" in value:
            return tuple(from_json(v) for v in value["$tuple"])
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


def op_call(req: dict) -> list:
    out = []
    for call in req["calls"]:
        try:
            fn = HOOKS[call["hook"]]
            args = from_json(call.get("args", []))
            optional = from_json(call.get("optional_args", []))
            if optional and takes_positional(fn, len(args) + len(optional)):
                args = args + optional
            value = fn(*args, **from_json(call.get("kwargs", {})))
            if call.get("media"):
                value = media_value(value, call["media"])
            out.append({"ok": to_json(value)})
        except BaseException as e:  # noqa: BLE001 - one sample's error, reported as data
            out.append({"error": last_line(e)})
    return out


def op_process_docs(req: dict) -> dict:
    docs = from_json(req["docs"])
    fn = HOOKS[req["hook"]]
    try:
        if REAL_DATASETS:
            dataset = DATASETS.Dataset.from_list([{**d, ORIGIN_COLUMN: i} for i, d in enumerate(docs)])
        else:
            dataset = DATASETS.Dataset(docs, list(range(len(docs))))
        result = fn(dataset)
        rows = [dict(r) for r in result]
        if REAL_DATASETS:
            has = all(ORIGIN_COLUMN in r for r in rows)
            origin = [r.pop(ORIGIN_COLUMN) for r in rows] if has else None
            for r in rows:
                r.pop(ORIGIN_COLUMN, None)
        else:
            origin = getattr(result, "_origin", None)
        if origin is None and len(rows) == len(docs):
            origin = list(range(len(docs)))
        return {"ok": {"docs": to_json(rows), "origin": origin}}
    except BaseException as e:  # noqa: BLE001 - the batch's error, reported as data
        return {"error": last_line(e)}


def op_filter(req: dict) -> dict:
    """One filter step over a batch of docs, as lm-eval's FilterEnsemble: `custom` calls
    `filter_fn(resps, docs)`; a Filter class is built with the step's arguments (a new instance each
    time, as lm-eval's `partial(cls, **kwargs)()`) and its `apply(resps, docs)` called."""
    try:
        resps, docs = from_json(req["resps"]), from_json(req["docs"])
        if req["kind"] == "fn":
            out = HOOKS[req["hook"]](resps, docs)
        else:
            out = HOOKS[req["hook"]](**from_json(req.get("args", {}))).apply(resps, docs)
        out = list(out)  # lm-eval's filters may return a map or a generator
        if len(out) != len(docs):
            return {"error": f"the filter returned {len(out)} values for {len(docs)} docs"}
        return {"ok": to_json([list(r) if isinstance(r, (map, filter, tuple)) or hasattr(r, "__next__") else r for r in out])}
    except BaseException as e:  # noqa: BLE001
        return {"error": last_line(e)}


def call_metric(fn: Any, gold: Any, result: Any, kwargs: dict) -> Any:
    """lm-eval's call of a metric function (api/task.py, generate_until): keywords first, then the
    one-argument form its own metrics take when that raises a TypeError."""
    try:
        return fn(references=[gold], predictions=[result], **kwargs)
    except TypeError:
        return fn([gold, result])


def op_metric(req: dict) -> list:
    """`metric: !function` per sample and filter, as lm-eval's generate_until process_results: with
    several golds (multiple_target) 1.0 when any gold scores, else the function's value; a dict return
    gives each of its keys."""
    out = []
    for call in req["calls"]:
        try:
            fn, name = HOOKS[call["hook"]], call["name"]
            gold, result, kwargs = from_json(call["gold"]), from_json(call["result"]), from_json(call.get("kwargs", {}))
            if call.get("multiple"):
                golds = gold if isinstance(gold, list) else [gold]
                scores = []
                for option in golds:
                    score = call_metric(fn, option, result, kwargs)
                    if isinstance(score, dict):
                        score = score[name]
                    scores.append(score)
                value: Any = 1.0 if any(scores) else 0.0
            else:
                value = call_metric(fn, gold, result, kwargs)
            out.append({"ok": to_json(value if isinstance(value, dict) else {name: value})})
        except BaseException as e:  # noqa: BLE001 - one sample's error, reported as data
            out.append({"error": last_line(e)})
    return out


# How a value arrives as lm-eval passes it (`item` of an aggregate request): multiple_choice scoring gives
# acc a float and f1 a (gold, pred) tuple, which JSON cannot tell from 1 and [gold, pred].
ITEM_FORMS = {"float": float, "tuple": tuple, "int": lambda v: v}


def op_aggregate(req: dict) -> dict:
    try:
        items = from_json(req["items"])
        form = req.get("item")
        if form is not None:
            items = [ITEM_FORMS[form](v) for v in items]
        return {"ok": to_json(HOOKS[req["hook"]](items))}
    except BaseException as e:  # noqa: BLE001
        return {"error": last_line(e)}


OPS = {"load": op_load, "call": op_call, "process_docs": op_process_docs, "filter": op_filter, "metric": op_metric, "aggregate": op_aggregate}


def main() -> None:
    # Keep the real stdout for the protocol; anything a hook prints (Python or C) goes to stderr.
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    proto.write(json.dumps({"ready": True, "python": sys.version.split()[0], "datasets": "real" if REAL_DATASETS else "stand-in"}) + "\n")
    proto.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        rid = None
        try:
            req = json.loads(line)
            rid = req.get("id")
            reply = {"id": rid, "result": OPS[req["op"]](req)}
        except BaseException as e:  # noqa: BLE001 - a malformed request
            reply = {"id": rid, "error": last_line(e)}
        proto.write(json.dumps(reply, allow_nan=False) + "\n")
        proto.flush()


if __name__ == "__main__":
    main()
