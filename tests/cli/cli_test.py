#!/usr/bin/python3
"""Tests for the `zinc` command-line tool: drive the binary for every flag,
against zinc and against stock libzmq peers (tests/cli/cli_peer.py, pyzmq).

Usage: cli_test.py GROUP ZINC_BINARY [CASE...]

Standard library only (the pyzmq peer is a separate process). Each case
prints "ok NAME", "SKIP NAME: why" or "FAIL NAME: why". A case needing a
socket type that zinc does not build yet (`zinc version` lists them), or
pyzmq when /usr/bin/python3 lacks it, is skipped. Exit status: 1 when a case
failed, 77 (Meson's "skipped") when every case was skipped, else 0. Every
wait is bounded.
"""
import os
import select
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "cli_peer.py")
PYTHON = "/usr/bin/python3"
ZINC = None  # set in main
CASES = {}


class Skip(Exception):
    pass


def case(group, needs=(), pyzmq=False):
    def register(fn):
        CASES.setdefault(group, []).append((fn, tuple(needs), pyzmq))
        return fn

    return register


_built = None


def built_types():
    global _built
    if _built is None:
        out = subprocess.run([ZINC, "version"], capture_output=True, timeout=10).stdout.decode()
        line = [l for l in out.splitlines() if l.startswith("socket types:")]
        _built = set(line[0].split(":", 1)[1].split()) if line else set()
    return _built


_have_pyzmq = None


def have_pyzmq():
    global _have_pyzmq
    if _have_pyzmq is None:
        r = subprocess.run([PYTHON, "-c", "import zmq"], capture_output=True, timeout=30)
        _have_pyzmq = r.returncode == 0
    return _have_pyzmq


_serial = [0]


def ipc():
    """A fresh abstract ipc endpoint."""
    _serial[0] += 1
    return "ipc://@zinc-cli-test-%d-%d" % (os.getpid(), _serial[0])


def unused_tcp_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Proc:
    """A child process with pipes; stdin stays open until finish()."""

    def __init__(self, args):
        self.args = args
        self.p = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.t0 = time.monotonic()
        self.early = {"stdout": b"", "stderr": b""}

    def line(self, which, timeout=10.0):
        """Reads one line of stdout or stderr (before finish)."""
        f = getattr(self.p, which)
        fd = f.fileno()
        until = time.monotonic() + timeout
        while b"\n" not in self.early[which]:
            left = until - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise AssertionError("%s: no line on %s within %.0f s" % (self.args[:3], which, timeout))
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(
                    "%s ended; %s so far: %r" % (self.args[:3], which, self.early[which][-300:])
                )
            self.early[which] += chunk
        line, _, rest = self.early[which].partition(b"\n")
        self.early[which] = rest
        return line.decode(errors="replace")

    def bound(self):
        """The endpoint a zinc wildcard bind reported on stderr."""
        line = self.line("stderr")
        assert line.startswith("zinc cat: bound to "), line
        return line[len("zinc cat: bound to ") :]

    def peer_ep(self):
        line = self.line("stdout")
        assert line.startswith("ep "), line
        return line[3:]

    def finish(self, data=b"", timeout=15.0):
        """Writes data, closes stdin, waits. (rc, stdout, stderr, seconds)."""
        try:
            out, err = self.p.communicate(data if self.p.stdin else None, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, err = self.p.communicate()
            raise AssertionError(
                "%s still running after %.0f s; stderr %r" % (self.args[:4], timeout, err[-300:])
            )
        return (
            self.p.returncode,
            self.early["stdout"] + (out or b""),
            self.early["stderr"] + (err or b""),
            time.monotonic() - self.t0,
        )

    def send_eof(self, data=b""):
        """Writes data and closes stdin, leaving the process running."""
        self.p.stdin.write(data)
        self.p.stdin.close()
        self.p.stdin = None

    def close_stdout(self):
        """Nobody reads the process's stdout any more."""
        self.p.stdout.close()
        self.p.stdout = None

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.communicate()


def zinc(*args):
    return Proc([ZINC] + list(args))


def peer(*args):
    return Proc([PYTHON, PEER] + list(args))


def run(*args, data=b"", timeout=15.0):
    return zinc(*args).finish(data, timeout)


def expect_ok(res, what):
    rc, out, err, _ = res
    assert rc == 0, "%s: exit %d, stderr %r" % (what, rc, err[-500:])
    return out


# ---- usage -------------------------------------------------------------------


def usage_error(args, mention=None, status=2):
    rc, out, err, secs = run(*args)
    lines = err.decode(errors="replace").splitlines()
    assert rc == status, "%s: exit %d, want %d; stderr %r" % (args, rc, status, err)
    assert out == b"", "%s: printed %r on stdout" % (args, out)
    assert len(lines) == 1, "%s: want one line on stderr, got %r" % (args, lines)
    assert lines[0].startswith("zinc"), lines[0]
    if mention:
        assert mention in lines[0], "%s: %r does not mention %r" % (args, lines[0], mention)
    assert secs < 5, "%s took %.1f s" % (args, secs)
    return lines[0]


@case("usage")
def test_unknown_type_is_a_usage_error():
    usage_error(["cat", "-r", "foo", "tcp://127.0.0.1:5555"], "'foo'")


@case("usage")
def test_type_names_are_accepted_in_any_case():
    rc, _, err, _ = run("cat", "-t", "50", "PuLl", ipc())
    assert rc == 1, (rc, err)


@case("usage")
def test_bad_endpoints_are_usage_errors():
    for ep in ["tcp://127.0.0.1", "foo://bar", "tcp://127.0.0.1:99999", "nonsense", "tcp://:5"]:
        usage_error(["cat", "-r", "pull", ep], "'%s'" % ep)
    usage_error(["cat", "-b", "-r", "pull", "tcp://no-such-interface-zz:5555"], "bad endpoint")


@case("usage")
def test_unknown_option_name_suggests_the_nearest():
    line = usage_error(["cat", "-o", "sndhmw=10", "-w", "push", ipc()], "sndhmw")
    assert "sndhwm" in line, line
    line = usage_error(["cat", "--option", "lingr=0", "-w", "push", ipc()], "lingr")
    assert "linger" in line, line


@case("usage")
def test_bad_option_values_are_usage_errors():
    usage_error(["cat", "-o", "linger=abc", "-w", "push", ipc()], "linger")
    usage_error(["cat", "-o", "subscribe=x", "-r", "pull", ipc()], "subscribe")
    usage_error(["cat", "-o", "linger", "-w", "push", ipc()], "NAME=VALUE")
    usage_error(["cat", "-o", "=5", "-w", "push", ipc()], "NAME=VALUE")


@case("usage")
def test_missing_values_are_usage_errors():
    for flag in ["-o", "--option", "-n", "--count", "-t", "--timeout", "--delay", "-A"]:
        usage_error(["cat", "-r", "pull", ipc(), flag], flag)


@case("usage")
def test_bad_numbers_are_usage_errors():
    for args in (["-n", "0"], ["-n", "x"], ["-t", "-5"], ["-t", "1s"], ["--delay", "soon"]):
        usage_error(["cat"] + args + ["-r", "pull", ipc()], args[0])


@case("usage")
def test_missing_type_or_endpoint_is_a_usage_error():
    usage_error(["cat"], "TYPE")
    usage_error(["cat", "-r"], "TYPE")
    usage_error(["cat", "-r", "pull"], "ENDPOINT")


@case("usage")
def test_conflicting_flags_are_usage_errors():
    usage_error(["cat", "-b", "-c", "-r", "pull", ipc()], "-b")
    usage_error(["cat", "--echo", "-w", "pair", ipc()], "--echo")
    usage_error(["cat", "pair", ipc()], "-r")  # pair has no default direction
    usage_error(["cat", "--frobnicate", "-r", "pull", ipc()], "--frobnicate")
    usage_error(["cat", "-Q", "-r", "pull", ipc()], "-Q")


@case("usage")
def test_bad_auth_specs_are_usage_errors():
    for spec in ("curve:", "curve:short", "plain:admin", "plain::pw", "allow:", "deny:",
                 "frob:x"):
        usage_error(["cat", "-A", spec, "-r", "pull", ipc()], "-A")
    for spec in ("allow:not-an-ip", "deny:1.2.3", "curve:" + "~" * 40):
        usage_error(["cat", "-A", spec, "-r", "pull", ipc()], spec)


@case("usage")
def test_type_not_built_is_a_runtime_error():
    missing = [t for t in ("ROUTER", "REP", "REQ", "SUB", "PUB", "XPUB", "XSUB", "STREAM")
               if t not in built_types()]
    if not missing:
        raise Skip("every socket type is built")
    line = usage_error(["cat", "-r", missing[0].lower(), ipc()], "Invalid argument", status=3)
    assert missing[0] in line, line


@case("usage")
def test_help_version_and_unknown_command():
    out = expect_ok(run("--help"), "zinc --help").decode()
    for word in ("cat", "demo", "version"):
        assert word in out, out
    out = expect_ok(run("cat", "--help"), "zinc cat --help").decode()
    for flag in ("--bind", "--connect", "--write", "--read", "--echo", "--count", "--multipart",
                 "-0", "--option", "--timeout", "--delay", "--auth"):
        assert flag in out, "%s missing from zinc cat --help" % flag
    out = expect_ok(run("version"), "zinc version").decode()
    assert out.startswith("zinc 0."), out
    assert "PAIR" in out, out
    expect_ok(run("demo", "--help"), "zinc demo --help")
    usage_error(["frobnicate"], "frobnicate")
    usage_error(["demo", "--fast"], "--fast")
    rc, out, err, _ = run()
    assert rc == 2 and b"usage" in err, (rc, err)


# ---- PUSH/PULL -------------------------------------------------------------------


@case("pushpull")
def test_lines_arrive_in_order_and_both_exit_0():
    pull = zinc("cat", "-b", "-r", "-n", "3", "-t", "5000", "pull", "tcp://127.0.0.1:*")
    ep = pull.bound()
    expect_ok(run("cat", "-w", "push", ep, data=b"one\ntwo\nthree\n"), "push")
    out = expect_ok(pull.finish(), "pull")
    assert out == b"one\ntwo\nthree\n", out


@case("pushpull")
def test_default_directions_and_last_line_without_newline():
    ep = ipc()
    pull = zinc("cat", "-b", "-n", "2", "-t", "5000", "pull", ep)
    expect_ok(run("cat", "push", ep, data=b"first\nno newline"), "push")
    assert expect_ok(pull.finish(), "pull") == b"first\nno newline\n"


@case("pushpull")
def test_push_binds_pull_connects():
    ep = ipc()
    push = zinc("cat", "-b", "-w", "-t", "5000", "push", ep)
    pull = zinc("cat", "-c", "-r", "-n", "2", "-t", "5000", "pull", ep)
    expect_ok(push.finish(b"a\nb\n"), "push")
    assert expect_ok(pull.finish(), "pull") == b"a\nb\n"


@case("pushpull")
def test_every_endpoint_is_bound():
    a, b = ipc(), ipc()
    pull = zinc("cat", "-b", "-r", "-n", "2", "-t", "5000", "pull", a, b)
    time.sleep(0.1)
    expect_ok(run("cat", "-w", "push", a, data=b"via a\n"), "push a")
    expect_ok(run("cat", "-w", "push", b, data=b"via b\n"), "push b")
    assert sorted(expect_ok(pull.finish(), "pull").splitlines()) == [b"via a", b"via b"]


@case("pushpull")
def test_every_endpoint_is_connected():
    a, b = ipc(), ipc()
    pa = zinc("cat", "-b", "-r", "-n", "1", "-t", "5000", "pull", a)
    pb = zinc("cat", "-b", "-r", "-n", "1", "-t", "5000", "pull", b)
    time.sleep(0.1)
    push = zinc("cat", "-w", "--delay", "200", "push", a, b)  # round-robin over both
    expect_ok(push.finish(b"x\ny\n"), "push")
    got = expect_ok(pa.finish(), "a") + expect_ok(pb.finish(), "b")
    assert sorted(got.splitlines()) == [b"x", b"y"], got


@case("pushpull")
def test_sizes_up_to_1_mib():
    sizes = [0, 1, 255, 256, 65536, 1 << 20, 3]
    lines = [bytes([97 + i % 26]) * n for i, n in enumerate(sizes)]
    pull = zinc("cat", "-b", "-r", "-n", str(len(sizes)), "-t", "10000", "pull", "tcp://127.0.0.1:*")
    ep = pull.bound()
    expect_ok(run("cat", "-w", "push", ep, data=b"\n".join(lines) + b"\n"), "push")
    got = expect_ok(pull.finish(), "pull").split(b"\n")[:-1]
    assert [len(l) for l in got] == sizes, [len(l) for l in got]
    assert got == lines


@case("pushpull")
def test_count_stops_the_reader():
    ep = ipc()
    pull = zinc("cat", "-b", "-r", "-n", "2", "-t", "5000", "pull", ep)
    # The rest stays queued for the pull that left: the push's flush gives
    # up after its linger.
    rc, _, err, _ = run("cat", "-w", "-o", "linger=500", "push", ep, data=b"1\n2\n3\n4\n")
    assert rc == 0, (rc, err)
    assert expect_ok(pull.finish(), "pull") == b"1\n2\n"


@case("pushpull")
def test_count_stops_the_writer():
    ep = ipc()
    pull = zinc("cat", "-b", "-r", "-n", "3", "-t", "700", "pull", ep)
    expect_ok(run("cat", "-w", "-n", "2", "push", ep, data=b"1\n2\n3\n4\n"), "push")
    rc, out, err, _ = pull.finish()
    assert rc == 1 and out == b"1\n2\n", (rc, out, err)


@case("pushpull")
def test_timeout_exits_1_with_one_line():
    rc, out, err, secs = run("cat", "-r", "-t", "300", "pull", ipc())
    assert rc == 1, (rc, err)
    assert out == b"" and len(err.splitlines()) == 1, err
    assert 0.25 <= secs < 4, secs


@case("pushpull")
def test_send_timeout_exits_1():
    # A bound PUSH with no peer cannot send.
    rc, _, err, secs = run("cat", "-b", "-w", "-t", "300", "push", ipc(), data=b"x\n")
    assert rc == 1, (rc, err)
    assert 0.25 <= secs < 4, secs


@case("pushpull")
def test_flush_at_end_of_input_is_bounded_by_linger():
    ep = "tcp://127.0.0.1:%d" % unused_tcp_port()
    rc, _, err, secs = run("cat", "-w", "-o", "linger=300", "push", ep, data=b"nobody listens\n")
    assert rc == 0, (rc, err)
    assert 0.25 <= secs < 4, secs


@case("pushpull")
def test_flush_waits_for_a_late_peer():
    port = unused_tcp_port()
    ep = "tcp://127.0.0.1:%d" % port
    push = zinc("cat", "-w", "-o", "linger=5000", "-o", "reconnect_ivl=50", "push", ep)
    push.send_eof(b"queued before the peer\n")
    time.sleep(0.3)
    pull = zinc("cat", "-b", "-r", "-n", "1", "-t", "5000", "pull", ep)
    expect_ok(push.finish(), "push")
    assert expect_ok(pull.finish(), "pull") == b"queued before the peer\n"


@case("pushpull")
def test_nul_terminated_messages():
    ep = ipc()
    pull = zinc("cat", "-b", "-r", "-0", "-n", "2", "-t", "5000", "pull", ep)
    expect_ok(run("cat", "-w", "-0", "push", ep, data=b"line\nwith newline\x00second\x00"), "push")
    assert expect_ok(pull.finish(), "pull") == b"line\nwith newline\x00second\x00"


@case("pushpull")
def test_multipart_frames_split_and_join_on_tab():
    ep = ipc()
    pull = zinc("cat", "-b", "-r", "-m", "-n", "3", "-t", "5000", "pull", ep)
    data = b"a\tb\tc\n\t\nplain\n"
    expect_ok(run("cat", "-w", "-m", "push", ep, data=data), "push")
    assert expect_ok(pull.finish(), "pull") == data


@case("pushpull")
def test_without_multipart_frames_print_one_per_line():
    ep = ipc()
    pull = zinc("cat", "-b", "-r", "-n", "1", "-t", "5000", "pull", ep)
    expect_ok(run("cat", "-w", "-m", "push", ep, data=b"a\tb\n"), "push")
    assert expect_ok(pull.finish(), "pull") == b"a\nb\n"
    pull = zinc("cat", "-b", "-r", "-m", "-n", "1", "-t", "5000", "pull", ep)
    expect_ok(run("cat", "-w", "push", ep, data=b"tab\tstays\n"), "push")  # one frame
    assert expect_ok(pull.finish(), "pull") == b"tab\tstays\n"


@case("pushpull")
def test_delay_waits_before_the_first_send():
    ep = ipc()
    pull = zinc("cat", "-b", "-r", "-n", "1", "-t", "5000", "pull", ep)
    rc, _, err, secs = run("cat", "-w", "--delay", "400", "push", ep, data=b"late\n")
    assert rc == 0 and secs >= 0.4, (rc, secs, err)
    assert expect_ok(pull.finish(), "pull") == b"late\n"


@case("pushpull")
def test_options_apply_in_order():
    ep = ipc()
    pull = zinc("cat", "-b", "-r", "-n", "1", "-t", "5000", "-o", "rcvhwm=5", "-o", "RCVHWM=7",
                "pull", ep)
    expect_ok(run("cat", "-w", "-o", "sndhwm=10", "-o", "ZMQ_LINGER=1000", "push", ep,
                  data=b"x\n"), "push")
    assert expect_ok(pull.finish(), "pull") == b"x\n"
    # The second -o is applied after the first: the error names it.
    usage_error(["cat", "-o", "linger=1", "-o", "linger=x", "-w", "push", ipc()], "linger=x")


@case("pushpull")
def test_reader_gone_ends_quietly():
    ep = ipc()
    pull = zinc("cat", "-b", "-r", "-t", "5000", "pull", ep)
    pull.close_stdout()  # nobody reads what it prints
    expect_ok(run("cat", "-w", "push", ep, data=b"x\n" * 3), "push")
    rc, _, err, _ = pull.finish()
    assert rc == 0, (rc, err)


# ---- PAIR, DEALER -----------------------------------------------------------------


@case("pair")
def test_pair_echo_and_ask():
    ep = ipc()
    echo = zinc("cat", "-b", "--echo", "-n", "3", "-t", "5000", "pair", ep)
    out = expect_ok(run("cat", "-w", "-r", "-t", "5000", "pair", ep, data=b"a\nbb\n\n"), "ask")
    assert out == b"a\nbb\n\n", out
    expect_ok(echo.finish(), "echo")


@case("pair")
def test_pair_echo_prints_with_read():
    ep = "tcp://127.0.0.1:*"
    echo = zinc("cat", "-b", "--echo", "-r", "-n", "2", "-t", "5000", "pair", ep)
    ep = echo.bound()
    out = expect_ok(run("cat", "-w", "-r", "-t", "5000", "pair", ep, data=b"x\ny\n"), "ask")
    assert out == b"x\ny\n", out
    assert expect_ok(echo.finish(), "echo") == b"x\ny\n"


@case("pair")
def test_ask_ends_at_end_of_input():
    ep = ipc()
    echo = zinc("cat", "-b", "--echo", "-t", "3000", "pair", ep)
    out = expect_ok(run("cat", "-w", "-r", "-t", "5000", "pair", ep, data=b""), "ask")
    assert out == b""
    echo.kill()


@case("dealer")
def test_dealer_multipart_round_trip():
    ep = ipc()
    echo = zinc("cat", "-b", "--echo", "-n", "3", "-t", "5000", "dealer", ep)
    data = b"a\tb\tc\n\t\nsingle\n"
    out = expect_ok(run("cat", "-w", "-r", "-m", "-t", "5000", "dealer", ep, data=data), "ask")
    assert out == data, out
    expect_ok(echo.finish(), "echo")


@case("dealer")
def test_dealer_count_counts_echoes():
    ep = ipc()
    echo = zinc("cat", "-b", "--echo", "-n", "2", "-t", "5000", "dealer", ep)
    asker = zinc("cat", "-w", "-r", "-t", "800", "dealer", ep)
    rc, out, _, _ = asker.finish(b"1\n2\n3\n")
    assert rc == 1 and out == b"1\n2\n", (rc, out)  # the third is never echoed
    expect_ok(echo.finish(), "echo")


# ---- against libzmq (pyzmq) -------------------------------------------------------------


@case("pyzmq", pyzmq=True)
def test_zinc_push_to_pyzmq_pull_up_to_1_mib():
    pl = peer("PULL", "--bind", "tcp://127.0.0.1:*", "recv:5")
    ep = pl.peer_ep()
    data = b"hello\n\n" + b"q" * 65536 + b"\n" + b"w" * (1 << 20) + b"\nbye\n"
    expect_ok(run("cat", "-w", "push", ep, data=data), "zinc push")
    out = expect_ok(pl.finish(), "pyzmq pull")
    assert out == data, [len(l) for l in out.split(b"\n")]


@case("pyzmq", pyzmq=True)
def test_pyzmq_push_to_zinc_pull_multipart():
    pull = zinc("cat", "-b", "-r", "-m", "-n", "3", "-t", "5000", "pull", "tcp://127.0.0.1:*")
    ep = pull.bound()
    expect_ok(peer("PUSH", "--connect", ep, "send:a\tb", "big:1048576", "send:end").finish(),
              "pyzmq push")
    out = expect_ok(pull.finish(), "zinc pull")
    assert out == b"a\tb\n" + (b"abcdefghijklmnopqrstuvwxyz" * 40330)[: 1 << 20] + b"\nend\n"


@case("pyzmq", pyzmq=True)
def test_pyzmq_pair_with_zinc_pair_echo():
    echo = zinc("cat", "-b", "--echo", "-n", "2", "-t", "5000", "pair", "tcp://127.0.0.1:*")
    ep = echo.bound()
    out = expect_ok(peer("PAIR", "--connect", ep, "send:ping", "big:300000", "recv:2").finish(),
                    "pyzmq pair")
    assert out == b"ping\n" + (b"abcdefghijklmnopqrstuvwxyz" * 11539)[:300000] + b"\n"
    expect_ok(echo.finish(), "zinc echo")


@case("pyzmq", pyzmq=True)
def test_zinc_dealer_multipart_with_pyzmq_router_echo():
    rt = peer("ROUTER", "--bind", "tcp://127.0.0.1:*", "echo:2")
    ep = rt.peer_ep()
    data = b"x\ty\tz\nsingle\n"
    out = expect_ok(run("cat", "-w", "-r", "-m", "-t", "5000", "dealer", ep, data=data), "dealer")
    assert out == data, out
    expect_ok(rt.finish(), "pyzmq router")


@case("pyzmq", pyzmq=True)
def test_zinc_dealer_routing_id_reaches_pyzmq_router():
    rt = peer("ROUTER", "--bind", "tcp://127.0.0.1:*", "recv:1")
    ep = rt.peer_ep()
    expect_ok(run("cat", "-w", "-o", "routing_id=w1", "dealer", ep, data=b"hi\n"), "dealer")
    assert expect_ok(rt.finish(), "pyzmq router") == b"w1\thi\n"


@case("pyzmq", pyzmq=True)
def test_pyzmq_dealer_with_zinc_dealer_echo_multipart():
    echo = zinc("cat", "-b", "--echo", "-n", "1", "-t", "5000", "dealer", "tcp://127.0.0.1:*")
    ep = echo.bound()
    out = expect_ok(peer("DEALER", "--connect", ep, "send:a\t\tc", "recv:1").finish(), "pyzmq")
    assert out == b"a\t\tc\n", out
    expect_ok(echo.finish(), "zinc echo")


# ---- REQ/REP, ROUTER, PUB/SUB, STREAM (skipped while not built) -------------------------


@case("reqrep", needs=["REQ", "REP"])
def test_zinc_req_write_implies_read_with_zinc_rep_echo():
    ep = ipc()
    rep = zinc("cat", "-b", "--echo", "-n", "3", "-t", "5000", "rep", ep)
    out = expect_ok(run("cat", "-w", "-t", "5000", "req", ep, data=b"a\nb\nc\n"), "req")
    assert out == b"a\nb\nc\n", out
    expect_ok(rep.finish(), "rep")


@case("reqrep", needs=["REP"], pyzmq=True)
def test_pyzmq_req_with_zinc_rep_echo():
    rep = zinc("cat", "-b", "--echo", "-n", "2", "-t", "5000", "rep", "tcp://127.0.0.1:*")
    ep = rep.bound()
    out = expect_ok(peer("REQ", "--connect", ep, "send:one", "recv:1", "send:t\two", "recv:1")
                    .finish(), "pyzmq req")
    assert out == b"one\nt\two\n", out
    expect_ok(rep.finish(), "zinc rep")


@case("reqrep", needs=["REQ"], pyzmq=True)
def test_zinc_req_with_pyzmq_rep():
    rep = peer("REP", "--bind", "tcp://127.0.0.1:*", "echo:2")
    ep = rep.peer_ep()
    out = expect_ok(run("cat", "-w", "-t", "5000", "req", ep, data=b"q1\n" + b"z" * 100000 + b"\n"),
                    "zinc req")
    assert out == b"q1\n" + b"z" * 100000 + b"\n"
    expect_ok(rep.finish(), "pyzmq rep")


@case("reqrep", needs=["REP"], pyzmq=True)
def test_zinc_rep_answers_with_lines():
    rep = zinc("cat", "-b", "-w", "-r", "-t", "5000", "rep", "tcp://127.0.0.1:*")
    ep = rep.bound()
    req = peer("REQ", "--connect", ep, "send:question 1", "recv:1", "send:question 2", "recv:1")
    out = expect_ok(rep.finish(b"answer 1\nanswer 2\n"), "zinc rep")
    assert out == b"question 1\nquestion 2\n", out
    assert expect_ok(req.finish(), "pyzmq req") == b"answer 1\nanswer 2\n"


@case("router", needs=["ROUTER"], pyzmq=True)
def test_zinc_router_prints_the_envelope_with_multipart():
    rt = zinc("cat", "-b", "-r", "-m", "-n", "1", "-t", "5000", "router", "tcp://127.0.0.1:*")
    ep = rt.bound()
    expect_ok(peer("DEALER", "--connect", ep, "--opt", "routing_id=w1", "send:hello").finish(),
              "pyzmq dealer")
    assert expect_ok(rt.finish(), "zinc router") == b"w1\thello\n"


@case("router", needs=["ROUTER"], pyzmq=True)
def test_zinc_router_echo_keeps_the_envelope():
    rt = zinc("cat", "-b", "--echo", "-n", "2", "-t", "5000", "router", "tcp://127.0.0.1:*")
    ep = rt.bound()
    out = expect_ok(peer("DEALER", "--connect", ep, "send:a\tb", "send:c", "recv:2").finish(),
                    "pyzmq dealer")
    assert out == b"a\tb\nc\n", out
    expect_ok(rt.finish(), "zinc router")


@case("router", needs=["ROUTER"], pyzmq=True)
def test_zinc_router_writes_to_a_routing_id():
    # The delay covers the pyzmq peer's start-up and handshake (a busy machine, ASan).
    rt = zinc("cat", "-b", "-w", "-m", "--delay", "2000", "-t", "5000", "router", "tcp://127.0.0.1:*")
    ep = rt.bound()
    dl = peer("DEALER", "--connect", ep, "--opt", "routing_id=w1", "recv:1")
    expect_ok(rt.finish(b"w1\tfor w1\n"), "zinc router")
    assert expect_ok(dl.finish(), "pyzmq dealer") == b"for w1\n"


@case("router", needs=["ROUTER", "DEALER"])
def test_zinc_router_echo_with_zinc_dealer():
    ep = ipc()
    rt = zinc("cat", "-b", "--echo", "-m", "-n", "1", "-t", "5000", "router", ep)
    out = expect_ok(run("cat", "-w", "-r", "-m", "-t", "5000", "dealer", ep, data=b"p\tq\n"), "dealer")
    assert out == b"p\tq\n", out
    expect_ok(rt.finish(), "router")


def publishing_peer(kind, text):
    pub = peer(kind, "--bind", "tcp://127.0.0.1:*", "pub:" + text)
    return pub, pub.peer_ep()


@case("pubsub", needs=["SUB"], pyzmq=True)
def test_zinc_sub_filters_on_the_subscribe_option():
    pub, ep = publishing_peer("PUB", "sports\tgoal")
    pub2 = peer("PUB", "--bind", "tcp://127.0.0.1:*", "pub:weather\tsunny")
    ep2 = pub2.peer_ep()
    try:
        out = expect_ok(run("cat", "-r", "-m", "-n", "3", "-t", "5000", "-o", "subscribe=weather",
                            "sub", ep, ep2), "zinc sub")
    finally:
        pub.finish()
        pub2.finish()
    assert out == b"weather\tsunny\n" * 3, out


@case("pubsub", needs=["SUB"], pyzmq=True)
def test_zinc_sub_without_subscribe_gets_everything():
    pub, ep = publishing_peer("PUB", "anything")
    try:
        out = expect_ok(run("cat", "-n", "2", "-t", "5000", "sub", ep), "zinc sub")
    finally:
        pub.finish()
    assert out == b"anything\nanything\n", out


@case("pubsub", needs=["XSUB"], pyzmq=True)
def test_zinc_xsub_subscribes_to_everything_by_default():
    pub, ep = publishing_peer("PUB", "all")
    try:
        out = expect_ok(run("cat", "-n", "1", "-t", "5000", "xsub", ep), "zinc xsub")
    finally:
        pub.finish()
    assert out == b"all\n", out


@case("pubsub", needs=["XSUB"], pyzmq=True)
def test_zinc_xsub_subscribe_option_filters():
    pub, ep = publishing_peer("PUB", "aaa")
    pub2 = peer("PUB", "--bind", "tcp://127.0.0.1:*", "pub:bbb")
    ep2 = pub2.peer_ep()
    try:
        out = expect_ok(run("cat", "-n", "2", "-t", "5000", "-o", "subscribe=b", "xsub", ep, ep2),
                        "zinc xsub")
    finally:
        pub.finish()
        pub2.finish()
    assert out == b"bbb\nbbb\n", out


@case("pubsub", needs=["PUB"], pyzmq=True)
def test_zinc_pub_with_delay_reaches_pyzmq_sub():
    sub = peer("SUB", "--bind", "tcp://127.0.0.1:*", "--opt", "subscribe=", "recv:2")
    ep = sub.peer_ep()
    expect_ok(run("cat", "-w", "--delay", "500", "pub", ep, data=b"news 1\nnews 2\n"), "zinc pub")
    assert expect_ok(sub.finish(), "pyzmq sub") == b"news 1\nnews 2\n"


@case("pubsub", needs=["XPUB"], pyzmq=True)
def test_zinc_xpub_reads_subscriptions():
    xp = zinc("cat", "-b", "-r", "-n", "1", "-t", "5000", "xpub", "tcp://127.0.0.1:*")
    ep = xp.bound()
    sub = peer("SUB", "--connect", ep, "--opt", "subscribe=topic", "sleep:300")
    assert expect_ok(xp.finish(), "zinc xpub") == b"\x01topic\n"
    sub.finish()


@case("pubsub", needs=["PUB", "SUB"])
def test_zinc_pub_to_zinc_sub():
    ep = ipc()
    sub = zinc("cat", "-b", "-r", "-n", "1", "-t", "5000", "-o", "subscribe=k", "sub", ep)
    time.sleep(0.1)
    expect_ok(run("cat", "-w", "--delay", "500", "pub", ep, data=b"x no\nk yes\n"), "pub")
    assert expect_ok(sub.finish(), "sub") == b"k yes\n"


@case("stream", needs=["STREAM"])
def test_zinc_stream_echoes_a_raw_tcp_client():
    st = zinc("cat", "-b", "--echo", "-n", "1", "-t", "5000", "stream", "tcp://127.0.0.1:*")
    host, port = st.bound().rsplit("/", 1)[1].rsplit(":", 1)
    c = socket.create_connection((host, int(port)), timeout=5)
    c.sendall(b"hello raw")
    got = b""
    while len(got) < 9:
        chunk = c.recv(100)
        assert chunk, "closed after %r" % got
        got += chunk
    assert got == b"hello raw", got
    expect_ok(st.finish(), "zinc stream")  # the connect notice was not counted
    c.settimeout(2)
    assert c.recv(100) == b""  # nothing else came (no echoed notice)
    c.close()


@case("stream", needs=["STREAM"])
def test_zinc_stream_prints_id_tab_data():
    st = zinc("cat", "-b", "-r", "-m", "-n", "1", "-t", "5000", "stream", "tcp://127.0.0.1:*")
    host, port = st.bound().rsplit("/", 1)[1].rsplit(":", 1)
    c = socket.create_connection((host, int(port)), timeout=5)
    c.sendall(b"data")
    out = expect_ok(st.finish(), "zinc stream")
    c.close()
    assert out.endswith(b"\tdata\n"), out


# ---- -A/--auth: the built-in authenticator -------------------------------------------

# Well-known test pairs (zmq_curve(7)) and one more; Z85, no '=' in them.
SERVER_PUB = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
SERVER_SEC = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
CLIENT_PUB = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
CLIENT_SEC = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
OTHER_PUB = "u#SI{6}NlN{0LTlPV-Bxdq+muu5fIUA&zhxxalQh"
OTHER_SEC = "F:Oj:pXasCa7X?dpkoJ5rve{IOky*l^!Z*JL&YPZ"
PLAIN_SERVER = ["-o", "plain_server=1"]
CURVE_SERVER = ["-o", "curve_server=1", "-o", "curve_publickey=" + SERVER_PUB, "-o",
                "curve_secretkey=" + SERVER_SEC]


def auth_server(specs, mech):
    """A zinc PULL that binds with -A specs and prints one message."""
    args = ["cat", "-b", "-r", "-n", "1", "-t", "6000"]
    for spec in specs:
        args += ["-A", spec]
    return zinc(*(args + mech + ["pull", "tcp://127.0.0.1:*"]))


def zinc_push(ep, text, opts):
    """A zinc PUSH that sends one line; a refused one gives up after its linger.
    If the refusal comes before the send, the session is gone and PUSH has no
    peer to send to (a send would block for ever, as in libzmq): sndtimeo
    bounds that wait (exit 3). Accepted clients have their pipe at once."""
    args = ["cat", "-w", "-o", "linger=1500", "-o", "sndtimeo=3000"]
    for o in opts:
        args += ["-o", o]
    return run(*(args + ["push", ep]), data=text.encode() + b"\n")


def plain_opts(user, password):
    return ["plain_username=" + user, "plain_password=" + password]


def curve_opts(pub, sec):
    return ["curve_serverkey=" + SERVER_PUB, "curve_publickey=" + pub, "curve_secretkey=" + sec]


def auth_result(srv, want_line, allowed, denied):
    """The server printed want_line (None: nothing, exit 1) and logged the decisions."""
    rc, out, err, _ = srv.finish(timeout=20)
    text = err.decode(errors="replace")
    if want_line is None:
        assert rc == 1 and out == b"", (rc, out, text)
    else:
        assert rc == 0 and out == want_line.encode() + b"\n", (rc, out, text)
    assert text.count(": allowed (") >= allowed, text
    assert text.count(": denied (") >= denied, text
    return text


@case("auth")
def test_auth_plain_lets_the_right_zinc_client_in_and_logs_no_password():
    srv = auth_server(["plain:admin:s3cr3t:with:colons"], PLAIN_SERVER)
    ep = srv.bound()
    zinc_push(ep, "wrong", plain_opts("admin", "guess"))
    expect_ok(zinc_push(ep, "right", plain_opts("admin", "s3cr3t:with:colons")), "zinc push")
    text = auth_result(srv, "right", 1, 1)
    assert 'user="admin"' in text and "s3cr3t" not in text and "guess" not in text, text


@case("auth", pyzmq=True)
def test_auth_plain_with_pyzmq_clients():
    srv = auth_server(["plain:admin:secret"], PLAIN_SERVER)
    ep = srv.bound()
    peer("PUSH", "--connect", ep, "--opt", "plain_username=admin", "--opt",
         "plain_password=nope", "send:wrong", "sleep:300").finish()
    expect_ok(peer("PUSH", "--connect", ep, "--opt", "plain_username=admin", "--opt",
                   "plain_password=secret", "send:right").finish(), "pyzmq push")
    auth_result(srv, "right", 1, 1)


@case("auth")
def test_auth_curve_any_lets_every_zinc_key_in():
    srv = auth_server(["curve:any"], CURVE_SERVER)
    ep = srv.bound()
    expect_ok(zinc_push(ep, "curve", curve_opts(OTHER_PUB, OTHER_SEC)), "zinc push")
    text = auth_result(srv, "curve", 1, 0)
    assert 'key="%s"' % OTHER_PUB in text, text


@case("auth", pyzmq=True)
def test_auth_curve_any_with_a_pyzmq_client():
    srv = auth_server(["curve:any"], CURVE_SERVER)
    ep = srv.bound()
    expect_ok(peer("PUSH", "--connect", ep, "--opt", "curve_serverkey=" + SERVER_PUB, "--opt",
                   "curve_publickey=" + CLIENT_PUB, "--opt", "curve_secretkey=" + CLIENT_SEC,
                   "send:curve").finish(), "pyzmq push")
    auth_result(srv, "curve", 1, 0)


@case("auth")
def test_auth_curve_key_lets_only_that_zinc_key_in():
    srv = auth_server(["curve:" + CLIENT_PUB], CURVE_SERVER)
    ep = srv.bound()
    zinc_push(ep, "other", curve_opts(OTHER_PUB, OTHER_SEC))
    expect_ok(zinc_push(ep, "listed", curve_opts(CLIENT_PUB, CLIENT_SEC)), "zinc push")
    auth_result(srv, "listed", 1, 1)


@case("auth", pyzmq=True)
def test_auth_curve_key_with_pyzmq_clients():
    srv = auth_server(["curve:" + CLIENT_PUB], CURVE_SERVER)
    ep = srv.bound()
    peer("PUSH", "--connect", ep, "--opt", "curve_serverkey=" + SERVER_PUB, "--opt",
         "curve_publickey=" + OTHER_PUB, "--opt", "curve_secretkey=" + OTHER_SEC,
         "send:other", "sleep:300").finish()
    expect_ok(peer("PUSH", "--connect", ep, "--opt", "curve_serverkey=" + SERVER_PUB, "--opt",
                   "curve_publickey=" + CLIENT_PUB, "--opt", "curve_secretkey=" + CLIENT_SEC,
                   "send:listed").finish(), "pyzmq push")
    auth_result(srv, "listed", 1, 1)


@case("auth")
def test_auth_allow_admits_listed_addresses_only():
    srv = auth_server(["allow:10.1.2.3", "plain:admin:secret"], PLAIN_SERVER)
    ep = srv.bound()
    zinc_push(ep, "from 127.0.0.1", plain_opts("admin", "secret"))
    text = auth_result(srv, None, 0, 1)
    assert "address not in the allow list" in text, text
    srv = auth_server(["allow:127.0.0.1", "plain:admin:secret"], PLAIN_SERVER)
    ep = srv.bound()
    expect_ok(zinc_push(ep, "listed", plain_opts("admin", "secret")), "zinc push")
    auth_result(srv, "listed", 1, 0)


@case("auth", pyzmq=True)
def test_auth_deny_refuses_a_pyzmq_client_from_that_address():
    srv = auth_server(["deny:127.0.0.1", "curve:any"], CURVE_SERVER)
    ep = srv.bound()
    peer("PUSH", "--connect", ep, "--opt", "curve_serverkey=" + SERVER_PUB, "--opt",
         "curve_publickey=" + CLIENT_PUB, "--opt", "curve_secretkey=" + CLIENT_SEC,
         "send:denied", "sleep:300").finish()
    text = auth_result(srv, None, 0, 1)
    assert "address denied" in text, text


@case("auth")
def test_auth_deny_guards_a_null_server_with_a_zap_domain():
    srv = auth_server(["deny:127.0.0.1"], ["-o", "zap_domain=global"])
    ep = srv.bound()
    zinc_push(ep, "denied", [])
    auth_result(srv, None, 0, 1)
# ---- STREAM: raw TCP peers (issue 4 / issue 7; the stream branch's block) ------------


def raw_server():
    """A plain TCP listener on 127.0.0.1: (socket, endpoint)."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    ls.settimeout(5)
    return ls, "tcp://127.0.0.1:%d" % ls.getsockname()[1]


def recv_exactly(c, n):
    got = b""
    while len(got) < n:
        chunk = c.recv(min(65536, n - len(got)))
        assert chunk, "closed after %d of %d octets" % (len(got), n)
        got += chunk
    return got


@case("stream", needs=["STREAM"])
def test_zinc_stream_echo_counts_no_notices():
    # -n 2: one data message from each client. Counting the first client's
    # disconnect notice would end the run before the second client is served.
    st = zinc("cat", "-b", "--echo", "-n", "2", "-t", "5000", "stream", "tcp://127.0.0.1:*")
    host, port = st.bound().rsplit("/", 1)[1].rsplit(":", 1)
    for word in (b"first", b"second"):
        c = socket.create_connection((host, int(port)), timeout=5)
        c.sendall(word)
        assert recv_exactly(c, len(word)) == word
        c.close()
        time.sleep(0.2)  # the disconnect notice reaches zinc before the next client
    expect_ok(st.finish(), "zinc stream")


@case("stream", needs=["STREAM"])
def test_zinc_stream_echoes_a_mebibyte_from_a_raw_client():
    st = zinc("cat", "-b", "--echo", "-t", "1500", "stream", "tcp://127.0.0.1:*")
    host, port = st.bound().rsplit("/", 1)[1].rsplit(":", 1)
    c = socket.create_connection((host, int(port)), timeout=5)
    data = bytes(range(256)) * 4096  # 1 MiB, with newlines and NULs in it
    back = []

    def reader():
        back.append(recv_exactly(c, len(data)))

    t = threading.Thread(target=reader)
    t.start()
    c.sendall(data)
    t.join(20)
    assert back and back[0] == data, "the echo differs"
    c.close()
    rc, out, err, _ = st.finish()
    assert rc == 1 and b"no message within" in err, (rc, err)  # -t ended it: silence


@case("stream", needs=["STREAM"])
def test_zinc_stream_dials_a_raw_server_and_prints_with_multipart():
    ls, ep = raw_server()
    st = zinc("cat", "-c", "-r", "-m", "-n", "1", "-t", "5000", "-o", "connect_routing_id=srv",
              "stream", ep)
    a, _ = ls.accept()
    a.sendall(b"hi")
    out = expect_ok(st.finish(), "zinc stream")
    a.close()
    ls.close()
    # The connect notice prints (an empty frame after the id) but is not counted.
    assert out == b"srv\t\nsrv\thi\n", out


@case("stream", needs=["STREAM"])
def test_zinc_stream_writes_to_a_raw_server_and_an_empty_frame_closes():
    ls, ep = raw_server()
    st = zinc("cat", "-c", "-w", "-m", "-o", "connect_routing_id=srv", "stream", ep)
    st.send_eof(b"srv\tGET / HTTP/1.0\r\nsrv\t\n")  # a line ends at its newline
    a, _ = ls.accept()
    a.settimeout(5)
    got = b""
    while True:
        chunk = a.recv(4096)
        if not chunk:
            break  # the empty frame closed the connection
        got += chunk
    a.close()
    ls.close()
    assert got == b"GET / HTTP/1.0\r", got
    expect_ok(st.finish(), "zinc stream")


# ---- demo ------------------------------------------------------------------------


@case("demo")
def test_demo_reports_and_exits_0():
    rc, out, err, secs = run("demo", timeout=60)
    text = out.decode(errors="replace")
    assert rc == 0, "zinc demo: exit %d\n%s%s" % (rc, text, err.decode(errors="replace"))
    for want in ("PAIR", "PUSH", "tcp ok", "ipc ok", "inproc ok", "throughput:", "latency:",
                 "demo: everything worked"):
        assert want in text, "%r missing from:\n%s" % (want, text)
    if have_pyzmq():
        assert "libzmq" in text and "skipped (" not in text.split("libzmq", 1)[1][:80], text
    assert secs < 20, "zinc demo took %.1f s" % secs


# ---- keygen (zinc keygen; kept apart from the other groups) -------------------


def keygen_lines(out):
    """The `name: value` lines of keygen's stdout, as a dict; checks each key."""
    got = {}
    for line in out.decode().splitlines():
        name, sep, value = line.partition(": ")
        assert sep and name in ("public", "secret") and name not in got, line
        assert len(value) == 40 and " " not in value, line
        got[name] = value
    return got


def keygen_dir():
    """A fresh directory, removed when the run ends."""
    import atexit
    import shutil
    import tempfile
    d = tempfile.mkdtemp(prefix="zinc-keygen-")
    atexit.register(shutil.rmtree, d, True)
    return d


def pyzmq_curve_public(secret):
    r = subprocess.run([PYTHON, "-c", "import sys, zmq; "
                        "print(zmq.curve_public(sys.argv[1].encode()).decode())", secret],
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode().strip()


@case("keygen")
def test_keygen_prints_a_public_and_a_secret_line():
    a = keygen_lines(expect_ok(run("keygen"), "zinc keygen"))
    b = keygen_lines(expect_ok(run("keygen"), "zinc keygen"))
    assert set(a) == {"public", "secret"}, a
    assert a != b, "two runs gave the same pair"


@case("keygen")
def test_keygen_public_of_a_secret_is_its_pair():
    pair = keygen_lines(expect_ok(run("keygen"), "zinc keygen"))
    out = keygen_lines(expect_ok(run("keygen", "-p", pair["secret"]), "zinc keygen -p"))
    assert out == {"public": pair["public"]}, (out, pair)
    # RFC 26's example server key pair
    out = keygen_lines(expect_ok(run("keygen", "--public",
                                     "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"), "-p"))
    assert out["public"] == "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", out


@case("keygen", pyzmq=True)
def test_keygen_pair_belongs_together_for_libzmq():
    pair = keygen_lines(expect_ok(run("keygen"), "zinc keygen"))
    assert pyzmq_curve_public(pair["secret"]) == pair["public"]


@case("keygen")
def test_keygen_writes_a_certificate_pair_with_metadata_and_modes():
    d = keygen_dir()
    base = os.path.join(d, "server")
    out = keygen_lines(expect_ok(run("keygen", "-m", "name=Ada Lovelace", "--meta",
                                     "email=ada@example.org", base), "zinc keygen BASE"))
    assert set(out) == {"public"}, out
    pub, sec = base + ".key", base + ".key_secret"
    assert os.stat(pub).st_mode & 0o777 == 0o644, oct(os.stat(pub).st_mode)
    assert os.stat(sec).st_mode & 0o777 == 0o600, oct(os.stat(sec).st_mode)
    text = open(sec).read()
    assert '    name = "Ada Lovelace"\n' in text, text
    assert '    email = "ada@example.org"\n' in text, text
    assert '    public-key = "%s"\n' % out["public"] in text, text
    assert "secret-key" in text and "secret-key" not in open(pub).read()
    # -o and a name ending in .key give the same files
    d2 = keygen_dir()
    expect_ok(run("keygen", "-o", os.path.join(d2, "a.key")), "zinc keygen -o x.key")
    assert sorted(os.listdir(d2)) == ["a.key", "a.key_secret"], os.listdir(d2)


@case("keygen", pyzmq=True)
def test_keygen_files_load_in_pyzmq_with_the_printed_key():
    d = keygen_dir()
    base = os.path.join(d, "peer")
    out = keygen_lines(expect_ok(run("keygen", "-o", base), "zinc keygen -o"))
    r = subprocess.run([PYTHON, "-c", "import sys, zmq, zmq.auth; "
                        "p, s = zmq.auth.load_certificate(sys.argv[1]); "
                        "assert zmq.curve_public(s) == p; print(p.decode())",
                        base + ".key_secret"], capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().strip() == out["public"], (r.stdout, out)


@case("keygen")
def test_keygen_refuses_to_replace_files_without_force():
    d = keygen_dir()
    base = os.path.join(d, "x")
    first = keygen_lines(expect_ok(run("keygen", base), "first"))
    line = usage_error(["keygen", base], "exists", status=3)
    assert "-f" in line, line
    assert '"%s"' % first["public"] in open(base + ".key").read()
    again = keygen_lines(expect_ok(run("keygen", "-f", base), "zinc keygen -f"))
    assert again["public"] != first["public"]
    assert '"%s"' % again["public"] in open(base + ".key").read()
    assert os.stat(base + ".key_secret").st_mode & 0o777 == 0o600


@case("keygen")
def test_keygen_usage_errors_are_one_line_and_exit_2():
    d = keygen_dir()
    usage_error(["keygen", "--bogus"], "--bogus")
    usage_error(["keygen", "-Q"], "-Q")
    usage_error(["keygen", "-o"], "-o")
    usage_error(["keygen", "-m"], "-m")
    usage_error(["keygen", "-p"], "-p")
    usage_error(["keygen", "a", "b"], "one BASENAME")
    usage_error(["keygen", "-o", "a", "b"], "one BASENAME")
    usage_error(["keygen", "-m", "name=x"], "BASENAME")
    usage_error(["keygen", "-f"], "BASENAME")
    usage_error(["keygen", "-m", "novalue", os.path.join(d, "y")], "NAME=VALUE")
    usage_error(["keygen", "-m", "a b=c", os.path.join(d, "y")], "a b=c")
    usage_error(["keygen", "-m", "n=x", "-m", "n=y", os.path.join(d, "y")], "twice")
    usage_error(["keygen", "-m", "v=both \" and '", os.path.join(d, "y")], "quote")
    usage_error(["keygen", "-p", "not-a-key"], "40 Z85")
    usage_error(["keygen", "-p", "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6", "base"], "-p")
    usage_error(["keygen", ".key"], ".key")
    assert os.listdir(d) == [], "a usage error wrote %r" % os.listdir(d)


@case("keygen")
def test_keygen_unwritable_place_is_a_runtime_error():
    d = keygen_dir()
    usage_error(["keygen", os.path.join(d, "no", "such", "dir", "x")], "x.key", status=3)


@case("keygen")
def test_keygen_help_and_zinc_help_mention_it():
    out = expect_ok(run("keygen", "--help"), "zinc keygen --help").decode()
    for word in ("BASENAME.key", "BASENAME.key_secret", "--output", "--meta", "--force",
                 "--public", "public:", "secret:", "0600"):
        assert word in out, "%s missing from zinc keygen --help" % word
    out = expect_ok(run("--help"), "zinc --help").decode()
    assert "keygen" in out, out


def main(argv):
    global ZINC
    if len(argv) < 3:
        print(__doc__)
        return 2
    group, ZINC = argv[1], os.path.abspath(argv[2])
    only = set(argv[3:])
    if not os.access(ZINC, os.X_OK):
        print("FAIL: %s is not built" % ZINC)
        return 1
    passed = failed = skipped = 0
    for fn, needs, pyzmq in CASES.get(group, []):
        name = fn.__name__
        if only and name not in only:
            continue
        try:
            missing = [t for t in needs if t not in built_types()]
            if missing:
                raise Skip("%s not built yet" % ", ".join(missing))
            if pyzmq and not have_pyzmq():
                raise Skip("%s has no zmq module" % PYTHON)
            t0 = time.monotonic()
            fn()
            print("ok   %s (%.2f s)" % (name, time.monotonic() - t0), flush=True)
            passed += 1
        except Skip as e:
            print("SKIP %s: %s" % (name, e), flush=True)
            skipped += 1
        except Exception as e:  # AssertionError, and anything unexpected
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e), flush=True)
            failed += 1
    print("%s: %d passed, %d failed, %d skipped" % (group, passed, failed, skipped))
    if failed:
        return 1
    return 77 if passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
