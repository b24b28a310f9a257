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
PF="$T/pf"
PF_NS="amt$$"

pf_netns() {
	ip netns add "$PF_NS" || skip_all "cannot create a network namespace"
	at_exit "ip netns del $PF_NS"
	NSEXEC="ip netns exec $PF_NS"
	$NSEXEC ip link set lo up
	$NSEXEC ip addr add 198.18.0.1/32 dev lo
	$NSEXEC ip addr add 198.18.1.1/32 dev lo
}

pf_start() {
	mkdir -p "$PF/etc" "$PF/spool" "$PF/data" "$PF/sink"
	chown postfix "$PF/data"
	chown nobody "$PF/sink"
	chmod 755 "$T" "$PF"
	SINK_PORT=2526
	$NSEXEC smtp-sink -u nobody -4 -c -d "$PF/sink/%H%M%S." 127.0.0.1:$SINK_PORT 64 >"$PF/sink.log" 2>&1 &
	at_exit "kill $!"
	cat > "$PF/etc/main.cf" <<PFEOF
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.test.example
mydomain = test.example
myorigin = \$myhostname
mydestination =
local_recipient_maps =
local_transport = error:local delivery disabled
alias_maps =
alias_database =
inet_interfaces = 198.18.0.1, 198.18.1.1, 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8, 198.18.0.0/15
relayhost = [127.0.0.1]:$SINK_PORT
smtp_dns_support_level = disabled
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_peername_lookup = no
smtpd_tls_security_level = none
smtp_tls_security_level = none
biff = no
append_dot_mydomain = no
readme_directory = no
maillog_file = $PF/postfix.log
maillog_file_prefixes = $PF
smtpd_milters = $1
non_smtpd_milters =
milter_default_action = tempfail
milter_protocol = 6
PFEOF
	cat > "$PF/etc/master.cf" <<PFEOF
198.18.0.1:25 inet n - n - - smtpd
198.18.1.1:25 inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
PFEOF
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
