# t/pf_conf.sh - the configuration of a private Postfix instance, shared by
# the end-to-end tests (postfix.sh) and the end-to-end benchmark
# (bench/e2e.sh).  Sourced; POSIX sh; needs nothing else.
#
#   pf_main_cf DIR HOSTNAME DOMAIN MILTERS   the main.cf lines both use: queue
#                     and data directories DIR/spool and DIR/data, the log in
#                     DIR/postfix.log, IPv4 only, no TLS, no peer name
#                     lookups, smtpd_milters MILTERS (protocol 6, tempfail
#                     when a milter fails); the caller appends its own lines
#   pf_master_cf [SERVICE...]   master.cf: smtpd on 198.18.0.1:25 and
#                     198.18.1.1:25, the services every instance needs, then
#                     each SERVICE ("name type private unpriv chroot wakeup
#                     maxproc command", one line each)

pf_main_cf() {
	cat <<PFEOF
compatibility_level = 3.6
queue_directory = $1/spool
data_directory = $1/data
mail_owner = postfix
setgid_group = postdrop
myhostname = $2
mydomain = $3
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_protocols = ipv4
smtpd_peername_lookup = no
smtpd_tls_security_level = none
biff = no
append_dot_mydomain = no
readme_directory = no
maillog_file = $1/postfix.log
smtpd_milters = $4
non_smtpd_milters =
milter_default_action = tempfail
milter_protocol = 6
PFEOF
}

pf_master_cf() {
	for _svc in "198.18.0.1:25 inet n - n - - smtpd" "198.18.1.1:25 inet n - n - - smtpd" \
	    "pickup unix n - n 60 1 pickup" "cleanup unix n - n - 0 cleanup" \
	    "qmgr unix n - n 300 1 qmgr" "rewrite unix - - n - - trivial-rewrite" \
	    "bounce unix - - n - 0 bounce" "defer unix - - n - 0 bounce" \
	    "trace unix - - n - 0 bounce" "verify unix - - n - 1 verify" \
	    "flush unix n - n 1000? 0 flush" "proxymap unix - - n - - proxymap" \
	    "proxywrite unix - - n - 1 proxymap" "showq unix n - n - - showq" \
	    "error unix - - n - - error" "retry unix - - n - - error" \
	    "discard unix - - n - - discard" "anvil unix - - n - 1 anvil" \
	    "scache unix - - n - 1 scache" "postlog unix-dgram n - n - 1 postlogd" "$@"; do
		echo "$_svc"
	done
}
