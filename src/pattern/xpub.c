/* PUB and XPUB (RFC 29 PUBSUB; libzmq's pub_t and xpub_t).
 *
 * Every peer pipe sends (un)subscriptions as one-frame messages 0x01/0x00 +
 * topic (the session turns a 3.1 peer's SUBSCRIBE/CANCEL commands into
 * these; a 3.0 peer sends them so). They are read as soon as a pipe says it
 * has input, and kept in a trie of subscribers per topic; each subscriber
 * is in a topic once however often it subscribed (libzmq's mtrie).
 *
 * Sending: the first frame of a message picks the pipes whose topics prefix
 * it (or that match nothing, with invert_matching); every frame of the
 * message goes to those pipes, whole or not at all: a pipe at its
 * high-water mark misses the message, and the publisher never blocks. With
 * xpub_nodrop the send waits (EAGAIN) until every chosen pipe has room.
 *
 * XPUB also hands the (un)subscriptions to the application as 0x01/0x00 +
 * topic messages: new topics and topics nobody wants any more (every one
 * with xpub_verbose / xpub_verboser), and with xpub_manual every one, applied
 * only when the application subscribes the last sender itself. Other
 * messages from below (an XSUB's) reach the application as they are. A PUB
 * reads and drops them.
 *
 * Unlike libzmq, a pipe kept across a reconnect (a connecting PUB) forgets
 * the old peer's subscriptions as soon as the socket hears that the
 * connection was lost (hiccuped), and the new peer gets the welcome message
 * again and subscribes for itself: from then on the pipe gets nothing until
 * the new peer's subscriptions arrive, so a message that reaches the new peer
 * was sent after its subscription reached the publisher (libzmq keeps the
 * old subscriptions forever). Hiccup and the new peer's metadata travel
 * separately (mailbox, pipe), so they are counted: whichever comes first for
 * a connection does the forgetting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/socket.h"
#include "pattern/trie.h"

typedef struct {
    zi_pipe_t *pipe;
    uint64_t mark;    /* == x->gen: chosen for the message being sent */
    bool in_msg;      /* took the first frame of the message being sent */
    unsigned peers;   /* peers that identified themselves on this pipe */
    unsigned hiccups; /* connections of this pipe that were lost */
} pubpipe_t;

typedef struct {
    zinc_frame_t *f;
    pubpipe_t *from; /* xpub_manual: the sender, NULL when gone */
} pending_t;

typedef struct {
    zi_sock_t *s;
    bool xpub;
    zi_mtrie_t subs;
    zi_mtrie_t manual_subs; /* xpub_manual: what the peers asked for */
    pubpipe_t **pipes;
    size_t npipes, cap;
    pubpipe_t **chosen; /* room for every pipe, so sending never allocates */
    size_t nchosen;
    uint64_t gen;
    bool more_out;
    bool more_in; /* reading: inside a message from a pipe */
    bool process_subscribe;
    pending_t *pend; /* for recv: [phead, pn) */
    size_t phead, pn, pcap;
    pubpipe_t *last_pipe; /* xpub_manual: sender of the last message received */
} xpub_t;

static int64_t xpub_opt(const xpub_t *x, zi_opt_index i)
{
    return zi_optset_int(zi_sock_opts(x->s), i);
}

/* ---- messages for the application ------------------------------------------ */

static int xpub_push(xpub_t *x, zinc_frame_t *f, pubpipe_t *from)
{
    if (x->phead == x->pn)
        x->phead = x->pn = 0;
    if (x->pn == x->pcap && x->phead > 0) {
        memmove(x->pend, x->pend + x->phead, (x->pn - x->phead) * sizeof *x->pend);
        x->pn -= x->phead;
        x->phead = 0;
    }
    if (x->pn == x->pcap) {
        size_t cap = x->pcap ? x->pcap * 2 : 16;
        pending_t *p = realloc(x->pend, cap * sizeof *p);
        if (!p) {
            errno = ENOMEM;
            return -1;
        }
        x->pend = p;
        x->pcap = cap;
    }
    x->pend[x->pn++] = (pending_t){f, from};
    return 0;
}

/* A notification 0x01/0x00 + topic; f is reused when it already is one. */
static void xpub_notify(xpub_t *x, zinc_frame_t *f, bool sub, const uint8_t *topic, size_t len,
                        pubpipe_t *from)
{
    zinc_frame_t *n = f;
    if (!n || zi_frame_is_more(n)) {
        /* A frame from a pipe may be shared with other readers: never
         * change it, make a new one. */
        n = zi_frame_alloc(len + 1);
        if (!n)
            goto out;
        n->data[0] = sub ? 1 : 0;
        if (len)
            memcpy(n->data + 1, topic, len);
        if (f)
            zi_frame_set_meta(n, f->meta);
    } else {
        f = NULL; /* reused */
    }
    if (xpub_push(x, n, from) != 0)
        zinc_frame_unref(n);
out:
    zinc_frame_unref(f);
}

/* A subscriber left: tell the application which topics went with it. */
static int xpub_unsub_lost(const uint8_t *topic, size_t len, void *arg)
{
    xpub_t *x = arg;
    xpub_notify(x, NULL, false, topic, len, NULL);
    if (xpub_opt(x, ZI_OPT_XPUB_MANUAL))
        x->last_pipe = NULL;
    return 0;
}

/* Takes pp's subscriptions out, telling an XPUB's application as libzmq
 * does when a pipe terminates. */
static void xpub_forget(xpub_t *x, pubpipe_t *pp)
{
    if (!x->xpub) {
        zi_mtrie_rm_sub(&x->subs, pp, NULL, NULL, false);
    } else if (xpub_opt(x, ZI_OPT_XPUB_MANUAL)) {
        zi_mtrie_rm_sub(&x->manual_subs, pp, xpub_unsub_lost, x, false);
        zi_mtrie_rm_sub(&x->subs, pp, NULL, NULL, false);
    } else {
        bool verbose_unsubs = xpub_opt(x, ZI_OPT_XPUB_VERBOSER) != 0;
        zi_mtrie_rm_sub(&x->subs, pp, xpub_unsub_lost, x, !verbose_unsubs);
    }
}

/* ---- reading what the peers send --------------------------------------------------- */

static void xpub_take(xpub_t *x, pubpipe_t *pp, zinc_frame_t *f)
{
    bool first = !x->more_in;
    x->more_in = zi_frame_is_more(f);
    bool is_sc = (first || x->process_subscribe) && f->size > 0 && f->data[0] <= 1;
    if (first)
        x->process_subscribe = !xpub_opt(x, ZI_OPT_ONLY_FIRST_SUBSCRIBE) || is_sc;
    if (!is_sc) {
        /* An XSUB's own message: for the application (a PUB drops it). */
        if (!x->xpub || xpub_push(x, f, pp) != 0)
            zinc_frame_unref(f);
        return;
    }
    bool sub = f->data[0] == 1;
    const uint8_t *topic = f->data + 1;
    size_t len = f->size - 1;
    bool notify;
    if (x->xpub && xpub_opt(x, ZI_OPT_XPUB_MANUAL)) {
        if (sub)
            (void)zi_mtrie_add(&x->manual_subs, topic, len, pp);
        else
            zi_mtrie_rm(&x->manual_subs, topic, len, pp);
        notify = true;
    } else if (sub) {
        /* Out of memory loses this subscription, as a full pipe would. */
        int rc = zi_mtrie_add(&x->subs, topic, len, pp);
        notify =
            rc == 1 ||
            (rc == 0 && (xpub_opt(x, ZI_OPT_XPUB_VERBOSE) || xpub_opt(x, ZI_OPT_XPUB_VERBOSER)));
    } else {
        zi_mtrie_rm_result rc = zi_mtrie_rm(&x->subs, topic, len, pp);
        notify = rc != ZI_MTRIE_VALUES_REMAIN || xpub_opt(x, ZI_OPT_XPUB_VERBOSER);
    }
    if (x->xpub && notify)
        xpub_notify(x, f, sub, topic, len, pp);
    else
        zinc_frame_unref(f);
}

static void xpub_read_activated(void *st, zi_pipe_t *p)
{
    xpub_t *x = st;
    pubpipe_t *pp = zi_pipe_data(p);
    zinc_frame_t *f;
    while (pp && (f = zi_sock_pipe_read(x->s, p)))
        xpub_take(x, pp, f);
}

/* ---- pipes ----------------------------------------------------------------------- */

static void xpub_welcome(xpub_t *x, pubpipe_t *pp)
{
    size_t len;
    const uint8_t *msg = zi_optset_bytes(zi_sock_opts(x->s), ZI_OPT_XPUB_WELCOME_MSG, &len);
    if (!x->xpub || len == 0 || pp->in_msg)
        return;
    zinc_frame_t *f = zinc_frame_new(msg, len);
    if (f && zi_pipe_write(pp->pipe, f) != ZI_OK)
        zinc_frame_unref(f);
    zi_pipe_flush(pp->pipe);
}

static int xpub_init(void *st, zi_sock_t *s)
{
    xpub_t *x = st;
    x->s = s;
    zi_mtrie_init(&x->subs);
    zi_mtrie_init(&x->manual_subs);
    return 0;
}

static int xpub_init_x(void *st, zi_sock_t *s)
{
    ((xpub_t *)st)->xpub = true;
    return xpub_init(st, s);
}

static void xpub_fini(void *st)
{
    xpub_t *x = st;
    for (size_t i = 0; i < x->npipes; i++)
        free(x->pipes[i]);
    free(x->pipes);
    free(x->chosen);
    for (size_t i = x->phead; i < x->pn; i++)
        zinc_frame_unref(x->pend[i].f);
    free(x->pend);
    zi_mtrie_fini(&x->subs);
    zi_mtrie_fini(&x->manual_subs);
}

static void xpub_attach(void *st, zi_pipe_t *p)
{
    xpub_t *x = st;
    pubpipe_t *pp = calloc(1, sizeof *pp);
    if (!pp)
        goto fail;
    if (x->npipes == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 8;
        pubpipe_t **a = realloc(x->pipes, cap * sizeof *a);
        if (!a)
            goto fail;
        x->pipes = a;
        pubpipe_t **c = realloc(x->chosen, cap * sizeof *c);
        if (!c)
            goto fail;
        x->chosen = c;
        x->cap = cap;
    }
    pp->pipe = p;
    zi_pipe_set_data(p, pp);
    x->pipes[x->npipes++] = pp;
    xpub_welcome(x, pp);
    xpub_read_activated(x, p); /* subscriptions may be waiting */
    return;
fail:
    free(pp);
    zi_pipe_close(p);
}

static void xpub_detach(void *st, zi_pipe_t *p)
{
    xpub_t *x = st;
    pubpipe_t *pp = zi_pipe_data(p);
    if (!pp)
        return;
    xpub_forget(x, pp);
    for (size_t i = 0; i < x->npipes; i++)
        if (x->pipes[i] == pp) {
            x->pipes[i] = x->pipes[--x->npipes];
            break;
        }
    for (size_t i = 0; i < x->nchosen; i++)
        if (x->chosen[i] == pp) {
            x->chosen[i] = x->chosen[--x->nchosen];
            break;
        }
    for (size_t i = x->phead; i < x->pn; i++)
        if (x->pend[i].from == pp)
            x->pend[i].from = NULL;
    if (x->last_pipe == pp)
        x->last_pipe = NULL;
    zi_pipe_set_data(p, NULL);
    free(pp);
}

/* A peer identified itself. A second one on the same pipe is a new peer after
 * a reconnect: the old one's subscriptions go, unless the hiccup that ended
 * the old connection took them already. */
static void xpub_peer(void *st, zi_pipe_t *p, zi_props_t *meta)
{
    xpub_t *x = st;
    pubpipe_t *pp = zi_pipe_data(p);
    (void)meta;
    if (!pp)
        return;
    pp->peers++;
    if (pp->peers > 1) {
        if (pp->hiccups < pp->peers - 1)
            xpub_forget(x, pp);
        xpub_welcome(x, pp);
    }
}

/* The connection behind p was lost: its peer's subscriptions go now, unless
 * the next peer's metadata came first and took them. */
static void xpub_hiccuped(void *st, zi_pipe_t *p)
{
    xpub_t *x = st;
    pubpipe_t *pp = zi_pipe_data(p);
    if (!pp)
        return;
    pp->hiccups++;
    if (pp->peers <= pp->hiccups)
        xpub_forget(x, pp);
}

static void xpub_write_activated(void *st, zi_pipe_t *p)
{
    /* Nothing waits per pipe: a blocked xpub_nodrop send retries by itself. */
    (void)st;
    (void)p;
}

/* ---- sending ------------------------------------------------------------------- */

static void xpub_choose(void *sub, void *arg)
{
    xpub_t *x = arg;
    pubpipe_t *pp = sub;
    if (pp->mark != x->gen) {
        pp->mark = x->gen;
        x->chosen[x->nchosen++] = pp;
    }
}

static int xpub_send(void *st, zinc_frame_t *f)
{
    xpub_t *x = st;
    bool more = zi_frame_is_more(f);
    if (!x->more_out) {
        x->gen++;
        x->nchosen = 0;
        zi_mtrie_match(&x->subs, f->data, f->size, xpub_choose, x);
        if (xpub_opt(x, ZI_OPT_INVERT_MATCHING)) {
            x->nchosen = 0;
            for (size_t i = 0; i < x->npipes; i++)
                if (x->pipes[i]->mark != x->gen)
                    x->chosen[x->nchosen++] = x->pipes[i];
        }
        if (xpub_opt(x, ZI_OPT_XPUB_NODROP))
            for (size_t i = 0; i < x->nchosen; i++) {
                zi_pipe_t *p = x->chosen[i]->pipe;
                if (!zi_pipe_peer_closed(p) && !zi_pipe_check_write(p)) {
                    x->nchosen = 0;
                    errno = EAGAIN;
                    return -1;
                }
            }
    }
    for (size_t i = 0; i < x->nchosen;) {
        pubpipe_t *pp = x->chosen[i];
        zinc_frame_ref(f);
        if (zi_pipe_write(pp->pipe, f) != ZI_OK) {
            /* At the hwm (first frame): this peer misses the message. */
            zinc_frame_unref(f);
            if (x->more_out)
                zi_pipe_rollback(pp->pipe);
            pp->in_msg = false;
            x->chosen[i] = x->chosen[--x->nchosen];
            continue;
        }
        pp->in_msg = more;
        if (!more)
            zi_pipe_flush(pp->pipe);
        i++;
    }
    if (!more)
        x->nchosen = 0;
    x->more_out = more;
    zinc_frame_unref(f);
    return 0;
}

/* ---- receiving (XPUB) ----------------------------------------------------------- */

static zinc_frame_t *xpub_recv(void *st)
{
    xpub_t *x = st;
    if (x->phead == x->pn) {
        errno = EAGAIN;
        return NULL;
    }
    pending_t e = x->pend[x->phead++];
    if (xpub_opt(x, ZI_OPT_XPUB_MANUAL))
        x->last_pipe = e.from;
    return e.f;
}

static bool xpub_has_in(void *st)
{
    xpub_t *x = st;
    return x->phead < x->pn;
}

static bool xpub_has_out(void *st)
{
    (void)st;
    return true;
}

static zinc_frame_t *pub_recv(void *st)
{
    (void)st;
    errno = ENOTSUP;
    return NULL;
}

static bool pub_has_in(void *st)
{
    (void)st;
    return false;
}

static int xpub_setopt(void *st, zi_opt_index opt, const zi_optval_t *val)
{
    xpub_t *x = st;
    if (opt != ZI_OPT_SUBSCRIBE && opt != ZI_OPT_UNSUBSCRIBE)
        return 1;
    if (!xpub_opt(x, ZI_OPT_XPUB_MANUAL))
        return zi_fail(EINVAL, "%s on an XPUB needs xpub_manual", zi_option_at(opt)->name);
    /* libzmq: applies to the sender of the last message received, if any. */
    if (!x->last_pipe)
        return 0;
    if (opt == ZI_OPT_SUBSCRIBE)
        return zi_mtrie_add(&x->subs, val->data, val->len, x->last_pipe) < 0 ? -1 : 0;
    zi_mtrie_rm(&x->subs, val->data, val->len, x->last_pipe);
    return 0;
}

static int xpub_getopt(void *st, zi_opt_index opt, zi_optval_t *out)
{
    if (opt != ZI_OPT_TOPICS_COUNT)
        return 0;
    size_t n = zi_mtrie_count(&((xpub_t *)st)->subs);
    out->i = n > INT32_MAX ? INT32_MAX : (int64_t)n;
    return 1;
}

const zi_pattern_ops_t zi_pattern_pub = {
    .type = ZINC_PUB,
    .size = sizeof(xpub_t),
    .init = xpub_init,
    .fini = xpub_fini,
    .attach = xpub_attach,
    .peer = xpub_peer,
    .detach = xpub_detach,
    .read_activated = xpub_read_activated,
    .write_activated = xpub_write_activated,
    .send = xpub_send,
    .recv = pub_recv,
    .has_in = pub_has_in,
    .has_out = xpub_has_out,
    .getopt = xpub_getopt,
    .hiccuped = xpub_hiccuped,
};

const zi_pattern_ops_t zi_pattern_xpub = {
    .type = ZINC_XPUB,
    .size = sizeof(xpub_t),
    .init = xpub_init_x,
    .fini = xpub_fini,
    .attach = xpub_attach,
    .peer = xpub_peer,
    .detach = xpub_detach,
    .read_activated = xpub_read_activated,
    .write_activated = xpub_write_activated,
    .send = xpub_send,
    .recv = xpub_recv,
    .has_in = xpub_has_in,
    .has_out = xpub_has_out,
    .setopt = xpub_setopt,
    .getopt = xpub_getopt,
    .hiccuped = xpub_hiccuped,
};
