#!/usr/bin/env python3
"""Check a softphone audit log export without the softphone.

Usage: python3 verify.py EXPORT.jsonl

Reads the JSON lines written by `softphone audit export` (format in
FORMAT.md): recomputes every entry's SHA-256 over its canonical JSON, checks
sequence numbers and the prev-hash chain, and compares the last entry with
the anchor trailer. Exit status 0 when everything matches, 1 otherwise.
Python 3.8+, standard library only.
"""
import hashlib
import json
import sys


def canonical(e):
    # Go's encoding/json: fields in this order, no spaces, attrs keys sorted,
    # attrs omitted when empty, HTML-safe escaping of <, > and &.
    body = {"seq": e["seq"], "time": e["time"], "actor": e["actor"], "action": e["action"]}
    if e.get("attrs"):
        body["attrs"] = dict(sorted(e["attrs"].items()))
    body["prev"] = e["prev"]
    s = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    s = s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return s.encode("utf-8")


def verify(lines):
    problems = []
    prev, seq, trailer = "0" * 64, 0, None
    for n, raw in enumerate(lines, 1):
        raw = raw.strip()
        if not raw:
            continue
        try:
            e = json.loads(raw)
        except ValueError as err:
            problems.append(f"line {n}: not JSON: {err}")
            continue
        if e.get("type") == "anchor":
            trailer = e
            continue
        if hashlib.sha256(canonical(e)).hexdigest() != e.get("hash"):
            problems.append(f"line {n} (seq {e.get('seq')}): content does not match its hash")
        if e.get("seq") != seq + 1:
            problems.append(f"line {n}: seq {e.get('seq')}, expected {seq + 1}")
        if e.get("prev") != prev:
            problems.append(f"line {n}: prev hash does not match the entry before")
        prev, seq = e.get("hash"), e.get("seq", seq)
    if trailer is None:
        problems.append("no anchor trailer: the export is cut short")
    else:
        if trailer["count"] != seq or (seq and trailer["head"] != prev):
            problems.append(f"anchor records {trailer['count']} entries ending in {trailer['head'][:12]}…, "
                            f"the log has {seq} ending in {prev[:12]}…")
        if trailer.get("anchor_mac") != "valid" or trailer.get("problems"):
            problems.append(f"the exporting softphone reported: anchor MAC {trailer.get('anchor_mac')}, "
                            f"{trailer.get('problems')} problem(s)")
    return seq, problems


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        seq, problems = verify(f.readlines())
    for p in problems:
        print("PROBLEM:", p)
    print(f"{seq} entries, {'OK' if not problems else str(len(problems)) + ' problem(s)'}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
