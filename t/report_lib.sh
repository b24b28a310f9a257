# t/report_lib.sh - shared by the reporter's tests (sourced after lib.sh):
# the programs, the schema in the tree, a reporter config, and delivery
# through t/fake-sendmail
#
#   RP GEN XSD                    authmilter-report, t/report_gen, the RFC
#                                 9990 schema in the tree (data/)
#   B E                           a one-day period: 2023-11-15 UTC, [B, E)
#   report_conf FILE [LINE...]    a reporter config: receiver
#                                 mx.receiver.example, its ReportFrom; LINEs after
#   report_mail_conf FILE [LINE...]  the same, delivering through
#                                 t/fake-sendmail into $T/mail
#                                 (FAKE_SENDMAIL_DIR, exported; made when
#                                 missing), state $T/state, the test DNS
#                                 server ($DNS_PORT, DNSTimeout 5)
#   mails_sent [DIR]              how many messages were sent (fake-sendmail
#                                 exited 0) into DIR (default $T/mail)
#   mailed_to [DIR]               their recipients, sorted, space-separated
RP="$top_builddir/report/authmilter-report"
GEN="$builddir/report_gen"
XSD="$REF/rfc9990-dmarc-aggregate.xsd"
B=1700006400
E=$((B + 86400))

report_conf() {
	_rf=$1
	shift
	{
		echo "AuthservID mx.receiver.example"
		echo "ReportFrom DMARC Reports <dmarc-noreply@receiver.example>"
		for _l in "$@"; do echo "$_l"; done
	} > "$_rf"
}

report_mail_conf() {
	_rf=$1
	shift
	mkdir -p "$T/mail"
	FAKE_SENDMAIL_DIR="$T/mail"
	export FAKE_SENDMAIL_DIR
	report_conf "$_rf" "ReportSendmail $srcdir/fake-sendmail -oi" "ReportStateFile $T/state" \
	    "Nameservers 127.0.0.1:$DNS_PORT" "DNSTimeout 5" "$@"
}

mails_sent() {
	ls "${1:-$T/mail}" | grep -c '^msg-.*\.eml$'
}

mailed_to() {
	for _m in "${1:-$T/mail}"/msg-*.argv; do
		[ -f "$_m" ] && tail -1 "$_m"
	done | sort -V | paste -sd' ' -
}
