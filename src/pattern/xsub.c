/* SUB and XSUB (RFC 29 PUBSUB; libzmq's sub_t and xsub_t).
 *
 * Both keep a counted trie of the topics they subscribe to and tell every
 * peer about it: a subscription goes to each pipe as a one-frame message
 * 0x01 + topic, a cancel as 0x00 + topic (the session turns them into
 * SUBSCRIBE/CANCEL commands for a ZMTP 3.1 peer). As libzmq: each subscribe
 * is sent, even a repeated one (the publisher keeps a set per peer), and a
 * cancel only when the last reference goes (or always, with
 * xsub_verbose_unsubscribe). SUB takes its subscriptions from the subscribe/
 * unsubscribe options and drops incoming messages that match none (the
 * publisher filters too); XSUB takes them from the messages the application
 * sends, forwards other messages upstream, and filters nothing.
 *
 * Subscriptions are never lost to the high-water mark, unlike libzmq's: when
 * a pipe is full, the pipe remembers where it stopped (cancels still to send,
 * and "every topic from T on" still to send) and catches up when it has room
 * again. The same catch-up sends everything to a new pipe and, after a
 * reconnect (hiccuped), to the new peer. Like everything a socket does, the
 * catch-up runs inside the application's calls on the socket (recv, events,
 * ...): a subscriber that is never called sends no more than fits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/socket.h"
#include "pattern/strategy.h"
#include "pattern/trie.h"

typedef struct {
    zi_pipe_t *pipe;
    bool in_msg;   /* took the first frame of the message being sent */
    bool resync;   /* every topic >= from is still to be sent */
    uint8_t *from; /* NULL/0: from the first topic */
    size_t from_len, from_cap;
    zi_trie_t cancels; /* cancels still to be sent (a set: refs 0 or 1) */
} subpipe_t;

typedef struct {
    zi_sock_t *s;
    bool filter; /* SUB */
    zi_trie_t topics;
    zi_fq_t fq;
    subpipe_t **pipes;
    size_t npipes, cap;
    zinc_frame_t *ahead; /* a matching message's first frame, read by has_in */
    bool more_in;        /* the application is inside a message */
    bool more_out;       /* XSUB: inside a message the application sends */
    bool process_subscribe;
} xsub_t;

static int64_t xsub_opt(const xsub_t *x, zi_opt_index i)
{
    return zi_optset_int(zi_sock_opts(x->s), i);
}

/* ---- one pipe's subscriptions ---------------------------------------------- */

static bool subpipe_pending(const subpipe_t *sp)
{
    return sp->resync || zi_trie_count(&sp->cancels) > 0;
}

static bool subpipe_write(subpipe_t *sp, bool sub, const uint8_t *topic, size_t len)
{
    zinc_frame_t *f = zi_frame_alloc(len + 1);
    if (!f)
        return false;
    f->data[0] = sub ? 1 : 0;
    if (len)
        memcpy(f->data + 1, topic, len);
    if (zi_pipe_write(sp->pipe, f) != ZI_OK) {
        zinc_frame_unref(f);
        return false;
    }
    return true;
}

/* The resync restarts at topic (or at the first topic, without memory). */
static void subpipe_resync_from(subpipe_t *sp, const uint8_t *topic, size_t len)
{
    sp->resync = true;
    if (len > sp->from_cap) {
        uint8_t *buf = realloc(sp->from, len);
        if (!buf) {
            sp->from_len = 0;
            return;
        }
        sp->from = buf;
        sp->from_cap = len;
    }
    if (len)
        memcpy(sp->from, topic, len);
    sp->from_len = len;
}

static int topic_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    return c ? c : (alen > blen) - (alen < blen);
}

static void subpipe_subscribe(subpipe_t *sp, const uint8_t *topic, size_t len)
{
    if (zi_trie_refs(&sp->cancels, topic, len))
        zi_trie_rm(&sp->cancels, topic, len);
    if (sp->resync) {
        if (topic_cmp(topic, len, sp->from, sp->from_len) < 0)
            subpipe_resync_from(sp, topic, len);
        return;
    }
    if (subpipe_pending(sp) || sp->in_msg || !subpipe_write(sp, true, topic, len))
        subpipe_resync_from(sp, topic, len);
}

static void subpipe_cancel(subpipe_t *sp, const uint8_t *topic, size_t len)
{
    if (!subpipe_pending(sp) && !sp->in_msg && subpipe_write(sp, false, topic, len))
        return;
    /* Out of memory here loses the cancel: the publisher then sends a topic
     * we no longer want, and a SUB drops it. */
    if (!zi_trie_refs(&sp->cancels, topic, len))
        (void)zi_trie_add(&sp->cancels, topic, len);
}

typedef struct {
    subpipe_t *sp;
    zinc_frame_t *f;
} first_cancel_t;

static int subpipe_take_cancel(const uint8_t *topic, size_t len, void *arg)
{
    first_cancel_t *c = arg;
    c->f = zi_frame_alloc(len + 1);
    if (c->f) {
        c->f->data[0] = 0;
        if (len)
            memcpy(c->f->data + 1, topic, len);
    }
    return 1;
}

static int subpipe_resend(const uint8_t *topic, size_t len, void *arg)
{
    subpipe_t *sp = arg;
    if (subpipe_write(sp, true, topic, len))
        return 0;
    subpipe_resync_from(sp, topic, len);
    return 1;
}

/* Sends what the pipe owes its peer, as far as there is room. */
static void subpipe_catch_up(xsub_t *x, subpipe_t *sp)
{
    if (sp->in_msg || !subpipe_pending(sp))
        return;
    while (zi_trie_count(&sp->cancels)) {
        first_cancel_t c = {sp, NULL};
        zi_trie_each(&sp->cancels, NULL, 0, subpipe_take_cancel, &c);
        if (!c.f)
            goto out;
        if (zi_pipe_write(sp->pipe, c.f) != ZI_OK) {
            zinc_frame_unref(c.f);
            goto out;
        }
        zi_trie_rm(&sp->cancels, c.f->data + 1, c.f->size - 1);
    }
    if (sp->resync && zi_trie_each(&x->topics, sp->from, sp->from_len, subpipe_resend, sp) == 0) {
        sp->resync = false;
        sp->from_len = 0;
    }
out:
    zi_pipe_flush(sp->pipe);
}

static void xsub_publish(xsub_t *x, bool sub, const uint8_t *topic, size_t len)
{
    for (size_t i = 0; i < x->npipes; i++) {
        subpipe_t *sp = x->pipes[i];
        if (sub)
            subpipe_subscribe(sp, topic, len);
        else
            subpipe_cancel(sp, topic, len);
        zi_pipe_flush(sp->pipe);
    }
}

/* ---- ops -------------------------------------------------------------------------- */

static int xsub_init(void *st, zi_sock_t *s)
{
    xsub_t *x = st;
    x->s = s;
    zi_trie_init(&x->topics);
    return 0;
}

static int sub_init(void *st, zi_sock_t *s)
{
    ((xsub_t *)st)->filter = true;
    return xsub_init(st, s);
}

static void subpipe_free(subpipe_t *sp)
{
    zi_trie_fini(&sp->cancels);
    free(sp->from);
    free(sp);
}

static void xsub_fini(void *st)
{
    xsub_t *x = st;
    for (size_t i = 0; i < x->npipes; i++)
        subpipe_free(x->pipes[i]);
    free(x->pipes);
    zi_fq_fini(&x->fq);
    zi_trie_fini(&x->topics);
    zinc_frame_unref(x->ahead);
}

static void xsub_attach(void *st, zi_pipe_t *p)
{
    xsub_t *x = st;
    subpipe_t *sp = calloc(1, sizeof *sp);
    if (!sp)
        goto fail;
    if (x->npipes == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 8;
        subpipe_t **a = realloc(x->pipes, cap * sizeof *a);
        if (!a)
            goto fail;
        x->pipes = a;
        x->cap = cap;
    }
    if (zi_fq_attach(&x->fq, p) != 0)
        goto fail;
    sp->pipe = p;
    zi_trie_init(&sp->cancels);
    zi_pipe_set_data(p, sp);
    x->pipes[x->npipes++] = sp;
    /* Everything we are subscribed to goes to the new peer. */
    sp->resync = true;
    subpipe_catch_up(x, sp);
    return;
fail:
    free(sp);
    zi_pipe_close(p);
}

static void xsub_detach(void *st, zi_pipe_t *p)
{
    xsub_t *x = st;
    zi_fq_detach(&x->fq, p);
    for (size_t i = 0; i < x->npipes; i++)
        if (x->pipes[i]->pipe == p) {
            subpipe_free(x->pipes[i]);
            x->pipes[i] = x->pipes[--x->npipes];
            zi_pipe_set_data(p, NULL);
            break;
        }
}

static void xsub_read_activated(void *st, zi_pipe_t *p)
{
    zi_fq_activated(&((xsub_t *)st)->fq, p);
}

static void xsub_write_activated(void *st, zi_pipe_t *p)
{
    subpipe_t *sp = zi_pipe_data(p);
    if (sp)
        subpipe_catch_up(st, sp);
}

static void xsub_hiccuped(void *st, zi_pipe_t *p)
{
    subpipe_t *sp = zi_pipe_data(p);
    if (!sp)
        return;
    /* A new peer: it gets every topic again. Cancels still owed stay owed,
     * since the subscriptions they undo may still be queued for it. */
    sp->resync = true;
    sp->from_len = 0;
    subpipe_catch_up(st, sp);
}

static bool xsub_matches(const xsub_t *x, const zinc_frame_t *f)
{
    if (!x->filter)
        return true;
    bool m = zi_trie_match(&x->topics, f->data, f->size);
    return m != (xsub_opt(x, ZI_OPT_INVERT_MATCHING) != 0);
}

/* The first frame of the next message that passes the filter, or NULL
 * (EAGAIN). Messages that do not pass are dropped whole. */
static zinc_frame_t *xsub_next_message(xsub_t *x)
{
    for (;;) {
        zinc_frame_t *f = zi_fq_recv(&x->fq, x->s, NULL);
        if (!f || xsub_matches(x, f))
            return f;
        while (f && zi_frame_is_more(f)) {
            zinc_frame_unref(f);
            f = zi_fq_recv(&x->fq, x->s, NULL);
        }
        zinc_frame_unref(f);
    }
}

static zinc_frame_t *xsub_recv(void *st)
{
    xsub_t *x = st;
    zinc_frame_t *f;
    if (x->ahead) {
        f = x->ahead;
        x->ahead = NULL;
    } else if (x->more_in) {
        f = zi_fq_recv(&x->fq, x->s, NULL);
    } else {
        f = xsub_next_message(x);
    }
    if (!f) {
        errno = EAGAIN;
        return NULL;
    }
    x->more_in = zi_frame_is_more(f);
    return f;
}

static bool xsub_has_in(void *st)
{
    xsub_t *x = st;
    if (x->more_in || x->ahead)
        return true;
    x->ahead = xsub_next_message(x);
    return x->ahead != NULL;
}

/* Sends one frame to every pipe that takes it (libzmq's dist send_to_all:
 * a pipe at its hwm misses the whole message). Takes f. */
static void xsub_send_all(xsub_t *x, zinc_frame_t *f, bool first)
{
    bool more = zi_frame_is_more(f);
    for (size_t i = 0; i < x->npipes; i++) {
        subpipe_t *sp = x->pipes[i];
        if (!first && !sp->in_msg)
            continue;
        zinc_frame_ref(f);
        if (zi_pipe_write(sp->pipe, f) != ZI_OK) {
            zinc_frame_unref(f);
            if (!first)
                zi_pipe_rollback(sp->pipe);
            sp->in_msg = false;
            continue;
        }
        sp->in_msg = more;
        if (!more) {
            zi_pipe_flush(sp->pipe);
            subpipe_catch_up(x, sp); /* what waited for the message's end */
        }
    }
    zinc_frame_unref(f);
}

static int xsub_send(void *st, zinc_frame_t *f)
{
    xsub_t *x = st;
    bool first = !x->more_out;
    bool more = zi_frame_is_more(f);
    if (first)
        x->process_subscribe = xsub_opt(x, ZI_OPT_ONLY_FIRST_SUBSCRIBE) == 0;
    bool is_sub = f->size > 0 && f->data[0] == 1;
    bool is_cancel = f->size > 0 && f->data[0] == 0;
    if ((!first && !x->process_subscribe) || (!is_sub && !is_cancel)) {
        x->more_out = more;
        xsub_send_all(x, f, first);
        return 0;
    }
    const uint8_t *topic = f->data + 1;
    size_t len = f->size - 1;
    x->process_subscribe = true;
    bool send;
    if (is_sub) {
        if (zi_trie_add(&x->topics, topic, len) < 0)
            return -1; /* ENOMEM; f stays the caller's */
        send = true;
    } else {
        send =
            zi_trie_rm(&x->topics, topic, len) || xsub_opt(x, ZI_OPT_XSUB_VERBOSE_UNSUBSCRIBE) != 0;
    }
    x->more_out = more;
    if (first && !more) {
        /* A one-frame (un)subscription: tracked per pipe, never lost. */
        if (send)
            xsub_publish(x, is_sub, topic, len);
        zinc_frame_unref(f);
        return 0;
    }
    /* Inside a multipart message it travels with the message. */
    xsub_send_all(x, f, first);
    return 0;
}

static bool xsub_yes(void *st)
{
    (void)st;
    return true;
}

static int xsub_getopt(void *st, zi_opt_index opt, zi_optval_t *out)
{
    if (opt != ZI_OPT_TOPICS_COUNT)
        return 0;
    size_t n = zi_trie_count(&((xsub_t *)st)->topics);
    out->i = n > INT32_MAX ? INT32_MAX : (int64_t)n;
    return 1;
}

/* SUB: subscribe and unsubscribe are what XSUB does with 0x01/0x00. */
static int sub_setopt(void *st, zi_opt_index opt, const zi_optval_t *val)
{
    xsub_t *x = st;
    if (opt == ZI_OPT_SUBSCRIBE) {
        if (zi_trie_add(&x->topics, val->data, val->len) < 0)
            return -1;
        xsub_publish(x, true, val->data, val->len);
        return 0;
    }
    if (opt == ZI_OPT_UNSUBSCRIBE) {
        if (zi_trie_rm(&x->topics, val->data, val->len))
            xsub_publish(x, false, val->data, val->len);
        return 0;
    }
    return 1;
}

static int sub_send(void *st, zinc_frame_t *f)
{
    (void)st;
    (void)f;
    errno = ENOTSUP;
    return -1;
}

static bool sub_no(void *st)
{
    (void)st;
    return false;
}

const zi_pattern_ops_t zi_pattern_sub = {
    .type = ZINC_SUB,
    .size = sizeof(xsub_t),
    .init = sub_init,
    .fini = xsub_fini,
    .attach = xsub_attach,
    .detach = xsub_detach,
    .read_activated = xsub_read_activated,
    .write_activated = xsub_write_activated,
    .send = sub_send,
    .recv = xsub_recv,
    .has_in = xsub_has_in,
    .has_out = sub_no,
    .setopt = sub_setopt,
    .getopt = xsub_getopt,
    .hiccuped = xsub_hiccuped,
};

const zi_pattern_ops_t zi_pattern_xsub = {
    .type = ZINC_XSUB,
    .size = sizeof(xsub_t),
    .init = xsub_init,
    .fini = xsub_fini,
    .attach = xsub_attach,
    .detach = xsub_detach,
    .read_activated = xsub_read_activated,
    .write_activated = xsub_write_activated,
    .send = xsub_send,
    .recv = xsub_recv,
    .has_in = xsub_has_in,
    .has_out = xsub_yes,
    .getopt = xsub_getopt,
    .hiccuped = xsub_hiccuped,
};
