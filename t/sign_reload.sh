#!/bin/sh
# sign_reload.sh - outbound through the daemon over the milter protocol:
# internal clients get DKIM-Signature(s) that dkimpy verifies; after the key
# file and the tables are replaced, SIGHUP makes the next message use the new
# key and the selector the new table names; RequireSafeKeys refuses a 0644 key
. "$srcdir/lib.sh"
. "$srcdir/sign_lib.sh"
sign_need "dkim, nacl"
D=reload.example
sign_keys $D old:rsa2048 new:rsa2048 ed:ed25519
dns_start "$T/zone.conf" || skip_all "cannot start unbound"
cp "$K/old.key" "$K/current.key"
printf 'main %s:old:%s/current.key\ned %s:ed:%s/ed.key\n' $D "$K" $D "$K" > "$T/KeyTable"
printf '*@%s main,ed\n' $D > "$T/SigningTable"
MPORT=$(free_port)
sign_milter_conf "$MPORT" "refile:$T/SigningTable" "127.0.0.1, 198.18.1.0/24" > "$T/a.conf"
milter_start "$T/a.conf" || skip_all "authmilter did not start"
printf 'From: Carol <carol@%s>\r\nTo: dave@rcpt.test\r\nSubject: reload\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <r1@%s>\r\n\r\nSigned through the milter.\r\n' $D $D > "$T/m.eml"

# sign N: run one message through the daemon, apply its edits, verify
sign() { sign_via "$1" "$MPORT" "$T/m.eml" carol@$D; }
out=$(sign first)
is "$(echo "$out" | grep -c ' pass ')" 2 "dual signing through the milter: two signatures verify under dkimpy"
like "$out" "pass a=rsa-sha256 d=$D s=old" "RSA signature with selector old"
like "$out" "pass a=ed25519-sha256 d=$D s=ed" "Ed25519 signature"

cp "$K/new.key" "$K/current.key"
printf 'main %s:new:%s/current.key\n' $D "$K" > "$T/KeyTable"
printf '*@%s main\n' $D > "$T/SigningTable"
ok "SIGHUP: the daemon logs the reload outcome" milter_reload
out=$(sign second)
is "$(echo "$out" | grep -c ' pass ')" 1 "after SIGHUP: one signature (new SigningTable)"
like "$out" "pass a=rsa-sha256 d=$D s=new" "after SIGHUP: the new key and selector, verified"

chmod 644 "$K/current.key"
ok "SIGHUP: the daemon logs the reload outcome" milter_reload
like "$(cat "$T/milter.log")" "reload failed, keeping the running configuration: .*current.key" "a 0644 key: reload refused, the file is named"
out=$(sign third)
like "$out" "pass a=rsa-sha256 d=$D s=new" "and the running keys still sign"
"$AM" -n -c "$T/a.conf" > "$T/n.out" 2>&1
is "$?" 1 "authmilter -n refuses the unsafe key (RequireSafeKeys)"
done_testing
