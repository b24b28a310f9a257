#!/usr/bin/python3
"""kat.py - known-answer DKIM values for t/test_dkim_sign.c, by dkimpy

  kat.py KEY.pem MESSAGE 'DKIM-SIGNATURE-VALUE'

Prints the bh= and b= that dkimpy (Debian's python3-dkim, with
python3-nacl for Ed25519) computes for MESSAGE under the given
DKIM-Signature field value: its own body canonicalization and hash, its
own header selection (h=, RFC 6376 section 5.4.2) and canonicalization,
and its own RSASSA-PKCS1-v1_5 (dkim.crypto) or Ed25519 (nacl) over the
field with b= emptied.  Both schemes are deterministic, so a correct signer
given the same field must produce the same b=.  The b= already in the value
is ignored; the value's other tags (a=, c=, h=, t=...) are used as given.
"""
import base64
import hashlib
import re
import subprocess
import sys

import dkim
from dkim.canonicalization import CanonicalizationPolicy
from dkim.crypto import RSASSA_PKCS1_v1_5_sign, parse_pem_private_key
from dkim.util import parse_tag_value


def main(keyfile, msgfile, value):
    value = value.encode()
    sig = parse_tag_value(value)
    headers, body = dkim.rfc822_parse(open(msgfile, "rb").read())
    policy = CanonicalizationPolicy.from_c_value(sig[b"c"])
    bh = base64.b64encode(hashlib.sha256(policy.canonicalize_body(body)).digest())
    include = [x.lower() for x in re.split(rb"\s*:\s*", sig[b"h"].strip())]
    canon = policy.canonicalize_headers(headers)
    sigheader = (b"DKIM-Signature", b" " + value)
    h = hashlib.sha256()
    dkim.hash_headers(h, policy, canon, include, sigheader, sig)
    if sig[b"a"] == b"rsa-sha256":
        pk = parse_pem_private_key(open(keyfile, "rb").read())
        b = base64.b64encode(RSASSA_PKCS1_v1_5_sign(h, pk))
    else:
        # RFC 8463 section 3: PureEd25519 over the SHA-256 of the data
        import nacl.signing
        seed = subprocess.run(["openssl", "pkey", "-in", keyfile, "-outform", "DER"],
                              check=True, capture_output=True).stdout[-32:]
        b = base64.b64encode(nacl.signing.SigningKey(seed).sign(h.digest()).signature)
    print("bh=" + bh.decode())
    print("b=" + b.decode())


if __name__ == "__main__":
    main(*sys.argv[1:])
