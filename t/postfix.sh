# t/postfix.sh - a private Postfix instance for end-to-end tests (sourced
# after lib.sh).  Everything runs in a network namespace of its own, where
# 198.18.0.1 (an "external" client) and 198.18.1.1 (an "internal" one) are
# addresses on lo, so libspf2 and the role rules see real, non-loopback
# clients.  Needs root, Postfix (postfix, smtp-sink) and iproute2.
#
#   pf_netns                      create the namespace; sets NSEXEC
#   pf_start MILTERS              main.cf/master.cf in $PF, smtp-sink dumping
#                                 each delivered message to $PF/sink/, postfix
#                                 start; smtpd on 198.18.0.1:25 and 198.18.1.1:25
#   pf_send CLIENT_IP FROM TO FILE   SMTP from CLIENT_IP; prints "CODE text" of
#                                 the final reply (250 when queued)
#   pf_wait_sink N [SECONDS]      wait until N messages reached the sink
#   pf_hold_count                 messages in Postfix's hold queue
#   pf_stop

need_root
need postfix smtp-sink ip
. "$srcdir/pf_conf.sh"
PF="$T/pf"
PF_NS="amt$$"

pf_netns() { netns_start "$PF_NS"; }

pf_start() {
	mkdir -p "$PF/etc" "$PF/spool" "$PF/data" "$PF/sink"
	chown postfix "$PF/data"
	chown nobody "$PF/sink"
	chmod 755 "$T" "$PF"
	SINK_PORT=2526
	$NSEXEC smtp-sink -u nobody -4 -c -d "$PF/sink/%H%M%S." 127.0.0.1:$SINK_PORT 64 >"$PF/sink.log" 2>&1 &
	at_exit "kill $!"
	{
		pf_main_cf "$PF" mx.test.example test.example "$1"
		cat <<PFEOF
local_transport = error:local delivery disabled
inet_interfaces = 198.18.0.1, 198.18.1.1, 127.0.0.1
mynetworks = 127.0.0.0/8, 198.18.0.0/15
relayhost = [127.0.0.1]:$SINK_PORT
smtp_dns_support_level = disabled
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtp_tls_security_level = none
maillog_file_prefixes = $PF
PFEOF
	} > "$PF/etc/main.cf"
	pf_master_cf "smtp unix - - n - - smtp" "relay unix - - n - - smtp" > "$PF/etc/master.cf"
	touch "$PF/postfix.log"
	if ! $NSEXEC postfix -c "$PF/etc" start >"$PF/start.log" 2>&1; then
		echo "# postfix start failed:"; sed 's/^/# /' "$PF/start.log"
		return 1
	fi
	at_exit "$NSEXEC postfix -c $PF/etc stop"
	for _i in $(seq 1 50); do
		$NSEXEC $PY -c "import socket; socket.create_connection(('198.18.0.1',25),0.5).close()" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "# smtpd is not listening"; sed 's/^/# /' "$PF/postfix.log"
	return 1
}

pf_send() {
	$NSEXEC $PY - "$@" <<'PYEOF'
import smtplib, sys
ip, mfrom, rcpt, path = sys.argv[1:5]
data = open(path, "rb").read()
try:
    s = smtplib.SMTP(ip, 25, local_hostname="client.sender.example", source_address=(ip, 0), timeout=60)
    s.ehlo("client.sender.example")
    code, msg = s.mail(mfrom)
    if code >= 300: print(code, msg.decode()); sys.exit(0)
    code, msg = s.rcpt(rcpt)
    if code >= 300: print(code, msg.decode()); sys.exit(0)
    code, msg = s.data(data)
    print(code, msg.decode())
    s.quit()
except smtplib.SMTPDataError as e:
    print(e.smtp_code, e.smtp_error.decode())
except smtplib.SMTPResponseException as e:
    print(e.smtp_code, e.smtp_error.decode())
PYEOF
}

pf_sink_count() { ls "$PF/sink" | wc -l; }

pf_wait_sink() {
	_want=$1
	_secs=${2:-30}
	for _i in $(seq 1 $((_secs * 5))); do
		[ "$(pf_sink_count)" -ge "$_want" ] && return 0
		sleep 0.2
	done
	echo "# only $(pf_sink_count) of $_want messages reached the sink; postfix log:"
	tail -20 "$PF/postfix.log" | sed 's/^/# /'
	return 1
}

pf_hold_count() {
	$NSEXEC postqueue -c "$PF/etc" -j 2>/dev/null | grep -c '"queue_name": *"hold"'
}
