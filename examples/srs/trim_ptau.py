"""Trim a snarkjs .ptau file to what zkcredit reads: the header (section 1), the first 2^power
tauG1 points (section 2) and tauG1's first two tauG2 points (section 3). The points are copied
unchanged, so the trimmed file has the same SRS; it is no longer a file snarkjs can verify (verify
the full file first: `snarkjs powersoftau verify FULL.ptau`).

Run: python3 trim_ptau.py FULL.ptau TRIMMED.ptau
"""

import struct
import sys


def main(src, dst):
    data = open(src, "rb").read()
    assert data[:4] == b"ptau", "not a .ptau file"
    version, n_sections = struct.unpack_from("<II", data, 4)
    pos, sections = 12, {}
    for _ in range(n_sections):
        kind, size = struct.unpack_from("<IQ", data, pos)
        sections[kind] = data[pos + 12:pos + 12 + size]
        pos += 12 + size
    header = sections[1]
    n8 = struct.unpack_from("<I", header, 0)[0]
    power = struct.unpack_from("<I", header, 4 + n8)[0]
    keep = {1: header, 2: sections[2][:(1 << power) * 2 * n8], 3: sections[3][:2 * 4 * n8]}
    out = bytearray(b"ptau" + struct.pack("<II", version, len(keep)))
    for kind, body in keep.items():
        out += struct.pack("<IQ", kind, len(body)) + body
    open(dst, "wb").write(bytes(out))
    print(f"{dst}: power {power}, {len(out)} bytes")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
