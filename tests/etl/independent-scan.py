#!/usr/bin/env python3
"""Independent count of the events in an ETW .etl file, for checking the TypeScript walker.

Written separately from src/lib/capture (different language, no shared code), straight from
the documented layout: buffers of BufferSize bytes with a 72-byte header; events from 0x48 to
SavedOffset, each padded to 8 bytes; kernel-style headers (types 1-4, 0x10, 0x11) keep their
u16 size at offset 4, all others at offset 0. Prints JSON: counts per buffer, per header type
byte, per provider GUID (EVENT_HEADER types 0x12/0x13), and whether each buffer's events tile
its data exactly up to SavedOffset.

usage: python3 tests/etl/independent-scan.py FILE.etl
"""
import json
import struct
import sys
import uuid

KERNEL_STYLE = {0x01, 0x02, 0x03, 0x04, 0x10, 0x11}


def scan(data: bytes) -> dict:
    buffers = []
    by_type: dict[str, int] = {}
    by_provider: dict[str, int] = {}
    pos = 0
    while pos + 72 <= len(data):
        size, saved = struct.unpack_from('<II', data, pos)
        if size == 0:
            break
        proc, = struct.unpack_from('<H', data, pos + 40)
        flag, btype = struct.unpack_from('<HH', data, pos + 52)
        ev = pos + 72
        end = pos + saved
        count = 0
        while ev + 4 <= end:
            if data[ev:ev + 4] == b'\xff\xff\xff\xff':
                break
            htype = data[ev + 2]
            (esize,) = struct.unpack_from('<H', data, ev + (4 if htype in KERNEL_STYLE else 0))
            key = f'0x{htype:02x}'
            by_type[key] = by_type.get(key, 0) + 1
            if htype in (0x12, 0x13):
                guid = str(uuid.UUID(bytes_le=bytes(data[ev + 24:ev + 40])))
                by_provider[guid] = by_provider.get(guid, 0) + 1
            count += 1
            ev += (esize + 7) // 8 * 8
        buffers.append({'offset': pos, 'processor': proc, 'events': count,
                        'tiles_exactly': ev == end or ev == (end + 7) // 8 * 8,
                        'flag': flag, 'type': btype})
        pos += size
    return {'buffers': buffers, 'events': sum(b['events'] for b in buffers),
            'by_header_type': by_type, 'by_provider': by_provider}


if __name__ == '__main__':
    with open(sys.argv[1], 'rb') as f:
        print(json.dumps(scan(f.read()), indent=1, sort_keys=True))
