#!/usr/bin/env python3
"""Replay the series chunker (src/metrics/chunks.rs) on two scraped OpenMetrics bodies: how many
chunks the second has, and how many of its bytes a refresh would make anew (not shared with the
first). For sizing the chunks against a captured refresh; a measuring aid, not a test.

    scripts/chunk_replay.py before.txt after.txt                  # the chunker as it is
    scripts/chunk_replay.py before.txt after.txt --min-chunk 8192 --cut-every 32

Capture the two bodies from a running exporter, e.g. with
`curl -H 'Accept: application/openmetrics-text; version=1.0.0' http://HOST/metrics -o after.txt`
on either side of a refresh. The bodies include the scrape's own head and tail, which the
exporter does not chunk: the figures differ from its `series_new_bytes` log field by those.
"""

import argparse

MASK = (1 << 64) - 1
K = 0x517CC1B727220A95


def series_hash(data: bytes) -> int:
    """`chunks::hash`: FxHash's step, eight bytes at a time, high half folded in."""
    h = 0
    whole = len(data) // 8
    for i in range(whole):
        word = int.from_bytes(data[i * 8:i * 8 + 8], "little")
        h = ((((h << 5) | (h >> 59)) & MASK ^ word) * K) & MASK
    for byte in data[whole * 8:]:
        h = ((((h << 5) | (h >> 59)) & MASK ^ byte) * K) & MASK
    return h ^ (h >> 32)


def chunks(body: bytes, min_chunk: int, cut_every: int, max_chunk: int) -> list:
    """`Chunker`: cut after a sample line whose series hashes to a multiple of `cut_every`, once
    the chunk has `min_chunk` bytes; never inside a counter, histogram or summary family."""
    out, current, size, cuttable = [], [], 0, True
    for line in body.split(b"\n")[:-1]:
        current.append(line + b"\n")
        size += len(line) + 1
        if line.startswith(b"# TYPE "):
            cuttable = line.rsplit(b" ", 1)[-1] not in (b"counter", b"histogram", b"summary")
            continue
        if line.startswith(b"#") or not cuttable or size < min_chunk:
            continue
        series = line.rsplit(b" ", 1)[0]
        if size >= max_chunk or series_hash(series) % cut_every == 0:
            out.append(b"".join(current))
            current, size = [], 0
    if current:
        out.append(b"".join(current))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--min-chunk", type=int, default=128 * 1024, help="chunks::MIN_CHUNK")
    ap.add_argument("--cut-every", type=int, default=512, help="chunks::CUT_EVERY")
    ap.add_argument("--max-chunk", type=int, default=1024 * 1024, help="chunks::MAX_CHUNK")
    args = ap.parse_args()
    cut = (args.min_chunk, args.cut_every, args.max_chunk)
    with open(args.before, "rb") as f:
        before = set(chunks(f.read(), *cut))
    with open(args.after, "rb") as f:
        after = chunks(f.read(), *cut)
    new = sum(len(c) for c in after if c not in before)
    total = sum(len(c) for c in after)
    print(f"min_chunk={args.min_chunk} cut_every={args.cut_every}: {len(after)} chunks, "
          f"{new} of {total} bytes new ({new / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
