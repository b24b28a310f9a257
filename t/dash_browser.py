#!/usr/bin/python3
# dash_browser.py - open pages in headless Chromium through chromedriver
# (W3C WebDriver over HTTP, standard library only) and report per page what
# t/dashboard.sh asserts:
#   dash_browser.py DRIVER_PORT PROFILE_DIR SHOT_PNG URL...
# prints, per URL, one line
#   page NAME loaded=0|1 console=N external=N scripts=N css=0|1 badlinks=N
# (console: browser log entries of level WARNING or SEVERE; external:
# requests to anything but file:// made by the page; scripts: <script> elements; css: the
# style sheet applied; badlinks: relative links to files that do not
# exist), then for the first URL (the overview)
#   cards N
#   verdict DOMAIN VERDICT     (one per card)
# and a screenshot of the first URL in SHOT_PNG.  Messages go to stderr.
import base64, json, os, sys, urllib.parse, urllib.request

port, profile, shot = sys.argv[1:4]
urls = sys.argv[4:]
base = "http://127.0.0.1:%s" % port


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read().decode())["value"]


args = ["--headless=new", "--disable-gpu", "--user-data-dir=" + profile,
        "--window-size=1200,900", "--no-first-run", "--disable-extensions"]
if os.geteuid() == 0:
    args.append("--no-sandbox")
caps = {"capabilities": {"alwaysMatch": {
    "browserName": "chrome",
    "goog:chromeOptions": {"args": args, "binary": "/usr/bin/chromium"},
    "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"}}}}
sid = call("POST", "/session", caps)["sessionId"]
S = "/session/" + sid


def js(script):
    return call("POST", S + "/execute/sync", {"script": script, "args": []})


def logs(kind):
    return call("POST", S + "/se/log", {"type": kind})


CHECK = """
var a = [], links = document.querySelectorAll('a[href]');
for (var i = 0; i < links.length; i++) a.push(links[i].getAttribute('href'));
var h = document.querySelector('header');
return {ready: document.readyState, scripts: document.scripts.length, links: a,
        css: h ? getComputedStyle(h).backgroundColor : '',
        cards: Array.prototype.map.call(document.querySelectorAll('section.card'),
            function (c) { return [c.querySelector('h2').textContent,
                                   c.getAttribute('data-verdict')]; })};
"""

try:
    for n, url in enumerate(urls):
        logs("browser")
        logs("performance")
        call("POST", S + "/url", {"url": url})
        r = js(CHECK)
        console = [e for e in logs("browser") if e["level"] in ("WARNING", "SEVERE")]
        external = []
        for e in logs("performance"):
            m = json.loads(e["message"])["message"]
            # requests made by our file:// documents (the browser's own
            # chrome:// pages load resources too: not ours)
            if m["method"] == "Network.requestWillBeSent" and \
                    m["params"].get("documentURL", "").startswith("file://"):
                u = m["params"]["request"]["url"]
                if not u.startswith("file://"):
                    external.append(u)
        for e in console:
            print("console:", url, e["message"], file=sys.stderr)
        for u in external:
            print("external:", url, u, file=sys.stderr)
        here = os.path.dirname(urllib.parse.urlparse(url).path)
        bad = [l for l in r["links"] if "://" in l or
               not os.path.exists(os.path.join(here, l.split("#")[0]))]
        for l in bad:
            print("bad link:", url, l, file=sys.stderr)
        print("page %s loaded=%d console=%d external=%d scripts=%d css=%d badlinks=%d" % (
            os.path.basename(url), r["ready"] == "complete", len(console), len(external),
            r["scripts"], r["css"] == "rgb(36, 54, 75)", len(bad)))
        if n == 0:
            print("cards %d" % len(r["cards"]))
            for name, verdict in r["cards"]:
                print("verdict %s %s" % (name, verdict))
            png = call("GET", S + "/screenshot")
            with open(shot, "wb") as f:
                f.write(base64.b64decode(png))
finally:
    call("DELETE", S)
