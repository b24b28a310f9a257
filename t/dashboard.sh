#!/bin/sh
# dashboard.sh - the static dashboard (report/dash*) built from the fixture
# t/data/dash/fixture.tsv by t/dash_tool, then every page opened in headless
# Chromium (through chromedriver, t/dash_browser.py): each page loads, logs
# no console warning or error, requests nothing outside file://, runs no
# script (the fixture's org, rDNS and reporter strings are markup), applies
# its style sheet and links only to files that exist; the overview has one
# card per domain with the expected verdicts.  A control page with a
# console error and an http:// image shows the checks can fail.  The
# overview's screenshot is left in tmp/dashboard/overview.png.
. "$srcdir/lib.sh"
TOOL="$builddir/dash_tool"
FIX="$srcdir/data/dash/fixture.tsv"

# --- the site and the terminal summary --------------------------------------
"$TOOL" "$FIX" --out "$T/site" > "$T/summary" 2> "$T/err"
is "$?" 0 "dash_tool writes the site"
is "$(cd "$T/site" && ls | tr '\n' ' ')" \
	"domain-1-example.com.html domain-2-example.org.html failures.html index.html style.css " \
	"style.css, a page per domain, failures.html, index.html"
is "$(ls -a "$T/site" | grep -c '^\.')" 2 "no temporary left in the folder"
is "$(grep -c 'p=reject' "$T/summary")" 2 "summary: a line per domain"
like "$(cat "$T/summary")" "example.com  pass 99.9%  messages 30000  p=reject: ready" \
	"summary: example.com ready at 99.9%"
like "$(cat "$T/summary")" "example.org  pass 78.7%  messages 15000  p=reject: not ready" \
	"summary: example.org not ready at 78.7%"
like "$(cat "$T/summary")" "! 198.18.7.9 bounce.newsletter-saas.example failing 2500 of 2500" \
	"summary: the failing newsletter source flagged"
is "$(cat "$T/site"/*.html | grep -c '<script')" 0 "no <script in any page (hostile strings escaped)"
ORG="$T/site/domain-2-example.org.html"
like "$(cat "$ORG")" "<td>mail.example.org</td><td>AS64501 Example Org Hosting</td>" \
	"a forward-confirmed rDNS name shown as such"
like "$(cat "$ORG")" "<td>bounce.newsletter-saas.example <span class=\"unconf\"" \
	"an unconfirmed one marked"
is "$(grep -c '<table class="by-asn">\|<table class="by-country">' "$ORG")" 2 \
	"a domain page: the tables by AS and by country"
is "$(cat "$T/site"/*.html "$T/site/style.css" | grep -o 'https\?://[^"]*' | sort -u)" \
	"http://www.w3.org/2000/svg" "no URL in the site but the SVG namespace"
"$TOOL" "$FIX" --out "$T/site" --quiet > "$T/summary2"
is "$?:$(wc -c < "$T/summary2")" "0:0" "a second run replaces the files; --quiet prints nothing"
"$TOOL" "$FIX" --bogus > /dev/null 2>&1
is "$?" 64 "an unknown option is a usage error"
"$TOOL" "$FIX" --out "$T/site/index.html/x" > /dev/null 2> "$T/err"
is "$?" 1 "an outdir that cannot be made fails"

# --- the pages in Chromium --------------------------------------------------
# skip_browser REASON - the browser checks counted as skipped, then the end
skip_browser() {
	_n=$((_n + 1))
	echo "ok $_n - browser checks # SKIP $1"
	done_testing
}
if ! command -v chromium > /dev/null || ! command -v chromedriver > /dev/null; then
	skip_browser "chromium or chromedriver missing (contrib/install-deps.sh test)"
fi
PORT=$(free_port)
chromedriver --port="$PORT" > "$T/driver.log" 2>&1 &
DRIVER=$!
at_exit "kill $DRIVER"
driver_up() { $PY -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/status', timeout=5)"; }
if ! wait_until 60 driver_up; then
	skip_browser "chromedriver did not start"
fi

mkdir -p "$T/control"
cp "$T/site/style.css" "$T/control/"
printf '<!DOCTYPE html><html><head><link rel="stylesheet" href="style.css"></head><body><header>x</header><script>console.error("control")</script><img src="http://127.0.0.1:1/x.png" alt=""><a href="missing.html">m</a></body></html>\n' \
	> "$T/control/bad.html"

S="file://$T/site"
if ! $PY "$srcdir/dash_browser.py" "$PORT" "$T/profile" "$T/overview.png" \
	"$S/index.html" "$S/domain-1-example.com.html" "$S/domain-2-example.org.html" \
	"$S/failures.html" "file://$T/control/bad.html" > "$T/browser" 2> "$T/browser.err"; then
	sed 's/^/# /' "$T/browser.err" | tail -20
	if grep -q "SessionNotCreated\|session not created\|cannot find Chrome\|Chrome failed to start" "$T/browser.err"; then
		skip_browser "chromium cannot start"
	fi
	_report 1 "the browser session ran"
	done_testing
fi
sed 's/^/# /' "$T/browser.err"
good="loaded=1 console=0 external=0 scripts=0 css=1 badlinks=0"
for p in index.html domain-1-example.com.html domain-2-example.org.html failures.html; do
	is "$(sed -n "s/^page $p //p" "$T/browser")" "$good" "$p: loads, no console message, file:// only, no script, styled, links resolve"
done
is "$(sed -n 's/^page bad.html //p' "$T/browser")" \
	"loaded=1 console=2 external=1 scripts=1 css=1 badlinks=1" \
	"control page: its console error, its failed http:// request (a second console error), script and dead link are all seen"
is "$(sed -n 's/^cards //p' "$T/browser")" 2 "overview: one card per domain"
is "$(grep '^verdict ' "$T/browser" | tr '\n' ' ')" \
	"verdict example.com ready verdict example.org notready " \
	"overview: example.com ready, example.org not ready"
ok "overview screenshot is a PNG" $PY -c "import sys; d=open(sys.argv[1],'rb').read(); sys.exit(d[:8] != b'\x89PNG\r\n\x1a\n' or len(d) < 10000)" "$T/overview.png"
done_testing
