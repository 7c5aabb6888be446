#!/usr/bin/python3
"""The stock libzmq side of `zinc demo` (pyzmq on libzmq), driven over stdin.

`zinc demo` starts this script once and writes one job per line; the script
answers on stdout. On start it prints "hello PYZMQ_VERSION LIBZMQ_VERSION",
or "nozmq" (and exits 0) when this python has no zmq module. Jobs:

  echo TYPE bind|connect EP N   receive N messages, send each back unchanged
                                (ROUTER: with its envelope, so to the sender)
  ask TYPE bind|connect EP N    send standard message m, receive the reply and
                                check that it equals the request, m < N
  relay IN_EP OUT_EP N          a PULL binds IN_EP, a PUSH connects to OUT_EP,
                                N messages are passed on
  xpub EP N                     an XPUB binds EP, waits for a subscription,
                                then publishes standard messages 0..N-1
  sub EP N                      a SUB connects to EP, subscribes to
                                everything, checks standard messages 0..N-1
  quit

A job that binds first prints "ep ENDPOINT" (the endpoint it got). Every job
ends with one line: "ok DETAIL" or "fail REASON". Every wait is bounded
(RCVTIMEO/SNDTIMEO); the whole script ends after --timeout seconds.

Standard message m (the C side computes the same octets): messages 0..5 are
one frame of 0, 1, 255, 256, 65536 and 1048576 octets; message 6 is three
frames of 7, 100000 and 0 octets. Octet i of frame f of message m is
(i * 131 + m * 7 + f * 3 + 1) % 251.
"""
import signal
import sys

IO_TIMEOUT_MS = 5000
SINGLE_SIZES = [0, 1, 255, 256, 65536, 1 << 20]
MULTI_SIZES = [7, 100000, 0]


def frame_bytes(m, f, n):
    k = (m * 7 + f * 3 + 1) % 251
    period = bytes(((i * 131) + k) % 251 for i in range(251))
    return (period * (n // 251 + 1))[:n]


def message(m):
    if m < len(SINGLE_SIZES):
        return [frame_bytes(m, 0, SINGLE_SIZES[m])]
    return [frame_bytes(m, f, n) for f, n in enumerate(MULTI_SIZES)]


class JobError(Exception):
    pass


def main():
    signal.alarm(int(sys.argv[sys.argv.index("--timeout") + 1]) if "--timeout" in sys.argv else 60)
    try:
        import zmq
    except ImportError:
        print("nozmq", flush=True)
        return 0
    print("hello", zmq.pyzmq_version(), zmq.zmq_version(), flush=True)
    ctx = zmq.Context()

    def make(kind, how=None, ep=None):
        s = ctx.socket(getattr(zmq, kind))
        s.setsockopt(zmq.LINGER, 2000)
        s.setsockopt(zmq.RCVTIMEO, IO_TIMEOUT_MS)
        s.setsockopt(zmq.SNDTIMEO, IO_TIMEOUT_MS)
        if how == "bind":
            s.bind(ep)
            print("ep", s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
        elif how == "connect":
            s.connect(ep)
        return s

    def recv(s, what):
        try:
            return s.recv_multipart()
        except zmq.Again:
            raise JobError("timed out waiting for " + what)

    def check(m, got):
        want = message(m)
        if got != want:
            raise JobError(
                "message %d: got frames of %s octets, want %s"
                % (m, [len(f) for f in got], [len(f) for f in want])
            )

    def job_echo(kind, how, ep, n):
        s = make(kind, how, ep)
        try:
            for i in range(n):
                s.send_multipart(recv(s, "message %d" % i))
        finally:
            s.close()
        return "echoed %d" % n

    def job_ask(kind, how, ep, n):
        s = make(kind, how, ep)
        try:
            for m in range(n):
                s.send_multipart(message(m))
                check(m, recv(s, "reply %d" % m))
        finally:
            s.close()
        return "%d replies checked" % n

    def job_relay(in_ep, out_ep, n):
        pull = make("PULL", "bind", in_ep)
        push = make("PUSH", "connect", out_ep)
        try:
            for i in range(n):
                push.send_multipart(recv(pull, "message %d" % i))
        finally:
            pull.close()
            push.close()
        return "relayed %d" % n

    def job_xpub(ep, n):
        s = make("XPUB", "bind", ep)
        try:
            sub = recv(s, "a subscription")
            if not sub or sub[0][:1] != b"\x01":
                raise JobError("expected a subscription, got %r" % sub[:1])
            for m in range(n):
                s.send_multipart(message(m))
        finally:
            s.close()
        return "subscription seen, %d published" % n

    def job_sub(ep, n):
        s = make("SUB")
        s.setsockopt(zmq.SUBSCRIBE, b"")
        s.connect(ep)
        try:
            for m in range(n):
                check(m, recv(s, "message %d" % m))
        finally:
            s.close()
        return "%d checked" % n

    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        if w[0] == "quit":
            break
        try:
            if w[0] == "echo":
                detail = job_echo(w[1], w[2], w[3], int(w[4]))
            elif w[0] == "ask":
                detail = job_ask(w[1], w[2], w[3], int(w[4]))
            elif w[0] == "relay":
                detail = job_relay(w[1], w[2], int(w[3]))
            elif w[0] == "xpub":
                detail = job_xpub(w[1], int(w[2]))
            elif w[0] == "sub":
                detail = job_sub(w[1], int(w[2]))
            else:
                raise JobError("unknown job %r" % w[0])
            print("ok", detail, flush=True)
        except (JobError, zmq.ZMQError, IndexError, ValueError) as e:
            print("fail", str(e).replace("\n", " "), flush=True)
    ctx.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
