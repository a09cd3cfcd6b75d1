"""The deterministic stream of pattern_client.py / pattern_server.py: the 8-byte big-endian word at
every offset O (a multiple of 8) is O XOR MARK, so any received byte says which stream offset it
belongs to (MARK's top bytes 0x5A5A tell pattern data from zeros or foreign bytes)."""

MARK = 0x5A5A << 48
BLOCK = 65536  # a multiple of 8; MARK's low 16 bits are zero, so block words need no carries
_REP = int.from_bytes(b"\0\0\0\0\0\0\0\1" * (BLOCK // 8), "big")
_BASE = int.from_bytes(b"".join((k * 8).to_bytes(8, "big") for k in range(BLOCK // 8)), "big")


def block(index):
    """The BLOCK bytes starting at stream offset index * BLOCK."""
    return (_BASE + ((index * BLOCK) ^ MARK) * _REP).to_bytes(BLOCK, "big")


def expected(offset, length):
    """The stream's bytes [offset, offset + length)."""
    out = bytearray()
    i = offset // BLOCK
    skip = offset - i * BLOCK
    while len(out) < length:
        out += block(i)[skip:]
        skip = 0
        i += 1
    return bytes(out[:length])


def describe(offset, data):
    """What data, received at stream offset offset, is: the stream offset it was sent at (any word
    alignment), or zeros, or its hex."""
    for j in range(8):
        if len(data) < j + 8:
            break
        w = int.from_bytes(data[j:j + 8], "big")
        if w >> 48 == MARK >> 48 and (w ^ MARK) % 8 == 0:
            src = (w ^ MARK) - j
            return "pattern-from=%d(shift%+d)" % (src, src - offset)
    if data and not any(data):
        return "zeros"
    return "foreign-hex=%s" % data[:16].hex()
