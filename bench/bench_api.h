/* bench_api.h: the few calls the benchmarks make, mapped onto zinc
 * (include/zinc.h) or onto libzmq (zmq.h), so that one source file measures
 * both libraries. Compile with -DBENCH_ZINC or -DBENCH_LIBZMQ.
 *
 * Messages go through each library's message API, as libzmq's own perf tools
 * do: a sent message is allocated at its size and handed over (no extra
 * copy), a received message is taken and released. Options are set by name
 * for zinc ("LINGER") and by id for libzmq (ZMQ_LINGER), from one macro.
 *
 * Every function returns 0 (or a size) on success and -1 with errno on
 * failure; b_strerror() gives the library's text for errno.
 */
#ifndef BENCH_API_H
#define BENCH_API_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(BENCH_ZINC) == defined(BENCH_LIBZMQ)
#error "define exactly one of BENCH_ZINC and BENCH_LIBZMQ"
#endif

#ifdef BENCH_ZINC

#include <stdio.h>

#include "zinc.h"

#define B_LIB "zinc"
#define B_PAIR ZINC_PAIR
#define B_REQ ZINC_REQ
#define B_REP ZINC_REP
#define B_DEALER ZINC_DEALER
#define B_PUSH ZINC_PUSH
#define B_PULL ZINC_PULL
#define B_MORE ZINC_MORE
#define B_PUB ZINC_PUB
#define B_SUB ZINC_SUB
#define B_ROUTER ZINC_ROUTER
#define B_DONTWAIT ZINC_DONTWAIT
#define B_POLLIN ZINC_POLLIN

typedef zinc_pollitem_t b_pollitem_t;

/* Sets an integer socket option, named as in libzmq without ZMQ_. */
#define B_SETI(s, name, v) zinc_set_int((s), #name, (v))
/* Sets a binary socket option (subscribe, CURVE keys). */
#define B_SETB(s, name, data, len) zinc_set_bytes((s), #name, (data), (len))
/* Sets an integer context option (MAX_SOCKETS) before any socket exists. */
#define B_CTX_SETI(ctx, name, v) b_zinc_ctx_seti((ctx), #name, (v))

static inline int b_zinc_ctx_seti(void *ctx, const char *name, int v)
{
    char text[24];
    snprintf(text, sizeof text, "%d", v);
    return zinc_ctx_set(ctx, name, text);
}
static inline bool b_has_curve(void)
{
    const zinc_option_t *o = zinc_option_find("curve_server");
    return o && zinc_option_implemented(o);
}
static inline int b_poll(b_pollitem_t *items, int n, long timeout_ms)
{
    return zinc_poll(items, n, timeout_ms);
}

static inline void *b_ctx_new(void)
{
    return zinc_ctx_new();
}
static inline int b_ctx_term(void *ctx)
{
    return zinc_ctx_term(ctx);
}
static inline void *b_socket(void *ctx, int type)
{
    return zinc_socket_new(ctx, type);
}
static inline int b_close(void *s)
{
    return zinc_socket_close(s);
}
static inline int b_bind(void *s, const char *ep)
{
    return zinc_bind(s, ep);
}
static inline int b_connect(void *s, const char *ep)
{
    return zinc_connect(s, ep);
}
static inline const char *b_strerror(int err)
{
    return zinc_strerror(err);
}

/* Sends a new message of size octets (contents left as allocated). */
static inline int b_send_new(void *s, size_t size, int flags)
{
    zinc_frame_t *f = zinc_frame_new_size(size);
    if (!f)
        return -1;
    if (zinc_send_frame(s, f, flags) != 0) {
        int err = errno;
        zinc_frame_unref(f);
        errno = err;
        return -1;
    }
    return 0;
}

/* Sends a copy of len octets of data. */
static inline int b_send_copy(void *s, const void *data, size_t len, int flags)
{
    return zinc_send(s, data, len, flags) < 0 ? -1 : 0;
}

/* Receives one message part into buf (truncated to cap): its full size, or
 * -1. *more tells whether more parts follow. */
static inline long b_recv_copy(void *s, void *buf, size_t cap, int flags, int *more)
{
    zinc_frame_t *f = zinc_recv_frame(s, flags);
    if (!f)
        return -1;
    size_t n = zinc_frame_size(f);
    if (n)
        memcpy(buf, zinc_frame_data(f), n < cap ? n : cap);
    *more = zinc_frame_more(f);
    zinc_frame_unref(f);
    return (long)n;
}

/* Receives one message part and releases it: its size, or -1. *more tells
 * whether more parts follow. */
static inline long b_recv_drop(void *s, int *more)
{
    zinc_frame_t *f = zinc_recv_frame(s, 0);
    if (!f)
        return -1;
    long n = (long)zinc_frame_size(f);
    *more = zinc_frame_more(f);
    zinc_frame_unref(f);
    return n;
}

/* Receives one message part and sends it back on the same socket with the
 * same MORE flag, without copying it: its size, or -1. */
static inline long b_echo(void *s, int *more)
{
    zinc_frame_t *f = zinc_recv_frame(s, 0);
    if (!f)
        return -1;
    long n = (long)zinc_frame_size(f);
    *more = zinc_frame_more(f);
    if (zinc_send_frame(s, f, *more ? ZINC_MORE : 0) != 0) {
        int err = errno;
        zinc_frame_unref(f);
        errno = err;
        return -1;
    }
    return n;
}

#else /* BENCH_LIBZMQ */

#include <zmq.h>

#define B_LIB "libzmq"
#define B_PAIR ZMQ_PAIR
#define B_REQ ZMQ_REQ
#define B_REP ZMQ_REP
#define B_DEALER ZMQ_DEALER
#define B_PUSH ZMQ_PUSH
#define B_PULL ZMQ_PULL
#define B_MORE ZMQ_SNDMORE
#define B_PUB ZMQ_PUB
#define B_SUB ZMQ_SUB
#define B_ROUTER ZMQ_ROUTER
#define B_DONTWAIT ZMQ_DONTWAIT
#define B_POLLIN ZMQ_POLLIN

typedef zmq_pollitem_t b_pollitem_t;

#define B_SETB(s, name, data, len) zmq_setsockopt((s), ZMQ_##name, (data), (len))
#define B_CTX_SETI(ctx, name, v) zmq_ctx_set((ctx), ZMQ_##name, (v))

static inline bool b_has_curve(void)
{
    return zmq_has("curve") != 0;
}
static inline int b_poll(b_pollitem_t *items, int n, long timeout_ms)
{
    return zmq_poll(items, n, timeout_ms);
}

static inline int b_zmq_seti(void *s, int id, int64_t v)
{
    int i = (int)v;
    return zmq_setsockopt(s, id, &i, sizeof i);
}
#define B_SETI(s, name, v) b_zmq_seti((s), ZMQ_##name, (v))

static inline void *b_ctx_new(void)
{
    return zmq_ctx_new();
}
static inline int b_ctx_term(void *ctx)
{
    return zmq_ctx_term(ctx);
}
static inline void *b_socket(void *ctx, int type)
{
    return zmq_socket(ctx, type);
}
static inline int b_close(void *s)
{
    return zmq_close(s);
}
static inline int b_bind(void *s, const char *ep)
{
    return zmq_bind(s, ep);
}
static inline int b_connect(void *s, const char *ep)
{
    return zmq_connect(s, ep);
}
static inline const char *b_strerror(int err)
{
    return zmq_strerror(err);
}

static inline int b_send_new(void *s, size_t size, int flags)
{
    zmq_msg_t m;
    if (zmq_msg_init_size(&m, size) != 0)
        return -1;
    if (zmq_msg_send(&m, s, flags) < 0) {
        int err = errno;
        zmq_msg_close(&m);
        errno = err;
        return -1;
    }
    return 0;
}

static inline int b_send_copy(void *s, const void *data, size_t len, int flags)
{
    return zmq_send(s, data, len, flags) < 0 ? -1 : 0;
}

static inline long b_recv_copy(void *s, void *buf, size_t cap, int flags, int *more)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, s, flags) < 0) {
        int err = errno;
        zmq_msg_close(&m);
        errno = err;
        return -1;
    }
    size_t n = zmq_msg_size(&m);
    if (n)
        memcpy(buf, zmq_msg_data(&m), n < cap ? n : cap);
    *more = zmq_msg_more(&m);
    zmq_msg_close(&m);
    return (long)n;
}

static inline long b_recv_drop(void *s, int *more)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, s, 0) < 0) {
        int err = errno;
        zmq_msg_close(&m);
        errno = err;
        return -1;
    }
    long n = (long)zmq_msg_size(&m);
    *more = zmq_msg_more(&m);
    zmq_msg_close(&m);
    return n;
}

static inline long b_echo(void *s, int *more)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, s, 0) < 0) {
        int err = errno;
        zmq_msg_close(&m);
        errno = err;
        return -1;
    }
    long n = (long)zmq_msg_size(&m);
    *more = zmq_msg_more(&m);
    if (zmq_msg_send(&m, s, *more ? ZMQ_SNDMORE : 0) < 0) {
        int err = errno;
        zmq_msg_close(&m);
        errno = err;
        return -1;
    }
    return n;
}

#endif

#endif
