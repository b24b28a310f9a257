#!/usr/bin/python3
"""prep.py - turn a t/hostile/*.eml template into the message a test sends

usage: prep.py TEMPLATE OUT [SIGN KEY]
Template expansions (so that huge cases stay small in the repository):
  {{REPEAT N TEXT}}   TEXT N times (TEXT may hold \\n and \\t escapes)
  {{HEX xx xx ...}}   raw bytes (NUL, 8-bit, bare CR)
Line ends become CRLF (a bare CR from {{HEX 0d}} stays bare).
SIGN: "-" (none), "top" (dkimpy signature prepended), "last" (signature
placed after the other header fields), or "top:OLD=>NEW" (sign, then edit
the signature text: a tag the verifier must reject).  The signature is made
with KEY for d=sender.hostile.test s=sel1 over from:to:subject.
"""
import re
import sys


def expand(text):
    def rep(m):
        n, t = m.group(1).split(b" ", 1)
        t = t.replace(b"\\n", b"\n").replace(b"\\t", b"\t")
        return t * int(n)

    text = re.sub(rb"\{\{REPEAT (.*?)\}\}", rep, text, flags=re.S)
    text = re.sub(rb"\{\{HEX ([0-9a-fA-F ]+)\}\}",
                  lambda m: bytes.fromhex(m.group(1).decode()), text)
    # LF -> CRLF, leaving CRLF and bare CR alone
    return re.sub(rb"(?<!\r)\n", b"\r\n", text)


def main():
    src, out = sys.argv[1], sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else "-"
    msg = expand(open(src, "rb").read())
    if mode != "-":
        import dkim
        key = open(sys.argv[4], "rb").read()
        how, _, edit = mode.partition(":")
        sig = dkim.sign(msg, b"sel1", b"sender.hostile.test", key,
                        include_headers=[b"from", b"to", b"subject"])
        if edit:
            old, new = edit.split("=>")
            sig = sig.replace(old.encode(), new.encode())
        if how == "last":
            i = msg.index(b"\r\n\r\n") + 2
            msg = msg[:i] + sig + msg[i:]
        else:
            msg = sig + msg
    open(out, "wb").write(msg)


main()
