#!/usr/bin/python3
"""genmsg.py - messages and DNS data for the benchmark (t/bench/bench.sh).

Run with Debian's /usr/bin/python3 (python3-dkim).

  genmsg.py msg KIND SIZE OUT [KEYFILE]
      KIND inbound: From alice@sender.example, DKIM-signed (rsa-sha256,
      relaxed/relaxed, selector sel1) with the PEM key KEYFILE;
      KIND outbound: From carol@ourdomain.example, unsigned.
      SIZE: wire size in bytes (CRLF line ends counted). The file is
      written with LF line ends; the milter client sends CRLF.
  genmsg.py zone DIR
      print unbound local-zone/local-data lines for the bench zones from
      the public keys in DIR (rsa-sender.pub, rsa-sign.pub, ed-sign.pub):
      sender.example signed with RSA-2048, SPF pass for 198.18.0.0/24,
      DMARC p=reject; ourdomain.example with selectors rsa1 and ed1.
  genmsg.py latcorpus DIR N KEYFILE PUBFILE IP
      the dnslat mode's corpus: N domains d0001.lat.example ... each with
      an SPF record whose pass needs an include (v=spf1
      include:_spf.dNNNN.lat.example -all, the include holding ip4:IP:
      two serial TXT lookups), an SPF record for its HELO name
      mx.dNNNN.lat.example, a DKIM key (selector sel1, PUBFILE) and a DMARC
      record p=reject; writes DIR/zone.conf (unbound local-data) and
      DIR/dNNNN.eml, 2 KiB, From alice@dNNNN.lat.example, signed with
      KEYFILE (rsa-sha256, d=dNNNN.lat.example).
"""
import base64
import email.utils
import subprocess
import sys


def body_lines(nbytes):
    """Lines of 76 characters plus CRLF adding up to about nbytes."""
    line = ("The quick brown fox jumps over the lazy dog, "
            "0123456789 abcdefghijklmnopqr")[:76]
    out, have, i = [], 0, 0
    while have + 78 <= nbytes:
        out.append("%05d %s" % (i, line[6:]))
        have += 78
        i += 1
    rest = nbytes - have
    if rest >= 3:
        out.append("x" * (rest - 2))
    return out


def cmd_msg(kind, size, out, key=None):
    size = int(size)
    if kind == "inbound":
        frm, to, dom = "alice@sender.example", "bob@dest.example", "sender.example"
    elif kind == "outbound":
        frm, to, dom = "carol@ourdomain.example", "dave@dest.example", "ourdomain.example"
    else:
        raise SystemExit("unknown kind " + kind)
    write_msg(out, kind, size, frm, to, dom, key if kind == "inbound" else None)


def write_msg(out, kind, size, frm, to, dom, key):
    """A message of about size bytes from frm, DKIM-signed by dom with the
    PEM key file key (selector sel1) unless key is None."""
    import dkim
    hdrs = [
        "From: %s" % frm,
        "To: %s" % to,
        "Subject: benchmark %s message, %d bytes" % (kind, size),
        "Date: %s" % email.utils.formatdate(localtime=False),
        "Message-ID: <bench-%s-%d@%s>" % (kind, size, dom),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
    ]
    head = sum(len(h) + 2 for h in hdrs) + 2
    reserve = 0
    for _ in range(3):
        body = body_lines(max(0, size - head - reserve))
        raw = ("\r\n".join(hdrs) + "\r\n\r\n" + "\r\n".join(body) + "\r\n").encode()
        if key is None:
            full = raw
            break
        sig = dkim.sign(raw, b"sel1", dom.encode(), open(key, "rb").read(),
                        canonicalize=(b"relaxed", b"relaxed"),
                        include_headers=[b"From", b"To", b"Subject", b"Date",
                                         b"Message-ID", b"MIME-Version",
                                         b"Content-Type"])
        full = sig + raw
        if len(sig) == reserve:
            break
        reserve = len(sig)
    with open(out, "wb") as f:
        f.write(full.replace(b"\r\n", b"\n"))


def pubkey_b64(path):
    """Base64 of the DER SubjectPublicKeyInfo (RSA) or raw key (Ed25519)."""
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", path,
                          "-outform", "DER"], check=True,
                         capture_output=True).stdout
    if b"\x2b\x65\x70" in der[:12]:      # OID 1.3.101.112: Ed25519
        der = der[-32:]                  # RFC 8463 section 4.2: raw key
    return base64.b64encode(der).decode()


def txt(name, value):
    """unbound local-data for a TXT record, split in 255-byte strings."""
    parts = " ".join('"%s"' % value[i:i + 255]
                     for i in range(0, len(value), 255))
    return "  local-data: '%s. 300 IN TXT %s'" % (name, parts)


def cmd_zone(d):
    rsa_sender = pubkey_b64(d + "/rsa-sender.pub")
    rsa_sign = pubkey_b64(d + "/rsa-sign.pub")
    ed_sign = pubkey_b64(d + "/ed-sign.pub")
    lines = []
    for dom in ("sender.example", "ourdomain.example", "dest.example"):
        lines.append('  local-zone: "%s." static' % dom)
        lines.append('  local-data: "%s. 300 IN MX 10 mx.%s."' % (dom, dom))
        lines.append('  local-data: "mx.%s. 300 IN A 198.18.0.1"' % dom)
    lines += [
        txt("sender.example", "v=spf1 ip4:198.18.0.0/24 -all"),
        txt("_dmarc.sender.example", "v=DMARC1; p=reject"),
        txt("sel1._domainkey.sender.example", "v=DKIM1; k=rsa; p=" + rsa_sender),
        txt("ourdomain.example", "v=spf1 ip4:198.18.1.0/24 -all"),
        txt("_dmarc.ourdomain.example", "v=DMARC1; p=reject"),
        txt("rsa1._domainkey.ourdomain.example", "v=DKIM1; k=rsa; p=" + rsa_sign),
        txt("ed1._domainkey.ourdomain.example", "v=DKIM1; k=ed25519; p=" + ed_sign),
        txt("dest.example", "v=spf1 -all"),
    ]
    print("\n".join(lines))


def cmd_latcorpus(d, n, key, pub, ip):
    rsa = pubkey_b64(pub)
    lines = ['  local-zone: "lat.example." static']
    for i in range(1, int(n) + 1):
        dom = "d%04d.lat.example" % i
        lines += [
            txt(dom, "v=spf1 include:_spf.%s -all" % dom),
            txt("_spf." + dom, "v=spf1 ip4:%s -all" % ip),
            txt("mx." + dom, "v=spf1 ip4:%s -all" % ip),
            '  local-data: "mx.%s. 300 IN A %s"' % (dom, ip),
            txt("sel1._domainkey." + dom, "v=DKIM1; k=rsa; p=" + rsa),
            txt("_dmarc." + dom, "v=DMARC1; p=reject"),
        ]
        write_msg("%s/d%04d.eml" % (d, i), "inbound", 2048, "alice@" + dom,
                  "bob@dest.example", dom, key)
    with open(d + "/zone.conf", "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv):
    if len(argv) >= 4 and argv[1] == "msg":
        cmd_msg(*argv[2:6])
    elif len(argv) == 3 and argv[1] == "zone":
        cmd_zone(argv[2])
    elif len(argv) == 7 and argv[1] == "latcorpus":
        cmd_latcorpus(*argv[2:7])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
