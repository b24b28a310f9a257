#!/usr/bin/python3
"""sign_fixtures.py - keys, DNS zone and dkimpy-signed messages for t/dkim_verify.sh

  sign_fixtures.py keys DIR          make keys (dknewkey, openssl) and DIR/zone.conf
  sign_fixtures.py sign DIR          sign messages into DIR/msgs, wants into DIR/manifest
  sign_fixtures.py verify DIR FILE.. dkimpy's own verdict per signature, keys read
                                     from DIR/records (the same data as the zone)

Every message is signed at test time by dkimpy (Debian python3-dkim); keys
come from dknewkey (RSA 2048, Ed25519) and openssl genrsa (RSA 1024, 512).
The manifest says what our verifier must answer, one RFC 8601 word per
signature in header order (top first).  Its third column: "8301" marks a
case where RFC 8301 makes us stricter than the other verifiers, "dnsonly"
one they cannot be asked about, "nomd" one Mail::DKIM cannot be asked
about, "cap" one where we stop at MaximumSignaturesToVerify.
Run with /usr/bin/python3 (Debian's, which has dkim).
"""
import base64
import os
import subprocess
import sys

import dkim

DOMAIN = b"dkim.test"

BODY = (b"Hello Bob,\r\n"
        b"  this line has  double  spaces and a trailing space \r\n"
        b"\tand a tab.\r\n"
        b"\r\n"
        b"-- \r\n"
        b"Alice\r\n"
        b"\r\n"
        b"\r\n")


def message(name, body=BODY):
    """a plain test message with CRLF line ends"""
    return (b"From: Alice <alice@dkim.test>\r\n"
            b"To: bob@example.net\r\n"
            b"Subject: DKIM test " + name.encode() + b"\r\n"
            b"Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
            b"Message-ID: <" + name.encode() + b"@dkim.test>\r\n"
            b"MIME-Version: 1.0\r\n"
            b"\r\n" + body)


def run(cwd, *args):
    subprocess.check_call(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def rsa_pub(cwd, key):
    der = subprocess.check_output(["openssl", "rsa", "-in", key, "-pubout", "-outform", "DER"],
                                  cwd=cwd, stderr=subprocess.DEVNULL)
    return base64.b64encode(der).decode()


def make_keys(d):
    """keys and their records: selector -> TXT text"""
    os.makedirs(d, exist_ok=True)
    run(d, "dknewkey", "k2048")
    run(d, "dknewkey", "--ktype", "ed25519", "ked")
    for bits, name in ((1024, "k1024"), (512, "k512"), (2048, "ksha1")):
        run(d, "openssl", "genrsa", "-out", name + ".key", str(bits))
    rec = {
        "s2048": open(os.path.join(d, "k2048.dns")).read().strip(),
        "sed": open(os.path.join(d, "ked.dns")).read().strip(),
        "s1024": "v=DKIM1; k=rsa; p=" + rsa_pub(d, "k1024.key"),
        "s512": "v=DKIM1; k=rsa; p=" + rsa_pub(d, "k512.key"),
        "ssha1": "v=DKIM1; k=rsa; p=" + rsa_pub(d, "ksha1.key"),
        "stest": "v=DKIM1; k=rsa; t=y; p=" + rsa_pub(d, "k1024.key"),
        "srevoked": "v=DKIM1; k=rsa; p=",
        "sbadkey": "v=DKIM1; k=rsa; p=this-is-not-base64!",
    }
    # what dkimpy's dnsfunc sees for the two names the zone makes special
    rec_py = dict(rec, scname=rec["s1024"], smulti=rec["s1024"])
    with open(os.path.join(d, "records"), "w") as f:
        for sel, txt in sorted(rec_py.items()):
            f.write("%s._domainkey.%s %s\n" % (sel, DOMAIN.decode(), txt))
    with open(os.path.join(d, "zone.conf"), "w") as f:
        f.write('  local-zone: "%s." static\n' % DOMAIN.decode())
        for sel, txt in sorted(rec.items()):
            chunks = " ".join('"%s"' % txt[i:i + 200] for i in range(0, len(txt), 200))
            f.write("  local-data: '%s._domainkey.%s. 300 IN TXT %s'\n"
                    % (sel, DOMAIN.decode(), chunks))
        # a key reached through a CNAME; a name with two key records, which
        # RFC 6376 §3.6.2.2 leaves undefined and libopendkim refuses
        f.write("  local-data: 'scname._domainkey.dkim.test. 300 IN CNAME "
                "s1024._domainkey.dkim.test.'\n")
        for sel in ("s1024", "s2048"):
            chunks = " ".join('"%s"' % rec[sel][i:i + 200] for i in range(0, len(rec[sel]), 200))
            f.write("  local-data: 'smulti._domainkey.dkim.test. 300 IN TXT %s'\n" % chunks)


def key(d, name):
    return open(os.path.join(d, name), "rb").read()


def sign(d, msg, sel, keyname, alg=b"rsa-sha256", canon=(b"relaxed", b"relaxed"),
         length=False, domain=DOMAIN):
    """msg with one more DKIM-Signature on top, made by dkimpy"""
    signer = dkim.DKIM(msg, minkey=512, signature_algorithm=alg)
    sig = signer.sign(sel, domain, key(d, keyname), canonicalize=canon, length=length,
                      include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    return sig + msg


def tamper(msg, old, new):
    assert old in msg, old
    return msg.replace(old, new, 1)


def make_messages(d):
    """name -> (message, wants, note)"""
    m = {}
    base = message("rsa2048_relaxed")
    m["py_rsa2048_relaxed"] = (sign(d, base, b"s2048", "k2048.key"), "pass", "")
    simple = sign(d, message("rsa2048_simple"), b"s2048", "k2048.key",
                  canon=(b"simple", b"simple"))
    m["py_rsa2048_simple"] = (simple, "pass", "")
    m["py_rsa1024"] = (sign(d, message("rsa1024"), b"s1024", "k1024.key",
                            canon=(b"relaxed", b"simple")), "pass", "")
    m["py_rsa512"] = (sign(d, message("rsa512"), b"s512", "k512.key"), "policy", "8301")
    m["py_rsa_sha1"] = (sign(d, message("rsa_sha1"), b"ssha1", "ksha1.key", alg=b"rsa-sha1"),
                        "policy", "8301")
    m["py_ed25519"] = (sign(d, message("ed25519"), b"sed", "ked.key", alg=b"ed25519-sha256"),
                       "pass", "")
    two = sign(d, sign(d, message("two_sigs"), b"s2048", "k2048.key"), b"sed", "ked.key",
               alg=b"ed25519-sha256")
    m["py_two_sigs"] = (two, "pass,pass", "")
    m["py_two_sigs_body"] = (tamper(two, b"Hello Bob", b"Hello Rob"), "fail,fail", "")
    m["py_testing"] = (sign(d, message("testing"), b"stest", "k1024.key"), "pass", "")
    lmsg = sign(d, message("length"), b"s2048", "k2048.key", length=True)
    m["py_length"] = (lmsg + b"Appended after signing.\r\n", "pass", "")
    m["py_body_tampered"] = (tamper(m["py_rsa2048_relaxed"][0], b"Hello Bob", b"Hello Rob"),
                             "fail", "")
    m["py_header_tampered"] = (tamper(m["py_rsa2048_relaxed"][0], b"Subject: DKIM test",
                                      b"Subject: DKIM best"), "fail", "")
    m["py_simple_body_ws"] = (tamper(simple, b"double  spaces", b"double   spaces"), "fail", "")
    m["py_relaxed_body_ws"] = (tamper(m["py_rsa2048_relaxed"][0], b"double  spaces",
                                      b"double   spaces"), "pass", "")
    m["py_simple_header_ws"] = (tamper(simple, b"Subject: DKIM", b"Subject:  DKIM"), "fail", "")
    m["py_relaxed_header_ws"] = (tamper(m["py_rsa2048_relaxed"][0], b"Subject: DKIM",
                                        b"Subject:  DKIM"), "pass", "")
    # the test server answers a stub's query with the bare CNAME (libunbound
    # chases it, Net::DNS does not): no Mail::DKIM comparison ("nomd")
    m["py_cname"] = (sign(d, message("cname"), b"scname", "k1024.key"), "pass", "nomd")
    m["py_multi_txt"] = (sign(d, message("multi_txt"), b"smulti", "k1024.key"), "permerror",
                         "dnsonly")
    m["py_nokey"] = (sign(d, message("nokey"), b"nokey", "k2048.key"), "permerror", "")
    m["py_revoked"] = (sign(d, message("revoked"), b"srevoked", "k2048.key"), "permerror", "")
    m["py_badkey"] = (sign(d, message("badkey"), b"sbadkey", "k2048.key"), "permerror", "")
    # the test server refuses every name outside its zones: a DNS error
    m["py_dnsfail"] = (sign(d, message("dnsfail"), b"s2048", "k2048.key",
                            domain=b"unknown.example"), "temperror", "")
    good = sign(d, message("malformed"), b"s2048", "k2048.key")
    bad = (b"DKIM-Signature: v=1; a=rsa-sha256; d=dkim.test; s=s2048; h=from;\r\n"
           b"\tbh=; b=\r\n"
           b"DKIM-Signature: this is not a tag list at all\r\n"
           b"DKIM-Signature: v=1; a=rsa-sha512; c=strange/stranger; d=dkim.test;\r\n"
           b"\ts=s2048; h=from; bh=AAAA; b=AAAA\r\n")
    m["py_malformed"] = (bad + good, "permerror,permerror,permerror,pass", "")
    m["py_unsigned"] = (message("unsigned"), "none", "")
    many = message("many")
    for _ in range(7):
        many = sign(d, many, b"s1024", "k1024.key")
    m["py_many_sigs"] = (many, ",".join(["pass"] * 5), "cap")
    return m


def cmd_sign(d):
    os.makedirs(os.path.join(d, "msgs"), exist_ok=True)
    with open(os.path.join(d, "manifest"), "a") as man:
        for name, (msg, wants, note) in sorted(make_messages(d).items()):
            with open(os.path.join(d, "msgs", name + ".eml"), "wb") as f:
                f.write(msg)
            man.write("%s %s %s\n" % (name, wants, note or "-"))


def records(d):
    rec = {}
    for line in open(os.path.join(d, "records")):
        name, txt = line.rstrip("\n").split(" ", 1)
        rec[name.lower()] = txt.encode()
    return rec


def cmd_verify(d, files):
    """dkimpy's verdict for every signature: pass or fail"""
    rec = records(d)

    def dnsfunc(name, timeout=5):
        return rec.get(name.decode().rstrip(".").lower())

    for path in files:
        msg = open(path, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        v = dkim.DKIM(msg)
        n = sum(1 for h, _ in v.headers if h.lower() == b"dkim-signature")
        out = []
        for i in range(n):
            try:
                ok = dkim.DKIM(msg).verify(idx=i, dnsfunc=dnsfunc)
            except Exception:
                ok = False
            out.append("pass" if ok else "fail")
        print("%s %s" % (os.path.basename(path)[:-4], ",".join(out) or "none"))


def main():
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "keys":
        make_keys(d)
    elif cmd == "sign":
        cmd_sign(d)
    elif cmd == "verify":
        cmd_verify(d, sys.argv[3:])
    else:
        sys.exit("usage: sign_fixtures.py keys|sign|verify DIR [FILE...]")


if __name__ == "__main__":
    main()
