"""How the catalogue's index keeps its larger values (a record's lines, Turtle and report): LZ4-compressed.

LZ4 rather than zlib: a record's values are a few kilobytes, written once per publication on the workers' cores and
read on every page; measured on them, LZ4 compresses about 15 times faster and decompresses about 6 times faster
than zlib at its fastest level, for a third more bytes. Values written by earlier versions (zlib) are still read:
a zlib stream starts with 0x78, a value written here with MARK.
"""

from __future__ import annotations

import zlib

import lz4.block

MARK = b"L"  # never the first byte of a zlib stream (0x78 for the window size zlib.compress uses)


def pack(data: bytes) -> bytes:
    """`data` compressed (with its size, which decompression needs)."""
    return MARK + bytes(lz4.block.compress(data, store_size=True))


def unpack(blob: bytes) -> bytes:
    """What `pack` (or an earlier version's zlib.compress) was given."""
    if blob[:1] == MARK:
        return bytes(lz4.block.decompress(memoryview(blob)[1:]))
    return zlib.decompress(blob)
