#!/usr/bin/python3
"""Print libzmq's default socket option values as JSON, for test_option_defaults.

Run with Debian's system python (pyzmq on the system libzmq). For each standard
socket type (0..11) it makes a fresh socket and reads every option pyzmq knows;
options that raise for that type (write-only, not built, not applicable) are
left out. Bytes values are given as {"hex": "..."} (string options without
their NUL). pyzmq's own "hwm" and "copy_threshold" are included too.

Output: {"libzmq": "4.3.4", "pyzmq": "24.0.1",
         "types": {"0": {"linger": -1, "routing_id": {"hex": ""}, ...}, ...}}
or {"skip": "reason"} when pyzmq cannot be imported.
"""
import json
import sys

try:
    import zmq
except ImportError as exc:  # the C test turns this into a skip
    print(json.dumps({"skip": "python cannot import zmq: %s" % exc}))
    sys.exit(0)


def encode(value):
    if isinstance(value, bytes):
        return {"hex": value.rstrip(b"\0").hex()}
    return value


def main():
    ctx = zmq.Context()
    out = {"libzmq": zmq.zmq_version(), "pyzmq": zmq.__version__, "types": {}}
    for socktype in range(12):
        sock = ctx.socket(socktype)
        values = {}
        for opt in zmq.SocketOption:
            if opt.name == "HWM":  # libzmq 2.x's id; pyzmq's hwm is read below
                continue
            try:
                values[opt.name.lower()] = encode(sock.getsockopt(opt))
            except zmq.ZMQError:
                continue
        values["hwm"] = sock.hwm
        values["copy_threshold"] = sock.copy_threshold
        out["types"][str(socktype)] = values
        sock.close(linger=0)
    ctx.term()
    json.dump(out, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
