/* Pipe: two ypipes, message-counted hwm with batched credit, notifications
 * only to a possibly sleeping owner, and a close handshake (see pipe.h).
 *
 * Credit word (one per direction, written by both sides, RMW only):
 *   ack = (messages the reader consumed << 1) | PIPE_WAITING
 * The reader stores its count with an exchange; if the old value had
 * PIPE_WAITING set, the writer was blocked and gets `writable`. A writer that
 * finds no room sets PIPE_WAITING with a compare-and-swap on the very value it
 * judged by, so the reader's next exchange is bound to see it: no lost
 * wake-up, and no wake-up unless someone waits. The reader returns credit
 * every lwm messages and whenever it drains its queue, so a blocked writer
 * always gets credit once the reader has read what it was given.
 *
 * Callback guard: a notifier raises the target end's `busy`, checks `closed`
 * and calls the sink, then lowers `busy`; close (and set_sink) store first and
 * then wait for `busy` to drop to zero. Both sides use seq_cst, so either the
 * notifier sees the end closed (no call), or the closer sees it busy (waits):
 * after close returns no callback into the closed end's sink can happen.
 */
#include <assert.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/pipe.h"
#include "core/ypipe.h"
#include "core/ypipe_conflate.h"

#define PIPE_WAITING 1u
#define PIPE_MAX_WM_DELTA 1024 /* libzmq's max_wm_delta */
#define PIPE_LINE 64

enum { PIPE_READABLE, PIPE_WRITABLE, PIPE_TERMINATED };

typedef struct {
    zi_ypipe_t *q;
    zi_ypipe_conflate_t *cq; /* conflate: used instead of q (zi_pipe_set_conflate) */
    /* Writer's. */
    alignas(PIPE_LINE) uint64_t msgs_written; /* complete messages written */
    int hwm;                                  /* 0: no limit */
    bool w_more;                              /* inside a message */
    /* Reader's. */
    alignas(PIPE_LINE) uint64_t msgs_read; /* complete messages read */
    uint64_t msgs_acked;                   /* last count returned as credit */
    /* Shared. */
    alignas(PIPE_LINE) _Atomic uint64_t ack;
    atomic_uint lwm; /* credit batch, set by the writer, used by the reader */
} pipe_dir_t;

struct zi_pipe {
    struct pipe_pair *pair;
    struct zi_pipe *peer;
    pipe_dir_t *out; /* this end writes */
    pipe_dir_t *in;  /* this end reads */
    void *data;
    void *owner;  /* the owning object's per-end pointer (zi_pipe_set_owner) */
    bool closing; /* owner's copy of `closed` */
    alignas(PIPE_LINE) atomic_bool closed;
    atomic_uint busy;
    _Atomic(const zi_pipe_sink_t *) sink;
};

typedef struct pipe_pair {
    pipe_dir_t dir[2]; /* dir[i]: from end[i] to end[1 - i] */
    zi_pipe_t end[2];
    atomic_int refs;
} pipe_pair_t;

static unsigned pipe_lwm(int hwm)
{
    if (hwm <= 0)
        return PIPE_MAX_WM_DELTA;
    if (hwm > 2 * PIPE_MAX_WM_DELTA)
        return (unsigned)hwm - PIPE_MAX_WM_DELTA;
    return ((unsigned)hwm + 1) / 2;
}

/* The direction's queue: the plain ypipe, or the conflating one. */
static zi_err pipe_q_write(pipe_dir_t *d, zinc_frame_t *f, bool more)
{
    return d->cq ? zi_ypipe_conflate_write(d->cq, f, more) : zi_ypipe_write(d->q, f, more);
}

static zinc_frame_t *pipe_q_unwrite(pipe_dir_t *d)
{
    return d->cq ? zi_ypipe_conflate_unwrite(d->cq) : zi_ypipe_unwrite(d->q);
}

static bool pipe_q_flush(pipe_dir_t *d)
{
    return d->cq ? zi_ypipe_conflate_flush(d->cq) : zi_ypipe_flush(d->q);
}

static bool pipe_q_check_read(pipe_dir_t *d)
{
    return d->cq ? zi_ypipe_conflate_check_read(d->cq) : zi_ypipe_check_read(d->q);
}

static zinc_frame_t *pipe_q_read(pipe_dir_t *d)
{
    return d->cq ? zi_ypipe_conflate_read(d->cq) : zi_ypipe_read(d->q);
}

static zinc_frame_t *pipe_q_peek(pipe_dir_t *d)
{
    return d->cq ? zi_ypipe_conflate_peek(d->cq) : zi_ypipe_peek(d->q);
}

static void pipe_notify(zi_pipe_t *target, int what)
{
    atomic_fetch_add_explicit(&target->busy, 1, memory_order_seq_cst);
    if (!atomic_load_explicit(&target->closed, memory_order_seq_cst)) {
        const zi_pipe_sink_t *s = atomic_load_explicit(&target->sink, memory_order_seq_cst);
        if (s) {
            void (*fn)(void *, zi_pipe_t *) = what == PIPE_READABLE   ? s->readable
                                              : what == PIPE_WRITABLE ? s->writable
                                                                      : s->terminated;
            if (fn)
                fn(s->ctx, target);
        }
    }
    atomic_fetch_sub_explicit(&target->busy, 1, memory_order_release);
}

/* Waits for a callback into p's sink that started before the caller's store. */
static void pipe_quiesce(zi_pipe_t *p)
{
    while (atomic_load_explicit(&p->busy, memory_order_seq_cst) != 0)
        sched_yield();
}

static void pipe_pair_free(pipe_pair_t *pair)
{
    for (int i = 0; i < 2; i++) {
        zi_ypipe_free(pair->dir[i].q, zinc_frame_unref);
        zi_ypipe_conflate_free(pair->dir[i].cq, zinc_frame_unref);
    }
    free(pair);
}

zi_err zi_pipe_pair_new(zi_pipe_t *ends[2], const int hwm[2], const zi_pipe_sink_t *sink[2])
{
    size_t size = (sizeof(pipe_pair_t) + PIPE_LINE - 1) / PIPE_LINE * PIPE_LINE;
    pipe_pair_t *pair = aligned_alloc(PIPE_LINE, size);
    if (!pair)
        return ZI_ENOMEM;
    for (int i = 0; i < 2; i++) {
        pipe_dir_t *d = &pair->dir[i];
        d->q = zi_ypipe_new();
        d->cq = NULL;
        d->msgs_written = d->msgs_read = d->msgs_acked = 0;
        d->hwm = hwm && hwm[i] > 0 ? hwm[i] : 0;
        d->w_more = false;
        atomic_init(&d->ack, 0);
        atomic_init(&d->lwm, pipe_lwm(d->hwm));
    }
    if (!pair->dir[0].q || !pair->dir[1].q) {
        zi_ypipe_free(pair->dir[0].q, NULL);
        zi_ypipe_free(pair->dir[1].q, NULL);
        free(pair);
        return ZI_ENOMEM;
    }
    for (int i = 0; i < 2; i++) {
        zi_pipe_t *p = &pair->end[i];
        p->pair = pair;
        p->peer = &pair->end[1 - i];
        p->out = &pair->dir[i];
        p->in = &pair->dir[1 - i];
        p->data = NULL;
        p->owner = NULL;
        p->closing = false;
        atomic_init(&p->closed, false);
        atomic_init(&p->busy, 0);
        atomic_init(&p->sink, sink ? sink[i] : NULL);
        ends[i] = p;
    }
    atomic_init(&pair->refs, 2);
    return ZI_OK;
}

int zi_pipe_hwm_sum(int writer_sndhwm, int reader_rcvhwm)
{
    if (writer_sndhwm <= 0 || reader_rcvhwm <= 0)
        return 0;
    int64_t sum = (int64_t)writer_sndhwm + reader_rcvhwm;
    return sum > INT32_MAX ? INT32_MAX : (int)sum;
}

void zi_pipe_set_sink(zi_pipe_t *p, const zi_pipe_sink_t *sink)
{
    atomic_store_explicit(&p->sink, sink, memory_order_seq_cst);
    pipe_quiesce(p);
}

void zi_pipe_set_data(zi_pipe_t *p, void *data)
{
    p->data = data;
}

void *zi_pipe_data(const zi_pipe_t *p)
{
    return p->data;
}

void zi_pipe_set_owner(zi_pipe_t *p, void *owner)
{
    p->owner = owner;
}

void *zi_pipe_owner(const zi_pipe_t *p)
{
    return p->owner;
}

bool zi_pipe_peer_closed(const zi_pipe_t *p)
{
    return atomic_load_explicit(&p->peer->closed, memory_order_acquire);
}

/* ---- writing ---------------------------------------------------------- */

zi_err zi_pipe_set_conflate(zi_pipe_t *p)
{
    pipe_dir_t *d = p->out;
    if (d->cq)
        return ZI_OK;
    d->cq = zi_ypipe_conflate_new();
    if (!d->cq)
        return ZI_ENOMEM;
    d->hwm = 0; /* as libzmq: conflate ignores the hwm */
    atomic_store_explicit(&d->lwm, pipe_lwm(0), memory_order_relaxed);
    return ZI_OK;
}

void zi_pipe_set_hwm(zi_pipe_t *p, int hwm)
{
    if (p->out->cq)
        return;
    p->out->hwm = hwm > 0 ? hwm : 0;
    atomic_store_explicit(&p->out->lwm, pipe_lwm(p->out->hwm), memory_order_relaxed);
}

/* Room for a new message; if none, marks the writer waiting for credit. */
static bool pipe_has_room(pipe_dir_t *d)
{
    if (d->hwm == 0)
        return true;
    uint64_t cur = atomic_load_explicit(&d->ack, memory_order_acquire);
    for (;;) {
        if (d->msgs_written - (cur >> 1) < (uint64_t)d->hwm)
            return true;
        if (cur & PIPE_WAITING)
            return false;
        if (atomic_compare_exchange_weak_explicit(&d->ack, &cur, cur | PIPE_WAITING,
                                                  memory_order_acq_rel, memory_order_acquire))
            return false;
    }
}

bool zi_pipe_check_write(zi_pipe_t *p)
{
    if (p->closing || zi_pipe_peer_closed(p))
        return false;
    if (p->out->w_more || pipe_has_room(p->out))
        return true;
    /* The caller will wait for `writable`: make sure the reader has what it
     * needs to return credit. */
    zi_pipe_flush(p);
    return false;
}

zi_err zi_pipe_write(zi_pipe_t *p, zinc_frame_t *f)
{
    /* In-band peer metadata is not a message: it neither waits for nor uses
     * a slot of the hwm (libzmq does not count routing-id messages either). */
    bool peer = f->flags & ZI_FRAME_PEER;
    if (peer ? (p->closing || zi_pipe_peer_closed(p)) : !zi_pipe_check_write(p))
        return ZI_AGAIN;
    pipe_dir_t *d = p->out;
    bool more = zi_frame_is_more(f);
    zi_err err = pipe_q_write(d, f, more);
    if (err != ZI_OK)
        return err;
    d->w_more = more;
    if (!more && !peer)
        d->msgs_written++;
    return ZI_OK;
}

void zi_pipe_rollback(zi_pipe_t *p)
{
    zinc_frame_t *f;
    while ((f = pipe_q_unwrite(p->out)))
        zinc_frame_unref(f);
    p->out->w_more = false;
}

void zi_pipe_flush(zi_pipe_t *p)
{
    if (p->closing)
        return;
    if (!pipe_q_flush(p->out))
        pipe_notify(p->peer, PIPE_READABLE);
}

/* ---- reading ---------------------------------------------------------- */

/* Returns credit to the writer (the peer); wakes it if it was waiting. */
static void pipe_ack(zi_pipe_t *p)
{
    pipe_dir_t *d = p->in;
    d->msgs_acked = d->msgs_read;
    uint64_t old = atomic_exchange_explicit(&d->ack, d->msgs_read << 1, memory_order_acq_rel);
    if (old & PIPE_WAITING)
        pipe_notify(p->peer, PIPE_WRITABLE);
}

/* The queue is empty: return whatever credit is still held back. */
static void pipe_idle(zi_pipe_t *p)
{
    if (p->in->msgs_read != p->in->msgs_acked)
        pipe_ack(p);
}

bool zi_pipe_check_read(zi_pipe_t *p)
{
    if (p->closing)
        return false;
    if (pipe_q_check_read(p->in))
        return true;
    pipe_idle(p);
    return false;
}

zinc_frame_t *zi_pipe_read(zi_pipe_t *p)
{
    if (p->closing)
        return NULL;
    pipe_dir_t *d = p->in;
    zinc_frame_t *f = pipe_q_read(d);
    if (!f) {
        pipe_idle(p);
        return NULL;
    }
    if (!zi_frame_is_more(f) && !(f->flags & ZI_FRAME_PEER)) {
        d->msgs_read++;
        if (d->msgs_read - d->msgs_acked >= atomic_load_explicit(&d->lwm, memory_order_relaxed))
            pipe_ack(p);
    }
    return f;
}

zinc_frame_t *zi_pipe_peek(zi_pipe_t *p)
{
    if (!zi_pipe_check_read(p))
        return NULL;
    return pipe_q_peek(p->in);
}

bool zi_pipe_eof(zi_pipe_t *p)
{
    /* Order matters: the peer published everything before it closed, so once
     * its close is seen, an empty queue stays empty. */
    if (!zi_pipe_peer_closed(p))
        return false;
    return p->closing || !pipe_q_check_read(p->in);
}

/* ---- termination ------------------------------------------------------ */

void zi_pipe_close(zi_pipe_t *p)
{
    if (p->closing)
        return;
    p->closing = true;
    /* Complete messages go out; an unfinished one stays invisible and is
     * released with the pair. The peer hears `terminated`, not `readable`. */
    pipe_q_flush(p->out);
    atomic_store_explicit(&p->closed, true, memory_order_seq_cst);
    pipe_quiesce(p);
    pipe_notify(p->peer, PIPE_TERMINATED);
}

void zi_pipe_free(zi_pipe_t *p)
{
    if (!p)
        return;
    zi_pipe_close(p);
    pipe_pair_t *pair = p->pair;
    if (atomic_fetch_sub_explicit(&pair->refs, 1, memory_order_acq_rel) == 1)
        pipe_pair_free(pair);
}
