# sign_lib.sh - the signing tests' preamble (sourced after lib.sh): keys
# made at test time, published in a zone for the test DNS server, and the
# daemon config that signs with a KeyTable and a SigningTable.
# Used by sign_dkim.sh, sign_cover.sh, sign_many.sh, sign_reload.sh,
# sign_pgsql.sh and outbound_postfix.sh.

SIGNTOOL="$srcdir/data/sign/signtool.py"

# sign_need MODULES [mail-dkim] - skip unless authmilter is built, openssl
# is there, /usr/bin/python3 has MODULES (an import list, e.g. "dkim,
# nacl") and, when asked, Perl has Mail::DKIM (the second verifier)
sign_need() {
	need /usr/bin/python3 openssl
	$PY -c "import $1" 2>/dev/null || skip_all "python3 module(s) $1 not installed"
	if [ "${2:-}" = mail-dkim ]; then
		need perl
		perl -MMail::DKIM::Verifier -MNet::DNS -e 1 2>/dev/null ||
			skip_all "libmail-dkim-perl is not installed"
	fi
	[ -x "$AM" ] || skip_all "authmilter is not built"
}

# sign_keys DOMAIN SELECTOR:ALG... - K=$T/keys (mode 700) holding one new
# private key per selector, $K/SELECTOR.key (mode 600; ALG rsaBITS or
# ed25519), and $T/zone.conf publishing each under SELECTOR._domainkey.DOMAIN
sign_keys() {
	_sk_dom=$1
	shift
	K="$T/keys"
	mkdir -p "$K"
	chmod 700 "$K"
	_sk_sels=
	for _sk in "$@"; do
		_sk_sel=${_sk%%:*}
		case ${_sk#*:} in
		ed25519) openssl genpkey -algorithm ED25519 -out "$K/$_sk_sel.key" 2>/dev/null ;;
		rsa*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${_sk#*:rsa}" \
			-out "$K/$_sk_sel.key" 2>/dev/null ;;
		*) echo "Bail out! sign_keys: unknown algorithm in $_sk"; exit 1 ;;
		esac
		_sk_sels="$_sk_sels $_sk_sel"
	done
	chmod 600 "$K"/*.key
	# shellcheck disable=SC2086 # one word per selector
	$PY "$SIGNTOOL" zone "$K" "$_sk_dom" $_sk_sels > "$T/zone.conf"
}

# sign_milter_conf PORT SIGNINGTABLE INTERNALHOSTS - a daemon config on
# inet:PORT@127.0.0.1 signing with $T/KeyTable and the SigningTable spec
sign_milter_conf() {
	conf_base "inet:$1@127.0.0.1" mx.test.example
	printf 'KeyTable %s\nSigningTable %s\nInternalHosts %s\n' "$T/KeyTable" "$2" "$3"
}

# sign_via NAME PORT MSG FROM - MSG through the daemon on inet:PORT from an
# internal client (198.18.1.1), its header edits applied into $T/NAME.eml;
# prints dkimpy's verdicts (signtool.py verify against $T/zone.conf)
sign_via() {
	"$builddir/miltc" -s "inet:$2@127.0.0.1" --json --client-ip 198.18.1.1 --from "$4" \
	    --rcpt dave@rcpt.test "$3" > "$T/$1.json"
	$PY - "$T/$1.json" "$3" "$T/$1.eml" <<'PYEOF'
import json, sys
j = json.loads(open(sys.argv[1]).read().splitlines()[0])
msg = open(sys.argv[2], "rb").read()
top = b"".join(("%s: %s\r\n" % (e["name"], e["value"].lstrip(" "))).encode()
               for e in j["edits"] if e["op"] in ("insheader", "addheader"))
open(sys.argv[3], "wb").write(top + msg)
PYEOF
	$PY "$SIGNTOOL" verify "$T/zone.conf" "$T/$1.eml"
}
