/* STREAM (libzmq's ZMQ_STREAM): raw TCP peers, no ZMTP. Every connection is
 * a peer with a routing id; each chunk of bytes a read gave arrives as
 * [routing id, data], and [routing id, data] writes data to that connection
 * as it is. The sessions behind the pipes run in raw mode
 * (src/core/session_raw.h): they put an empty message on the pipe when the
 * connection comes up and when it goes, which this pattern delivers as
 * [routing id, empty] when stream_notify is on (the default) and drops
 * otherwise; the option is read when the peer's pipe comes (at connect, or
 * when a connection is accepted), as "next connection" says.
 *
 * Ids: connect_routing_id for the pipe a connect made (the socket layer puts
 * it on that pipe as an Identity-only peer frame), or a generated 5-octet id
 * (0x00 and a 32-bit big-endian counter starting at a random value), given
 * when the pipe is attached and kept across the reconnects of a connecter,
 * as libzmq does. Peers never name themselves: there is no handshake.
 *
 * Sending, as libzmq 4.3's stream_t: the first frame names the peer and must
 * have MORE; an unknown id fails with EHOSTUNREACH, a full peer with EAGAIN.
 * The next frame is the data and the last of the message whatever its MORE
 * flag says; an empty data frame closes that connection (after what was
 * sent to it before). One difference: an id frame without MORE is dropped
 * alone, where libzmq also swallows the frame after it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/socket.h"
#include "pattern/pattern.h"
#include "pattern/peerset.h"

#define STREAM_ID_MAX 255

typedef struct speer {
    zi_pipe_t *pipe;
    struct speer *hnext; /* hash chain */
    zinc_frame_t *stash; /* next frame read ahead, or NULL */
    zi_peerq_slot_t fq;  /* place in the fair queue */
    bool identified;     /* in the map */
    bool notify;         /* stream_notify when the pipe came (libzmq: per connection) */
    uint8_t id_len;
    uint8_t id[STREAM_ID_MAX];
} speer_t;

typedef struct {
    zi_sock_t *s;
    /* fair queue over peers: the first in.active may have input */
    zi_peerq_t in;
    /* id -> peer */
    speer_t **buckets;
    size_t nbuckets, count;
    uint64_t seed;
    uint32_t next_id;
    zinc_frame_t *prefetch; /* the data frame after an id frame handed out */
    bool more_out;          /* the id frame of a message was taken */
    speer_t *cur_out;       /* where its data goes (NULL: dropped) */
} stream_t;

/* ---- the id map ------------------------------------------------------------ */

/* FNV-1a with a per-socket seed. */
static size_t stream_hash(const stream_t *st, const uint8_t *id, size_t n)
{
    uint64_t h = 14695981039346656037ULL ^ st->seed;
    for (size_t i = 0; i < n; i++) {
        h ^= id[i];
        h *= 1099511628211ULL;
    }
    return (size_t)(h ^ (h >> 29)) & (st->nbuckets - 1);
}

static speer_t *stream_lookup(const stream_t *st, const void *id, size_t n)
{
    if (!st->nbuckets || n == 0 || n > STREAM_ID_MAX)
        return NULL;
    for (speer_t *p = st->buckets[stream_hash(st, id, n)]; p; p = p->hnext)
        if (p->id_len == n && memcmp(p->id, id, n) == 0)
            return p;
    return NULL;
}

static int stream_map_add(stream_t *st, speer_t *p)
{
    if (st->count >= st->nbuckets) {
        size_t nb = st->nbuckets ? st->nbuckets * 2 : 16;
        speer_t **b = calloc(nb, sizeof *b);
        if (!b && !st->nbuckets)
            return -1;
        if (b) {
            speer_t **old = st->buckets;
            size_t oldn = st->nbuckets;
            st->buckets = b;
            st->nbuckets = nb;
            for (size_t i = 0; i < oldn; i++)
                for (speer_t *q = old[i], *next; q; q = next) {
                    next = q->hnext;
                    size_t h = stream_hash(st, q->id, q->id_len);
                    q->hnext = b[h];
                    b[h] = q;
                }
            free(old);
        }
    }
    size_t h = stream_hash(st, p->id, p->id_len);
    p->hnext = st->buckets[h];
    st->buckets[h] = p;
    st->count++;
    p->identified = true;
    return 0;
}

static void stream_map_remove(stream_t *st, speer_t *p)
{
    if (!p->identified)
        return;
    for (speer_t **pp = &st->buckets[stream_hash(st, p->id, p->id_len)]; *pp; pp = &(*pp)->hnext)
        if (*pp == p) {
            *pp = p->hnext;
            p->hnext = NULL;
            st->count--;
            break;
        }
    p->identified = false;
}

/* ---- peers ----------------------------------------------------------------- */

static void stream_generate_id(stream_t *st, speer_t *p)
{
    do {
        uint32_t n = st->next_id++;
        zi_routing_id_make(p->id, n);
        p->id_len = 5;
    } while (stream_lookup(st, p->id, p->id_len));
}

/* connect_routing_id, when this is the first peer frame of a connect's pipe
 * (read from inside stream_attach). */
static void stream_peer(void *vst, zi_pipe_t *pipe, zi_props_t *meta)
{
    stream_t *st = vst;
    speer_t *p = zi_pipe_data(pipe);
    if (!p || p->identified || p->id_len)
        return;
    size_t len = 0;
    const char *id = meta ? zi_props_get(meta, "Identity", &len) : NULL;
    /* A second connect with an id in use gets a generated one (libzmq
     * asserts). */
    if (id && len > 0 && len <= STREAM_ID_MAX && !stream_lookup(st, id, len)) {
        memcpy(p->id, id, len);
        p->id_len = (uint8_t)len;
    }
}

static void stream_attach(void *vst, zi_pipe_t *pipe)
{
    stream_t *st = vst;
    speer_t *p = calloc(1, sizeof *p);
    if (!p) {
        zi_pipe_close(pipe);
        return;
    }
    p->pipe = pipe;
    p->notify = zi_optset_int(zi_sock_opts(st->s), ZI_OPT_STREAM_NOTIFY) != 0;
    zi_pipe_set_data(pipe, p);
    /* Consumes the leading peer frames: a connect's Identity names it. */
    zi_sock_pipe_check_read(st->s, pipe);
    if (!p->id_len)
        stream_generate_id(st, p);
    if (stream_map_add(st, p) != 0 || zi_peerq_add(&st->in, p) != 0) {
        stream_map_remove(st, p);
        zi_pipe_set_data(pipe, NULL);
        free(p);
        zi_pipe_close(pipe); /* out of memory: this peer cannot be served */
    }
}

static void stream_detach(void *vst, zi_pipe_t *pipe)
{
    stream_t *st = vst;
    speer_t *p = zi_pipe_data(pipe);
    if (!p)
        return;
    zi_pipe_set_data(pipe, NULL);
    stream_map_remove(st, p);
    zi_peerq_remove(&st->in, p);
    if (st->cur_out == p)
        st->cur_out = NULL;
    zinc_frame_unref(p->stash);
    free(p);
}

/* The application closed this connection (an empty data frame): it is not
 * routed to nor read from any more; the session writes what it was sent
 * before and ends. */
static void stream_close_peer(stream_t *st, speer_t *p)
{
    stream_map_remove(st, p);
    zi_peerq_remove(&st->in, p);
    zinc_frame_unref(p->stash);
    p->stash = NULL;
    zi_pipe_close(p->pipe);
}

static void stream_read_activated(void *vst, zi_pipe_t *pipe)
{
    speer_t *p = zi_pipe_data(pipe);
    if (p)
        zi_peerq_activate(&((stream_t *)vst)->in, p);
}

static bool stream_holds(void *vst, zi_pipe_t *pipe)
{
    (void)vst;
    const speer_t *p = zi_pipe_data(pipe);
    return p && p->stash;
}

static void stream_write_activated(void *vst, zi_pipe_t *pipe)
{
    (void)vst;
    (void)pipe;
}

/* ---- send -------------------------------------------------------------------- */

static int stream_send(void *vst, zinc_frame_t *f)
{
    stream_t *st = vst;
    if (!st->more_out) {
        if (!zi_frame_is_more(f)) {
            zinc_frame_unref(f); /* an id frame with nothing after it */
            return 0;
        }
        speer_t *p = stream_lookup(st, f->data, f->size);
        if (!p) {
            errno = EHOSTUNREACH;
            return -1;
        }
        if (!zi_pipe_check_write(p->pipe)) {
            errno = zi_pipe_peer_closed(p->pipe) ? EHOSTUNREACH : EAGAIN;
            return -1;
        }
        st->cur_out = p;
        st->more_out = true;
        zinc_frame_unref(f);
        return 0;
    }
    /* The data frame: the last of the message, whatever its MORE flag. */
    st->more_out = false;
    speer_t *p = st->cur_out;
    st->cur_out = NULL;
    if (!p) {
        zinc_frame_unref(f);
        return 0;
    }
    if (f->size == 0) {
        zinc_frame_unref(f);
        stream_close_peer(st, p);
        return 0;
    }
    zi_frame_set_more(f, false);
    if (zi_pipe_write(p->pipe, f) != ZI_OK) {
        zinc_frame_unref(f); /* the connection went meanwhile: dropped */
        return 0;
    }
    zi_pipe_flush(p->pipe);
    return 0;
}

/* ---- receive ----------------------------------------------------------------- */

/* The next frame to deliver from p (notices dropped unless stream_notify),
 * kept in p->stash; NULL when p has none now. */
static zinc_frame_t *stream_peek(stream_t *st, speer_t *p)
{
    while (!p->stash) {
        zinc_frame_t *f = zi_sock_pipe_read(st->s, p->pipe);
        if (!f)
            return NULL;
        if (f->size == 0 && !p->notify) {
            zinc_frame_unref(f);
            continue;
        }
        zi_frame_set_more(f, false);
        p->stash = f;
    }
    return p->stash;
}

static zinc_frame_t *stream_recv(void *vst)
{
    stream_t *st = vst;
    if (st->prefetch) {
        zinc_frame_t *f = st->prefetch;
        st->prefetch = NULL;
        return f;
    }
    while (st->in.active > 0) {
        speer_t *p = st->in.items[st->in.cur];
        if (!stream_peek(st, p)) {
            zi_peerq_deactivate(&st->in, st->in.cur);
            continue;
        }
        zinc_frame_t *idf = zi_frame_alloc(p->id_len);
        if (!idf) {
            errno = ENOMEM;
            return NULL;
        }
        memcpy(idf->data, p->id, p->id_len);
        zi_frame_set_more(idf, true);
        if (p->stash->meta)
            zi_frame_set_meta(idf, p->stash->meta);
        st->prefetch = p->stash;
        p->stash = NULL;
        st->in.cur = (st->in.cur + 1) % st->in.active;
        return idf;
    }
    errno = EAGAIN;
    return NULL;
}

static bool stream_has_in(void *vst)
{
    stream_t *st = vst;
    if (st->prefetch)
        return true;
    while (st->in.active > 0) {
        if (stream_peek(st, st->in.items[st->in.cur]))
            return true;
        zi_peerq_deactivate(&st->in, st->in.cur);
    }
    return false;
}

static bool stream_has_out(void *vst)
{
    (void)vst;
    return true; /* as libzmq: a send names its peer, which may be full */
}

/* ---- life ---------------------------------------------------------------------- */

static int stream_init(void *vst, zi_sock_t *s)
{
    stream_t *st = vst;
    st->s = s;
    zi_peerq_init(&st->in, offsetof(speer_t, fq));
    st->seed = zi_pattern_random64();
    st->next_id = (uint32_t)zi_pattern_random64();
    return 0;
}

static void stream_fini(void *vst)
{
    stream_t *st = vst;
    zinc_frame_unref(st->prefetch);
    zi_peerq_fini(&st->in);
    free(st->buckets);
}

const zi_pattern_ops_t zi_pattern_stream = {
    .type = ZINC_STREAM,
    .size = sizeof(stream_t),
    .init = stream_init,
    .fini = stream_fini,
    .attach = stream_attach,
    .peer = stream_peer,
    .detach = stream_detach,
    .read_activated = stream_read_activated,
    .write_activated = stream_write_activated,
    .send = stream_send,
    .recv = stream_recv,
    .has_in = stream_has_in,
    .has_out = stream_has_out,
    .holds = stream_holds,
};
