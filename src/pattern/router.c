/* ROUTER (RFC 28 REQREP): every peer has a routing id; received messages get
 * it as their first frame, and a sent message's first frame names the peer.
 *
 * A peer's id is, in order: connect_routing_id for the pipe a connect made
 * (the socket layer puts it on that pipe as an Identity-only peer frame), the
 * Identity of the peer's metadata, or, when that is empty, a generated 5-octet
 * id (0x00 and a 32-bit big-endian counter starting at a random value). The
 * id is known once the pipe's in-band peer frame is read, so ROUTER reads a
 * pipe as soon as it is attached or readable, keeping a message frame that
 * follows the peer frame aside (the pipe's stash) until recv asks for it.
 * An id is fixed once given: later handshakes on a reconnecting pipe do not
 * change it (libzmq assumes the peer keeps its id).
 *
 * A second peer with an id in use is ignored: never routed to, and what it
 * sends is dropped (libzmq 4.3 leaves it unread, which looks the same to the
 * application; reading keeps the pipe from holding memory until the socket
 * closes, since a pipe goes only once read to its end), unless
 * router_handover: then the
 * newcomer takes the id and the old pipe is closed, after the message being
 * received from it, if any. Unroutable messages (unknown id, full or closed
 * peer) are dropped, or fail with EHOSTUNREACH / EAGAIN under router_mandatory.
 * probe_router sends an empty message to each new peer. Behaviour follows
 * libzmq 4.3's router_t.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/socket.h"
#include "pattern/pattern.h"
#include "pattern/peerset.h"

#define ROUTER_ID_MAX 255

typedef struct rpeer {
    zi_pipe_t *pipe;
    struct rpeer *hnext; /* hash chain */
    zinc_frame_t *stash; /* first frame of a message read ahead, or NULL */
    bool identified;     /* has an id, is in the map */
    bool rejected;       /* its id was in use: ignored */
    bool closing;        /* closed by us (handover), waiting for detach */
    zi_peerq_slot_t fq;  /* place in the fair queue */
    uint8_t id_len;
    uint8_t id[ROUTER_ID_MAX];
} rpeer_t;

typedef struct {
    zi_sock_t *s;
    /* fair queue over identified peers: the first in.active may be read */
    zi_peerq_t in;
    /* id -> peer */
    rpeer_t **buckets;
    size_t nbuckets, count;
    uint64_t seed;
    uint32_t next_id;
    /* receiving */
    rpeer_t *cur_in;        /* the message being received comes from here */
    zinc_frame_t *prefetch; /* its first frame, once the id frame went out */
    bool more_in;           /* inside a message from cur_in, past prefetch */
    bool close_cur_in;      /* close cur_in when its message is read */
    /* sending */
    bool more_out;    /* inside a message (its id frame was taken) */
    rpeer_t *cur_out; /* where the rest of it goes (NULL: dropped) */
} router_t;

static bool router_opt(const router_t *r, zi_opt_index i)
{
    return zi_optset_int(zi_sock_opts(r->s), i) != 0;
}

/* ---- the id map ------------------------------------------------------------ */

/* FNV-1a with a per-socket seed, so peers cannot choose colliding ids. */
static size_t router_hash(const router_t *r, const uint8_t *id, size_t n)
{
    uint64_t h = 14695981039346656037ULL ^ r->seed;
    for (size_t i = 0; i < n; i++) {
        h ^= id[i];
        h *= 1099511628211ULL;
    }
    return (size_t)(h ^ (h >> 29)) & (r->nbuckets - 1);
}

static rpeer_t *router_lookup(const router_t *r, const void *id, size_t n)
{
    if (!r->nbuckets || n == 0 || n > ROUTER_ID_MAX)
        return NULL;
    for (rpeer_t *p = r->buckets[router_hash(r, id, n)]; p; p = p->hnext)
        if (p->id_len == n && memcmp(p->id, id, n) == 0)
            return p;
    return NULL;
}

static int router_map_grow(router_t *r)
{
    size_t nb = r->nbuckets ? r->nbuckets * 2 : 16;
    rpeer_t **b = calloc(nb, sizeof *b);
    if (!b)
        return -1;
    rpeer_t **old = r->buckets;
    size_t oldn = r->nbuckets;
    r->buckets = b;
    r->nbuckets = nb;
    for (size_t i = 0; i < oldn; i++)
        for (rpeer_t *p = old[i], *next; p; p = next) {
            next = p->hnext;
            size_t h = router_hash(r, p->id, p->id_len);
            p->hnext = b[h];
            b[h] = p;
        }
    free(old);
    return 0;
}

static int router_map_add(router_t *r, rpeer_t *p)
{
    if (r->count >= r->nbuckets && router_map_grow(r) != 0 && !r->nbuckets)
        return -1;
    size_t h = router_hash(r, p->id, p->id_len);
    p->hnext = r->buckets[h];
    r->buckets[h] = p;
    r->count++;
    return 0;
}

static void router_map_remove(router_t *r, rpeer_t *p)
{
    if (!r->nbuckets)
        return;
    for (rpeer_t **pp = &r->buckets[router_hash(r, p->id, p->id_len)]; *pp; pp = &(*pp)->hnext)
        if (*pp == p) {
            *pp = p->hnext;
            p->hnext = NULL;
            r->count--;
            return;
        }
}

/* ---- identifying peers ----------------------------------------------------- */

static void router_generate_id(router_t *r, rpeer_t *p)
{
    /* Generated ids start with 0, which routing_id refuses, so they only
     * collide with one another (or with a peer that broke that rule). */
    do {
        uint32_t n = r->next_id++;
        zi_routing_id_make(p->id, n);
        p->id_len = 5;
    } while (router_lookup(r, p->id, p->id_len));
}

static void router_close_peer(router_t *r, rpeer_t *p)
{
    p->closing = true;
    zinc_frame_unref(p->stash);
    p->stash = NULL;
    zi_pipe_close(p->pipe);
    (void)r;
}

/* Handover: old loses its id and its connection. */
static void router_evict(router_t *r, rpeer_t *old)
{
    router_map_remove(r, old);
    zi_peerq_remove(&r->in, old);
    old->identified = false;
    old->closing = true;
    if (r->cur_out == old)
        r->cur_out = NULL; /* the rest of that message is dropped */
    if (r->cur_in == old && (r->prefetch || r->more_in))
        r->close_cur_in = true; /* after the message being received */
    else
        router_close_peer(r, old);
}

/* Gives p its id from meta (NULL: none said). */
static void router_identify(router_t *r, rpeer_t *p, const zi_props_t *meta)
{
    if (p->identified || p->rejected || p->closing)
        return; /* an id once given stays (libzmq: the peer keeps its id) */
    size_t len = 0;
    const char *id = meta ? zi_props_get(meta, "Identity", &len) : NULL;
    if (id && len > 0 && len <= ROUTER_ID_MAX) {
        rpeer_t *old = router_lookup(r, id, len);
        if (old) {
            if (!router_opt(r, ZI_OPT_ROUTER_HANDOVER)) {
                p->rejected = true;
                return;
            }
            router_evict(r, old);
        }
        memcpy(p->id, id, len);
        p->id_len = (uint8_t)len;
    } else {
        router_generate_id(r, p);
    }
    if (router_map_add(r, p) != 0) {
        p->rejected = true; /* out of memory: the peer cannot be routed */
        return;
    }
    if (zi_peerq_add(&r->in, p) != 0) {
        router_map_remove(r, p);
        p->rejected = true;
        return;
    }
    p->identified = true;
}

static void router_peer(void *st, zi_pipe_t *pipe, zi_props_t *meta)
{
    rpeer_t *p = zi_pipe_data(pipe);
    if (p)
        router_identify(st, p, meta);
}

/* Reads an unidentified pipe far enough to learn its id; drains an ignored
 * one. */
static void router_pump(router_t *r, rpeer_t *p)
{
    if (p->identified || p->closing)
        return;
    zinc_frame_t *f;
    while ((f = zi_sock_pipe_read(r->s, p->pipe)) != NULL) { /* -> router_peer */
        if (!p->identified && !p->rejected)
            router_identify(r, p, NULL); /* a message before any peer frame */
        if (p->identified) {
            p->stash = f;
            return;
        }
        zinc_frame_unref(f); /* an ignored peer */
    }
}

/* ---- attach, detach -------------------------------------------------------- */

static void router_probe(router_t *r, zi_pipe_t *pipe)
{
    if (!router_opt(r, ZI_OPT_PROBE_ROUTER) || !zi_pipe_check_write(pipe))
        return;
    zinc_frame_t *f = zinc_frame_new(NULL, 0);
    if (f && zi_pipe_write(pipe, f) != ZI_OK)
        zinc_frame_unref(f);
    zi_pipe_flush(pipe);
}

static void router_attach(void *st, zi_pipe_t *pipe)
{
    router_t *r = st;
    rpeer_t *p = calloc(1, sizeof *p);
    if (!p) {
        zi_pipe_close(pipe);
        return;
    }
    p->pipe = pipe;
    zi_pipe_set_data(pipe, p);
    router_probe(r, pipe);
    router_pump(r, p);
}

static void router_detach(void *st, zi_pipe_t *pipe)
{
    router_t *r = st;
    rpeer_t *p = zi_pipe_data(pipe);
    if (!p)
        return;
    zi_pipe_set_data(pipe, NULL);
    if (p->identified)
        router_map_remove(r, p);
    zi_peerq_remove(&r->in, p);
    if (r->cur_out == p)
        r->cur_out = NULL;
    if (r->cur_in == p) {
        /* A prefetched frame stays deliverable; the pipe held no more of
         * its message, or it would not be going. */
        r->cur_in = NULL;
        r->close_cur_in = false;
    }
    zinc_frame_unref(p->stash);
    free(p);
}

static void router_read_activated(void *st, zi_pipe_t *pipe)
{
    router_t *r = st;
    rpeer_t *p = zi_pipe_data(pipe);
    if (!p)
        return;
    if (p->identified)
        zi_peerq_activate(&r->in, p);
    else
        router_pump(r, p);
}

static bool router_holds(void *st, zi_pipe_t *pipe)
{
    (void)st;
    const rpeer_t *p = zi_pipe_data(pipe);
    return p && p->stash;
}

static void router_write_activated(void *st, zi_pipe_t *pipe)
{
    (void)st;
    (void)pipe;
}

/* ---- send -------------------------------------------------------------------- */

static int router_send(void *st, zinc_frame_t *f)
{
    router_t *r = st;
    bool more = zi_frame_is_more(f);
    if (!r->more_out) {
        /* The first frame names the peer. A lone id frame is dropped, as
         * libzmq does. */
        if (!more) {
            zinc_frame_unref(f);
            return 0;
        }
        bool mandatory = router_opt(r, ZI_OPT_ROUTER_MANDATORY);
        rpeer_t *p = router_lookup(r, f->data, f->size);
        r->cur_out = NULL;
        if (p && zi_pipe_check_write(p->pipe)) {
            r->cur_out = p;
        } else if (mandatory) {
            errno = p && !zi_pipe_peer_closed(p->pipe) ? EAGAIN : EHOSTUNREACH;
            return -1;
        }
        r->more_out = true;
        zinc_frame_unref(f);
        return 0;
    }
    r->more_out = more;
    if (!r->cur_out) {
        zinc_frame_unref(f);
        return 0;
    }
    zi_pipe_t *pipe = r->cur_out->pipe;
    if (zi_pipe_write(pipe, f) != ZI_OK) {
        /* The peer closed meanwhile: drop the message. */
        zinc_frame_unref(f);
        zi_pipe_rollback(pipe);
        r->cur_out = NULL;
        return 0;
    }
    if (!more) {
        zi_pipe_flush(pipe);
        r->cur_out = NULL;
    }
    return 0;
}

/* ---- receive ----------------------------------------------------------------- */

static zinc_frame_t *router_read(router_t *r, rpeer_t *p)
{
    if (p->stash) {
        zinc_frame_t *f = p->stash;
        p->stash = NULL;
        return f;
    }
    return zi_sock_pipe_read(r->s, p->pipe);
}

/* The message from cur_in was read to its end. */
static void router_end_in(router_t *r)
{
    if (r->close_cur_in && r->cur_in)
        router_close_peer(r, r->cur_in);
    r->close_cur_in = false;
    r->cur_in = NULL;
}

static zinc_frame_t *router_next_part(router_t *r, zinc_frame_t *f)
{
    r->more_in = zi_frame_is_more(f);
    if (!r->more_in)
        router_end_in(r);
    return f;
}

static zinc_frame_t *router_recv(void *st)
{
    router_t *r = st;
    if (r->prefetch) {
        zinc_frame_t *f = r->prefetch;
        r->prefetch = NULL;
        return router_next_part(r, f);
    }
    if (r->more_in) {
        zinc_frame_t *f = r->cur_in ? router_read(r, r->cur_in) : NULL;
        if (!f) { /* cannot happen: messages arrive whole */
            r->more_in = false;
            router_end_in(r);
            errno = EAGAIN;
            return NULL;
        }
        return router_next_part(r, f);
    }
    while (r->in.active > 0) {
        rpeer_t *p = r->in.items[r->in.cur];
        zinc_frame_t *f = router_read(r, p);
        if (!f) {
            zi_peerq_deactivate(&r->in, r->in.cur);
            continue;
        }
        zinc_frame_t *idf = zi_frame_alloc(p->id_len);
        if (!idf) {
            p->stash = f;
            errno = ENOMEM;
            return NULL;
        }
        memcpy(idf->data, p->id, p->id_len);
        zi_frame_set_more(idf, true);
        if (f->meta)
            zi_frame_set_meta(idf, f->meta);
        r->cur_in = p;
        r->prefetch = f;
        r->in.cur = (r->in.cur + 1) % r->in.active;
        return idf;
    }
    errno = EAGAIN;
    return NULL;
}

static bool router_has_in(void *st)
{
    router_t *r = st;
    if (r->prefetch || r->more_in)
        return true;
    while (r->in.active > 0) {
        rpeer_t *p = r->in.items[r->in.cur];
        if (!p->stash)
            p->stash = zi_sock_pipe_read(r->s, p->pipe);
        if (p->stash)
            return true;
        zi_peerq_deactivate(&r->in, r->in.cur);
    }
    return false;
}

static bool router_has_out(void *st)
{
    router_t *r = st;
    if (!router_opt(r, ZI_OPT_ROUTER_MANDATORY) || r->more_out)
        return true;
    for (size_t i = 0; i < r->in.n; i++)
        if (zi_pipe_check_write(((rpeer_t *)r->in.items[i])->pipe))
            return true;
    return false;
}

/* ---- life ---------------------------------------------------------------------- */

static int router_init(void *st, zi_sock_t *s)
{
    router_t *r = st;
    r->s = s;
    zi_peerq_init(&r->in, offsetof(rpeer_t, fq));
    r->seed = zi_pattern_random64();
    r->next_id = (uint32_t)zi_pattern_random64();
    return 0;
}

static void router_fini(void *st)
{
    router_t *r = st;
    zinc_frame_unref(r->prefetch);
    zi_peerq_fini(&r->in);
    free(r->buckets);
}

const zi_pattern_ops_t zi_pattern_router = {
    .type = ZINC_ROUTER,
    .size = sizeof(router_t),
    .init = router_init,
    .fini = router_fini,
    .attach = router_attach,
    .peer = router_peer,
    .detach = router_detach,
    .read_activated = router_read_activated,
    .write_activated = router_write_activated,
    .send = router_send,
    .recv = router_recv,
    .has_in = router_has_in,
    .has_out = router_has_out,
    .holds = router_holds,
};
