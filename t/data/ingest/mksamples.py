#!/usr/bin/python3
# mksamples.py - write the report-ingest sample files of this folder (the
# quirks of issue 14, one per file, and report mails).  Run it here:
#   /usr/bin/python3 mksamples.py
# The files are committed; this script says how they were made.
import base64, gzip, io, quopri, zipfile

def rec(ip, count, disp="none", dkim="pass", spf="pass", hf="example.com",
        ef=None, et=None, auth="", reason=""):
    ids = "<header_from>%s</header_from>" % hf
    if ef: ids = "<envelope_to>%s</envelope_to>" % et + ids if et else ids
    if ef: ids += "<envelope_from>%s</envelope_from>" % ef
    return ("<record><row><source_ip>%s</source_ip><count>%s</count>"
            "<policy_evaluated><disposition>%s</disposition><dkim>%s</dkim>"
            "<spf>%s</spf>%s</policy_evaluated></row><identifiers>%s</identifiers>"
            "<auth_results>%s</auth_results></record>\n"
            % (ip, count, disp, dkim, spf, reason, ids, auth))

AUTH = ("<dkim><domain>example.com</domain><selector>s1</selector><result>pass</result></dkim>"
        "<spf><domain>example.com</domain><result>pass</result></spf>")

def agg(org="Example Receiver", rid="r-7489-1", begin=1700006400, end=1700092799,
        records=None, head='<?xml version="1.0" encoding="UTF-8"?>\n', ns="",
        policy="<domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct>",
        extra_meta=""):
    if records is None:
        records = rec("192.0.2.1", 3, auth=AUTH) + rec("2001:db8::1", 2, "none", "fail", "fail",
            auth="<spf><domain>bad.example</domain><result>fail</result></spf>")
    return (head + "<feedback%s>\n<version>1.0</version>\n<report_metadata><org_name>%s</org_name>"
            "<email>noreply-dmarc@receiver.example</email><report_id>%s</report_id>"
            "<date_range><begin>%d</begin><end>%d</end></date_range>%s</report_metadata>\n"
            "<policy_published>%s</policy_published>\n%s</feedback>\n"
            % (ns, org, rid, begin, end, extra_meta, policy, records))

def w(name, data):
    with open(name, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

w("agg-rfc7489.xml", agg())
w("agg-rfc9990.xml", agg(rid="r-9990-1", ns=' xmlns="urn:ietf:params:xml:ns:dmarc-2.0"',
    policy="<domain>example.com</domain><p>reject</p><sp>quarantine</sp><np>reject</np>"
           "<adkim>s</adkim><aspf>r</aspf><discovery_method>treewalk</discovery_method><testing>n</testing>",
    extra_meta="<generator>Receiver 2.0</generator>",
    records=rec("198.51.100.7", 10, "pass", auth=AUTH.replace("</domain><result>pass</result></spf>",
        "</domain><scope>mfrom</scope><result>pass</result></spf>"))))
w("quirk-wrapper.xml", '<?xml version="1.0"?>\n<dmarc:report xmlns:dmarc="http://dmarc.example/schema" '
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' + agg(rid="r-wrap", head="") + "</dmarc:report>\n")
w("quirk-unescaped.xml", agg(org="AT&T < Mail & Co", rid="r-esc&1",
    records=rec("192.0.2.2", 4, "none", "fail", "pass",
        reason="<reason><type>local_policy</type><comment>list a<b & c&nbsp;d</comment></reason>")))
w("quirk-latin1.xml", agg(org="Soci\xe9t\xe9 G\xe9n\xe9rale \x92mail\x92", rid="r-latin1")
  .encode("utf-8").replace("Soci\xe9t\xe9 G\xe9n\xe9rale \x92mail\x92".encode("utf-8"),
  b"Soci\xe9t\xe9 G\xe9n\xe9rale \x92mail\x92"))
w("quirk-cp1252-declared.xml", agg(org="Caf\xe9 \x80 Ltd", rid="r-1252",
    head='<?xml version="1.0" encoding="windows-1252"?>\n').encode("latin-1"))
w("quirk-case.xml", agg(rid="r-case", policy="<domain>Example.COM</domain><p>Reject</p><pct>100</pct>",
    records=rec("192.0.2.3", 5, "Quarantine", "Pass", "hardfail",
        auth="<dkim><domain>example.com</domain><result>Pass</result></dkim>"
             "<spf><domain>example.com</domain><result>SoftFail</result></spf>"
             "<spf><domain>example.com</domain><result>TempError</result></spf>")))
w("quirk-weeks.xml", agg(rid="r-weeks", begin=1700006400, end=1700006400 + 21 * 86400 - 1))
w("quirk-zero.xml", agg(rid="r-zero", records=rec("192.0.2.4", 0) + rec("192.0.2.5", 7)))
w("hostile-billion-laughs.xml", '<?xml version="1.0"?>\n<!DOCTYPE feedback [\n <!ENTITY a "aaaaaaaaaa">\n'
  + "".join(' <!ENTITY %s "%s">\n' % (chr(98 + i), ("&%s;" % chr(97 + i)) * 10) for i in range(9))
  + ']>\n' + agg(org="&j;", rid="r-laughs", head=""))
w("hostile-xxe.xml", '<?xml version="1.0"?>\n<!DOCTYPE feedback [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n'
  + agg(org="X&xxe;Y", rid="r-xxe", head=""))
w("reject-nofeedback.xml", '<?xml version="1.0"?>\n<html><body>not a report</body></html>\n')
w("reject-noid.xml", agg(rid=""))

def gz(b):
    return gzip.compress(b, mtime=0)

def zipped(name, b):
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo(name, (2023, 11, 15, 0, 0, 0)), b)
    return bio.getvalue()

def b64(b):
    s = base64.b64encode(b).decode()
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76))

HDR = ("From: DMARC Aggregate Report <noreply-dmarc@receiver.example>\nTo: rua@example.com\n"
       "Subject: Report domain: example.com Submitter: receiver.example\n"
       "Date: Wed, 15 Nov 2023 10:00:00 +0000\nMessage-ID: <%s@receiver.example>\nMIME-Version: 1.0\n")
x7489 = open("agg-rfc7489.xml", "rb").read()
x9990 = open("agg-rfc9990.xml", "rb").read()
w("msg-gzip-b64.eml", HDR % "m1" + 'Content-Type: multipart/mixed; boundary="=-b1"\n\n'
  "preamble\n--=-b1\nContent-Type: text/plain\n\nThis is a DMARC report.\n--=-b1\n"
  'Content-Type: application/gzip; name="receiver.example!example.com!1700006400!1700092799.xml.gz"\n'
  "Content-Transfer-Encoding: base64\n\n" + b64(gz(x7489)) + "\n--=-b1--\n")
w("msg-zip-as-gzip.eml", HDR % "m2" + 'Content-Type: multipart/mixed;\n boundary="zz"\n\n'
  "--zz\nContent-Type: text/html\n\n<html><body><p>report attached</p></body></html>\n--zz\n"
  'Content-Type: application/x-gzip; name="report.xml.gz"\nContent-Transfer-Encoding: BASE64\n\n'
  + b64(zipped("receiver.example!example.com!1700006400!1700092799.xml", x9990)) + "\n--zz--\n")
w("msg-octet-qp.eml", HDR % "m3" + "Content-Type: application/octet-stream\n"
  "Content-Transfer-Encoding: quoted-printable\n\n" + quopri.encodestring(x7489.replace(b"r-7489-1", b"r-qp")).decode())
inner = (HDR % "inner" + 'Content-Type: multipart/mixed; boundary="in"\n\n--in\n'
  'Content-Type: application/zip\nContent-Transfer-Encoding: base64\n\n'
  + b64(zipped("a.xml", x7489.replace(b"r-7489-1", b"r-nested"))) + "\n--in--\n")
w("msg-nested.eml", "From: postmaster@example.com\nTo: admin@example.com\nSubject: Fwd: report\n"
  'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="out"\n\n--out\n'
  "Content-Type: text/plain\n\nforwarded\n--out\nContent-Type: message/rfc822\n\n" + inner + "\n--out--\n")
RET = ("Received: from mail.bad.example (mail.bad.example [203.0.113.9])\n"
       "From: CEO <ceo@example.com>\nTo: victim@receiver.example\nSubject: urgent\n"
       "Date: Tue, 14 Nov 2023 23:59:00 +0000\nMessage-ID: <x@bad.example>\n")
w("msg-arf.eml", "From: DMARC Failure <dmarc-ruf@receiver.example>\nTo: ruf@example.com\n"
  "Subject: DMARC failure report\nDate: Wed, 15 Nov 2023 00:00:05 +0000\nMIME-Version: 1.0\n"
  'Content-Type: multipart/report; report-type="feedback-report";\n\tboundary="arf"\n\n'
  "--arf\nContent-Type: text/plain\n\nA message claiming to be from you failed DMARC.\n"
  "--arf\nContent-Type: message/feedback-report\n\nFeedback-Type: auth-failure\nUser-Agent: Receiver/1.0\n"
  "Version: 1\nOriginal-Mail-From: <bounce@bad.example>\nArrival-Date: Tue, 14 Nov 2023 23:59:01 +0000\n"
  "Reporting-MTA: dns; mx.receiver.example\nSource-IP: 203.0.113.9\nReported-Domain: example.com\n"
  "Authentication-Results: mx.receiver.example; dmarc=fail header.from=example.com;\n"
  "  spf=fail smtp.mailfrom=bad.example; dkim=none\nAuth-Failure: dmarc\nDelivery-Result: reject\n"
  "Identity-Alignment: none\n\n--arf\nContent-Type: text/rfc822-headers\n\n" + RET + "\n--arf--\n")
w("msg-arf-plain.eml", "From: postmaster@mx.other.example\nTo: ruf@example.com\n"
  "Subject: DMARC failure report for example.com\nDate: Thu, 16 Nov 2023 08:00:00 +0100\n"
  "Content-Type: text/plain; charset=us-ascii\n\nThis is an authentication failure report.\n\n"
  "Feedback-Type: auth-failure\nSource-IP: 203.0.113.10\nReported-Domain: example.com\n"
  "Auth-Failure: dkim\nDelivery-Result: spam\n\n" + RET.replace("ceo@", "ceo2@"))
w("mbox-two.mbox", "From noreply@receiver.example Wed Nov 15 10:00:00 2023\n"
  + open("msg-gzip-b64.eml").read() + "\nFrom postmaster@example.com Wed Nov 15 11:00:00 2023\n"
  + open("msg-nested.eml").read())
