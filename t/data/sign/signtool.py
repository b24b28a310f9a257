#!/usr/bin/python3
"""signtool.py - helpers for t/sign_*.sh (Debian's dkimpy, python3-dkim)

  signtool.py zone KEYDIR DOMAIN SEL... > zone.conf
        unbound local-data lines publishing SEL._domainkey.DOMAIN for the
        keys KEYDIR/SEL.key (RSA or Ed25519, PEM from openssl genpkey);
        SEL=PATH names the key file instead
  signtool.py apply VERDICT.json MESSAGE OUT
        MESSAGE with every line end made CRLF and the verdict's
        add_headers put on top in order: the message as delivered
  signtool.py tamper IN OUT
        change one body character (or add one when the body is empty)
  signtool.py verify ZONE.conf MESSAGE...
        dkimpy's verdict on every DKIM-Signature, top first, one line each:
        "MESSAGE pass a=ALG d=D s=S" or "MESSAGE fail a=ALG d=D s=S"
  signtool.py msg KIND OUT [USER@DOMAIN]
        a test message: crlf lf 8bit empty folded big (20 MiB)
"""
import base64
import json
import re
import subprocess
import sys


def pubkey(path):
    der = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    text = subprocess.run(["openssl", "pkey", "-in", path, "-noout", "-text"],
                          check=True, capture_output=True).stdout
    if b"ED25519" in text[:200]:
        return "ed25519", base64.b64encode(der[-32:]).decode()
    return "rsa", base64.b64encode(der).decode()


def zone(keydir, domain, sels):
    print('  local-zone: "%s." static' % domain)
    for sel in sels:
        sel, _, path = sel.partition("=")
        k, p = pubkey(path or "%s/%s.key" % (keydir, sel))
        rec = "v=DKIM1; k=%s; p=%s" % (k, p)
        parts = " ".join('"%s"' % rec[i:i + 250] for i in range(0, len(rec), 250))
        print("  local-data: '%s._domainkey.%s. 300 IN TXT %s'" % (sel, domain, parts))


def crlf(data):
    return re.sub(rb"\r?\n", b"\r\n", data)


def apply(verdict, msg, out):
    v = json.load(open(verdict))
    data = crlf(open(msg, "rb").read())
    top = b"".join(("%s:%s\r\n" % (h["name"], h["value"])).encode() for h in v["add_headers"])
    open(out, "wb").write(top + data)


def tamper(inp, out):
    data = open(inp, "rb").read()
    i = data.find(b"\r\n\r\n")
    body = data[i + 4:]
    if body.strip():
        j = i + 4 + len(body) - len(body.lstrip())
        c = data[j:j + 1]
        data = data[:j] + (b"X" if c != b"X" else b"Y") + data[j + 1:]
    else:
        data = data + b"tampered\r\n"
    open(out, "wb").write(data)


def load_zone(path):
    recs = {}
    for line in open(path):
        m = re.match(r"\s*local-data: '(\S+)\. \d+ IN TXT (.*)'\s*$", line)
        if m:
            recs[m.group(1).lower()] = "".join(re.findall(r'"([^"]*)"', m.group(2))).encode()
    return recs


def verify(zonefile, *msgs):
    for m in msgs:
        verify1(zonefile, m)


def verify1(zonefile, msg):
    import dkim
    recs = load_zone(zonefile)

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        return recs.get(name.rstrip(".").lower())

    data = open(msg, "rb").read()
    d = dkim.DKIM(data)
    n = len([h for h in d.headers if h[0].lower() == b"dkim-signature"])
    for i in range(n):
        d = dkim.DKIM(data)
        try:
            ok = d.verify(idx=i, dnsfunc=dnsfunc)
        except Exception as e:  # dkimpy raises on some malformed input
            print("# dkimpy: %s" % e, file=sys.stderr)
            ok = False
        sig = d.signature_fields if hasattr(d, "signature_fields") else {}
        alg = sig.get(b"a", b"?").decode()
        print("%s %s a=%s d=%s s=%s" % (msg, "pass" if ok else "fail", alg,
              sig.get(b"d", b"?").decode(), sig.get(b"s", b"?").decode()))


def msg(kind, out, addr="alice@sign.example"):
    hdr = ("From: Alice Example <%s>\n"
           "To: Bob <bob@example.net>\n"
           "Subject: sign test %s\n"
           "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
           "Message-ID: <%s@sign.example>\n"
           "MIME-Version: 1.0\n")
    body = "Hello,\n\nthis is a test  with  spaces \t\nand trailing blank lines\n\n\n"
    if kind == "folded":
        hdr = hdr.replace("Subject: sign test %s\n",
                          "Subject: sign test %s\n\tcontinued on a second line\n  and a third\n")
        hdr += "References: <a@x.test>\n <b@x.test>\n\t<c@x.test>\n"
    if kind == "8bit":
        hdr += "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
        body = "Gr\u00fc\u00dfe aus K\u00f6ln, \u65e5\u672c\u8a9e, caf\u00e9\n"
    if kind == "empty":
        body = ""
    text = (hdr % (addr, kind, kind)) + "\n" + body
    data = text.encode("utf-8")
    if kind == "big":
        line = b"0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\n"
        data += line * (20 * 1024 * 1024 // len(line) + 1)
    if kind not in ("lf",):
        data = crlf(data)
    open(out, "wb").write(data)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "zone":
        zone(args[0], args[1], args[2:])
    elif cmd == "apply":
        apply(*args)
    elif cmd == "tamper":
        tamper(*args)
    elif cmd == "verify":
        verify(*args)
    elif cmd == "msg":
        msg(*args)
    else:
        sys.exit("unknown command " + cmd)
