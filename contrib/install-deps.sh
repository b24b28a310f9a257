#!/bin/sh
# install-deps.sh - install the Debian 12 packages authmilter needs
#   contrib/install-deps.sh build    to build
#   contrib/install-deps.sh test     to build and run the whole test suite
#   contrib/install-deps.sh bench    to run the benchmark (adds opendkim, opendmarc)
# Installs only what is missing; needs root for that (apt-get).
set -e
BUILD="autoconf automake libtool pkg-config make gcc libc6-dev libmilter-dev
 libopendkim-dev libspf2-dev libmaxminddb-dev libunbound-dev
 libssl-dev zlib1g-dev libxml2-dev libidn2-dev publicsuffix
 libpq-dev libsqlite3-dev libarchive-dev"
# libopendmarc-dev: t/test_dmarc cross-checks our DMARC record parser with it
TEST="libopendmarc-dev unbound postfix iproute2 procps python3 python3-dkim python3-dnspython
 python3-spf python3-yaml libmail-dkim-perl opendkim-tools libxml2-utils
 libmaxmind-db-writer-perl mmdb-bin logrotate opendkim libnet-dns-perl python3-nacl time clang libclang-rt-14-dev man-db
 m4
 opendmarc dbconfig-no-thanks mariadb-server mariadb-client libswitch-perl libdbi-perl
 libdbd-mysql-perl libjson-perl libhttp-message-perl
 postgresql sqlite3"
BENCH="opendkim opendmarc openssl"
# the MetricsSocket listener; promtool (prometheus) and curl for t/metrics.sh
BUILD="$BUILD libmicrohttpd-dev"
TEST="$TEST prometheus curl"
# headless Chromium for t/dashboard.sh (the DMARC dashboard's pages)
TEST="$TEST chromium chromium-driver"
want=""
for what in "$@"; do
	case $what in
	build) want="$want $BUILD" ;;
	test) want="$want $BUILD $TEST" ;;
	bench) want="$want $BUILD $TEST $BENCH" ;;
	*) echo "usage: $0 build|test|bench" >&2; exit 64 ;;
	esac
done
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages:$missing" >&2
	echo "run as root: apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "postfix postfix/mailname string localhost" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
