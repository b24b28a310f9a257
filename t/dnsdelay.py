#!/usr/bin/python3
"""dnsdelay.py - a UDP DNS proxy on loopback that answers late (t/dns_budget.sh,
t/prefetch.sh, t/bench/bench.sh dnslat)

usage: dnsdelay.py LISTEN_PORT UPSTREAM_PORT DELAY LABEL [LISTEN_ADDR [LOG]]

Every query is forwarded to 127.0.0.1:UPSTREAM_PORT at once.  The answer
to a query whose name has the label LABEL is held until DELAY seconds after
that name and type were first asked (a query after that starts a new
lookup), then sent: a resolver that retransmits gets every copy answered
at that moment, so each such lookup takes DELAY seconds, no more, however
the resolver times its retries.
Other answers are passed on at once.  LABEL "*" delays every answer.
LISTEN_ADDR (default 127.0.0.1; a loopback address) is where it listens;
LOG, when given, gets one line per query received ("SECONDS NAME TYPE
new", or "again" for a retransmission; SECONDS on the monotonic clock),
so that a benchmark can count the lookups and see when each began.
One thread, one event loop: any number of queries may be in flight at
once, and each answer leaves when its time comes (no thread to start or
schedule per query).  Runs until killed.
"""
import heapq
import select
import socket
import sys
import time

port, upstream, delay, label = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
listen = sys.argv[5] if len(sys.argv) > 5 else "127.0.0.1"
if not listen.startswith("127."):
    raise SystemExit("dnsdelay.py: loopback addresses only")
logf = open(sys.argv[6], "a", buffering=1) if len(sys.argv) > 6 else None
lsock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
lsock.bind((listen, port))
first = {}      # (labels, type) -> when that lookup began
upq = {}        # upstream socket -> (client address, key, t0, when sent)
due = []        # heap of (send time, sequence, answer, client address)
seq = 0


def question(q):
    """(labels, type) of the first question, None when malformed"""
    i, labels = 12, []
    while i < len(q) and q[i] != 0:
        n = q[i]
        labels.append(q[i + 1:i + 1 + n].decode("ascii", "replace").lower())
        i += 1 + n
    if i + 3 > len(q):
        return None
    return tuple(labels), q[i + 1:i + 3]


def query(q, addr):
    """a client's query: note when its lookup began, forward it at once"""
    key = question(q)
    now = time.monotonic()
    t0 = first.get(key)
    new = t0 is None or now >= t0 + delay	# a new lookup, not a retransmission
    if new:
        t0 = first[key] = now
    if logf is not None and key is not None:
        logf.write("%.6f %s %d %s\n" % (now, ".".join(key[0]), int.from_bytes(key[1], "big"),
                                         "new" if new else "again"))
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.setblocking(False)
    try:
        up.sendto(q, ("127.0.0.1", upstream))
    except OSError:
        up.close()
        return
    upq[up] = (addr, key, t0, now)


def answer(up):
    """upstream's answer: due now, or when its lookup's delay is over"""
    global seq
    addr, key, t0, _ = upq.pop(up)
    try:
        ans = up.recv(65535)
    except OSError:
        return
    finally:
        up.close()
    when = time.monotonic()
    if key is not None and (label == "*" or label in key[0]):
        when = max(when, t0 + delay)
    seq += 1
    heapq.heappush(due, (when, seq, ans, addr))


while True:
    now = time.monotonic()
    while due and due[0][0] <= now:
        _, _, ans, addr = heapq.heappop(due)
        lsock.sendto(ans, addr)
    for up in [u for u, v in upq.items() if now - v[3] > 5]:	# upstream lost it
        upq.pop(up)
        up.close()
    timeout = max(0.0, due[0][0] - now) if due else 1.0
    ready, _, _ = select.select([lsock] + list(upq), [], [], min(timeout, 1.0))
    for r in ready:
        if r is lsock:
            data, addr = lsock.recvfrom(65535)
            query(data, addr)
        else:
            answer(r)
