#!/usr/bin/python3
# spf_suite.py - turn the openspf RFC 7208 test suite (YAML) into unbound
# local-data files and case lists, one pair per scenario (each scenario has
# its own zone data, and names repeat between scenarios).
#
#   spf_suite.py SUITE.yml OUTDIR      writes OUTDIR/NN.conf and OUTDIR/NN.cases
#
# Zone data conventions of the suite (as its own drivers apply them):
# - SPF (type 99) records are copied to TXT unless the name has TXT records
#   or "TXT: NONE"; type 99 itself is not served (RFC 7208 §3.1: never used).
# - TIMEOUT marks a name whose unanswerable queries time out.  Unbound cannot
#   stall on purpose, so the name becomes a "refuse" zone: its own data is
#   answered, anything else gets REFUSED, which our resolver reports as a
#   temporary failure (DNS_RETRY), exactly as it reports a timeout.  Names
#   with data below it get zones of their own, so they answer normally.
# - Names outside the data answer NXDOMAIN: the root is a static zone (this
#   replaces the "." refuse of t/lib.sh; unbound warns about the duplicate).
# A case line is: name TAB client-ip TAB helo TAB mail-from TAB result[,result]
import os
import sys

import yaml

def to_bytes(s):
    """YAML strings carry raw bytes as \\xNN code points: back to bytes."""
    if isinstance(s, bytes):
        return s
    s = str(s)
    try:
        return s.encode("latin-1")
    except UnicodeEncodeError:
        return s.encode("utf-8")


def esc(b, keep=b""):
    """Bytes as presentation text: anything unusual as \\DDD."""
    out = []
    for c in b:
        ch = bytes([c])
        if (ch.isalnum() and c < 0x80) or ch in b"-_.:/%+=~!^&[]{},?<>|" or ch in keep:
            out.append(ch.decode())
        else:
            out.append("\\%03d" % c)
    return "".join(out)


def dname(name):
    n = to_bytes(name)
    if n.endswith(b"."):
        n = n[:-1]
    return esc(n) + "."


def txt_strings(value):
    parts = value if isinstance(value, list) else [value]
    out = []
    for p in parts:
        b = to_bytes(p)
        chunks = [b[i:i + 255] for i in range(0, len(b), 255)] or [b""]
        out.extend('"%s"' % esc(c, keep=b" ") for c in chunks)
    return " ".join(out) if out else '""'


def rdata(rtype, value):
    if rtype in ("A", "AAAA"):
        return str(value)
    if rtype == "MX":
        return "%d %s" % (int(value[0]), dname(value[1]))
    if rtype in ("PTR", "CNAME"):
        return dname(value)
    if rtype == "TXT":
        return txt_strings(value)
    raise ValueError("unknown record type %s" % rtype)


def scenario_conf(zonedata):
    lines = []
    refuse = []
    for name, records in (zonedata or {}).items():
        owner = dname(name)
        has_txt = any(isinstance(r, dict) and "TXT" in r for r in records)
        for r in records:
            if r == "TIMEOUT":
                refuse.append(owner)
                continue
            (rtype, value), = r.items()
            if rtype == "TXT" and value == "NONE":
                continue
            if rtype == "SPF":
                if has_txt or value == "NONE":
                    continue
                rtype = "TXT"
            lines.append("  local-data: '%s 300 IN %s %s'" % (owner, rtype, rdata(rtype, value)))
    head = ['  local-zone: "." static']
    head += ['  local-zone: "%s" refuse' % o for o in refuse]
    # names with data below a TIMEOUT name answer normally (their own zone)
    for name in (zonedata or {}):
        owner = dname(name)
        if owner not in refuse and any(owner.lower().endswith("." + o.lower()) for o in refuse):
            head.append('  local-zone: "%s" static' % owner)
    return "\n".join(head + lines) + "\n"


def field(v):
    return to_bytes("" if v is None else v).decode("utf-8", "replace").replace("\t", " ")


def main():
    suite, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    with open(suite, "rb") as f:
        docs = list(yaml.safe_load_all(f))
    total = 0
    for i, doc in enumerate(docs):
        if not doc:
            continue
        with open(os.path.join(outdir, "%02d.conf" % i), "w") as f:
            f.write(scenario_conf(doc.get("zonedata")))
        with open(os.path.join(outdir, "%02d.cases" % i), "w") as f:
            for name, t in doc["tests"].items():
                want = t["result"]
                want = ",".join(want) if isinstance(want, list) else want
                f.write("\t".join([name, field(t.get("host")), field(t.get("helo")),
                                   field(t.get("mailfrom")), want]) + "\n")
                total += 1
    print(total)


if __name__ == "__main__":
    main()
