/* REQ (RFC 28 REQREP): a DEALER with a strict send/recv state machine.
 *
 * Sending a request: the empty delimiter frame goes first (after a 4-octet
 * request id with req_correlate), then the application's frames, all to one
 * peer chosen by load-balancing. Receiving: only from the peer the last
 * request went to; a reply must start with the delimiter (after the matching
 * request id with req_correlate), which is stripped; anything else is dropped.
 * The wrong call for the state is EFSM. With req_relaxed a new request may be
 * sent before the reply came; that reply is then dropped when it arrives.
 * Behaviour follows libzmq 4.3's req_t.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/socket.h"
#include "pattern/strategy.h"

typedef struct {
    zi_sock_t *s;
    zi_lb_t lb;
    zi_fq_t fq;
    bool receiving_reply;  /* a request went out; its reply is awaited */
    bool message_begins;   /* the next frame sent/received starts a message */
    zi_pipe_t *reply_pipe; /* where the last request went (NULL: any) */
    uint32_t request_id;
} req_t;

/* A random starting point, as libzmq (a fresh socket does not reuse ids a
 * previous one had in flight). */
static uint32_t req_random32(void)
{
    uint32_t v;
    if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v)
        return v;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec;
}

static bool req_opt(const req_t *r, zi_opt_index i)
{
    return zi_optset_int(zi_sock_opts(r->s), i) != 0;
}

static int req_init(void *st, zi_sock_t *s)
{
    req_t *r = st;
    r->s = s;
    r->message_begins = true;
    r->request_id = req_random32();
    return 0;
}

static void req_fini(void *st)
{
    req_t *r = st;
    zi_lb_fini(&r->lb);
    zi_fq_fini(&r->fq);
}

/* probe_router: an empty message to each new peer (libzmq's dealer_t does
 * this for DEALER and REQ alike). */
static void req_probe(req_t *r, zi_pipe_t *p)
{
    if (!req_opt(r, ZI_OPT_PROBE_ROUTER) || !zi_pipe_check_write(p))
        return;
    zinc_frame_t *f = zinc_frame_new(NULL, 0);
    if (f && zi_pipe_write(p, f) != ZI_OK)
        zinc_frame_unref(f);
    zi_pipe_flush(p);
}

static void req_attach(void *st, zi_pipe_t *p)
{
    req_t *r = st;
    req_probe(r, p);
    if (zi_lb_attach(&r->lb, p) != 0) {
        zi_pipe_close(p);
        return;
    }
    if (zi_fq_attach(&r->fq, p) != 0) {
        zi_lb_detach(&r->lb, p);
        zi_pipe_close(p);
    }
}

static void req_detach(void *st, zi_pipe_t *p)
{
    req_t *r = st;
    /* As libzmq: with the reply pipe gone, a reply is taken from anyone. */
    if (r->reply_pipe == p)
        r->reply_pipe = NULL;
    zi_lb_detach(&r->lb, p);
    zi_fq_detach(&r->fq, p);
}

static void req_read_activated(void *st, zi_pipe_t *p)
{
    zi_fq_activated(&((req_t *)st)->fq, p);
}

static void req_write_activated(void *st, zi_pipe_t *p)
{
    zi_lb_activated(&((req_t *)st)->lb, p);
}

/* Sends one envelope frame (MORE set); on failure it is unref'd. */
static int req_send_envelope(req_t *r, const void *data, size_t len)
{
    zinc_frame_t *f = zinc_frame_new(data, len);
    if (!f)
        return -1;
    zi_frame_set_more(f, true);
    if (zi_lb_send(&r->lb, f, &r->reply_pipe) != 0) {
        int err = errno;
        zinc_frame_unref(f);
        errno = err;
        return -1;
    }
    return 0;
}

static int req_send(void *st, zinc_frame_t *f)
{
    req_t *r = st;
    if (r->receiving_reply) {
        /* RFC 28: a REQ must not send a new request before the reply. */
        if (!req_opt(r, ZI_OPT_REQ_RELAXED)) {
            errno = ZINC_EFSM;
            return -1;
        }
        r->receiving_reply = false;
        r->message_begins = true;
    }
    if (r->message_begins) {
        r->reply_pipe = NULL;
        if (req_opt(r, ZI_OPT_REQ_CORRELATE)) {
            /* libzmq sends the id in host order; the peer only echoes it. */
            uint32_t id = ++r->request_id;
            if (req_send_envelope(r, &id, sizeof id) != 0)
                return -1;
        }
        if (req_send_envelope(r, NULL, 0) != 0)
            return -1;
        r->message_begins = false;
        /* Drop every reply already here: none of them answers this request
         * (an old reply from another peer must not be taken for this one). */
        zinc_frame_t *old;
        while ((old = zi_fq_recv(&r->fq, r->s, NULL)) != NULL)
            zinc_frame_unref(old);
    }
    bool more = zi_frame_is_more(f);
    if (zi_lb_send(&r->lb, f, NULL) != 0)
        return -1;
    if (!more) {
        r->receiving_reply = true;
        r->message_begins = true;
    }
    return 0;
}

/* The next frame from the reply pipe; frames from other peers are dropped. */
static zinc_frame_t *req_recv_reply_pipe(req_t *r)
{
    for (;;) {
        zi_pipe_t *from = NULL;
        zinc_frame_t *f = zi_fq_recv(&r->fq, r->s, &from);
        if (!f)
            return NULL;
        if (!r->reply_pipe || from == r->reply_pipe)
            return f;
        zinc_frame_unref(f);
    }
}

/* f was the first frame of a bad reply: drops it and the rest of it. */
static void req_skip_message(req_t *r, zinc_frame_t *f)
{
    while (zi_frame_is_more(f)) {
        zinc_frame_unref(f);
        f = req_recv_reply_pipe(r);
        if (!f)
            return; /* cannot happen: messages arrive whole */
    }
    zinc_frame_unref(f);
}

static zinc_frame_t *req_recv(void *st)
{
    req_t *r = st;
    if (!r->receiving_reply) {
        errno = ZINC_EFSM;
        return NULL;
    }
    while (r->message_begins) {
        zinc_frame_t *f;
        if (req_opt(r, ZI_OPT_REQ_CORRELATE)) {
            f = req_recv_reply_pipe(r);
            if (!f)
                return NULL;
            if (!zi_frame_is_more(f) || f->size != sizeof r->request_id ||
                memcmp(f->data, &r->request_id, sizeof r->request_id) != 0) {
                req_skip_message(r, f);
                continue;
            }
            zinc_frame_unref(f);
        }
        f = req_recv_reply_pipe(r);
        if (!f)
            return NULL;
        /* RFC 28: the reply starts with an empty delimiter; else drop it. */
        if (!zi_frame_is_more(f) || f->size != 0) {
            req_skip_message(r, f);
            continue;
        }
        zinc_frame_unref(f);
        r->message_begins = false;
    }
    zinc_frame_t *f = req_recv_reply_pipe(r);
    if (!f)
        return NULL;
    if (!zi_frame_is_more(f)) {
        r->receiving_reply = false;
        r->message_begins = true;
    }
    return f;
}

static bool req_has_in(void *st)
{
    req_t *r = st;
    return r->receiving_reply && zi_fq_has_in(&r->fq);
}

static bool req_has_out(void *st)
{
    req_t *r = st;
    if (r->receiving_reply && !req_opt(r, ZI_OPT_REQ_RELAXED))
        return false;
    return zi_lb_has_out(&r->lb);
}

const zi_pattern_ops_t zi_pattern_req = {
    .type = ZINC_REQ,
    .size = sizeof(req_t),
    .init = req_init,
    .fini = req_fini,
    .attach = req_attach,
    .detach = req_detach,
    .read_activated = req_read_activated,
    .write_activated = req_write_activated,
    .send = req_send,
    .recv = req_recv,
    .has_in = req_has_in,
    .has_out = req_has_out,
};
