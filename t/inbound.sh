#!/bin/sh
# inbound.sh - the inbound pipeline end to end through the offline runner and
# the milter protocol (same config, same DNS): SPF, DKIM (signed by dkimpy at
# test time), DMARC, Authentication-Results, forged A-R removal, actions
. "$srcdir/lib.sh"
need openssl
$PY -c 'import dkim' 2>/dev/null || skip_all "dkimpy is not installed (Debian package python3-dkim)"
MC="$builddir/miltc"

. "$srcdir/inbound_lib.sh"
dns_start "$T/zone.conf" || skip_all "cannot start unbound"
MPORT=$(free_port)
conf_base "inet:$MPORT@127.0.0.1" mx.test.example > "$T/a.conf"
cat >> "$T/a.conf" <<CEOF
RejectFailures yes
HoldQuarantinedMessages yes
RejectMultiValueFrom yes
AddReceivedSPF yes
HistoryFile $T/history
# loopback is not internal here: its mail is verified (the loopback cases)
InternalHosts 192.0.2.250
CEOF
milter_start "$T/a.conf" || skip_all "authmilter did not start"

# runner CASE MAILFROM: JSON of the offline runner
runner() {
	"$AM" -c "$T/a.conf" --test-message "$T/$1.eml" --client-ip 198.18.0.1 \
	    --helo client.inb.test --mail-from "$2" --rcpt bob@rcpt.test --json
}
field() {	# field JSON PYTHON-EXPR
	printf '%s' "$1" | $PY -c "import json,sys; j=json.load(sys.stdin); r=j['results']; print($2)"
}
milter() {	# milter CASE MAILFROM: miltc output
	"$MC" -s "inet:$MPORT@127.0.0.1" --client-ip 198.18.0.1 --helo client.inb.test \
	    --from "$2" --rcpt bob@rcpt.test "$T/$1.eml"
}

j=$(runner pass alice@sender.inb.test)
is "$(field "$j" "r['spf'], r['spf_domain'], r['spf_helo']")" "pass sender.inb.test pass" "pass: SPF mailfrom and helo"
is "$(field "$j" "[(d['domain'], d['selector'], d['result']) for d in r['dkim']]")" "[('sender.inb.test', 'sel1', 'pass')]" "pass: dkim list"
is "$(field "$j" "r['dmarc'], r['header_from'], r['policy'], r['disposition'], j['action']")" "pass sender.inb.test reject none accept" "pass: dmarc, policy, disposition, action"
ar=$(field "$j" "' '.join([h['value'] for h in j['add_headers'] if h['name']=='Authentication-Results'][0].split())")
like "$ar" "^ *mx.test.example;" "pass: A-R starts with our authserv-id"
like "$ar" "spf=pass smtp.mailfrom=sender.inb.test" "pass: A-R spf with smtp.mailfrom"
like "$ar" "spf=pass smtp.helo=client.inb.test" "pass: A-R has the HELO identity"
like "$ar" "dkim=pass \(2048-bit key\) header.d=sender.inb.test header.s=sel1 header.a=rsa-sha256 header.b=\"?[A-Za-z0-9+/]{8}" "pass: A-R dkim with d, s, a, b"
like "$ar" "dmarc=pass \(p=reject dis=none\) header.from=sender.inb.test policy.dmarc=reject" "pass: A-R dmarc with policy"
is "$(field "$j" "len([h for h in j['add_headers'] if h['name']=='Received-SPF'])")" 1 "AddReceivedSPF adds Received-SPF"
m=$(milter pass alice@sender.inb.test)
like "$m" "insheader 0 Authentication-Results: mx.test.example;.*dkim=pass" "pass through the milter: same A-R"
like "$m" "action (accept|continue)" "pass through the milter: accepted"

j=$(runner reject boss@reject.inb.test)
is "$(field "$j" "r['spf'], r['dmarc'], r['policy'], r['disposition'], j['action']")" "fail fail reject reject reject" "p=reject failure: rejected"
like "$(field "$j" "j['reply']")" "^550 5.7.1 .*reject.inb.test" "the reply is 550 5.7.1 and names the domain"
m=$(milter reject boss@reject.inb.test)
like "$m" "reply eom reject 550 5.7.1 .*reject.inb.test" "through the milter: 550 5.7.1 at eom"
# the built-in defaults and the packaged configuration refuse a p=reject
# spoof too (RejectFailures defaults to yes, issue 11 item 2)
conf_base "inet:$MPORT@127.0.0.1" mx.test.example > "$T/defaults.conf"
j=$("$AM" -c "$T/defaults.conf" --test-message "$T/reject.eml" --client-ip 198.18.0.1 \
    --helo client.inb.test --mail-from boss@reject.inb.test --rcpt bob@rcpt.test --json)
is "$(field "$j" "r['dmarc'], r['policy'], j['action']")" "fail reject reject" \
    "built-in defaults: a p=reject failure is refused"
{ grep -v '^HistoryFile\|^ReportStateFile' "$top_srcdir/conf/authmilter.conf"; printf 'Nameservers 127.0.0.1:%s\n' "$DNS_PORT"; conf_prefetch; } \
    > "$T/packaged.conf"
j=$("$AM" -c "$T/packaged.conf" --test-message "$T/reject.eml" --client-ip 198.18.0.1 \
    --helo client.inb.test --mail-from boss@reject.inb.test --rcpt bob@rcpt.test --json)
is "$(field "$j" "r['dmarc'], r['policy'], j['action']")" "fail reject reject" \
    "the packaged conf/authmilter.conf: a p=reject failure is refused"

j=$(runner quar q@quar.inb.test)
is "$(field "$j" "r['dmarc'], r['policy'], r['disposition'], j['action']")" "fail quarantine quarantine quarantine" "p=quarantine failure: quarantined"
m=$(milter quar q@quar.inb.test)
like "$m" "quarantine .*quar.inb.test" "through the milter: smfi_quarantine with a reason"

j=$(runner testing t@testing.inb.test)
is "$(field "$j" "r['dmarc'], r['disposition'], j['action']")" "fail quarantine quarantine" "t=y: one level lower (reject -> quarantine), RFC 9989"

j=$(runner nodmarc n@nodmarc.inb.test)
is "$(field "$j" "r['spf'], r['dmarc'], j['action']")" "pass none accept" "no DMARC record: dmarc=none, accepted"

j=$(runner multi a@sender.inb.test)
is "$(field "$j" "r['dmarc'], j['action']")" "permerror reject" "several From domains: permerror, rejected (RejectMultiValueFrom)"

j=$(runner forged alice@sender.inb.test)
is "$(printf '%s' "$j" | $PY -c 'import json,sys; print(json.load(sys.stdin)["remove_headers"])')" \
    "[{'name': 'Authentication-Results', 'index': 2}, {'name': 'Authentication-Results', 'index': 3}]" \
    "forged A-R with our id removed by per-name index, others kept"
m=$(milter forged alice@sender.inb.test)
like "$(echo "$m" | grep chgheader | tr '\n' ' ')" "chgheader Authentication-Results 3 <deleted> chgheader Authentication-Results 2 <deleted>" \
    "through the milter: highest index deleted first (CVE-2022-48521)"

j=$(runner nodmarc "")
is "$(field "$j" "r['spf'], r['spf_domain']")" "pass client.inb.test" "null sender: SPF checks postmaster@HELO"

# RFC 9989 section 3.2.4 (RFC 7208 section 2.4): the MAIL FROM identity of a
# null reverse-path is postmaster@HELO, the SPF-authenticated identifier; a
# bounce whose HELO passes SPF and aligns (relaxed) with From passes DMARC
j=$("$AM" -c "$T/a.conf" --test-message "$T/bounce.eml" --client-ip 198.18.0.1 \
    --helo mx.bounce.inb.test --mail-from "" --rcpt bob@rcpt.test --json)
is "$(field "$j" "r['spf'], r['spf_domain'], r['dmarc'], r['policy'], j['action']")" \
    "pass mx.bounce.inb.test pass reject accept" "null sender, aligned HELO: dmarc=pass (RFC 9989 3.2.4)"
m=$("$MC" -s "inet:$MPORT@127.0.0.1" --client-ip 198.18.0.1 --helo mx.bounce.inb.test \
    --from "" --rcpt bob@rcpt.test "$T/bounce.eml")
like "$m" "insheader 0 Authentication-Results: mx.test.example;.*dmarc=pass" \
    "null sender through the milter: dmarc=pass"
like "$m" "action (accept|continue)" "null sender through the milter: accepted"
{ grep -v '^DMARCStandard' "$T/a.conf"; printf 'DMARCStandard rfc7489\nPublicSuffixList %s\n' \
    "$srcdir/zones/dmarc-psl.dat"; } > "$T/rfc7489.conf"
j=$("$AM" -c "$T/rfc7489.conf" --test-message "$T/bounce.eml" --client-ip 198.18.0.1 \
    --helo mx.bounce.inb.test --mail-from "" --rcpt bob@rcpt.test --json)
is "$(field "$j" "r['spf'], r['dmarc'], j['action']")" "pass pass accept" \
    "null sender, aligned HELO, DMARCStandard rfc7489: dmarc=pass as before"
j=$("$AM" -c "$T/a.conf" --test-message "$T/bounce.eml" --client-ip 198.18.0.2 \
    --helo mx.bounce.inb.test --mail-from "" --rcpt bob@rcpt.test --json)
is "$(field "$j" "r['spf'], r['dmarc'], j['action']")" "fail fail reject" \
    "null sender from an address the HELO record refuses: dmarc=fail, rejected"

# a loopback client gets no SPF favour: the record decides (libspf2 passes
# 127/8 and ::1 whatever the record says); content filters re-injecting on
# loopback belong in InternalHosts or IgnoreHosts, see authmilter(8)
for ip in 127.0.0.1 ::1; do
	j=$("$AM" -c "$T/a.conf" --test-message "$T/reject.eml" --client-ip $ip \
	    --helo localhost --mail-from boss@reject.inb.test --rcpt bob@rcpt.test --json)
	is "$(field "$j" "r['spf'], r['dmarc'], j['action']")" "fail fail reject" \
	    "client $ip, MAIL FROM of a -all domain: spf=fail, dmarc=fail, rejected"
done
m=$("$MC" -s "inet:$MPORT@127.0.0.1" --client-ip 127.0.0.1 --helo localhost \
    --from boss@reject.inb.test --rcpt bob@rcpt.test "$T/reject.eml")
like "$m" "reply eom reject 550 5.7.1 .*reject.inb.test" \
    "client 127.0.0.1 through the milter: SPF and DMARC fail, rejected"

records() { grep -c '^job ' "$T/history" 2>/dev/null; }
has_records() { [ "$(records)" -ge "$1" ]; }
ok "history records were written" wait_until 30 has_records 6
is "$(grep -c '^job ' "$T/history")" 6 "one record per DMARC-evaluated message through the daemon (pass, forged, reject, quar, bounce, loopback)"
RP="$top_builddir/report/authmilter-report"
sum=$("$RP" summary --history "$T/history" --json | $PY -c '
import json, sys
j = json.load(sys.stdin)
for d in sorted(j["domains"], key=lambda d: d["domain"]):
    print(d["domain"], d["messages"], d["dmarc"]["pass"], d["dmarc"]["fail"],
          d["action"]["accept"], d["action"]["quarantine"], d["action"]["reject"])' | tr '\n' ';')
is "$sum" "bounce.inb.test 1 1 0 1 0 0;quar.inb.test 1 0 1 0 1 0;reject.inb.test 2 0 2 0 0 2;sender.inb.test 2 2 0 2 0 0;" \
    "the daemon's records parse back: per-domain counts, results and actions"
mkdir -p "$T/reports"
"$RP" --history "$T/history" --from 0 --to 2000000000 --outdir "$T/reports" --no-send \
    --state "$T/report.state" --schema none > "$T/report.out" 2>&1
is "$(ls "$T/reports" | grep -c '\.xml\.gz$')" 4 "the reporter writes one report per policy domain from them"
ok "the RFC 9990 schema and xmllint are there" test -f "$REF/rfc9990-dmarc-aggregate.xsd" -a -x "$(command -v xmllint)"
if [ -f "$REF/rfc9990-dmarc-aggregate.xsd" ] && command -v xmllint >/dev/null; then
	for f in "$T"/reports/*.xml.gz; do
		gunzip -c "$f" > "$T/r.xml"
		ok "$(basename "$f") validates against the RFC 9990 schema" \
		    xmllint --noout --schema "$REF/rfc9990-dmarc-aggregate.xsd" "$T/r.xml"
	done
else
	echo "# RFC 9990 schema or xmllint absent: schema validation skipped"
fi

# DNS down: temperror within DNSTimeout + 1 s, and 451 with TempFailOnDNSError
dns_stop
echo "TempFailOnDNSError yes" >> "$T/a.conf"
t0=$(date +%s)
j=$("$AM" -c "$T/a.conf" --test-message "$T/nodmarc.eml" --client-ip 198.18.0.1 --helo x.other.test \
    --mail-from n@nodmarc2.inb.test --json)
t1=$(date +%s)
is "$(field "$j" "r['spf'], r['dmarc'], j['action']")" "temperror temperror tempfail" "DNS down: temperror and 451 (TempFailOnDNSError)"
like "$(field "$j" "j['reply']")" "^451 4.7" "the reply is 451 4.7.x"
# a liveness bound, not a speed check: the lookups share DNSBudget (twice
# DNSTimeout); only waits that ignore it come near 60 s
ok "DNS down: answered ($((t1 - t0)) s for SPF and DMARC; liveness bound 60 s)" test $((t1 - t0)) -le 60
done_testing
