#!/bin/sh
# rua_org.sh - which rua destinations need the external authorisation
# record (RFC 9990 "Verifying External Destinations"; issue 11 item 14):
# none when the destination host has the policy domain's Organizational
# Domain (RFC 9989 section 4.10 tree walk, psd= included), found through
# the unbound test server.  A parent that is a public suffix domain (a
# dynamic-DNS provider) or a sibling under it is another organisation, so
# it gets reports only with <pdomain>._report._dmarc.<host>.
. "${srcdir:-$(dirname "$0")}/lib.sh"
. "$srcdir/report_lib.sh"
need "$RP" "$PY"

cat > "$T/zone" <<'EOF'
  local-zone: "dyn.test." static
  local-data: "dyn.test. 300 IN SOA ns.dyn.test. h.dyn.test. 1 3600 600 86400 300"
  local-data: '_dmarc.dyn.test. 300 IN TXT "v=DMARC1; p=none; psd=y"'
  local-data: '_dmarc.alice.dyn.test. 300 IN TXT "v=DMARC1; p=none"'
  local-data: 'alice.dyn.test._report._dmarc.ok.dyn.test. 300 IN TXT "v=DMARC1"'
  local-zone: "corp.test." static
  local-data: "corp.test. 300 IN SOA ns.corp.test. h.corp.test. 1 3600 600 86400 300"
  local-data: '_dmarc.corp.test. 300 IN TXT "v=DMARC1; p=reject"'
  local-data: '_dmarc.sub.corp.test. 300 IN TXT "v=DMARC1; p=none"'
EOF
dns_start "$T/zone" || skip_all "cannot start unbound"

now=$(date +%s)
# rec PDOMAIN RUA... - one history record for PDOMAIN listing those rua URIs
rec() {
	_pd=$1
	shift
	printf 'job Q%s\nreporter mx.test.example\nreceived %s\nipaddr 198.18.0.1\n' "$_pd" "$now"
	printf 'from %s\nmfrom %s\nspf 2\nspf_scope 1\npdomain %s\npolicy 15\n' "$_pd" "$_pd" "$_pd"
	for _u in "$@"; do printf 'rua %s\n' "$_u"; done
	printf 'pct 100\nadkim 114\naspf 114\np 110\nsp 0\nalign_dkim 5\nalign_spf 4\n'
	printf 'helo client.sender.test\ndiscovery treewalk\naction 2\n\n'
}
{
	rec alice.dyn.test mailto:own@alice.dyn.test mailto:r@reports.alice.dyn.test \
	    mailto:prov@dyn.test mailto:agg@ok.dyn.test
	rec dyn.test mailto:own@dyn.test mailto:x@mallory.dyn.test
	rec sub.corp.test mailto:own@sub.corp.test mailto:agg@corp.test mailto:r@x.sub.corp.test
} > "$T/h"

report_mail_conf "$T/r.conf"
"$RP" -c "$T/r.conf" --history "$T/h" --from $((now - 86400)) --to $((now + 86400)) \
    --schema "$XSD" 2>"$T/err"
is "$?" 0 "reporter run"
sed 's/^/# /' "$T/err" | grep -v ' sent$' | head -12
sent=$(mailed_to)
for a in own@alice.dyn.test r@reports.alice.dyn.test agg@ok.dyn.test own@dyn.test \
    own@sub.corp.test agg@corp.test r@x.sub.corp.test; do
	case " $sent " in
	*" $a "*) ok "sent to $a" true ;;
	*) ok "sent to $a (sent: $sent)" false ;;
	esac
done
for a in prov@dyn.test x@mallory.dyn.test; do
	case " $sent " in
	*" $a "*) ok "not sent to $a (sent: $sent)" false ;;
	*) ok "not sent to $a" true ;;
	esac
done
like "$(cat "$T/err")" "domain=alice.dyn.test rua=mailto:prov@dyn.test: external destination not authorised" \
    "a public-suffix parent is external: its authorisation record is asked for"
like "$(cat "$T/err")" "domain=dyn.test rua=mailto:x@mallory.dyn.test: external destination not authorised" \
    "a name under a public suffix domain is another organisation"
is "$(mails_sent)" 7 "seven reports mailed"

done_testing
