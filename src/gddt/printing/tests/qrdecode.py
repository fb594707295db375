"""A small QR decoder for tests (versions 1 and 2, one error-correction block, no error correction), so that
a test proves what a phone would read without a native library such as zbar.

Layout and bit order follow ISO/IEC 18004 as implemented by Nayuki's reference QR code generator."""

ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
# Data codewords of the single block, per version and error-correction level.
DATA_CODEWORDS = {1: {"L": 19, "M": 16, "Q": 13, "H": 9}, 2: {"L": 34, "M": 28, "Q": 22, "H": 16}}
LEVEL_BITS = {1: "L", 0: "M", 3: "Q", 2: "H"}
MASKS = [
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
]

Matrix = tuple[tuple[bool, ...], ...] | list[list[bool]]


def _format_codes() -> dict[int, tuple[str, int]]:
    codes = {}
    for level_bits, level in LEVEL_BITS.items():
        for mask in range(8):
            data = level_bits << 3 | mask
            rem = data
            for _ in range(10):
                rem = (rem << 1) ^ ((rem >> 9) * 0x537)
            codes[(data << 10 | rem) ^ 0x5412] = (level, mask)
    return codes


def _is_function(x: int, y: int, size: int, version: int) -> bool:
    if x == 6 or y == 6:  # timing patterns
        return True
    if (x <= 8 and y <= 8) or (x >= size - 8 and y <= 8) or (x <= 8 and y >= size - 8):  # finders, format
        return True
    return version == 2 and 16 <= x <= 20 and 16 <= y <= 20  # the one alignment pattern of version 2


def qr_decode(matrix: Matrix) -> str:
    """The text in a QR matrix (rows of modules, True = dark), or AssertionError when it is not a valid code."""
    size = len(matrix)
    version = (size - 17) // 4
    assert version in DATA_CODEWORDS and size == 17 + 4 * version, f"unsupported size {size}"

    def module(x: int, y: int) -> int:
        return 1 if matrix[y][x] else 0

    bits = 0
    for i in range(6):
        bits |= module(8, i) << i
    bits |= module(8, 7) << 6 | module(8, 8) << 7 | module(7, 8) << 8
    for i in range(9, 15):
        bits |= module(14 - i, 8) << i
    codes = _format_codes()
    assert bits in codes, "no valid format information"
    level, mask = codes[bits]

    stream: list[int] = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        for vert in range(size):
            for j in range(2):
                x = right - j
                upward = ((right + 1) & 2) == 0
                y = size - 1 - vert if upward else vert
                if not _is_function(x, y, size, version):
                    stream.append(module(x, y) ^ (1 if MASKS[mask](x, y) else 0))
        right -= 2
    data = stream[: DATA_CODEWORDS[version][level] * 8]

    pos = 0

    def take(n: int) -> int:
        nonlocal pos
        assert pos + n <= len(data), "data runs past the end"
        value = int("".join(map(str, data[pos : pos + n])), 2)
        pos += n
        return value

    out = []
    while len(data) - pos >= 4:
        mode = take(4)
        if mode == 0:
            break
        if mode == 1:  # numeric
            count = take(10)
            digits = ""
            while count >= 3:
                digits += f"{take(10):03d}"
                count -= 3
            if count == 2:
                digits += f"{take(7):02d}"
            elif count == 1:
                digits += f"{take(4):01d}"
            out.append(digits)
        elif mode == 2:  # alphanumeric
            count = take(9)
            chars = ""
            while count >= 2:
                pair = take(11)
                chars += ALPHANUMERIC[pair // 45] + ALPHANUMERIC[pair % 45]
                count -= 2
            if count:
                chars += ALPHANUMERIC[take(6)]
            out.append(chars)
        elif mode == 4:  # bytes
            count = take(8)
            raw = bytes(take(8) for _ in range(count))
            try:
                out.append(raw.decode("utf-8"))
            except UnicodeDecodeError:  # the standard's default, which segno writes when the text fits it
                out.append(raw.decode("iso-8859-1"))
        else:
            raise AssertionError(f"unsupported mode {mode}")
    return "".join(out)
