#!/usr/bin/python3
"""pyzmq's STREAM socket (libzmq 4.3) as a peer for zinc's STREAM tests.

Usage:
  pyzmq_stream.py client ENDPOINT   dial zinc's STREAM socket; expect the
      connect notice; send 3 octets and 200 KiB as two messages; expect all
      of it echoed (in whatever chunks); close with an empty frame
  pyzmq_stream.py server ENDPOINT   bind (the endpoint is printed first);
      expect a connect notice, echo every chunk, and end at the disconnect
      notice having echoed 3 + 300 KiB octets

Prints "ok" last when everything went as expected; an assertion or a
timeout (5 s per receive) exits non-zero.
"""
import sys

import zmq


def main():
    role, endpoint = sys.argv[1], sys.argv[2]
    ctx = zmq.Context()
    s = ctx.socket(zmq.STREAM)
    s.linger = 2000
    s.rcvtimeo = 5000
    s.sndtimeo = 5000
    if role == "client":
        s.connect(endpoint)
        rid, empty = s.recv_multipart()
        assert empty == b"", "no connect notice"
        data = bytes(range(256)) * 800
        s.send_multipart([rid, b"abc"])
        s.send_multipart([rid, data])
        want = b"abc" + data
        got = b""
        while len(got) < len(want):
            r, chunk = s.recv_multipart()
            assert r == rid and chunk, "a notice or another peer"
            got += chunk
        assert got == want, "the echo differs"
        s.send_multipart([rid, b""])
    else:
        s.bind(endpoint)
        print(s.last_endpoint.decode(), flush=True)
        rid, empty = s.recv_multipart()
        assert empty == b"", "no connect notice"
        total = 0
        while True:
            r, chunk = s.recv_multipart()
            assert r == rid, "another peer"
            if not chunk:
                break
            total += len(chunk)
            s.send_multipart([rid, chunk])
        assert total == 3 + 300 * 1024, total
    s.close()
    ctx.term()
    print("ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
