/* Interop with libzmq (pyzmq, in a child process) for the PLAIN and CURVE
 * tests, over real zinc sockets and TCP. Test-only; include after <cmocka.h>.
 *
 * The peer (the script below, run by the system python) is a ROUTER that
 * binds and echoes one message, or a DEALER that connects, sends one message
 * and expects it back. Both sides use the same message: four frames of 0, 1,
 * 512 and 70000 octets. It prints "ok" when its part went as expected; a
 * peer told to expect nothing prints "ok" when nothing arrived in time.
 *
 *   server MECH AUTH SERVERPUB SERVERSEC USERID   (MECH plain|curve,
 *       AUTH none|auth: pyzmq's ThreadAuthenticator with admin/secret for
 *       PLAIN, any key for CURVE; USERID "-" or the expected User-Id;
 *       SERVERPUB/SEC "-" for PLAIN) prints its endpoint first
 *   client MECH ENDPOINT A B C   (PLAIN: A user, B password; CURVE: A the
 *       server key, B and C our public and secret keys)
 *   Each ends with "expect" or "nothing". "server-hb" heartbeats (50 ms,
 *   timeout 150 ms), echoes the message twice and checks that the second
 *   came over the same connection (the same routing id).
 */
#ifndef ZT_PYSEC_H
#define ZT_PYSEC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "sockutil.h"

/* No single quotes: it goes to the shell inside them. */
static const char zt_pysec_script[] =
    "import sys, zmq, zmq.auth\n"
    "from zmq.auth.thread import ThreadAuthenticator\n"
    "a = sys.argv[1:]; c = zmq.Context(); expect = a[-1] == \"expect\"; auth = None\n"
    "def done():\n"
    "    if auth: auth.stop()\n"
    "    print(\"ok\", flush=True); sys.exit(0)\n"
    "parts = [b\"\", b\"x\", bytes(range(256)) * 2, b\"\\x07\" * 70000]\n"
    "hb = a[0].endswith(\"-hb\"); a[0] = a[0].split(\"-\")[0]\n"
    "s = c.socket(zmq.ROUTER if a[0] == \"server\" else zmq.DEALER)\n"
    "s.linger = 0; s.sndtimeo = 4000; s.rcvtimeo = 4000 if expect else 1500\n"
    "if hb: s.heartbeat_ivl = 50; s.heartbeat_timeout = 150; s.heartbeat_ttl = 500\n"
    "if a[0] == \"server\":\n"
    "    if a[2] == \"auth\":\n"
    "        auth = ThreadAuthenticator(c); auth.start()\n"
    "        if a[1] == \"plain\": auth.configure_plain(domain=\"*\", passwords={\"admin\": "
    "\"secret\"})\n"
    "        else: auth.configure_curve(domain=\"*\", location=zmq.auth.CURVE_ALLOW_ANY)\n"
    "    if a[1] == \"plain\": s.plain_server = True\n"
    "    else: s.curve_publickey = a[3].encode(); s.curve_secretkey = a[4].encode(); "
    "s.curve_server = True\n"
    "    s.bind(\"tcp://127.0.0.1:*\"); print(s.last_endpoint.decode(), flush=True)\n"
    "    try:\n"
    "        m = s.recv_multipart(copy=False)\n"
    "    except zmq.Again:\n"
    "        assert not expect, \"nothing arrived\"; done()\n"
    "    assert expect, \"a message arrived\"\n"
    "    assert [f.bytes for f in m[1:]] == parts, [len(f.bytes) for f in m]\n"
    "    if a[5] != \"-\": assert m[1].get(\"User-Id\") == a[5], m[1].get(\"User-Id\")\n"
    "    s.send_multipart(m)\n"
    "    if hb:\n"
    "        m2 = s.recv_multipart(); s.send_multipart(m2)\n"
    "        assert m2[0] == m[0].bytes, \"the connection did not survive the idle time\"\n"
    "else:\n"
    "    if a[1] == \"plain\": s.plain_username = a[3].encode(); s.plain_password = "
    "a[4].encode()\n"
    "    else: s.curve_serverkey = a[3].encode(); s.curve_publickey = a[4].encode(); "
    "s.curve_secretkey = a[5].encode()\n"
    "    s.connect(a[2]); s.send_multipart(parts)\n"
    "    try:\n"
    "        m = s.recv_multipart()\n"
    "    except zmq.Again:\n"
    "        assert not expect, \"no echo\"; done()\n"
    "    assert m == parts, [len(f) for f in m]\n"
    "import time; time.sleep(0.2)\n"
    "done()\n";

static inline const char *zt_pysec_python(void)
{
    const char *py = getenv("ZINC_PYTHON");
    return py && *py ? py : "/usr/bin/python3";
}

/* Whether the system python has pyzmq with CURVE. */
static inline bool zt_pysec_available(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "%s -c \"import zmq, sys; sys.exit(not zmq.has('curve'))\" 2>/dev/null",
             zt_pysec_python());
    return system(cmd) == 0;
}

/* Starts the peer with args (each single-quoted by the caller's format). */
static inline FILE *zt_pysec_start(const char *args)
{
    char cmd[4096];
    int n = snprintf(cmd, sizeof cmd, "timeout 15 %s -c '%s' %s", zt_pysec_python(),
                     zt_pysec_script, args);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    return f;
}

/* Reads the endpoint a server peer prints first. */
static inline void zt_pysec_endpoint(FILE *f, char *ep, size_t cap)
{
    assert_non_null(fgets(ep, (int)cap, f));
    ep[strcspn(ep, "\n")] = 0;
    assert_true(strncmp(ep, "tcp://", 6) == 0);
}

/* The peer's last line must be "ok" and its exit status 0. */
static inline void zt_pysec_finish(FILE *f)
{
    char line[512] = "", last[512] = "";
    while (fgets(line, sizeof line, f))
        snprintf(last, sizeof last, "%s", line);
    int st = pclose(f);
    assert_string_equal(last, "ok\n");
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* The message both sides exchange: frame i of 4. */
static inline size_t zt_pysec_part(int i, uint8_t *buf)
{
    static const size_t sizes[4] = {0, 1, 512, 70000};
    for (size_t k = 0; k < sizes[i]; k++)
        buf[k] = i == 1 ? 'x' : i == 2 ? (uint8_t)(k % 256) : 7;
    return sizes[i];
}

static inline void zt_pysec_send(zinc_socket_t *s)
{
    static uint8_t buf[70000];
    for (int i = 0; i < 4; i++) {
        size_t n = zt_pysec_part(i, buf);
        zt_send(s, buf, n, i < 3 ? ZINC_MORE : 0);
    }
}

/* Receives the message and checks it; with id, a ROUTER's routing id comes
 * first and is returned there. */
static inline void zt_pysec_recv(zinc_socket_t *s, uint8_t *id, size_t *id_len)
{
    static uint8_t want[70000], got[70001];
    if (id) {
        *id_len = zt_recv_any(s, id, 255);
        assert_true(zt_rcvmore(s));
    }
    for (int i = 0; i < 4; i++) {
        size_t n = zt_pysec_part(i, want);
        size_t m = zt_recv_any(s, got, sizeof got);
        assert_int_equal(m, n);
        if (n)
            assert_memory_equal(got, want, n);
        assert_int_equal(zt_rcvmore(s), i < 3);
    }
}

#endif
