#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

Stdlib only. The vectors are those of ../shared/ZMTP-NOTES.md (NULL greetings
for 3.0 and 3.1, the 43-octet DEALER READY, frames of 255 and 256 octets,
PING/PONG/SUBSCRIBE, 2.0 and 1.0 greetings) plus whole peer byte streams
(greeting, READY, a few messages) for the engine targets. Each file starts
with the control octets its harness reads (see the comment at the top of
fuzz/fuzz_<target>.c); the engine header layout is in fuzz/fuzz_engine.h.

Usage: /usr/bin/python3 tools/fuzz_seeds.py [corpus-dir]   (default fuzz/corpus)
Existing seed files (named seed-*) are replaced; other files are left alone.
"""
import os
import struct
import sys

# libzmq's socket-type numbers (include/zinc.h).
PAIR, PUB, SUB, REQ, REP, DEALER, ROUTER, PULL, PUSH, XPUB, XSUB = range(11)
STREAM, SERVER, CLIENT, RADIO, DISH, GATHER, SCATTER, DGRAM, PEER, CHANNEL = range(11, 21)
NAMES = ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB",
         "XSUB", "STREAM", "SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "DGRAM",
         "PEER", "CHANNEL"]
SENDS_IDENTITY = {REQ, DEALER, ROUTER}


# ---- wire encoders (RFC 23 / RFC 37) ---------------------------------------

def greeting(mech=b"NULL", as_server=False, major=3, minor=1, pad8=1):
    g = b"\xff" + b"\x00" * 7 + bytes([pad8]) + b"\x7f" + bytes([major, minor])
    g += mech.ljust(20, b"\x00") + bytes([1 if as_server else 0]) + b"\x00" * 31
    assert len(g) == 64
    return g


def greeting_v20(socket_type):
    # 10-octet signature, revision 1, socket type; then the identity frame.
    return b"\xff" + b"\x00" * 7 + b"\x01" + b"\x7f" + b"\x01" + bytes([socket_type]) + b"\x00\x00"


GREETING_V10 = b"\x01\x00"  # length 1 (flags only), flags 0: anonymous identity


def signature(identity_len=0):
    # As libzmq sends it: the padding is identity length + 1 (ZMTP-NOTES.md).
    return b"\xff" + struct.pack(">Q", identity_len + 1) + b"\x7f"


def v20_peer(socket_type, identity=b"", revision=1):
    # RFC 15: signature, revision, socket type, then the identity frame (2.0
    # framing; revision 0 means 1.0 framing after the same 12 octets).
    ident = frame(identity) if revision == 1 else v1_frame(identity)
    return signature(len(identity)) + bytes([revision, socket_type]) + ident


def v1_frame(body, more=False):
    # RFC 13: length counting the flags octet (0xFF + 8 octets from 255 on),
    # flags (MORE = 1), body.
    n = len(body) + 1
    head = bytes([n]) if n < 255 else b"\xff" + struct.pack(">Q", n)
    return head + bytes([1 if more else 0]) + body


def v1_message(*parts):
    return b"".join(v1_frame(p, more=i + 1 < len(parts)) for i, p in enumerate(parts))


def frame(body, more=False, command=False, force_long=False):
    flags = (1 if more else 0) | (4 if command else 0)
    if len(body) > 255 or force_long:
        return bytes([flags | 2]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body


def command_body(name, data=b""):
    return bytes([len(name)]) + name + data


def command(name, data=b""):
    return frame(command_body(name, data), command=True)


def metadata(props):
    out = b""
    for name, value in props:
        out += bytes([len(name)]) + name + struct.pack(">I", len(value)) + value
    return out


def ready_meta(socket_type, identity=b"", extra=()):
    props = [(b"Socket-Type", NAMES[socket_type].encode())]
    if socket_type in SENDS_IDENTITY:
        props.append((b"Identity", identity))
    props.extend(extra)
    return metadata(props)


def ready(socket_type, identity=b"", extra=()):
    return command(b"READY", ready_meta(socket_type, identity, extra))


def ping(ttl_ds=0, ctx=b""):
    return command(b"PING", struct.pack(">H", ttl_ds) + ctx)


def pong(ctx=b""):
    return command(b"PONG", ctx)


def error(reason):
    return command(b"ERROR", bytes([len(reason)]) + reason)


def message(*parts):
    out = b""
    for i, p in enumerate(parts):
        out += frame(p, more=i + 1 < len(parts))
    return out


# The worked example of ZMTP-NOTES.md, byte for byte.
DEALER_READY = (b"\x04\x29\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER"
                b"\x08Identity\x00\x00\x00\x00")
assert ready(DEALER) == DEALER_READY and len(DEALER_READY) == 43

F255 = bytes(i & 0xFF for i in range(255))
F256 = bytes((i * 7) & 0xFF for i in range(256))


# ---- per-target seeds --------------------------------------------------------

def greeting_seeds():
    streams = {
        "null31-client": greeting(),
        "null31-server": greeting(as_server=True),
        "null30": greeting(minor=0),
        "null30-libzmq-pad": greeting(minor=0, pad8=6),
        "plain31": greeting(b"PLAIN"),
        "curve31-server": greeting(b"CURVE", as_server=True),
        "major4": greeting(major=4, minor=0),
        "mech-full20": greeting(b"ABCDEFGHIJKLMNOPQRST"),
        "mech-nonprint": greeting(b"NU\x01L"),
        "v20": greeting_v20(DEALER),
        "v10": GREETING_V10 + b"\x06\x00hello",
        "sig-bit0-clear": greeting()[:9] + b"\x7e" + greeting()[10:],
        "major0": greeting(major=0),
        "v10-long-identity": v1_frame(b"L" * 254),
        "v10-rev0": v20_peer(PUSH, revision=0),
        "truncated11": greeting()[:11],
        "then-ready": greeting() + DEALER_READY,
    }
    seeds = {}
    for name, data in streams.items():
        for split in (0, 1, 10, 11, 12, 63, 200):
            seeds["%s-split%d" % (name, split)] = bytes([split]) + data
    return seeds


def decoder_seeds():
    # Header: [maxmsgsize selector | commands_only<<7][chunking][window odds]
    # selector 0..63 is the size itself; 64+i is table[i] in fuzz_decoder.c:
    # -1, 255, 256, 257, 1000, 8191, 8192, 65535, 65536, 65537, 1 MiB, 1 MiB+1
    MAX_1M, MAX_255, MAX_256, MAX_NONE = 64 + 10, 64 + 1, 64 + 2, 64 + 0
    streams = {
        "f255": frame(F255),
        "f256": frame(F256),
        "empty": frame(b""),
        "multipart": message(b"", b"hello", b"world"),
        "dealer-ready": DEALER_READY,
        "ping-pong": ping(100, b"ctx") + pong(b"ctx"),
        "subscribe-cancel": command(b"SUBSCRIBE", b"topic") + command(b"CANCEL", b"topic"),
        "error": error(b"400"),
        "long-command": frame(command_body(b"READY", ready_meta(ROUTER, b"x" * 300)), command=True),
        "long-small": frame(b"abc", force_long=True),
        "reserved-bit": b"\x08\x01x",
        "command-more": b"\x05\x05\x04PING",
        "size-huge": b"\x02" + struct.pack(">Q", 1 << 63),
        "size-2^40": b"\x02" + struct.pack(">Q", 1 << 40),
        "mixed": ready(PUSH) + message(b"a" * 300, b"b") + ping(0) + frame(F255, more=True) +
                 frame(F256),
    }
    headers = {
        "1m-whole": (MAX_1M, 0x00, 0x00),
        "1m-bytewise": (MAX_1M, 0x01, 0x00),
        "1m-fixed7-win": (MAX_1M, 0x19, 0x0F),
        "1m-rand-win": (MAX_1M, 0xFE, 0x08),
        "1m-big-win": (MAX_1M, 0x03, 0x0C),
        "max255": (MAX_255, 0x02 | (3 << 2), 0x04),
        "max256": (MAX_256, 0x02 | (15 << 2), 0x0A),
        "max3": (3, 0x02, 0x00),
        "max0-cmds": (0x80, 0x03, 0x06),
        "none-cmds": (MAX_NONE, 0x02 | (5 << 2), 0x0F),
    }
    seeds = {}
    for sname, data in streams.items():
        for hname, h in headers.items():
            if sname in ("f255", "f256", "mixed", "dealer-ready", "multipart", "ping-pong") or \
                    hname in ("1m-rand-win", "max255"):
                seeds["%s-%s" % (sname, hname)] = bytes(h) + data
    # 2.0 (header [2] bits 4-5 = 1) and 1.0 (= 2) framing.
    v2 = message(b"", b"hello", b"world") + frame(F255) + frame(F256, more=True) + frame(b"")
    v1 = v1_message(b"", b"hello") + v1_frame(F255[:253]) + v1_frame(F255[:254], more=True) + \
        v1_frame(F256) + v1_frame(b"")
    for hname, (m, c, w) in headers.items():
        if hname in ("1m-whole", "1m-bytewise", "1m-rand-win", "max255", "max3"):
            seeds["v20-%s" % hname] = bytes([m & 0x7F, c, (w & 0x0F) | 0x10]) + v2
            seeds["v10-%s" % hname] = bytes([m & 0x7F, c, (w & 0x0F) | 0x20]) + v1
    seeds["v10-length0-1m-whole"] = bytes([MAX_1M, 0, 0x20]) + b"\x00\x00"
    seeds["v10-long-length0-1m-whole"] = bytes([MAX_1M, 0, 0x20]) + b"\xff" + bytes(9)
    seeds["v10-huge-1m-whole"] = bytes([MAX_1M, 0, 0x20]) + b"\xff" * 9 + b"\x00"
    seeds["v20-command-bit-1m-whole"] = bytes([MAX_1M, 0, 0x10]) + command(b"PING", b"\x00\x00")
    return seeds


def command_seeds():
    bodies = {
        "dealer-ready": DEALER_READY[2:],
        "router-ready": command_body(b"READY", ready_meta(ROUTER, b"peer-1")),
        "ready-x-props": command_body(b"READY", ready_meta(PUB, extra=[(b"X-Foo", b"bar")])),
        "ping-ttl-ctx": command_body(b"PING", struct.pack(">H", 300) + b"0123456789abcdef"),
        "ping-no-ctx": command_body(b"PING", b"\x00\x00"),
        "ping-ctx17": command_body(b"PING", b"\x00\x01" + b"x" * 17),
        "ping-short": command_body(b"PING", b"\x01"),
        "pong": command_body(b"PONG", b"ctx"),
        "subscribe": command_body(b"SUBSCRIBE", b"weather"),
        "subscribe-empty": command_body(b"SUBSCRIBE"),
        "cancel": command_body(b"CANCEL", b"weather"),
        "error-400": command_body(b"ERROR", b"\x03400"),
        "error-trailing": command_body(b"ERROR", b"\x03400x"),
        "error-short": command_body(b"ERROR", b"\x05ab"),
        "hello": command_body(b"HELLO", b"\x05admin\x06secret"),
        "join": command_body(b"JOIN", b"group"),
        "unknown": command_body(b"FOOBAR", b"data"),
        "empty-name": b"\x00rest",
        "name-past-end": b"\x09READY",
        "long-body": command_body(b"MESSAGE", bytes(range(256)) * 2),
    }
    return {k: v for k, v in bodies.items()}


def metadata_seeds():
    return {
        "dealer": ready_meta(DEALER),
        "router-identity": ready_meta(ROUTER, b"\x00\x01binary-id"),
        "pub-x": ready_meta(PUB, extra=[(b"X-Foo", b"bar"), (b"X-Empty", b""),
                                        (b"User-Id", b"alice")]),
        "empty": b"",
        "value-256": metadata([(b"X-Big", bytes(range(256)))]),
        "name-255": metadata([(b"N" * 255, b"v")]),
        "name-chars": metadata([(b"a-b_c.d+e9", b"v")]),
        "dup-case": metadata([(b"Identity", b""), (b"IDENTITY", b"x")]),
        "bad-char": metadata([(b"Socket Type", b"PUB")]),
        "empty-name": b"\x00\x00\x00\x00\x00",
        "trailing": ready_meta(PUSH) + b"\x01",
        "value-past-end": b"\x01a\x00\x00\x01\x00xyz",
        "nul-value": metadata([(b"X-Nul", b"a\x00b")]),
    }


# Compatible (ours, peer's) pairs of RFC 37 / ZMTP-NOTES.md.
PAIRS = [(DEALER, ROUTER), (ROUTER, DEALER), (REQ, REP), (REP, REQ), (PUSH, PULL),
         (PULL, PUSH), (PAIR, PAIR), (SUB, PUB), (PUB, SUB), (XPUB, XSUB), (XSUB, XPUB),
         (DEALER, DEALER), (ROUTER, ROUTER), (REQ, ROUTER), (REP, DEALER), (CLIENT, SERVER),
         (SERVER, CLIENT), (RADIO, DISH), (DISH, RADIO), (GATHER, SCATTER), (PEER, PEER),
         (CHANNEL, CHANNEL)]


def peer_traffic(ours, peer):
    """What a peer of type `peer` plausibly sends after its READY."""
    if peer in (REQ,):
        return message(b"", b"hello") + message(b"", F256)
    if peer in (REP, ROUTER) and ours == REQ:
        return message(b"", b"world")
    if peer in (SUB, XSUB):
        return command(b"SUBSCRIBE", b"") + command(b"SUBSCRIBE", b"weather") + \
            command(b"CANCEL", b"weather") + ping(10, b"p1")
    if peer in (PUB, XPUB):
        return message(b"weather", b"sunny") + frame(F255) + ping(30)
    return message(b"id", b"", b"payload") + frame(F255) + frame(F256) + ping(50, b"ctx") + \
        pong(b"") + frame(b"tail")


def engine_seeds(as_server):
    peer_is_server = not as_server
    seeds = {}
    # Header: type, options, seed x4, schedule (see fuzz_engine.h).
    variants = [
        ("plain", 0x0C | 0x80, 0x03),           # 1 MiB, no limits, whole chunks
        ("hb10", 0x0C | 0x03, 0x1D),             # 1 MiB, fast heartbeats, refusals
        ("hb50-zc", 0x0C | 0x02 | 0x40 | 0x20, 0x65),  # zero-copy batch, X- props
        ("bytes-rid", 0x08 | 0x01 | 0x10, 0xC0),   # 8 KiB, 1-byte chunks, routing id
    ]
    for i, (ours, peer) in enumerate(PAIRS):
        stream = greeting(as_server=peer_is_server) + ready(peer, b"peer" if i % 2 else b"") + \
            peer_traffic(ours, peer)
        for vname, opts, sched in variants:
            if vname != "plain" and i % 3 != len(vname) % 3:
                continue
            hdr = bytes([ours, opts, 0x12, 0x34, i, len(vname), sched])
            seeds["%s-%s-%s" % (NAMES[ours].lower(), NAMES[peer].lower(), vname)] = hdr + stream
    # ZMTP 3.0 peers: subscriptions travel as messages, no heartbeats.
    seeds["sub-pub-zmtp30"] = bytes([SUB, 0x0F, 1, 2, 3, 4, 0x01]) + \
        greeting(minor=0, as_server=peer_is_server) + ready(PUB) + message(b"topic", b"x")
    seeds["xpub-sub-zmtp30"] = bytes([XPUB, 0x0D, 1, 2, 3, 5, 0x02]) + \
        greeting(minor=0, as_server=peer_is_server) + ready(SUB) + message(b"\x01topic") + \
        message(b"\x00topic")
    # ZMTP 2.0 peers (RFC 15): identity frame, then messages in 2.0 framing
    # (subscriptions as 0x01/0x00 messages); and 1.0 peers (RFC 13), without
    # a greeting or with revision 0, in 1.0 framing.
    legacy = [(DEALER, ROUTER), (ROUTER, DEALER), (PUSH, PULL), (PULL, PUSH), (PUB, SUB),
              (SUB, PUB), (REQ, REP), (REP, REQ), (XPUB, XSUB), (PAIR, PAIR)]
    for j, (ours, peer) in enumerate(legacy):
        ident = b"peer-%d" % j if j % 2 else b""
        if peer in (SUB, XSUB):
            traffic = [[b"\x01topic"], [b"\x01"], [b"\x00topic"]]
        elif peer == REQ:
            traffic = [[b"", b"hello"], [b"", F256]]
        elif peer in (REP, ROUTER) and ours == REQ:
            traffic = [[b"", b"world"]]
        else:
            traffic = [[b"id", b"", b"payload"], [F255], [F256], [b"tail"]]
        hdr = bytes([ours, 0x0C | 0x10 * (j % 2) | 0x03 * (j % 3 == 0), 7, 7, j, 1, 0x01 + j % 4])
        v2 = v20_peer(peer, ident) + b"".join(message(*m) for m in traffic)
        v1 = v1_frame(ident) + b"".join(v1_message(*m) for m in traffic)
        v1r0 = v20_peer(peer, ident, revision=0) + b"".join(v1_message(*m) for m in traffic)
        name = "%s-%s" % (NAMES[ours].lower(), NAMES[peer].lower())
        seeds[name + "-zmtp20"] = hdr + v2
        seeds[name + "-zmtp10"] = hdr + v1
        seeds[name + "-zmtp10-rev0"] = hdr + v1r0
        seeds[name + "-zmtp20-bytes"] = bytes([ours, 0x0C | 0x10, 3, 1, j, 2, 0xC0]) + v2
        seeds[name + "-zmtp10-bytes"] = bytes([ours, 0x0C | 0x10, 3, 1, j, 3, 0xC0]) + v1
    # A 1.0 identity of 254 octets or more: the first octet is 0xFF, so the
    # version shows only at octet 9 (flags, bit 0 clear).
    seeds["router-dealer-zmtp10-long-identity"] = bytes([ROUTER, 0x0C, 5, 5, 5, 5, 0x01]) + \
        v1_frame(b"L" * 254) + v1_message(b"", b"x" * 300)
    seeds["pub-sub-zmtp10-phantom"] = bytes([PUB, 0x0C, 5, 5, 5, 6, 0x00]) + v1_frame(b"")
    # The older peers' failures: each must end in exactly one error.
    legacy_fails = {
        "zmtp20-identity-300": v20_peer(ROUTER)[:12] + frame(b"i" * 300),
        "zmtp10-identity-300": v1_frame(b"i" * 300),
        "zmtp10-length-0": b"\x00\x00",
        "zmtp10-long-length-0": b"\xff" + b"\x00" * 8 + b"\x00",
        "zmtp10-length-huge": v1_frame(b"") + b"\xff" + struct.pack(">Q", 1 << 62) + b"\x00",
        "zmtp20-command-bit": v20_peer(ROUTER) + command(b"PING", b"\x00\x00"),
        "zmtp20-reserved-bit": v20_peer(ROUTER) + b"\x10\x01x",
        "zmtp20-incompatible": v20_peer(PUB) + message(b"x"),
        "zmtp20-unknown-type": v20_peer(77) + message(b"x"),
        "zmtp20-truncated": v20_peer(ROUTER)[:11],
        "zmtp10-truncated": v1_frame(b"abc")[:3],
        "zmtp20-too-big": v20_peer(ROUTER) + frame(b"x" * 300),
    }
    for name, stream in legacy_fails.items():
        seeds["dealer-" + name] = bytes([DEALER, 0x04 | 0x01, 9, 9, 9, 8, 0x02]) + stream
    # A ZAP domain (bit 7 of octet 0) refuses 1.0 and 2.0 peers.
    seeds["dealer-zap-zmtp20"] = bytes([DEALER | 0x80, 0x0C, 9, 9, 9, 7, 0x03]) + \
        v20_peer(ROUTER) + message(b"x")
    seeds["dealer-zap-zmtp10"] = bytes([DEALER | 0x80, 0x0C, 9, 9, 9, 7, 0x03]) + \
        v1_frame(b"") + v1_message(b"x")
    seeds["dealer-zap-zmtp31"] = bytes([DEALER | 0x80, 0x0C, 9, 9, 9, 7, 0x03]) + \
        greeting(as_server=peer_is_server) + ready(ROUTER) + message(b"x")
    # The handshake and protocol failures the engine must close on.
    fails = {
        "mech-mismatch": greeting(b"PLAIN", as_server=peer_is_server) + ready(ROUTER),
        "zmtp20": greeting_v20(ROUTER),
        "zmtp10": GREETING_V10,
        "incompatible": greeting(as_server=peer_is_server) + ready(PUB),
        "error-in-handshake": greeting(as_server=peer_is_server) + error(b"400"),
        "no-socket-type": greeting(as_server=peer_is_server) + command(b"READY", b""),
        "message-before-ready": greeting(as_server=peer_is_server) + message(b"early"),
        "too-big": greeting(as_server=peer_is_server) + ready(ROUTER) + frame(b"x" * 300),
        "error-after-ready": greeting(as_server=peer_is_server) + ready(ROUTER) + error(b""),
        "bad-ping": greeting(as_server=peer_is_server) + ready(ROUTER) + command(b"PING", b"x"),
    }
    for name, stream in fails.items():
        seeds["dealer-" + name] = bytes([DEALER, 0x04 | 0x01, 9, 9, 9, 9, 0x02]) + stream
    return seeds


# ---- certificate files (ZPL, RFC 4; fuzz/fuzz_cert.c) ------------------------

# RFC 26's example server key pair and client secret, Z85.
RFC26_PUB = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
RFC26_SEC = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
RFC26_OTHER_SEC = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"


def cert_text(meta=(), secret=True, banner="#   ZeroMQ CURVE Certificate\n\n", quote='"',
              eol="\n", pub=RFC26_PUB, sec=RFC26_SEC):
    t = banner + "metadata" + eol
    for k, v in meta:
        t += "    %s = %s%s%s%s" % (k, quote, v, quote, eol)
    t += "curve" + eol + '    public-key = "%s"' % pub + eol
    if secret:
        t += '    secret-key = "%s"' % sec + eol
    return t.encode()


def cert_seeds():
    czmq = "#   ****  Generated on 2026-12-02 07:00:00 by CZMQ  ****\n" \
           "#   ZeroMQ CURVE **Secret** Certificate\n\n"
    pyzmq = "#   ****  Generated on 2026-12-02 07:00:00.123456 by pyzmq  ****\n" \
            "#   ZeroMQ CURVE **Secret** Certificate\n\n"
    meta = [("name", "Pieter Hintjens"), ("email", "ph@imatix.com"), ("version", "1")]
    seeds = {
        "czmq-secret": cert_text(meta, banner=czmq),
        "czmq-public": cert_text(meta, secret=False, banner=czmq),
        "pyzmq-secret": cert_text([("name", "Py Thon")], banner=pyzmq, quote=""),
        "pyzmq-public": cert_text(secret=False, banner=pyzmq),
        "crlf": cert_text(meta, eol="\r\n"),
        "cr": cert_text(meta, eol="\r"),
        "bom": b"\xef\xbb\xbf" + cert_text(),
        "single-quotes": cert_text([("q", 'say "hi"')], quote="'"),
        "utf8": cert_text([("name", "Gr\u00fc\u00df \u20ac")]),
        "children": b"other\n    x = 1\n        y = 2\n" + cert_text() + b"last\n",
        "empty-secret": cert_text(secret=False) + b'    secret-key = ""\n',
        "values": b"metadata\n    a = \"q # kept\"  # c\n    b = bare  # c\n    c\n"
                  b"    d =\n    e = \"open\n" + cert_text(banner=""),
        # refused ones, for the fuzzer to grow from
        "bad-tab": b"curve\n\tpublic-key = \"" + RFC26_PUB.encode() + b'"\n',
        "bad-indent": b"curve\n  public-key = \"" + RFC26_PUB.encode() + b'"\n',
        "bad-key": cert_text(pub=RFC26_PUB[:-1] + "~"),
        "bad-pair": cert_text(sec=RFC26_OTHER_SEC),
        "bad-dup": cert_text([("a", "1"), ("a", "2")]),
        "bad-none": b"metadata\n    name = x\n",
        # NUL-split name/value pairs for zinc_cert_set_meta
        "meta-ok": b"name\x00Ada Lovelace",
        "meta-quote": b"q\x00it's \"quoted\"",
        "meta-bad-name": b"a b\x00x",
        "meta-utf8": "n\x00\u00e9\u20ac".encode(),
    }
    return seeds


def write(corpus, target, seeds):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith("seed-"):
            os.remove(os.path.join(d, f))
    for name, data in sorted(seeds.items()):
        with open(os.path.join(d, "seed-" + name), "wb") as fh:
            fh.write(data)
    print("%-14s %3d seeds" % (target, len(seeds)))


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus")
    write(corpus, "greeting", greeting_seeds())
    write(corpus, "decoder", decoder_seeds())
    write(corpus, "command", command_seeds())
    write(corpus, "metadata", metadata_seeds())
    write(corpus, "engine_client", engine_seeds(as_server=False))
    write(corpus, "engine_server", engine_seeds(as_server=True))
    write(corpus, "cert", cert_seeds())


if __name__ == "__main__":
    main()
