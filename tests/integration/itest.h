/* Shared helpers for the integration tests: a per-case fixture (a context and
 * the sockets a case opens, all closed and the context terminated in the
 * teardown even when an assertion fails), fresh endpoints per transport, the
 * pattern pairs and a "link" that moves messages between the two sockets of
 * a pair whatever their pattern (envelopes, REQ/REP lockstep, the PUB/SUB
 * join), messages with verifiable contents, and the NUTS-style table that
 * runs one set of cases for tcp, ipc and inproc.
 *
 * Test-only. Every blocking call made through these helpers is bounded:
 * sockets get rcvtimeo/sndtimeo IT_IO_MS and linger 0 unless a case says
 * otherwise, and every case runs under an alarm (IT_CASE_S).
 */
#ifndef ZT_ITEST_H
#define ZT_ITEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdint.h>

#include "zinc.h"

enum {
    IT_IO_MS = 3000, /* default rcvtimeo/sndtimeo of a test socket */
    IT_CASE_S = 30,  /* a case that runs longer than this aborts the program */
    IT_MAX_SOCKS = 64,
    IT_MAX_FRAMES = 16,
};

/* ---- transports ---------------------------------------------------------- */

typedef enum { IT_TCP, IT_IPC, IT_INPROC } it_tran_id;

typedef struct {
    it_tran_id id;
    const char *name; /* "tcp", "ipc", "inproc" */
} it_tran_t;

extern const it_tran_t it_tcp, it_ipc, it_inproc;

/* A fresh endpoint to bind: tcp://127.0.0.1:0 (read the port back with
 * it_last_endpoint), a new ipc path, a new inproc name. */
void it_ep_wild(const it_tran_t *t, char *buf, size_t cap);
/* A fresh endpoint with a concrete address, usable by a connect made before
 * anything binds it: for tcp a port that was free a moment ago. */
void it_ep_fixed(const it_tran_t *t, char *buf, size_t cap);

/* ---- the fixture --------------------------------------------------------- */

typedef struct it_pat it_pat_t;

typedef struct {
    const it_tran_t *tran; /* the case's transport */
    const void *param;     /* the case's it_case_t.param */
    const it_pat_t *pat;   /* per-pattern cases: the pair */
    bool bind_a;           /* ... a binds (else b binds) */
    bool connect_first;    /* ... the connect comes before the bind */
    zinc_ctx_t *ctx;
    zinc_socket_t *socks[IT_MAX_SOCKS];
    int64_t started_ms;
    /* Called by it_link_open for each socket (side 0: a, 1: b) before any
     * bind or connect, when set. */
    void (*tune)(zinc_socket_t *s, int side);
} it_fx_t;

/* cmocka setup/teardown: a context per case; teardown closes every socket
 * still open with linger 0 and terminates the context (unless the case did
 * and set fx->ctx to NULL). */
int it_setup(void **state);
int it_teardown(void **state);

/* A socket of type with linger 0 and rcvtimeo/sndtimeo IT_IO_MS, owned by
 * the fixture. When zinc does not build the type (EINVAL), the case is
 * skipped. */
zinc_socket_t *it_socket(it_fx_t *fx, int type);
/* Closes s now (and forgets it). */
void it_close(it_fx_t *fx, zinc_socket_t *s);
/* Forgets s without closing it (a case that closes it itself, elsewhere). */
void it_forget(it_fx_t *fx, zinc_socket_t *s);

void it_set_int(zinc_socket_t *s, const char *name, int64_t v);
void it_set_str(zinc_socket_t *s, const char *name, const char *v);
int64_t it_get_int(zinc_socket_t *s, const char *name);
/* Binds endpoint and writes the endpoint a peer should connect to (the
 * last_endpoint) to out. */
void it_bind(zinc_socket_t *s, const char *endpoint, char *out, size_t cap);
void it_connect(zinc_socket_t *s, const char *endpoint);
void it_last_endpoint(zinc_socket_t *s, char *buf, size_t cap);

/* ---- time ---------------------------------------------------------------- */

int64_t it_now_ms(void);
void it_sleep_ms(int ms);

/* ---- messages ------------------------------------------------------------ */

typedef struct {
    size_t n;
    zinc_frame_t *f[IT_MAX_FRAMES];
} it_msg_t;

/* Frame f of message m, size octets of a pattern that depends on (m, f).
 * it_frame_ok checks one; it_frame_tag reads m back (4 octets or more). */
zinc_frame_t *it_frame(uint32_t m, uint32_t f, size_t size);
bool it_frame_ok(const zinc_frame_t *fr, uint32_t m, uint32_t f, size_t size);
uint32_t it_frame_tag(const zinc_frame_t *fr);

/* Sends a whole message (frames taken over). 0, or -1 with errno, the
 * unsent frames released (a failure after the first frame is a test bug). */
int it_send_msg(zinc_socket_t *s, it_msg_t *msg, int flags);
/* Receives a whole message. 0 or -1 with errno. */
int it_recv_msg(zinc_socket_t *s, it_msg_t *msg, int flags);
void it_msg_clear(it_msg_t *msg);
/* Message m: nframes frames of size octets each. */
void it_msg_make(it_msg_t *msg, uint32_t m, size_t nframes, size_t size);
/* Checks a message made by it_msg_make. */
bool it_msg_ok(const it_msg_t *msg, uint32_t m, size_t nframes, size_t size);

/* Sends / receives a one-frame message holding a 4-octet number. */
int it_send_u32(zinc_socket_t *s, uint32_t v, int flags);
int it_recv_u32(zinc_socket_t *s, uint32_t *v, int flags);

/* Expects nothing to arrive on s within ms (recv fails with EAGAIN). */
void it_expect_silence(zinc_socket_t *s, int ms);

/* ---- pattern pairs and links --------------------------------------------- */

enum {
    IT_BIDI = 1,      /* messages flow both ways */
    IT_LOCKSTEP = 2,  /* REQ/REP: a request, then its reply */
    IT_A_ROUTER = 4,  /* side a is a ROUTER (envelope) */
    IT_B_ROUTER = 8,  /* side b is a ROUTER */
    IT_PUBSUB = 16,   /* a is PUB, b is SUB: b subscribes, a waits for it */
    IT_HWM_DROPS = 32 /* the sender drops at the hwm instead of blocking */
};

struct it_pat {
    const char *name; /* "push-pull" */
    int a, b;         /* a sends first; b receives first */
    unsigned flags;
};

extern const it_pat_t it_pats[];
extern const size_t it_npats;

typedef struct {
    it_fx_t *fx;
    const it_pat_t *pat;
    zinc_socket_t *s[2]; /* s[0] of type a, s[1] of type b */
    char ep[256];        /* the endpoint they use */
    uint8_t rid[2][8];   /* routing ids ("A", "B") for ROUTER peers */
} it_link_t;

/* Opens both sockets of pat over the fixture's transport; when bind_a, a
 * binds and b connects, else b binds and a connects; when connect_first the
 * connect is made before the bind. Both sockets get routing ids "A" and "B";
 * ROUTERs get router_mandatory; with connect_first the connecter redials
 * every 20 ms. fx->tune, when set, sees each socket before the bind/connect.
 * Skips the case when a type is not built. */
void it_link_open(it_fx_t *fx, it_link_t *l, const it_pat_t *pat, bool bind_a, bool connect_first);
/* it_link_open with the fixture's pattern pair and order. */
void it_link_open_fx(it_fx_t *fx, it_link_t *l);
/* Sends a body (frames taken over) from side `from` (0: a, 1: b) to the
 * other, adding the envelope a ROUTER needs. 0 or -1 with errno. */
int it_link_send(it_link_t *l, int from, it_msg_t *body, int flags);
/* Receives a body on side `to`, without the envelope; for LOCKSTEP the REP
 * side echoes it back and the REQ side's reply must match. 0 or -1. */
int it_link_recv(it_link_t *l, int to, it_msg_t *body, int flags);
/* Makes sure a message sent now from a to b arrives (PUB/SUB: the
 * subscription is in place; ROUTER: the peer's routing id is known), by
 * exchanging probe messages, which it consumes. */
void it_link_join(it_link_t *l);

/* ---- per-transport case tables (nng's NUTS_DECLARE_TRAN_TESTS) ----------- */

/* Orders for per-pattern cases (it_case_t.orders). */
enum {
    IT_A_BINDS = 1,      /* a binds, then b connects */
    IT_A_BINDS_LATE = 2, /* b connects, then a binds */
    IT_B_BINDS = 4,      /* b binds, then a connects */
    IT_B_BINDS_LATE = 8, /* a connects, then b binds */
    IT_ALL_ORDERS = 15,
};

typedef struct {
    const char *name; /* states the behaviour */
    void (*fn)(void **state);
    const void *param; /* given to the case as fx->param */
    unsigned trans;    /* bit (1 << it_tran_id) per transport to run on; 0:
                          once, with no transport (fx->tran NULL) */
    unsigned orders;   /* 0: one case per transport; else one per pattern
                          pair and order (fx->pat, bind_a, connect_first) */
} it_case_t;

#define IT_ALL_TRANS 7u
#define IT_STREAM_TRANS ((1u << IT_TCP) | (1u << IT_IPC))

/* Runs each case once per transport in its mask ("tcp: name", ...), and for
 * per-pattern cases once per pair and order ("tcp push-pull b-binds: name"),
 * each with a fresh fixture. Returns cmocka's result. */
int it_run(const char *group, const it_case_t *cases, size_t n);

/* The fixture from cmocka's state. */
static inline it_fx_t *it_fx(void **state)
{
    return *state;
}

#endif
