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
"craft:TAG=V;..." makes the signature here instead (relaxed/relaxed,
rsa-sha256, openssl), with the extra tags signed into it, so that a
tag-list dkimpy would never write (a repeated tag) still verifies
cryptographically.
"""
import base64
import hashlib
import re
import subprocess
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


def relaxed_header(name, value):
    """RFC 6376 3.4.2"""
    value = re.sub(rb"\r\n(?=[ \t])", b"", value)
    value = re.sub(rb"[ \t]+", b" ", value).strip(b" ")
    return name.strip().lower() + b":" + value


def relaxed_body(body):
    """RFC 6376 3.4.4"""
    lines = [re.sub(rb"[ \t]+", b" ", l).rstrip(b" ") for l in body.split(b"\r\n")]
    while lines and lines[-1] == b"":
        lines.pop()
    return b"".join(l + b"\r\n" for l in lines)


def craft(msg, keyfile, extra):
    """a signature over from:to:subject whose tag-list holds extra"""
    head, body = msg.split(b"\r\n\r\n", 1)
    fields = {}
    for f in re.split(rb"\r\n(?![ \t])", head):
        n, _, v = f.partition(b":")
        fields[n.strip().lower()] = (n, v)
    bh = base64.b64encode(hashlib.sha256(relaxed_body(body)).digest()).decode()
    value = (" v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.hostile.test; s=sel1; %s;"
             " h=from:to:subject; bh=%s; b=" % ("; ".join(extra.split(";")), bh)).encode()
    data = b"".join(relaxed_header(*fields[n]) + b"\r\n" for n in (b"from", b"to", b"subject"))
    data += relaxed_header(b"DKIM-Signature", value)
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", keyfile], input=data,
                         check=True, capture_output=True).stdout
    return b"DKIM-Signature:" + value + base64.b64encode(sig) + b"\r\n"


def main():
    src, out = sys.argv[1], sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else "-"
    msg = expand(open(src, "rb").read())
    if mode.startswith("craft:"):
        msg = craft(msg, sys.argv[4], mode[6:]) + msg
    elif mode != "-":
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
