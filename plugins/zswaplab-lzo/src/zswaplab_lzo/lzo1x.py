"""The kernel's LZO1X-1 compressor and its lzo-rle variant, line for line from ``lib/lzo/lzo1x_compress.c``
(Linux 5.4 to 6.14: run-length encoding since 5.1, its ambiguity fix since 5.4; ``lzo1x_1_compress_safe``
came only in 6.15), with the x86_64 build's choices: ``CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS``,
``LZO_USE_CTZ64`` and ``LZO_FAST_64BIT_MEMORY_ACCESS`` (``lib/lzo/lzodefs.h``). The match-length loop of
that build compares 8 bytes at a time and stops without its final count near the end of the input, so
its lengths differ from the byte-wise build's; the LZO library's own lzo1x_1 (a 14-bit dictionary, not
the kernel's 13) differs more. What zswap stores is this output's length.

The decompressor follows ``lzo1x_decompress_safe.c`` (both bitstream versions); zswap only needs it to
give the page back.
"""

from __future__ import annotations

from struct import unpack_from

M2_MAX_LEN = 8
M2_MAX_OFFSET = 0x0800
M3_MAX_OFFSET = 0x4000
M3_MAX_LEN = 33
M4_MAX_LEN = 9
M3_MARKER = 32
M4_MARKER = 16
M4_MAX_OFFSET_V0 = 0xBFFF
M4_MAX_OFFSET_V1 = 0xBFFE
MIN_ZERO_RUN_LENGTH = 4
MAX_ZERO_RUN_LENGTH = 2047 + MIN_ZERO_RUN_LENGTH
D_BITS = 13
D_MASK = (1 << D_BITS) - 1
LZO_VERSION = 1  # the bitstream version lzo-rle writes after its 17 marker
_U32 = 0xFFFFFFFF


class LzoError(ValueError):
    """A corrupt or truncated LZO1X stream."""


def lzo1x_1_compress(data: bytes, bitstream_version: int = 0) -> bytes:
    """lzogeneric1x_1_compress: version 0 is ``lzo`` (lzo1x_1_compress), 1 is ``lzo-rle``."""
    out = bytearray()
    state = [-2]  # state_offset: where a following short literal run's count goes (op[-2] or op[-3])
    if bitstream_version > 0:
        out += bytes((17, bitstream_version))
        m4_max_offset = M4_MAX_OFFSET_V1
    else:
        m4_max_offset = M4_MAX_OFFSET_V0
    data_start = len(out)
    ip, length, t = 0, len(data), 0
    while length > 20:
        ll = min(length, m4_max_offset + 1)
        if (t + ll) >> 5 == 0:  # the C pointer-overflow guard `ll_end + ((t + ll) >> 5) <= ll_end`
            break
        t = _do_compress(data, ip, ll, out, t, state, bitstream_version)
        ip += ll
        length -= ll
    t += length
    if t > 0:
        _final_literals(data, len(data) - t, t, out, data_start, state[0])
    out += bytes((M4_MARKER | 1, 0, 0))
    return bytes(out)


def _final_literals(data: bytes, ii: int, t: int, out: bytearray, data_start: int, state_offset: int) -> None:
    """The input's last literals; with nothing written before them (up to 238) their count is 17 + t."""
    if len(out) == data_start and t <= 238:
        out.append(17 + t)
        out += data[ii : ii + t]
    else:
        _literals(data, ii, t, out, state_offset)


def _long_literal_count(tt: int, out: bytearray) -> None:
    out.append(0)
    while tt > 255:
        tt -= 255
        out.append(0)
    out.append(tt)


def _do_compress(data: bytes, base: int, in_len: int, out: bytearray, ti: int, state: list[int], version: int) -> int:
    """lzo1x_1_do_compress over ``data[base:base + in_len]``; the count of literals left pending."""
    in_end, ip_end = base + in_len, base + in_len - 20
    dictionary = [0] * (1 << D_BITS)  # lzo_dict_t offsets from ``base``, zeroed for every block
    ii = base
    ip = base + (4 - ti if ti < 4 else 0)
    skip = True  # enter at `literal:` (the first pass, and after a miss); `next:` after an instruction
    while True:
        if skip:
            ip += 1 + ((ip - ii) >> 5)
        skip = True
        if ip >= ip_end:
            break
        dv = unpack_from("<I", data, ip)[0]
        run_length, m_pos = 0, 0
        if dv == 0 and version:
            run_length = _zero_run(data, ip, ip_end)
        else:
            h = ((dv * 0x1824429D) & _U32) >> (32 - D_BITS) & D_MASK
            m_pos = base + dictionary[h]
            dictionary[h] = ip - base
            if dv != unpack_from("<I", data, m_pos)[0]:
                continue
        ii -= ti
        ti = 0
        _literals(data, ii, ip - ii, out, state[0])
        if run_length:
            ip += run_length
            run_length -= MIN_ZERO_RUN_LENGTH
            out += (((run_length << 21) | 0xFFFC18 | (run_length & 0x7)) & _U32).to_bytes(4, "little")
            state[0] = -3
        else:
            ip = _match(data, ip, m_pos, ip_end, out, version)
            state[0] = -2
        ii = ip
        skip = False
    return in_end - (ii - ti)


def _zero_run(data: bytes, ip: int, ip_end: int) -> int:
    """The zero bytes from ``ip`` (at least the 4 of ``dv``) up to the limit, capped (lzo-rle)."""
    limit = min(ip_end, ip + MAX_ZERO_RUN_LENGTH + 1)
    tail = data[ip + 4 : limit]
    ir = ip + 4 + len(tail) - len(tail.lstrip(b"\0"))
    return min(ir - ip, MAX_ZERO_RUN_LENGTH)


def _literals(data: bytes, ii: int, t: int, out: bytearray, state_offset: int) -> None:
    """The literal run before an instruction: in the previous instruction's low bits when 1..3 long."""
    if t == 0:
        return
    if t <= 3:
        out[len(out) + state_offset] |= t
    elif t <= 18:
        out.append(t - 3)
    else:
        _long_literal_count(t - 18, out)
    out += data[ii : ii + t]


def _match_length(data: bytes, ip: int, m_pos: int, ip_end: int) -> int:
    """The 64-bit build's loop: 8 bytes at a time from 4; near the input's end it stops on a multiple of 8."""
    m_len = 4
    v: int = unpack_from("<Q", data, ip + m_len)[0] ^ unpack_from("<Q", data, m_pos + m_len)[0]
    while v == 0:
        m_len += 8
        v = unpack_from("<Q", data, ip + m_len)[0] ^ unpack_from("<Q", data, m_pos + m_len)[0]
        if ip + m_len >= ip_end:
            return m_len
    return m_len + ((v & -v).bit_length() - 1) // 8


def _match(data: bytes, ip: int, m_pos: int, ip_end: int, out: bytearray, version: int) -> int:
    """Encode the match at ``ip`` as an M2, M3 or M4 instruction; the input position after it."""
    m_len = _match_length(data, ip, m_pos, ip_end)
    m_off = ip - m_pos
    ip += m_len
    if m_len <= M2_MAX_LEN and m_off <= M2_MAX_OFFSET:
        m_off -= 1
        out += bytes((((m_len - 1) << 5) | ((m_off & 7) << 2), (m_off >> 3) & 0xFF))
        return ip
    if m_off <= M3_MAX_OFFSET:
        m_off -= 1
        if m_len <= M3_MAX_LEN:
            out.append(M3_MARKER | (m_len - 2))
        else:
            out.append(M3_MARKER)
            _long_count(m_len - M3_MAX_LEN, out)
    else:
        m_off -= 0x4000
        if m_len <= M4_MAX_LEN:
            out.append(M4_MARKER | ((m_off >> 11) & 8) | (m_len - 2))
        else:
            if (m_off & 0x403F) == 0x403F and 261 <= m_len <= 264 and version:
                ip -= m_len - 260  # lzo-rle: such copies would read as a zero run; shorten to 260
                m_len = 260
            out.append(M4_MARKER | ((m_off >> 11) & 8))
            _long_count(m_len - M4_MAX_LEN, out)
    out += bytes(((m_off << 2) & 0xFF, (m_off >> 6) & 0xFF))
    return ip


def _long_count(m_len: int, out: bytearray) -> None:
    while m_len > 255:
        m_len -= 255
        out.append(0)
    out.append(m_len)


def lzo1x_decompress(data: bytes, expected: int) -> bytes:
    """lzo1x_decompress_safe: both bitstream versions (a stream opening with 17 and a version byte is
    lzo-rle's); :class:`LzoError` unless it decodes to exactly ``expected`` bytes and ends at its end."""
    try:
        out = _Decoder(data).run()
    except IndexError:
        raise LzoError("truncated LZO stream") from None
    if len(out) != expected:
        raise LzoError(f"LZO stream decodes to {len(out)} bytes, not {expected}")
    return bytes(out)


class _Decoder:
    __slots__ = ("data", "ip", "out", "version")

    def __init__(self, data: bytes) -> None:
        if len(data) < 3:
            raise LzoError("LZO stream shorter than its end marker")
        self.data, self.out, self.ip, self.version = data, bytearray(), 0, 0
        if len(data) >= 5 and data[0] == 17:
            self.version, self.ip = data[1], 2

    def run(self) -> bytearray:
        data = self.data
        state = 0
        t = data[self.ip]
        if t > 17:
            self.ip += 1
            state = self._literal_run(t - 17)
        while True:
            t = data[self.ip]
            self.ip += 1
            if t < 16 and state == 0:
                state = self._literal_run(self._count(t, 15) + 3)
                continue
            nxt = self._instruction(t, state)
            if nxt < 0:
                if self.ip != len(data):
                    raise LzoError("LZO stream has bytes after its end marker")
                return self.out
            state = self._literal_run(nxt) if nxt else 0

    def _literal_run(self, t: int) -> int:
        """Copy ``t`` literals; the state the next instruction reads (1..3 short, 4 after a long run)."""
        if self.ip + t > len(self.data):
            raise LzoError("LZO literal run past the end of the stream")
        self.out += self.data[self.ip : self.ip + t]
        self.ip += t
        return t if t < 4 else 4

    def _count(self, t: int, base: int) -> int:
        """A length field: ``t``, or if 0 the zero bytes that follow (255 each) plus ``base`` and the next byte."""
        if t:
            return t
        data, start = self.data, self.ip
        while data[self.ip] == 0:
            self.ip += 1
        t = (self.ip - start) * 255 + base + data[self.ip]
        self.ip += 1
        return t

    def _instruction(self, t: int, state: int) -> int:
        """Decode one match (or lzo-rle zero run); the literal count after it, -1 at the end marker."""
        data, out = self.data, self.out
        word: int
        if t >= 64:  # M2
            dist, length = 1 + ((t >> 2) & 7) + (data[self.ip] << 3), (t >> 5) + 1
            self.ip += 1
        elif t >= 32:  # M3
            length = self._count(t & 31, 31) + 2
            word = unpack_from("<H", data, self.ip)[0]
            self.ip += 2
            dist, t = 1 + (word >> 2), word
        elif t >= 16:  # M4, the end marker, or an lzo-rle zero run
            word = unpack_from("<H", data, self.ip)[0]
            if (word & 0xFFFC) == 0xFFFC and (t & 0xF8) == 0x18 and self.version:
                out += bytes(((t & 7) | (data[self.ip + 2] << 3)) + MIN_ZERO_RUN_LENGTH)
                self.ip += 3
                return word & 3
            far = (t & 8) << 11
            length = self._count(t & 7, 7) + 2
            word = unpack_from("<H", data, self.ip)[0]
            self.ip += 2
            if far + (word >> 2) == 0:
                return -1
            dist, t = far + (word >> 2) + 0x4000, word
        else:  # t < 16 after literals: a 2-byte (state 1..3) or 3-byte (state 4) match
            dist = 1 + (t >> 2) + (data[self.ip] << 2) + (M2_MAX_OFFSET if state == 4 else 0)
            length = 3 if state == 4 else 2
            self.ip += 1
        self._copy_match(dist, length)
        return t & 3

    def _copy_match(self, dist: int, length: int) -> None:
        out = self.out
        start = len(out) - dist
        if start < 0:
            raise LzoError("LZO match reaches before the start of the output")
        if dist >= length:
            out += out[start : start + length]
        else:  # overlapping: the last ``dist`` bytes repeat
            out += (out[start:] * (length // dist + 1))[:length]
