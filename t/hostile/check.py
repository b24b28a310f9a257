#!/usr/bin/python3
"""check.py - print the verdict values t/hostile/cases asks about

usage: check.py JSONFILE KEY=WANT...   prints "KEY=GOT ..." in the same order
       check.py --milter MILTCFILE     prints the action seen through the milter
       check.py --milter-code MILTCFILE  the codes of its reply ("550/5.7.1")
"""
import json
import sys


def got(j, key):
    r = j.get("results", {})
    dk = r.get("dkim") or []
    if key == "action":
        return j.get("action")
    if key == "spfdom":
        return r.get("spf_domain")
    if key == "from":
        return r.get("header_from")
    if key == "disp":
        return r.get("disposition")
    if key == "dkim":
        return ",".join(d.get("result", "?") for d in dk)
    if key == "ndkim":
        return str(len(dk))
    if key == "code":
        return "/".join((j.get("reply") or "").split()[:2])
    if key == "rm":
        return ",".join("%s#%d" % (x["name"], x["index"]) for x in j.get("remove_headers", []))
    return r.get(key)


def milter(path):
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    if any(l.startswith("error") for l in lines):
        return "error"
    if any(l.startswith("quarantine ") for l in lines):
        return "quarantine"
    acts = [l.split()[1] for l in lines if l.startswith("action ")]
    a = acts[-1] if acts else "none"
    return "accept" if a == "continue" else a


def milter_code(path):
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    codes = [l.split()[3:5] for l in lines if l.startswith("reply ")]
    return "/".join(codes[-1]) if codes else ""


if sys.argv[1] == "--milter":
    print(milter(sys.argv[2]))
elif sys.argv[1] == "--milter-code":
    print(milter_code(sys.argv[2]))
else:
    try:
        j = json.load(open(sys.argv[1], encoding="utf-8", errors="replace"))
    except ValueError as e:
        print("no JSON verdict: %s" % e)
        sys.exit(0)
    print(" ".join("%s=%s" % (w.split("=")[0], got(j, w.split("=")[0])) for w in sys.argv[2:]))
