#!/usr/bin/python3
"""A pyzmq (libzmq) pub-sub peer driven line by line, for zinc's interop tests.

Usage:
  pyzmq_pubsub.py TYPE (bind|connect) ENDPOINT [--set=NAME=V ...]

TYPE is PUB, SUB, XPUB or XSUB; each --set=NAME=V is setsockopt(zmq.NAME, V)
before the bind or connect (e.g. --set=CONFLATE=1). The first line on stdout is the endpoint
after a bind (tcp://127.0.0.1:* resolved) or "connected". Then each line on
stdin is one command, answered by one line on stdout:

  send F...        send a message of frames F (hex, "-" for an empty frame)
                   -> "ok" (or "again" when it could not be sent in time)
  recv MS          receive one message, waiting at most MS milliseconds
                   -> "msg F..." or "timeout"
  sub F / unsub F  setsockopt SUBSCRIBE / UNSUBSCRIBE with the octets F
                   -> "ok"
  set NAME V       setsockopt zmq.NAME to the integer V -> "ok"
  burst P N        send N one-frame messages P + "%06d" % i, i = 0..N-1
                   (P in hex), as fast as possible -> "ok" (or "again")
  quit             close and exit 0

An error answers "error TEXT" and exits 1. Every wait is bounded, and a
watchdog ends the process after --timeout seconds (default 60).
"""
import signal
import sys

import zmq


def frames_text(frames):
    return " ".join(f.hex() if f else "-" for f in frames)


def parse_frame(word):
    return b"" if word == "-" else bytes.fromhex(word)


def answer(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    timeout = 60
    for a in sys.argv[1:]:
        if a.startswith("--timeout="):
            timeout = int(a.split("=", 1)[1])
    signal.alarm(timeout)
    if len(args) != 3 or args[1] not in ("bind", "connect"):
        sys.stderr.write(__doc__)
        return 2
    kind, mode, endpoint = args
    ctx = zmq.Context()
    sock = ctx.socket(getattr(zmq, kind))
    sock.linger = 0
    sock.sndtimeo = 5000
    for a in sys.argv[1:]:
        if a.startswith("--set="):
            name, value = a[len("--set="):].split("=", 1)
            sock.setsockopt(getattr(zmq, name), int(value))
    if mode == "bind":
        sock.bind(endpoint)
        answer(sock.last_endpoint.decode())
    else:
        sock.connect(endpoint)
        answer("connected")
    status = 0
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd = words[0]
        try:
            if cmd == "send":
                try:
                    sock.send_multipart([parse_frame(w) for w in words[1:]])
                    answer("ok")
                except zmq.Again:
                    answer("again")
            elif cmd == "burst":
                prefix, count = parse_frame(words[1]), int(words[2])
                try:
                    for i in range(count):
                        sock.send(prefix + b"%06d" % i)
                    answer("ok")
                except zmq.Again:
                    answer("again")
            elif cmd == "recv":
                sock.rcvtimeo = int(words[1])
                try:
                    answer("msg " + frames_text(sock.recv_multipart()))
                except zmq.Again:
                    answer("timeout")
            elif cmd in ("sub", "unsub"):
                opt = zmq.SUBSCRIBE if cmd == "sub" else zmq.UNSUBSCRIBE
                sock.setsockopt(opt, parse_frame(words[1]) if len(words) > 1 else b"")
                answer("ok")
            elif cmd == "set":
                sock.setsockopt(getattr(zmq, words[1]), int(words[2]))
                answer("ok")
            elif cmd == "quit":
                break
            else:
                raise ValueError("unknown command " + cmd)
        except Exception as e:  # report, then stop
            answer("error " + str(e).replace("\n", " "))
            status = 1
            break
    sock.close()
    ctx.term()
    return status


if __name__ == "__main__":
    sys.exit(main())
