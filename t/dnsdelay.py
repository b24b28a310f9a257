#!/usr/bin/python3
"""dnsdelay.py - a UDP DNS proxy on loopback that answers late (t/dns_budget.sh)

usage: dnsdelay.py LISTEN_PORT UPSTREAM_PORT DELAY LABEL [LOG]

Every query is forwarded to 127.0.0.1:UPSTREAM_PORT at once.  The answer
to a query whose name has the label LABEL is held until DELAY seconds after
that name and type were first asked (a query after that starts a new
lookup), then sent: a resolver that retransmits gets every copy answered
at that moment, so each such lookup takes DELAY seconds, no more, however
the resolver times its retries.
Other answers are passed on at once.  With LOG, each query's name and
type ("name. TYPE", lower case, TYPE a number) is appended to that file as
it arrives (t/prefetch.sh).  Runs until killed.
"""
import socket
import sys
import threading
import time

port, upstream, delay, label = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
log = open(sys.argv[5], "a", buffering=1) if len(sys.argv) > 5 else None
lsock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
lsock.bind(("127.0.0.1", port))
first = {}
lock = threading.Lock()


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


def handle(q, addr):
    key = question(q)
    now = time.monotonic()
    with lock:
        if log is not None and key is not None:
            log.write("%s. %d\n" % (".".join(key[0]), int.from_bytes(key[1], "big")))
        t0 = first.get(key)
        if t0 is None or now >= t0 + delay:	# a new lookup, not a retransmission
            t0 = first[key] = now
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.settimeout(5)
    try:
        up.sendto(q, ("127.0.0.1", upstream))
        ans = up.recv(65535)
    except OSError:
        return
    finally:
        up.close()
    if key is not None and label in key[0]:
        wait = t0 + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
    lsock.sendto(ans, addr)


while True:
    data, addr = lsock.recvfrom(65535)
    threading.Thread(target=handle, args=(data, addr), daemon=True).start()
