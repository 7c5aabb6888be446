/* Helpers for tests that drive real sockets through the public API: sockets
 * with bounded timeouts and linger 0, a fresh endpoint per transport, sending
 * and checking messages, and waiting for readiness through the `fd` and
 * `events` options. Test-only; every helper asserts (cmocka) on failure.
 * Include after <cmocka.h>.
 */
#ifndef ZT_SOCKUTIL_H
#define ZT_SOCKUTIL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zinc.h"

typedef enum { ZT_INPROC, ZT_TCP, ZT_IPC } zt_transport_t;

static const zt_transport_t zt_tr_inproc = ZT_INPROC, zt_tr_tcp = ZT_TCP, zt_tr_ipc = ZT_IPC;

#define ZT_TIMEOUT_MS 2000

/* The transport of a case made with ZT_PER_TRANSPORT. */
#define TR(state) (*(const zt_transport_t *)*(state))

/* One case per transport, named fn/inproc, fn/tcp, fn/ipc. */
#define ZT_PER_TRANSPORT(fn)                                                                       \
    {#fn "/inproc", fn, NULL, NULL, (void *)&zt_tr_inproc},                                        \
        {#fn "/tcp", fn, NULL, NULL, (void *)&zt_tr_tcp},                                          \
    {                                                                                              \
#fn "/ipc", fn, NULL, NULL, (void *)&zt_tr_ipc                                             \
    }

static inline int64_t zt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline zinc_socket_t *zt_sock(zinc_ctx_t *ctx, int type)
{
    zinc_socket_t *s = zinc_socket_new(ctx, type);
    assert_non_null(s);
    assert_int_equal(zinc_set_int(s, "linger", 0), 0);
    assert_int_equal(zinc_set_int(s, "rcvtimeo", ZT_TIMEOUT_MS), 0);
    assert_int_equal(zinc_set_int(s, "sndtimeo", ZT_TIMEOUT_MS), 0);
    return s;
}

/* Binds s to a fresh endpoint of transport t; ep gets what to connect to. */
static inline void zt_bind(zinc_socket_t *s, zt_transport_t t, char *ep, size_t cap)
{
    static unsigned n;
    char uri[128];
    n++;
    if (t == ZT_INPROC)
        snprintf(uri, sizeof uri, "inproc://zt-%u", n);
    else if (t == ZT_TCP)
        snprintf(uri, sizeof uri, "tcp://127.0.0.1:*");
    else
        snprintf(uri, sizeof uri, "ipc://@zt-%ld-%u", (long)getpid(), n);
    assert_int_equal(zinc_bind(s, uri), 0);
    size_t len = cap;
    assert_int_equal(zinc_get(s, "last_endpoint", ep, &len), 0);
}

static inline void zt_connect(zinc_socket_t *s, const char *ep)
{
    assert_int_equal(zinc_connect(s, ep), 0);
}

/* Binds a, connects b to it. */
static inline void zt_pair_up(zinc_socket_t *a, zinc_socket_t *b, zt_transport_t t)
{
    char ep[256];
    zt_bind(a, t, ep, sizeof ep);
    zt_connect(b, ep);
}

static inline void zt_send(zinc_socket_t *s, const void *data, size_t len, int flags)
{
    assert_int_equal(zinc_send(s, data, len, flags), (int)len);
}

static inline void zt_send_str(zinc_socket_t *s, const char *str, int flags)
{
    zt_send(s, str, strlen(str), flags);
}

/* Sends n text frames as one message. */
static inline void zt_send_msg(zinc_socket_t *s, const char *const *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        zt_send_str(s, parts[i], i + 1 < n ? ZINC_MORE : 0);
}

static inline bool zt_rcvmore(zinc_socket_t *s)
{
    int64_t v = -1;
    assert_int_equal(zinc_get_int(s, "rcvmore", &v), 0);
    return v != 0;
}

/* Receives one frame and checks its octets and whether more follow. */
static inline void zt_recv_expect(zinc_socket_t *s, const void *data, size_t len, bool more)
{
    char buf[512];
    int n = zinc_recv(s, buf, sizeof buf, 0);
    if (n < 0)
        fail_msg("recv failed: %s", zinc_strerror(errno));
    assert_int_equal(n, (int)len);
    if (len)
        assert_memory_equal(buf, data, len);
    assert_int_equal(zt_rcvmore(s), more);
}

static inline void zt_recv_str(zinc_socket_t *s, const char *str, bool more)
{
    zt_recv_expect(s, str, strlen(str), more);
}

/* Receives a whole message of text frames and checks each. */
static inline void zt_recv_msg(zinc_socket_t *s, const char *const *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        zt_recv_str(s, parts[i], i + 1 < n);
}

/* Receives one frame into buf; returns its size. */
static inline size_t zt_recv_any(zinc_socket_t *s, void *buf, size_t cap)
{
    int n = zinc_recv(s, buf, cap, 0);
    if (n < 0)
        fail_msg("recv failed: %s", zinc_strerror(errno));
    assert_true((size_t)n <= cap);
    return (size_t)n;
}

/* Sends one frame towards a peer that is about to refuse this connection.
 * The send may beat the refusal and be queued (1). If the refusal comes
 * first, the session has ended and its pipe is gone, as in libzmq, so the
 * send finds no peer (EAGAIN). Both are correct; anything else is not. */
static inline void zt_send_to_refuser(zinc_socket_t *s)
{
    int rc = zinc_send(s, "x", 1, ZINC_DONTWAIT);
    if (rc != 1) {
        assert_int_equal(rc, -1);
        assert_int_equal(errno, EAGAIN);
    }
}

/* Nothing to receive now. */
static inline void zt_recv_none(zinc_socket_t *s)
{
    char buf[64];
    assert_int_equal(zinc_recv(s, buf, sizeof buf, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
}

static inline int zt_events(zinc_socket_t *s)
{
    int64_t v = -1;
    assert_int_equal(zinc_get_int(s, "events", &v), 0);
    return (int)v;
}

/* Waits until one of socks has POLLIN; returns its index, or -1 after
 * timeout_ms. Uses the level-triggered `fd` option as libzmq's users do. */
static inline int zt_poll_in(zinc_socket_t *const *socks, size_t n, int timeout_ms)
{
    struct pollfd pfd[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        int64_t fd = -1;
        assert_int_equal(zinc_get_int(socks[i], "fd", &fd), 0);
        pfd[i] = (struct pollfd){.fd = (int)fd, .events = POLLIN};
    }
    int64_t deadline = zt_now_ms() + timeout_ms;
    for (;;) {
        for (size_t i = 0; i < n; i++)
            if (zt_events(socks[i]) & ZINC_POLLIN)
                return (int)i;
        int64_t left = deadline - zt_now_ms();
        if (left <= 0)
            return -1;
        (void)poll(pfd, n, (int)left);
    }
}

#endif
