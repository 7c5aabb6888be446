/* Sockets: the application's side of zinc.
 *
 * A socket runs on whichever application thread calls into it (one at a
 * time: a second thread gets EBUSY). Its pattern (src/pattern) moves frames
 * through pipe ends; I/O threads and inproc peers reach the socket only by
 * posting commands to its mailbox (attach a pipe, a pipe became readable or
 * writable, a pipe's peer closed, the context is terminating). Blocking calls
 * wait on that mailbox's eventfd, which is also the `fd` option.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/session.h"
#include "core/socket.h"
#include "transport/endpoint.h"
#include "util/clock.h"
#include "zmtp/socktype.h"

typedef struct {
    char uri[ZI_ENDPOINT_MAX + 1];   /* as the application gave it */
    char resolved[ZI_ADDR_TEXT_MAX]; /* last_endpoint of a bind */
    bool bind;
    zi_transport_t transport;
    void *io;        /* zi_listener_t or zi_session_t, NULL for inproc */
    zi_pipe_t *pipe; /* a connect's end, while attached (NULL with immediate) */
} sock_endpoint_t;

struct zinc_socket {
    atomic_int refs;
    zinc_ctx_t *ctx;
    int type;
    zi_optset_t opts;
    zi_optset_hooks_t hooks;
    const zi_pattern_ops_t *ops;
    void *pst;
    zi_mailbox_t *mbox;
    zi_pipe_sink_t sink;
    atomic_int busy;
    atomic_bool closed;
    atomic_bool terminated;
    atomic_int linger; /* zi_sock_linger */
    bool rcvmore;
    size_t closing_peers; /* attached pipes whose peer closed, not yet reaped */
    zi_pipe_t **pipes;    /* attached ends */
    const void **origins; /* per attached end: its endpoint's io (or NULL) */
    size_t cap_origins;
    size_t npipes, cap_pipes;
    zi_pipe_t **zombies; /* closed, freed after the next full mailbox drain */
    size_t nzombies, cap_zombies;
    sock_endpoint_t *eps;
    size_t neps, cap_eps;
    char last_endpoint[ZI_ADDR_TEXT_MAX];
    int live_int; /* storage for the live hook's answers */
    /* zi_clock_us() of the last unprompted direct write to any of this
     * socket's sessions (zi_sock_direct_slot). */
    _Atomic int64_t direct_us;
};

/* ---- references and the mailbox ---------------------------------------- */

zinc_socket_t *zi_sock_ref(zinc_socket_t *s)
{
    atomic_fetch_add(&s->refs, 1);
    return s;
}

static void sock_drain_dead(zinc_socket_t *s)
{
    zi_cmd_t c;
    while (zi_mailbox_recv(s->mbox, &c))
        if (c.type == ZI_SCMD_ATTACH) {
            zi_pipe_close(c.target);
            zi_pipe_free(c.target);
        }
}

void zi_sock_unref(zinc_socket_t *s)
{
    if (atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    sock_drain_dead(s);
    zi_mailbox_free(s->mbox);
    free(s);
}

static void sock_post_cmd(zinc_socket_t *s, const zi_cmd_t *c)
{
    if (zi_mailbox_send(s->mbox, c) != ZI_OK && c->type == ZI_SCMD_ATTACH) {
        /* Out of memory for a command: the connection cannot be attached. */
        zi_pipe_close(c->target);
        zi_pipe_free(c->target);
    }
}

void zi_sock_post(zinc_socket_t *s, int type, void *target)
{
    zi_cmd_t c = {.type = type, .target = target};
    sock_post_cmd(s, &c);
}

void zi_sock_post_attach(zinc_socket_t *s, zi_pipe_t *p, const void *origin)
{
    zi_cmd_t c = {.type = ZI_SCMD_ATTACH, .target = p, .arg = (void *)(uintptr_t)origin};
    sock_post_cmd(s, &c);
}

static void sock_sink_readable(void *ctx, zi_pipe_t *p)
{
    zi_sock_post(ctx, ZI_SCMD_READABLE, p);
}

static void sock_sink_writable(void *ctx, zi_pipe_t *p)
{
    zi_sock_post(ctx, ZI_SCMD_WRITABLE, p);
}

static void sock_sink_terminated(void *ctx, zi_pipe_t *p)
{
    zi_sock_post(ctx, ZI_SCMD_PIPE_TERM, p);
}

const zi_pipe_sink_t *zi_sock_pipe_sink(zinc_socket_t *s)
{
    return &s->sink;
}
_Atomic int64_t *zi_sock_direct_slot(zinc_socket_t *s)
{
    return &s->direct_us;
}

bool zi_sock_closed(const zinc_socket_t *s)
{
    return atomic_load(&s->closed);
}
int zi_sock_linger(const zinc_socket_t *s)
{
    return atomic_load(&s->linger);
}

/* Before letting go of connections: their sessions read the linger then. */
static void sock_publish_linger(zinc_socket_t *s)
{
    atomic_store(&s->linger, (int)zi_optset_int(&s->opts, ZI_OPT_LINGER));
}
const zi_optset_t *zi_sock_opts(const zinc_socket_t *s)
{
    return &s->opts;
}
int zi_sock_type(const zinc_socket_t *s)
{
    return s->type;
}
zinc_ctx_t *zi_sock_ctx(const zinc_socket_t *s)
{
    return s->ctx;
}

void zi_sock_terminate(zinc_socket_t *s)
{
    atomic_store(&s->terminated, true);
    zi_sock_post(s, ZI_SCMD_TERM, NULL);
}

bool zi_sock_conflates(const zinc_socket_t *s, bool out)
{
    if (!zi_optset_int(&s->opts, ZI_OPT_CONFLATE))
        return false;
    switch (s->type) {
    case ZINC_DEALER:
    case ZINC_PULL:
    case ZINC_PUSH:
        return true;
    case ZINC_PUB:
        return out;
    case ZINC_SUB:
        return !out;
    default:
        return false;
    }
}

/* ---- peer metadata ----------------------------------------------------- */

zinc_frame_t *zi_peer_frame_new(zi_props_t *meta)
{
    zinc_frame_t *f = zi_frame_alloc(0);
    if (!f)
        return NULL;
    f->flags = ZI_FRAME_PEER;
    zi_frame_set_meta(f, meta);
    return f;
}

zi_props_t *zi_sock_own_meta(const zinc_socket_t *s)
{
    zi_props_t *p = zi_props_new();
    if (!p)
        return NULL;
    const char *type = zi_socktype_name(s->type);
    size_t rid_len;
    const uint8_t *rid = zi_optset_bytes(&s->opts, ZI_OPT_ROUTING_ID, &rid_len);
    if (zi_props_set(p, "Socket-Type", 11, type, strlen(type)) != ZI_OK ||
        (zi_socktype_sends_identity(s->type) &&
         zi_props_set(p, "Identity", 8, rid, rid_len) != ZI_OK)) {
        zi_props_unref(p);
        return NULL;
    }
    return p;
}

/* Takes in the peer frame f just read from p (and drops it). */
static void sock_take_peer_frame(zi_sock_t *s, zi_pipe_t *p, zinc_frame_t *f)
{
    /* Frames from an inproc peer carry no metadata, as in libzmq: its
     * peer frame names it for the pattern only. */
    zi_props_t *old = zi_pipe_owner(p);
    zi_pipe_set_owner(p, (f->flags & ZI_FRAME_LOCAL) ? NULL : zi_props_ref(f->meta));
    zi_props_unref(old);
    if (s->ops->peer)
        s->ops->peer(s->pst, p, f->meta);
    zinc_frame_unref(f);
}

zinc_frame_t *zi_sock_pipe_read(zi_sock_t *s, zi_pipe_t *p)
{
    for (;;) {
        zinc_frame_t *f = zi_pipe_read(p);
        if (!f)
            return NULL;
        if (!(f->flags & ZI_FRAME_PEER)) {
            /* Sessions leave metadata off; attached here, on the socket's
             * thread, its refcount is not shared with the I/O thread. */
            zi_props_t *meta = zi_pipe_owner(p);
            if (!f->meta && meta)
                f->meta = zi_props_ref(meta);
            return f;
        }
        sock_take_peer_frame(s, p, f);
    }
}

bool zi_sock_pipe_check_read(zi_sock_t *s, zi_pipe_t *p)
{
    for (;;) {
        zinc_frame_t *f = zi_pipe_peek(p);
        if (!f)
            return false;
        if (!(f->flags & ZI_FRAME_PEER))
            return true;
        /* Only the peer frame at the head: a message frame after it stays
         * in the pipe for the next read. */
        sock_take_peer_frame(s, p, zi_pipe_read(p));
    }
}

zi_props_t *zi_sock_pipe_meta(const zi_sock_t *s, const zi_pipe_t *p)
{
    (void)s;
    return zi_pipe_owner(p);
}

/* ---- pipes ------------------------------------------------------------- */

static bool sock_has_pipe(const zinc_socket_t *s, const zi_pipe_t *p)
{
    for (size_t i = 0; i < s->npipes; i++)
        if (s->pipes[i] == p)
            return true;
    return false;
}

static int sock_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 8;
    while (n < need)
        n *= 2;
    void *a = realloc(*arr, n * elem);
    if (!a)
        return -1;
    *arr = a;
    *cap = n;
    return 0;
}

static bool sock_has_endpoint(const zinc_socket_t *s, const void *origin)
{
    for (size_t i = 0; i < s->neps; i++)
        if (s->eps[i].io == origin)
            return true;
    return false;
}

static void sock_attach(zinc_socket_t *s, zi_pipe_t *p, const void *origin)
{
    /* A connection whose endpoint was unbound or disconnected meanwhile
     * goes the way of the others it made. */
    if ((origin && !sock_has_endpoint(s, origin)) ||
        sock_grow((void **)&s->pipes, &s->cap_pipes, s->npipes + 1, sizeof *s->pipes) != 0 ||
        sock_grow((void **)&s->origins, &s->cap_origins, s->npipes + 1, sizeof *s->origins) != 0) {
        zi_pipe_close(p);
        zi_pipe_free(p);
        return;
    }
    s->origins[s->npipes] = origin;
    s->pipes[s->npipes++] = p;
    zi_pipe_set_sink(p, &s->sink);
    /* A peer that closed before we had a sink told nobody: count it now
     * (after set_sink, a later close reaches us as ZI_SCMD_PIPE_TERM). */
    if (zi_pipe_peer_closed(p))
        s->closing_peers++;
    s->ops->attach(s->pst, p);
}

/* Takes p out of the pattern and the list; it is freed after the next full
 * drain of the mailbox, so that commands naming it are never dereferenced. */
static void sock_detach(zinc_socket_t *s, zi_pipe_t *p)
{
    for (size_t i = 0; i < s->npipes; i++)
        if (s->pipes[i] == p) {
            s->npipes--;
            s->pipes[i] = s->pipes[s->npipes];
            s->origins[i] = s->origins[s->npipes];
            break;
        }
    for (size_t i = 0; i < s->neps; i++)
        if (s->eps[i].pipe == p)
            s->eps[i].pipe = NULL;
    sock_publish_linger(s);
    s->ops->detach(s->pst, p);
    zi_pipe_close(p);
    zi_props_unref(zi_pipe_owner(p));
    zi_pipe_set_owner(p, NULL);
    if (sock_grow((void **)&s->zombies, &s->cap_zombies, s->nzombies + 1, sizeof *s->zombies) == 0)
        s->zombies[s->nzombies++] = p;
    else
        zi_pipe_free(p); /* no mailbox command can name it: it was closed */
}

/* A pipe whose peer closed goes once every message it published was read. */
static void sock_reap(zinc_socket_t *s)
{
    size_t waiting = 0;
    for (size_t i = 0; i < s->npipes;) {
        zi_pipe_t *p = s->pipes[i];
        if (!zi_pipe_peer_closed(p)) {
            i++;
        } else if (!zi_pipe_check_read(p) && zi_pipe_eof(p) &&
                   !(s->ops->holds && s->ops->holds(s->pst, p))) {
            sock_detach(s, p);
        } else {
            waiting++; /* messages left to read first */
            i++;
        }
    }
    s->closing_peers = waiting;
}

/* Runs every pending command. Never blocks. */
static void sock_process(zinc_socket_t *s)
{
    zi_cmd_t c;
    /* Pipes whose peer left and that were read to the end go before any new
     * peer attaches (a PAIR takes a new peer only once the old one is gone). */
    if (s->closing_peers)
        sock_reap(s);
    while (zi_mailbox_recv(s->mbox, &c)) {
        switch (c.type) {
        case ZI_SCMD_ATTACH:
            sock_attach(s, c.target, c.arg);
            break;
        case ZI_SCMD_READABLE:
            if (sock_has_pipe(s, c.target))
                s->ops->read_activated(s->pst, c.target);
            break;
        case ZI_SCMD_WRITABLE:
            if (sock_has_pipe(s, c.target))
                s->ops->write_activated(s->pst, c.target);
            break;
        case ZI_SCMD_PIPE_TERM:
            if (sock_has_pipe(s, c.target))
                s->closing_peers++;
            break;
        case ZI_SCMD_HICCUP:
            if (s->ops->hiccuped && sock_has_pipe(s, c.target))
                s->ops->hiccuped(s->pst, c.target);
            break;
        default:
            break;
        }
    }
    for (size_t i = 0; i < s->nzombies; i++)
        zi_pipe_free(s->zombies[i]);
    s->nzombies = 0;
    /* Only pipes whose peer closed are looked at, so a send or recv costs
     * nothing per peer. */
    if (s->closing_peers)
        sock_reap(s);
}

/* ---- entering and leaving a call --------------------------------------- */

static int sock_enter(zinc_socket_t *s)
{
    if (!s) {
        errno = ENOTSOCK;
        return -1;
    }
    if (atomic_exchange(&s->busy, 1)) {
        zi_set_detail("socket is in use by another thread");
        errno = EBUSY;
        return -1;
    }
    if (atomic_load(&s->closed)) {
        atomic_store(&s->busy, 0);
        errno = ENOTSOCK;
        return -1;
    }
    return 0;
}

static void sock_leave(zinc_socket_t *s)
{
    atomic_store(&s->busy, 0);
}

static int sock_fail(zinc_socket_t *s, int err)
{
    sock_leave(s);
    errno = err;
    return -1;
}

/* ---- creation and options ------------------------------------------------ */

static int sock_live(void *ctx, const zi_option_t *opt, zi_optval_t *out);
static int sock_action(void *ctx, const zi_option_t *opt, const zi_optval_t *val);

zinc_socket_t *zinc_socket_new(zinc_ctx_t *ctx, int type)
{
    if (!ctx) {
        errno = EFAULT;
        return NULL;
    }
    const zi_pattern_ops_t *ops = zi_pattern_lookup(type);
    if (!ops) {
        zi_set_detail("socket type %d is not built", type);
        errno = EINVAL;
        return NULL;
    }
    zinc_socket_t *s = calloc(1, sizeof *s);
    if (!s) {
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&s->refs, 1);
    atomic_init(&s->linger, -1);
    s->ctx = ctx;
    s->type = type;
    s->ops = ops;
    s->sink = (zi_pipe_sink_t){sock_sink_readable, sock_sink_writable, sock_sink_terminated, s};
    s->hooks = (zi_optset_hooks_t){sock_live, sock_action, NULL};
    if (zi_optset_init(&s->opts, type) != 0)
        goto fail_free;
    zi_optset_set_hooks(&s->opts, &s->hooks, s);
    s->mbox = zi_mailbox_new();
    if (!s->mbox)
        goto fail_opts;
    s->pst = calloc(1, ops->size ? ops->size : 1);
    if (!s->pst) {
        errno = ENOMEM;
        goto fail_mbox;
    }
    if (ops->init(s->pst, s) != 0)
        goto fail_pst;
    if (zi_ctx_socket_add(ctx, s, &s->opts) != 0)
        goto fail_pattern;
    return s;
fail_pattern:
    ops->fini(s->pst);
fail_pst:
    free(s->pst);
fail_mbox:
    zi_mailbox_free(s->mbox);
fail_opts:
    zi_optset_fini(&s->opts);
fail_free:
    free(s);
    return NULL;
}

static int sock_live(void *ctx, const zi_option_t *opt, zi_optval_t *out)
{
    zinc_socket_t *s = ctx;
    switch (zi_option_index(opt)) {
    case ZI_OPT_RCVMORE:
        out->i = s->rcvmore;
        return 1;
    case ZI_OPT_FD:
        out->i = zi_mailbox_fd(s->mbox);
        return 1;
    case ZI_OPT_EVENTS:
        /* As libzmq: events fails with ETERM once the context terminates, so
         * that pollers stop waiting on this socket. */
        if (atomic_load(&s->terminated)) {
            errno = ZINC_ETERM;
            return -1;
        }
        sock_process(s);
        out->i = (s->ops->has_in(s->pst) ? ZINC_POLLIN : 0) |
                 (s->ops->has_out(s->pst) ? ZINC_POLLOUT : 0);
        return 1;
    case ZI_OPT_LAST_ENDPOINT:
        out->data = (const uint8_t *)s->last_endpoint;
        out->len = strlen(s->last_endpoint);
        return 1;
    default:
        if (!s->ops->getopt)
            return 0;
        sock_process(s);
        return s->ops->getopt(s->pst, zi_option_index(opt), out);
    }
}

static int sock_action(void *ctx, const zi_option_t *opt, const zi_optval_t *val)
{
    zinc_socket_t *s = ctx;
    if (s->ops->setopt) {
        int rc = s->ops->setopt(s->pst, zi_option_index(opt), val);
        if (rc <= 0)
            return rc;
    }
    zi_set_detail("%s is not built yet for this socket type", opt->name);
    errno = ENOTSUP;
    return -1;
}

int zinc_set(zinc_socket_t *s, const char *name, const char *value)
{
    if (sock_enter(s) != 0)
        return -1;
    int rc = zi_optset_set_text(&s->opts, name, value);
    sock_leave(s);
    return rc;
}

int zinc_get(zinc_socket_t *s, const char *name, char *buf, size_t *len)
{
    if (sock_enter(s) != 0)
        return -1;
    int rc = zi_optset_get_text(&s->opts, name, buf, len);
    sock_leave(s);
    return rc;
}

int zinc_set_int(zinc_socket_t *s, const char *name, int64_t value)
{
    if (sock_enter(s) != 0)
        return -1;
    int rc = zi_optset_set_int(&s->opts, name, value);
    sock_leave(s);
    return rc;
}

int zinc_get_int(zinc_socket_t *s, const char *name, int64_t *value)
{
    if (sock_enter(s) != 0)
        return -1;
    int rc = zi_optset_get_int(&s->opts, name, value);
    sock_leave(s);
    return rc;
}

int zinc_set_bytes(zinc_socket_t *s, const char *name, const void *data, size_t len)
{
    if (sock_enter(s) != 0)
        return -1;
    int rc = zi_optset_set_bytes(&s->opts, name, data, len);
    sock_leave(s);
    return rc;
}

int zinc_get_bytes(zinc_socket_t *s, const char *name, void *buf, size_t *len)
{
    if (sock_enter(s) != 0)
        return -1;
    int rc = zi_optset_get_bytes(&s->opts, name, buf, len);
    sock_leave(s);
    return rc;
}

/* ---- endpoints --------------------------------------------------------- */

static sock_endpoint_t *sock_add_endpoint(zinc_socket_t *s, const char *uri, bool bind,
                                          zi_transport_t t)
{
    if (sock_grow((void **)&s->eps, &s->cap_eps, s->neps + 1, sizeof *s->eps) != 0) {
        errno = ENOMEM;
        return NULL;
    }
    sock_endpoint_t *ep = &s->eps[s->neps++];
    memset(ep, 0, sizeof *ep);
    snprintf(ep->uri, sizeof ep->uri, "%s", uri);
    ep->bind = bind;
    ep->transport = t;
    return ep;
}

static void sock_stop_endpoint(sock_endpoint_t *ep)
{
    if (!ep->io)
        return;
    if (ep->bind)
        zi_listener_stop(ep->io);
    else
        zi_session_stop(ep->io);
    ep->io = NULL;
}

/* STREAM is raw TCP (and ipc): an inproc peer has no bytes to give it. */
static bool sock_no_inproc(const zinc_socket_t *s, const zi_endpoint_t *ep)
{
    if (s->type != ZINC_STREAM || ep->transport != ZI_TRANSPORT_INPROC)
        return false;
    zi_set_detail("STREAM sockets take tcp and ipc endpoints, not inproc");
    return true;
}

int zinc_bind(zinc_socket_t *s, const char *endpoint)
{
    if (sock_enter(s) != 0)
        return -1;
    zi_endpoint_t ep;
    if (!endpoint || zi_endpoint_parse(endpoint, ZI_EP_BIND, &ep) != 0)
        return sock_fail(s, endpoint ? errno : EINVAL);
    if (sock_no_inproc(s, &ep))
        return sock_fail(s, EPROTONOSUPPORT);
    sock_process(s);
    sock_endpoint_t *rec = sock_add_endpoint(s, endpoint, true, ep.transport);
    if (!rec)
        return sock_fail(s, ENOMEM);
    int rc;
    if (ep.transport == ZI_TRANSPORT_INPROC) {
        rc = zi_ctx_inproc_bind(s->ctx, ep.address, s);
        if (rc == 0)
            snprintf(rec->resolved, sizeof rec->resolved, "%s", endpoint);
    } else {
        rc = zi_listener_start(s, &ep, &rec->io, rec->resolved, sizeof rec->resolved);
    }
    if (rc != 0) {
        int err = errno;
        s->neps--;
        return sock_fail(s, err);
    }
    snprintf(s->last_endpoint, sizeof s->last_endpoint, "%s", rec->resolved);
    sock_process(s); /* inproc connects that were waiting */
    sock_leave(s);
    return 0;
}

int zinc_connect(zinc_socket_t *s, const char *endpoint)
{
    if (sock_enter(s) != 0)
        return -1;
    zi_endpoint_t ep;
    if (!endpoint || zi_endpoint_parse(endpoint, ZI_EP_CONNECT, &ep) != 0)
        return sock_fail(s, endpoint ? errno : EINVAL);
    if (sock_no_inproc(s, &ep))
        return sock_fail(s, EPROTONOSUPPORT);
    sock_process(s);
    sock_endpoint_t *rec = sock_add_endpoint(s, endpoint, false, ep.transport);
    if (!rec)
        return sock_fail(s, ENOMEM);
    int rc;
    zi_pipe_t *mine = NULL;
    if (ep.transport == ZI_TRANSPORT_INPROC)
        rc = zi_ctx_inproc_connect(s->ctx, ep.address, s, &mine);
    else
        rc = zi_session_connect(s, &ep, &rec->io, &mine);
    if (rc != 0) {
        int err = errno;
        s->neps--;
        return sock_fail(s, err);
    }
    if (mine) {
        sock_attach(s, mine, rec->io); /* messages queue before the connection is up */
        rec->pipe = sock_has_pipe(s, mine) ? mine : NULL;
    }
    zi_optset_reset(&s->opts, ZI_OPT_CONNECT_ROUTING_ID);
    snprintf(s->last_endpoint, sizeof s->last_endpoint, "%s", endpoint);
    sock_process(s);
    sock_leave(s);
    return 0;
}

static int sock_remove_endpoint(zinc_socket_t *s, const char *endpoint, bool bind)
{
    if (sock_enter(s) != 0)
        return -1;
    if (!endpoint)
        return sock_fail(s, EINVAL);
    sock_publish_linger(s);
    bool found = false;
    for (size_t i = 0; i < s->neps;) {
        sock_endpoint_t *ep = &s->eps[i];
        if (ep->bind == bind &&
            (strcmp(ep->uri, endpoint) == 0 || (bind && strcmp(ep->resolved, endpoint) == 0))) {
            found = true;
            if (ep->transport == ZI_TRANSPORT_INPROC && bind) {
                zi_endpoint_t parsed;
                if (zi_endpoint_parse(ep->uri, ZI_EP_BIND, &parsed) == 0)
                    zi_ctx_inproc_unbind(s->ctx, parsed.address, s);
            }
            const void *io = ep->io;
            sock_stop_endpoint(ep);
            /* As libzmq: a disconnected peer gets no more messages, and the
             * connections an unbound listener accepted end; what was already
             * queued for them still leaves, within linger. */
            if (ep->pipe && sock_has_pipe(s, ep->pipe))
                sock_detach(s, ep->pipe); /* inproc */
            for (size_t k = 0; io && k < s->npipes;)
                if (s->origins[k] == io)
                    sock_detach(s, s->pipes[k]);
                else
                    k++;
            s->eps[i] = s->eps[--s->neps];
        } else {
            i++;
        }
    }
    sock_leave(s);
    if (!found) {
        errno = ENOENT;
        return -1;
    }
    return 0;
}

int zinc_unbind(zinc_socket_t *s, const char *endpoint)
{
    return sock_remove_endpoint(s, endpoint, true);
}

int zinc_disconnect(zinc_socket_t *s, const char *endpoint)
{
    return sock_remove_endpoint(s, endpoint, false);
}

/* ---- send and receive ---------------------------------------------------- */

/* Waits for a command until deadline (INT64_MAX: forever). false on timeout. */
static bool sock_wait(zinc_socket_t *s, int64_t deadline)
{
    int timeout = -1;
    if (deadline != INT64_MAX) {
        int64_t left = deadline - zi_clock_ms();
        if (left <= 0)
            return false;
        timeout = left > 1000000 ? 1000000 : (int)left;
    }
    return zi_mailbox_wait(s->mbox, timeout) == ZI_OK;
}

static int64_t sock_deadline(int flags, int64_t timeo)
{
    if ((flags & ZINC_DONTWAIT) || timeo == 0)
        return 0;
    return timeo < 0 ? INT64_MAX : zi_clock_ms() + timeo;
}

/* Inside a call: hands f to the pattern (0, f taken), or -1 with errno. */
static int sock_send(zinc_socket_t *s, zinc_frame_t *f, int flags)
{
    zi_frame_set_more(f, flags & ZINC_MORE);
    int64_t deadline = -1;
    for (;;) {
        sock_process(s);
        if (atomic_load(&s->terminated)) {
            errno = ZINC_ETERM;
            return -1;
        }
        if (s->ops->send(s->pst, f) == 0)
            return 0;
        if (errno != EAGAIN)
            return -1;
        if (deadline < 0)
            deadline = sock_deadline(flags, zi_optset_int(&s->opts, ZI_OPT_SNDTIMEO));
        if (!sock_wait(s, deadline)) {
            errno = EAGAIN;
            return -1;
        }
    }
}

int zinc_send_frame(zinc_socket_t *s, zinc_frame_t *f, int flags)
{
    if (!f) {
        errno = EFAULT;
        return -1;
    }
    if (sock_enter(s) != 0)
        return -1;
    /* copy_threshold (pyzmq's): a small zero-copy frame goes out as a copy,
     * and the caller's reference is dropped once the copy is taken, so its
     * free function runs (and its tracker finishes) before this returns
     * unless the application still holds another reference. */
    zinc_frame_t *copy = NULL;
    if ((f->flags & ZI_FRAME_ZEROCOPY) &&
        f->size < (uint64_t)zi_optset_int(&s->opts, ZI_OPT_COPY_THRESHOLD)) {
        copy = zinc_frame_new(f->data, f->size);
        if (!copy)
            return sock_fail(s, ENOMEM);
    }
    int rc = sock_send(s, copy ? copy : f, flags);
    int err = errno;
    sock_leave(s);
    if (copy)
        zinc_frame_unref(rc == 0 ? f : copy); /* the free function runs outside the call */
    errno = err;
    return rc;
}

zinc_frame_t *zinc_recv_frame(zinc_socket_t *s, int flags)
{
    if (sock_enter(s) != 0)
        return NULL;
    int64_t deadline = -1;
    zinc_frame_t *f;
    for (;;) {
        sock_process(s);
        if (atomic_load(&s->terminated)) {
            sock_fail(s, ZINC_ETERM);
            return NULL;
        }
        f = s->ops->recv(s->pst);
        if (f)
            break;
        if (errno != EAGAIN) {
            sock_fail(s, errno);
            return NULL;
        }
        if (deadline < 0)
            deadline = sock_deadline(flags, zi_optset_int(&s->opts, ZI_OPT_RCVTIMEO));
        if (!sock_wait(s, deadline)) {
            sock_fail(s, EAGAIN);
            return NULL;
        }
    }
    s->rcvmore = zi_frame_is_more(f);
    sock_leave(s);
    return f;
}

int zinc_send(zinc_socket_t *s, const void *data, size_t len, int flags)
{
    if (len > INT32_MAX || (!data && len)) {
        errno = EINVAL;
        return -1;
    }
    zinc_frame_t *f = zinc_frame_new(data, len);
    if (!f)
        return -1;
    if (zinc_send_frame(s, f, flags) != 0) {
        int err = errno;
        zinc_frame_unref(f);
        errno = err;
        return -1;
    }
    return (int)len;
}

int zinc_recv(zinc_socket_t *s, void *buf, size_t cap, int flags)
{
    if (!buf && cap) {
        errno = EFAULT;
        return -1;
    }
    zinc_frame_t *f = zinc_recv_frame(s, flags);
    if (!f)
        return -1;
    size_t n = f->size < cap ? f->size : cap;
    if (n)
        memcpy(buf, f->data, n);
    size_t size = f->size;
    zinc_frame_unref(f);
    return size > INT32_MAX ? INT32_MAX : (int)size;
}

/* ---- close ------------------------------------------------------------- */

int zinc_socket_close(zinc_socket_t *s)
{
    if (sock_enter(s) != 0)
        return -1;
    sock_process(s);
    sock_publish_linger(s);
    atomic_store(&s->closed, true);
    for (size_t i = 0; i < s->neps; i++)
        sock_stop_endpoint(&s->eps[i]);
    zi_ctx_inproc_forget(s->ctx, s);
    while (s->npipes)
        sock_detach(s, s->pipes[s->npipes - 1]);
    for (size_t i = 0; i < s->nzombies; i++)
        zi_pipe_free(s->zombies[i]);
    s->nzombies = 0;
    s->ops->fini(s->pst);
    free(s->pst);
    free(s->pipes);
    free(s->origins);
    free(s->zombies);
    free(s->eps);
    zi_optset_fini(&s->opts);
    zinc_ctx_t *ctx = s->ctx;
    atomic_store(&s->busy, 0);
    zi_ctx_socket_remove(ctx, s);
    zi_sock_unref(s);
    return 0;
}
