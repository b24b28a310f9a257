#!/bin/sh
# postfix_e2e.sh - a message through real Postfix with authmilter in
# smtpd_milters reaches the sink with our Authentication-Results header, and
# the offline runner's --json lists the same header for the same message
. "$srcdir/lib.sh"
. "$srcdir/postfix.sh"

pf_netns
dns_start "$srcdir/zones/dns.conf" || skip_all "cannot start unbound"
MPORT=$(free_port)
{
	conf_base "inet:$MPORT@127.0.0.1" mx.test.example
	cat <<CEOF
InternalHosts 198.18.1.1
CEOF
} > "$T/authmilter.conf"
milter_start "$T/authmilter.conf" || skip_all "authmilter did not start"
pf_start "inet:127.0.0.1:$MPORT" || skip_all "postfix did not start"

printf 'From: Alice <alice@sender.test>\r\nTo: bob@rcpt.test\r\nSubject: e2e\r\nMessage-ID: <e2e-1@sender.test>\r\n\r\nHello through Postfix.\r\n' > "$T/m1.eml"
reply=$(pf_send 198.18.0.1 alice@sender.test bob@rcpt.test "$T/m1.eml")
like "$reply" "^250 " "Postfix accepted the message ($reply)"
ok "the message reached the sink" pf_wait_sink 1 30
f=$(ls "$PF"/sink/* 2>/dev/null | head -1)
got=$($PY - "$f" <<'PYEOF'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
ars = m.get_all("Authentication-Results") or []
print(len(ars))
for a in ars: print(" ".join(a.split()))
PYEOF
)
is "$(echo "$got" | head -1)" 1 "exactly one Authentication-Results header delivered"
ar_pf=$(echo "$got" | sed -n 2p)
like "$ar_pf" "^mx.test.example;" "it carries our authserv-id"

json=$($NSEXEC "$AM" -c "$T/authmilter.conf" --test-message "$T/m1.eml" --client-ip 198.18.0.1 \
	--helo client.sender.example --mail-from alice@sender.test --rcpt bob@rcpt.test --json)
ar_run=$(printf '%s' "$json" | $PY -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join(" ".join(h["value"].split()) for h in j["add_headers"] if h["name"] == "Authentication-Results"))')
is "$ar_run" "$ar_pf" "the offline runner adds the same header"
done_testing
