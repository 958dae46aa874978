"""The one file helper every reader and writer uses.

Reading: a path or an open file in, bounded UTF-8 text out. Writing: :func:`atomic_writer`
never leaves a half-written or truncated file behind.

Readers follow one contract, ``read_<source>(filename_or_buffer, ...)``: a path (``str`` or
``os.PathLike``) or an open file (text or binary). :func:`read_text` reads at most
``max_bytes`` (default :data:`MAX_INPUT_BYTES`; an endless open stream stops there with a
:class:`~meshcost.errors.DataFileError`), refuses paths that are not regular files (a FIFO
would block, a device never ends), decodes UTF-8 (a byte-order mark, as Excel writes, is
dropped) and returns a label for messages (the file name) with the text. Peak memory is
about twice the file's size.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import IO, Any, Iterator

from ..errors import DataFileError, InputTypeError, describe_value

__all__ = ["MAX_INPUT_BYTES", "MAX_INTEGER", "read_text", "parse_json", "source_label", "is_file_source",
           "atomic_writer"]

#: The largest input a reader accepts by default [bytes]: 256 MiB (a kubectl export of about
#: 35,000 pods); every reader takes ``max_bytes=`` to change it.
MAX_INPUT_BYTES = 256 * 1024**2
_CHUNK = 1 << 20
#: The largest integer a file may hold where meshcost reads numbers (2^63: Kubernetes' own
#: limit); larger ones are refused rather than overflowing a float.
MAX_INTEGER = 2**63


class _Refused(Exception):
    """Raised inside json.loads hooks: the reason the document is refused."""


def _object(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _Refused(f"the key {describe_value(twice)} twice in one object")
    return out


def _constant(name: str) -> float:
    raise _Refused(f"the constant {name} (JSON has no NaN or Infinity)")


def _integer(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_INTEGER:
        raise _Refused(f"the integer {describe_value(value)} (larger than 2^63)")
    return value


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused(f"the number {describe_value(text)} (beyond the float range)")
    return value


def parse_json(text: str, label: str, what: str) -> Any:
    """Strict JSON: duplicate keys, NaN / Infinity, integers beyond 2^63, numbers beyond the float
    range and nesting deeper than Python's recursion limit are refused with a one-line
    :class:`DataFileError` naming ``label`` (json.loads would keep the last key, or overflow)."""
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant, parse_int=_integer,
                          parse_float=_float)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{label}: line {exc.lineno}, column {exc.colno}: malformed JSON ({exc.msg}); "
                            f"expected {what}") from None
    except _Refused as exc:
        raise DataFileError(f"{label}: malformed JSON ({exc.args[0]}); expected {what}") from None
    except RecursionError:
        raise DataFileError(f"{label}: nested too deeply; expected {what}") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise DataFileError(f"{label}: malformed JSON ({describe_value(str(exc), 120)}); expected {what}") from None


def is_file_source(source: Any) -> bool:
    """Whether ``source`` is a path or an open file (as opposed to parsed data)."""
    return isinstance(source, (str, os.PathLike)) or hasattr(source, "read")


def source_label(source: Any) -> str:
    """The name to use for ``source`` in messages: its path, or the open file's name."""
    if isinstance(source, (str, os.PathLike)):
        return str(Path(source))
    return str(getattr(source, "name", "<stream>"))


def _too_large(label: str, max_bytes: int) -> DataFileError:
    return DataFileError(f"{label}: larger than {max_bytes:,} bytes (or an endless stream); expected a finite file "
                         "within the limit (pass max_bytes= to raise it)")


def _read_bounded(handle: Any, label: str, max_bytes: int) -> str | bytearray:
    first = handle.read(min(_CHUNK, max_bytes + 1))
    if isinstance(first, str):  # a text stream: count characters (at least one byte each)
        parts, size = [first], len(first)
        while first:
            if size > max_bytes:
                raise _too_large(label, max_bytes)
            first = handle.read(_CHUNK)
            parts.append(first)
            size += len(first)
        return "".join(parts)
    buffer = bytearray(first or b"")
    while first:
        if len(buffer) > max_bytes:
            raise _too_large(label, max_bytes)
        first = handle.read(_CHUNK)
        buffer += first or b""
    return buffer


def read_text(source: Any, *, what: str, max_bytes: int = MAX_INPUT_BYTES) -> tuple[str, str]:
    """(label, text) of a path or an open file; ``what`` describes the expected content.

    Raises :class:`DataFileError` for a missing or unreadable file, an input over
    ``max_bytes``, or text that is not UTF-8; :class:`InputTypeError` for anything else.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise InputTypeError(f"max_bytes: got {describe_value(max_bytes)}; expected a whole number of bytes >= 1")
    label = source_label(source)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            mode = path.stat().st_mode
            if not stat.S_ISREG(mode):
                kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else
                        "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
                raise DataFileError(f"{label}: is {kind}; expected a regular file with {what}")
            if path.stat().st_size > max_bytes:
                raise _too_large(label, max_bytes)
            with path.open("rb") as handle:
                raw = _read_bounded(handle, label, max_bytes)
        except DataFileError:
            raise
        except FileNotFoundError:
            raise DataFileError(f"{label}: no such file; expected {what}") from None
        except OSError as exc:
            raise DataFileError(f"{label}: cannot read the file ({exc.strerror or exc}); expected {what}") from None
        except UnicodeDecodeError as exc:
            raise DataFileError(f"{label}: not UTF-8 text (byte {exc.start}); expected {what}") from None
        except ValueError as exc:  # e.g. a NUL byte in the path
            raise DataFileError(f"{describe_value(label)}: not a usable path ({exc}); expected {what}") from None
    elif hasattr(source, "read"):
        try:
            raw = _read_bounded(source, label, max_bytes)
        except DataFileError:
            raise
        except OSError as exc:
            raise DataFileError(f"{label}: cannot read ({exc.strerror or exc}); expected {what}") from None
        except UnicodeDecodeError as exc:
            raise DataFileError(f"{label}: not UTF-8 text (byte {exc.start}); expected {what}") from None
        except ValueError as exc:  # e.g. a closed file
            raise DataFileError(f"{label}: cannot read ({exc}); expected {what}") from None
    else:
        raise InputTypeError(f"source: got {describe_value(source)}; expected a path (str or Path) or an open file "
                             f"with {what}")
    if isinstance(raw, str):
        return label, raw.removeprefix("\ufeff")
    try:
        return label, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{label}: not UTF-8 text (byte {exc.start}); expected {what}") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_writer(target: Any, *, what: str = "the output", binary: bool = False,
                  name: str = "output") -> Iterator[IO[Any]]:
    """Open ``target`` for writing (text, or bytes with ``binary``) so that it is replaced only when writing succeeds.

    A regular file (or a new one) is written to a temporary file beside it and renamed over
    it at the end; on any error (a refused input, a full disk) the temporary file is removed
    and an existing file is left as it was. A symbolic link is followed (its target is
    replaced, the link kept). A FIFO is written to directly; a device (``/dev/null``, a
    terminal) or a directory is refused. An open file is written to as is. Errors while
    writing become one-line :class:`~meshcost.errors.DataFileError` naming ``name``.
    """

    def failed(exc: BaseException) -> DataFileError:
        reason = getattr(exc, "strerror", None) or str(exc)
        return DataFileError(f"{name}: cannot write {what} to {label} ({reason})", parameter=name)

    if hasattr(target, "write"):
        label = source_label(target)
        try:
            yield target
        except OSError as exc:
            raise failed(exc) from None
        return
    if not isinstance(target, (str, os.PathLike)):
        raise InputTypeError(f"{name}: got {describe_value(target)}; expected a file name or an open file",
                             parameter=name, value=describe_value(target), expected="a file name or an open file")
    label = describe_value(str(target), 200)
    try:
        path = Path(target)
        real = path.resolve()
        mode = real.stat().st_mode if real.exists() else None
    except (OSError, ValueError) as exc:  # a NUL byte, a loop of links, ...
        raise failed(exc) from None
    if mode is not None and not stat.S_ISREG(mode):
        if not stat.S_ISFIFO(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "a device or special file"
            raise DataFileError(f"{name}: {label} is {kind}; expected the path of a file to write {what} to",
                                parameter=name)
        try:
            handle = real.open("wb") if binary else real.open("w", newline="", encoding="utf-8")
        except OSError as exc:
            raise failed(exc) from None
        with handle:
            try:
                yield handle
            except OSError as exc:
                raise failed(exc) from None
        return
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".partial", dir=real.parent)
    except OSError as exc:
        raise failed(exc) from None
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", newline="", encoding="utf-8")) as handle:
            yield handle
        if mode is not None:
            shutil.copymode(real, temp)
        else:  # a new file gets the usual permissions (mkstemp makes it private)
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, real)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.remove(temp)
        raise failed(exc) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temp)
        raise
