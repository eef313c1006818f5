"""The subset of CBOR (RFC 8949) that Pagefind's index files use, read and written in shortest form.

Supported: unsigned and negative integers, byte and text strings, arrays, maps, false/true/null.
Writing always uses the shortest head, as Pagefind does, so an unchanged value keeps its bytes.
"""
from __future__ import annotations

from typing import Any


def loads(data: bytes) -> Any:
    value, end = _decode(data, 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the CBOR value")
    return value


def dumps(value: Any) -> bytes:
    out = bytearray()
    _encode(value, out)
    return bytes(out)


def _head(data: bytes, pos: int) -> tuple[int, int, int]:
    """(major type, argument, position after the head)."""
    if pos >= len(data):
        raise ValueError("truncated CBOR data")
    first = data[pos]
    major, info = first >> 5, first & 0x1F
    if info < 24:
        return major, info, pos + 1
    if info > 27:
        raise ValueError(f"unsupported CBOR head {first:#x}")
    size = 1 << (info - 24)
    if pos + 1 + size > len(data):
        raise ValueError("truncated CBOR data")
    return major, int.from_bytes(data[pos + 1:pos + 1 + size], "big"), pos + 1 + size


def _decode(data: bytes, pos: int) -> tuple[Any, int]:
    major, arg, pos = _head(data, pos)
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major in (2, 3):
        raw = data[pos:pos + arg]
        if len(raw) != arg:
            raise ValueError("truncated CBOR string")
        return (bytes(raw) if major == 2 else raw.decode("utf-8")), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = _decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping = {}
        for _ in range(arg):
            key, pos = _decode(data, pos)
            mapping[key], pos = _decode(data, pos)
        return mapping, pos
    if major == 7 and arg in (20, 21, 22):
        return {20: False, 21: True, 22: None}[arg], pos
    raise ValueError(f"unsupported CBOR item (major type {major})")


def _put_head(major: int, arg: int, out: bytearray) -> None:
    if arg < 24:
        out.append(major << 5 | arg)
        return
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            out.append(major << 5 | info)
            out += arg.to_bytes(size, "big")
            return
    raise ValueError(f"integer {arg} too large for CBOR")


def _encode(value: Any, out: bytearray) -> None:
    if value is False or value is True or value is None:
        out.append(0xF4 if value is False else 0xF5 if value is True else 0xF6)
    elif isinstance(value, int):
        _put_head(0, value, out) if value >= 0 else _put_head(1, -1 - value, out)
    elif isinstance(value, bytes):
        _put_head(2, len(value), out)
        out += value
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        _put_head(3, len(raw), out)
        out += raw
    elif isinstance(value, (list, tuple)):
        _put_head(4, len(value), out)
        for item in value:
            _encode(item, out)
    elif isinstance(value, dict):
        _put_head(5, len(value), out)
        for key, item in value.items():
            _encode(key, out)
            _encode(item, out)
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as CBOR")
