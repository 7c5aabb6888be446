#!/usr/bin/python3
"""A real ZeroMQ peer (pyzmq on libzmq) for zinc's interop tests.

Usage:
  pyzmq_peer.py TYPE (--bind EP | --connect EP) [options] STEP...

TYPE is DEALER, ROUTER, PUSH, PULL, REQ, REP, PAIR, PUB or SUB (which
subscribes to everything). With --bind, the actual
endpoint (useful with tcp://127.0.0.1:*) is printed as the first line on
stdout. STEPs run in order:

  send      send the standard message set (REQ: each one is a round trip and
            the reply must equal the request; ROUTER: addressed to the routing
            id of the last message received, or --to)
  recv      receive the standard set and verify it (ROUTER: the envelope must
            be --expect-id when given)
  echo:N    receive N messages and send each back unchanged (ROUTER: with its
            envelope, so it goes back to the sender)
  sleep:MS  do nothing for MS milliseconds (libzmq keeps heartbeating)
  sync      SUB: receive until a probe message arrives (the subscription is
            in place), print "synced" on stdout, then drop messages up to
            and including the end marker (the publisher sends it on seeing
            "synced")
  probe     PUB: send a probe message every 10 ms until a line arrives on
            stdin (the subscriber saw a probe), then the end marker
            Probe: ff 'PROBE' ff; end marker: ff 'END' ff (single frames).

With --wait-close the peer, after its steps, waits for the other side to
close the connection before it closes its own socket. A side that sent last
must do so: closing a TCP socket that still holds unread input (heartbeats)
sends a reset, and the reset discards whatever is still unsent.

The standard set has 10 messages: single frames of 0, 1, 255, 256 and 1 MiB
octets, then the same sizes as 3-frame messages. Frame f of message m holds
((i % 251) * 131 + (m * 7 + f * 3 + 1)) % 251 at offset i; the C test computes
the same octets.

Exit status 0 on success; otherwise a message on stderr and a non-zero status.
Every wait is bounded (RCVTIMEO/SNDTIMEO, and an overall --timeout watchdog).
"""
import argparse
import faulthandler
import select
import signal
import sys
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

SIZES = [0, 1, 255, 256, 1 << 20]
MULTI_FRAMES = 3


def frame_bytes(m, f, n):
    k = (m * 7 + f * 3 + 1) % 251
    period = bytes(((i * 131) + k) % 251 for i in range(251))
    return (period * (n // 251 + 1))[:n]


def message(m):
    size = SIZES[m % len(SIZES)]
    nframes = 1 if m < len(SIZES) else MULTI_FRAMES
    return [frame_bytes(m, f, size) for f in range(nframes)]


MESSAGE_COUNT = 2 * len(SIZES)
PROBE = b"\xffPROBE\xff"
PROBE_END = b"\xffEND\xff"


class PeerError(Exception):
    pass


def describe(frames):
    return "[" + ", ".join(str(len(f)) for f in frames) + "]"


def check_message(m, frames):
    want = message(m)
    if len(frames) != len(want):
        raise PeerError(
            "message %d: got %d frames %s, want %d %s"
            % (m, len(frames), describe(frames), len(want), describe(want))
        )
    for f, (got, exp) in enumerate(zip(frames, want)):
        if got != exp:
            raise PeerError(
                "message %d frame %d: %d octets differ from the expected %d"
                % (m, f, len(got), len(exp))
            )


class Peer:
    def __init__(self, args):
        self.args = args
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(getattr(zmq, args.type))
        self.kind = args.type
        self.last_envelope = None
        self.checked_meta = False
        s = self.sock
        s.setsockopt(zmq.LINGER, 5000)
        s.setsockopt(zmq.RCVTIMEO, args.io_timeout)
        s.setsockopt(zmq.SNDTIMEO, args.io_timeout)
        if args.hb_ivl:
            s.setsockopt(zmq.HEARTBEAT_IVL, args.hb_ivl)
            s.setsockopt(zmq.HEARTBEAT_TTL, args.hb_ttl)
            s.setsockopt(zmq.HEARTBEAT_TIMEOUT, args.hb_timeout)
        if args.routing_id is not None:
            s.setsockopt(zmq.ROUTING_ID, args.routing_id.encode())
        if self.kind == "ROUTER":
            s.setsockopt(zmq.ROUTER_MANDATORY, 1)
        if self.kind == "SUB":
            s.setsockopt(zmq.SUBSCRIBE, b"")
        self.monitor = None
        if args.wait_close:
            self.monitor = s.get_monitor_socket(zmq.EVENT_DISCONNECTED)
            self.monitor.setsockopt(zmq.RCVTIMEO, args.io_timeout)
        if args.bind:
            s.bind(args.bind)
            print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
        else:
            s.connect(args.connect)

    def close(self):
        if self.monitor is not None:
            self.sock.disable_monitor()
            self.monitor.close(linger=0)
        self.sock.close()
        self.ctx.term()

    # -- framing helpers ---------------------------------------------------
    def recv_raw(self, what):
        try:
            frames = self.sock.recv_multipart(copy=False)
        except zmq.Again:
            raise PeerError("timed out waiting for %s" % what)
        self.check_meta(frames[-1])
        return [f.bytes for f in frames]

    def check_meta(self, frame):
        # zinc's READY metadata, as libzmq hands it to the application.
        want = self.args.expect_peer_type
        if self.checked_meta or not want:
            return
        got = frame.get("Socket-Type")
        if got != want:
            raise PeerError("peer Socket-Type %r, want %r" % (got, want))
        self.checked_meta = True

    def split(self, frames):
        """Separates a ROUTER's envelope from the body."""
        if self.kind != "ROUTER":
            return [], frames
        if not frames:
            raise PeerError("empty message")
        env, body = frames[:1], frames[1:]
        want = self.args.expect_id
        if want is not None and env[0] != want.encode():
            raise PeerError("envelope %r, want routing id %r" % (env[0], want))
        self.last_envelope = env
        return env, body

    def send_raw(self, frames):
        for attempt in range(200):
            try:
                self.sock.send_multipart(frames)
                return
            except zmq.ZMQError as e:
                # ROUTER_MANDATORY: the peer may not be attached yet.
                if e.errno == zmq.EHOSTUNREACH and attempt < 199:
                    time.sleep(0.01)
                    continue
                if e.errno == zmq.EAGAIN:
                    raise PeerError("timed out sending")
                raise

    # -- steps ---------------------------------------------------------------
    def step_send(self):
        for m in range(MESSAGE_COUNT):
            body = message(m)
            if self.kind == "ROUTER":
                if self.args.to is not None:
                    env = [self.args.to.encode()]
                elif self.last_envelope is not None:
                    env = self.last_envelope
                else:
                    raise PeerError("ROUTER send: no routing id known (use --to)")
                self.send_raw(env + body)
            else:
                self.send_raw(body)
            if self.kind == "REQ":
                check_message(m, self.recv_raw("reply %d" % m))

    def step_recv(self):
        for m in range(MESSAGE_COUNT):
            _, body = self.split(self.recv_raw("message %d" % m))
            check_message(m, body)

    def step_echo(self, n):
        for i in range(n):
            frames = self.recv_raw("message %d to echo" % i)
            self.split(frames)
            self.send_raw(frames)

    def step_sync(self):
        while self.recv_raw("a probe") != [PROBE]:
            pass
        print("synced", flush=True)
        while self.recv_raw("the end marker") != [PROBE_END]:
            pass

    def step_probe(self):
        deadline = time.monotonic() + self.args.io_timeout / 1000.0
        while not select.select([sys.stdin], [], [], 0.01)[0]:
            if time.monotonic() > deadline:
                raise PeerError("timed out waiting for the subscriber")
            self.sock.send(PROBE)
        sys.stdin.readline()
        self.send_raw([PROBE_END])

    def run(self, steps):
        for step in steps:
            name, _, arg = step.partition(":")
            if name == "send":
                self.step_send()
            elif name == "recv":
                self.step_recv()
            elif name == "echo":
                self.step_echo(int(arg))
            elif name == "sleep":
                time.sleep(int(arg) / 1000.0)
            elif name == "sync":
                self.step_sync()
            elif name == "probe":
                self.step_probe()
            else:
                raise PeerError("unknown step %r" % step)
        if self.monitor is not None:
            try:
                recv_monitor_message(self.monitor)
            except zmq.Again:
                raise PeerError("timed out waiting for the other side to close")


def parse_args(argv):
    p = argparse.ArgumentParser(description="pyzmq peer for zinc interop tests")
    p.add_argument("type", choices=["DEALER", "ROUTER", "PUSH", "PULL", "REQ", "REP", "PAIR",
                                    "PUB", "SUB"])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--bind", metavar="EP")
    g.add_argument("--connect", metavar="EP")
    p.add_argument("--routing-id", help="ZMQ_ROUTING_ID (sent as Identity)")
    p.add_argument("--to", help="ROUTER: routing id to send to")
    p.add_argument("--expect-id", help="ROUTER: routing id the envelope must carry")
    p.add_argument("--expect-peer-type", help="Socket-Type the peer must announce")
    p.add_argument("--hb-ivl", type=int, default=0, help="ZMQ_HEARTBEAT_IVL (ms), 0: off")
    p.add_argument("--hb-ttl", type=int, default=1000, help="ZMQ_HEARTBEAT_TTL (ms)")
    p.add_argument("--hb-timeout", type=int, default=300, help="ZMQ_HEARTBEAT_TIMEOUT (ms)")
    p.add_argument("--io-timeout", type=int, default=10000, help="RCVTIMEO/SNDTIMEO (ms)")
    p.add_argument("--wait-close", action="store_true",
                   help="after the steps, wait for the other side to disconnect")
    p.add_argument("--timeout", type=float, default=30.0, help="overall limit (s)")
    p.add_argument("steps", nargs="*")
    return p.parse_intermixed_args(argv)


def main(argv):
    args = parse_args(argv)
    # Watchdog: even if libzmq blocks somewhere, the process ends.
    faulthandler.dump_traceback_later(args.timeout, exit=True)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(int(args.timeout) + 5)
    peer = Peer(args)
    try:
        peer.run(args.steps)
    except PeerError as e:
        print("pyzmq_peer %s: %s" % (args.type, e), file=sys.stderr)
        peer.sock.setsockopt(zmq.LINGER, 0)
        peer.close()
        return 1
    peer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
