#!/usr/bin/python3
"""A stock libzmq peer (pyzmq) for the `zinc cat` tests (tests/cli/cli_test.py).

Usage:
  cli_peer.py TYPE (--bind EP | --connect EP) [--opt NAME=VALUE]... STEP...

With --bind, the endpoint bound is printed first, as "ep ENDPOINT". Options
are set before bind/connect: integers as numbers, anything else as octets
(--opt routing_id=w1, --opt subscribe=weather). STEPs run in order:

  send:TEXT     send TEXT as one message; a TAB separates frames
  big:N         send one frame of N octets ('a'..'z' repeated)
  recv:N        receive N messages; print each on stdout, frames joined by TAB
  echo:N        receive N messages and send each back unchanged (ROUTER: to
                its sender)
  waitsub       receive one message that must be a subscription (XPUB)
  pub:TEXT      PUB/XPUB: send TEXT every 20 ms until stdin is closed
  sleep:MS      wait MS milliseconds

Every wait is bounded (RCVTIMEO/SNDTIMEO = --io-timeout, and an overall
alarm); a failure prints "cli_peer: REASON" on stderr and exits 1.
"""
import argparse
import select
import signal
import sys
import time

import zmq


def big(n):
    alphabet = b"abcdefghijklmnopqrstuvwxyz"
    return (alphabet * (n // 26 + 1))[:n]


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("type")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--bind")
    g.add_argument("--connect")
    p.add_argument("--opt", action="append", default=[])
    p.add_argument("--io-timeout", type=int, default=5000)
    p.add_argument("--timeout", type=int, default=20)
    p.add_argument("steps", nargs="*")
    a = p.parse_intermixed_args(argv)
    signal.alarm(a.timeout)
    ctx = zmq.Context()
    s = ctx.socket(getattr(zmq, a.type.upper()))
    s.setsockopt(zmq.LINGER, 2000)
    s.setsockopt(zmq.RCVTIMEO, a.io_timeout)
    s.setsockopt(zmq.SNDTIMEO, a.io_timeout)
    for o in a.opt:
        name, _, value = o.partition("=")
        opt = getattr(zmq, name.upper())
        try:
            s.setsockopt(opt, int(value))
        except ValueError:
            s.setsockopt(opt, value.encode())
    if a.bind:
        s.bind(a.bind)
        print("ep", s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
    else:
        s.connect(a.connect)
    out = sys.stdout.buffer
    try:
        for step in a.steps:
            name, _, arg = step.partition(":")
            if name == "send":
                s.send_multipart([f.encode() for f in arg.split("\t")])
            elif name == "big":
                s.send(big(int(arg)))
            elif name == "recv":
                for _ in range(int(arg)):
                    out.write(b"\t".join(s.recv_multipart()) + b"\n")
                    out.flush()
            elif name == "echo":
                for _ in range(int(arg)):
                    s.send_multipart(s.recv_multipart())
            elif name == "waitsub":
                m = s.recv()
                if m[:1] != b"\x01":
                    raise RuntimeError("expected a subscription, got %r" % m[:20])
            elif name == "pub":
                while not select.select([sys.stdin], [], [], 0.02)[0]:
                    s.send_multipart([f.encode() for f in arg.split("\t")])
                sys.stdin.read()
            elif name == "sleep":
                time.sleep(int(arg) / 1000)
            else:
                raise RuntimeError("unknown step %r" % step)
    except (zmq.ZMQError, RuntimeError) as e:
        print("cli_peer: %s" % e, file=sys.stderr)
        s.close(linger=0)
        ctx.term()
        return 1
    s.close()
    ctx.term()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
