"""The MS-OVBA compression of VBA source (MS-OVBA 2.4.1), written from the specification.

The ``ms_ovba_compression`` package that ``ms-ovba`` depends on corrupts modules longer than a
few hundred bytes, so SalesFlow compresses with this implementation (checked against oletools'
decompressor in the tests).
"""

from __future__ import annotations

CHUNK = 4096


def _bit_count(difference: int) -> int:
    """Bits of a copy token's offset for a position ``difference`` bytes into the chunk."""
    count = 4
    while (1 << count) < difference:
        count += 1
    return count


def _compress_chunk(data: bytes) -> bytes:
    out = bytearray()
    position = 0
    while position < len(data):
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if position >= len(data):
                break
            offset, length = _longest_match(data, position)
            if length >= 3:
                bits = _bit_count(position)
                token = ((offset - 1) << (16 - bits)) | (length - 3)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                position += length
            else:
                out.append(data[position])
                position += 1
        out[flag_index] = flags
    return bytes(out)


def _longest_match(data: bytes, position: int) -> tuple[int, int]:
    """(offset, length) of the longest earlier copy of the bytes at ``position`` in the chunk."""
    if position == 0:
        return 0, 0
    bits = _bit_count(position)
    maximum = (0xFFFF >> bits) + 3
    end = min(len(data), position + maximum)
    best_length, best_offset = 0, 0
    for start in range(position - 1, -1, -1):
        length = 0
        while position + length < end and data[start + length] == data[position + length]:
            length += 1
        if length > best_length:
            best_length, best_offset = length, position - start
            if length == end - position:
                break
    return best_offset, best_length


def compress(data: bytes) -> bytes:
    """A CompressedContainer: signature byte 0x01, then one chunk per 4096 bytes of input."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        raw = data[start : start + CHUNK]
        packed = _compress_chunk(raw)
        if len(packed) > CHUNK:
            # a raw chunk is always 4096 bytes: the spec pads a short last one with 0x00
            # (2.4.1.3.10); VBA source text never comes close to this
            header = (CHUNK + 2 - 3) | (0b011 << 12)
            out += header.to_bytes(2, "little") + raw.ljust(CHUNK, b"\x00")
        else:
            header = (len(packed) + 2 - 3) | (0b011 << 12) | (1 << 15)
            out += header.to_bytes(2, "little") + packed
    return bytes(out)
