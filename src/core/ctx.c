/* Contexts: options and socket defaults, the socket registry, the I/O
 * threads, the inproc registry and termination. One mutex guards it all; it
 * is taken on the control path only (create, bind, connect, close, term). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/socket.h"
#include "zmtp/socktype.h"

typedef struct {
    char *name;
    zinc_socket_t *s;
    zi_props_t *meta; /* the binder's metadata, for its peers */
    int sndhwm, rcvhwm;
    bool conflate[2]; /* zi_sock_conflates(s, sends), (s, receives) */
} inproc_bind_t;

typedef struct {
    char *name;
    zinc_socket_t *s;   /* the connecting socket */
    zi_pipe_t *far_end; /* for the binder, once it exists */
    int sndhwm;         /* connector's, for the hwm sum */
    int rcvhwm;
} inproc_pending_t;

struct zinc_ctx {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    zi_ctxopts_t opts;
    zi_ctx_defaults_t defaults;
    zi_reactor_t **io;
    int nio;
    zinc_socket_t **socks;
    size_t nsocks, cap_socks;
    inproc_bind_t *binds;
    size_t nbinds, cap_binds;
    inproc_pending_t *pending;
    size_t npending, cap_pending;
    int io_objects;
    bool terminating;
};

static int ctx_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 8;
    while (n < need)
        n *= 2;
    void *a = realloc(*arr, n * elem);
    if (!a) {
        errno = ENOMEM;
        return -1;
    }
    *arr = a;
    *cap = n;
    return 0;
}

zinc_ctx_t *zinc_ctx_new(void)
{
    zinc_ctx_t *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&ctx->mu, NULL);
    pthread_cond_init(&ctx->cv, NULL);
    zi_ctxopts_init(&ctx->opts);
    zi_ctx_defaults_init(&ctx->defaults);
    return ctx;
}

int zinc_ctx_set(zinc_ctx_t *ctx, const char *name, const char *value)
{
    if (!ctx) {
        errno = EFAULT;
        return -1;
    }
    pthread_mutex_lock(&ctx->mu);
    int rc;
    if (ctx->nio && name && zi_ctxopt_lookup(name) == &zi_ctxopt_table[ZI_CTXOPT_IO_THREADS])
        rc = zi_fail(EINVAL, "io_threads cannot change once the I/O threads run");
    else
        rc = zi_ctx_set_text(&ctx->opts, &ctx->defaults, name, value);
    pthread_mutex_unlock(&ctx->mu);
    return rc;
}

int zinc_ctx_get(zinc_ctx_t *ctx, const char *name, char *buf, size_t *len)
{
    if (!ctx) {
        errno = EFAULT;
        return -1;
    }
    pthread_mutex_lock(&ctx->mu);
    int rc = zi_ctx_get_text(&ctx->opts, &ctx->defaults, name, buf, len);
    pthread_mutex_unlock(&ctx->mu);
    return rc;
}

int zinc_ctx_unset(zinc_ctx_t *ctx, const char *name)
{
    if (!ctx) {
        errno = EFAULT;
        return -1;
    }
    pthread_mutex_lock(&ctx->mu);
    int rc = zi_ctx_defaults_remove(&ctx->defaults, name);
    pthread_mutex_unlock(&ctx->mu);
    return rc;
}

int64_t zi_ctx_opt(zinc_ctx_t *ctx, zi_ctxopt_index i)
{
    pthread_mutex_lock(&ctx->mu);
    int64_t v = zi_ctxopts_int(&ctx->opts, i);
    pthread_mutex_unlock(&ctx->mu);
    return v;
}

/* ---- I/O threads ---------------------------------------------------------- */

static int ctx_start_io(zinc_ctx_t *ctx)
{
    int n = (int)zi_ctxopts_int(&ctx->opts, ZI_CTXOPT_IO_THREADS);
    if (n <= 0) {
        errno = ZINC_EMTHREAD; /* io_threads 0: inproc only, as libzmq */
        return -1;
    }
    ctx->io = calloc((size_t)n, sizeof *ctx->io);
    if (!ctx->io) {
        errno = ENOMEM;
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char name[64];
        const char *prefix = ctx->opts.thread_name_prefix;
        snprintf(name, sizeof name, "%s%szinc-io/%d", prefix, prefix[0] ? "/" : "", i);
        ctx->io[i] = zi_reactor_new();
        if (!ctx->io[i] || zi_reactor_start(ctx->io[i], name) != ZI_OK) {
            for (int j = 0; j <= i; j++)
                zi_reactor_free(ctx->io[j]);
            free(ctx->io);
            ctx->io = NULL;
            errno = ZINC_EMTHREAD;
            return -1;
        }
    }
    ctx->nio = n;
    return 0;
}

zi_reactor_t *zi_ctx_io(zinc_ctx_t *ctx)
{
    pthread_mutex_lock(&ctx->mu);
    zi_reactor_t *best = NULL;
    if (ctx->terminating)
        errno = ZINC_ETERM;
    else if (ctx->nio || ctx_start_io(ctx) == 0) {
        best = ctx->io[0];
        for (int i = 1; i < ctx->nio; i++)
            if (zi_reactor_load(ctx->io[i]) < zi_reactor_load(best))
                best = ctx->io[i];
    }
    pthread_mutex_unlock(&ctx->mu);
    return best;
}

void zi_ctx_io_object_add(zinc_ctx_t *ctx)
{
    pthread_mutex_lock(&ctx->mu);
    ctx->io_objects++;
    pthread_mutex_unlock(&ctx->mu);
}

void zi_ctx_io_object_done(zinc_ctx_t *ctx)
{
    pthread_mutex_lock(&ctx->mu);
    if (--ctx->io_objects == 0)
        pthread_cond_broadcast(&ctx->cv);
    pthread_mutex_unlock(&ctx->mu);
}

/* ---- sockets ---------------------------------------------------------------- */

int zi_ctx_socket_add(zinc_ctx_t *ctx, zinc_socket_t *s, zi_optset_t *os)
{
    pthread_mutex_lock(&ctx->mu);
    int rc = -1;
    if (ctx->terminating)
        errno = ZINC_ETERM;
    else if ((int64_t)ctx->nsocks >= zi_ctxopts_int(&ctx->opts, ZI_CTXOPT_MAX_SOCKETS))
        zi_fail(EMFILE, "max_sockets reached");
    else if (ctx_grow((void **)&ctx->socks, &ctx->cap_socks, ctx->nsocks + 1, sizeof *ctx->socks) ==
             0) {
        zi_ctxopts_seed(&ctx->opts, os);
        rc = zi_ctx_defaults_apply(&ctx->defaults, os);
        if (rc == 0)
            ctx->socks[ctx->nsocks++] = s;
    }
    pthread_mutex_unlock(&ctx->mu);
    return rc;
}

void zi_ctx_socket_remove(zinc_ctx_t *ctx, zinc_socket_t *s)
{
    pthread_mutex_lock(&ctx->mu);
    for (size_t i = 0; i < ctx->nsocks; i++)
        if (ctx->socks[i] == s) {
            ctx->socks[i] = ctx->socks[--ctx->nsocks];
            break;
        }
    if (ctx->nsocks == 0)
        pthread_cond_broadcast(&ctx->cv);
    pthread_mutex_unlock(&ctx->mu);
}

/* ---- inproc ------------------------------------------------------------------ */

static inproc_bind_t *ctx_find_bind(zinc_ctx_t *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->nbinds; i++)
        if (strcmp(ctx->binds[i].name, name) == 0)
            return &ctx->binds[i];
    return NULL;
}

/* Writes meta as the in-band peer frame on end p (its owner writes it). */
static void ctx_write_peer(zi_pipe_t *p, zi_props_t *meta)
{
    zinc_frame_t *f = zi_peer_frame_new(meta);
    if (f)
        f->flags |= ZI_FRAME_LOCAL;
    if (f && zi_pipe_write(p, f) != ZI_OK)
        zinc_frame_unref(f);
    zi_pipe_flush(p);
}

int zi_ctx_inproc_bind(zinc_ctx_t *ctx, const char *name, zinc_socket_t *s)
{
    zi_props_t *meta = zi_sock_own_meta(s);
    char *copy = strdup(name);
    if (!meta || !copy) {
        zi_props_unref(meta);
        free(copy);
        errno = ENOMEM;
        return -1;
    }
    const zi_optset_t *os = zi_sock_opts(s);
    pthread_mutex_lock(&ctx->mu);
    int rc = -1;
    if (ctx_find_bind(ctx, name))
        zi_fail(EADDRINUSE, "inproc://%s is already bound", name);
    else if (ctx_grow((void **)&ctx->binds, &ctx->cap_binds, ctx->nbinds + 1, sizeof *ctx->binds) ==
             0) {
        ctx->binds[ctx->nbinds++] = (inproc_bind_t){
            copy,
            s,
            meta,
            (int)zi_optset_int(os, ZI_OPT_SNDHWM),
            (int)zi_optset_int(os, ZI_OPT_RCVHWM),
            {zi_sock_conflates(s, true), zi_sock_conflates(s, false)},
        };
        copy = NULL;
        meta = zi_props_ref(meta);
        rc = 0;
        /* Connects that came first: their far ends become ours. */
        for (size_t i = 0; i < ctx->npending;) {
            inproc_pending_t *pd = &ctx->pending[i];
            if (strcmp(pd->name, name) != 0) {
                i++;
                continue;
            }
            if (zi_socktype_compatible(zi_sock_type(pd->s), zi_sock_type(s))) {
                zi_pipe_set_hwm(pd->far_end,
                                zi_pipe_hwm_sum((int)zi_optset_int(os, ZI_OPT_SNDHWM), pd->rcvhwm));
                ctx_write_peer(pd->far_end, meta);
                zi_sock_post(s, ZI_SCMD_ATTACH, pd->far_end);
            } else {
                /* As a connect made after the bind is refused: the
                 * connecter's pipe ends, and its messages with it. */
                zi_pipe_close(pd->far_end);
                zi_pipe_free(pd->far_end);
            }
            zi_sock_unref(pd->s);
            free(pd->name);
            ctx->pending[i] = ctx->pending[--ctx->npending];
        }
    }
    pthread_mutex_unlock(&ctx->mu);
    zi_props_unref(meta);
    free(copy);
    return rc;
}

int zi_ctx_inproc_unbind(zinc_ctx_t *ctx, const char *name, zinc_socket_t *s)
{
    pthread_mutex_lock(&ctx->mu);
    int rc = -1;
    inproc_bind_t *b = ctx_find_bind(ctx, name);
    if (b && b->s == s) {
        free(b->name);
        zi_props_unref(b->meta);
        *b = ctx->binds[--ctx->nbinds];
        rc = 0;
    } else {
        errno = ENOENT;
    }
    pthread_mutex_unlock(&ctx->mu);
    return rc;
}

int zi_ctx_inproc_connect(zinc_ctx_t *ctx, const char *name, zinc_socket_t *s, zi_pipe_t **mine)
{
    const zi_optset_t *os = zi_sock_opts(s);
    int sndhwm = (int)zi_optset_int(os, ZI_OPT_SNDHWM);
    int rcvhwm = (int)zi_optset_int(os, ZI_OPT_RCVHWM);
    zi_props_t *meta = zi_sock_own_meta(s);
    if (!meta) {
        errno = ENOMEM;
        return -1;
    }
    pthread_mutex_lock(&ctx->mu);
    int rc = -1;
    inproc_bind_t *b = ctx_find_bind(ctx, name);
    if (b && !zi_socktype_compatible(zi_sock_type(s), zi_sock_type(b->s))) {
        zi_fail(EINVAL, "inproc://%s: %s cannot talk to %s", name,
                zi_socktype_name(zi_sock_type(s)), zi_socktype_name(zi_sock_type(b->s)));
        goto out;
    }
    zi_pipe_t *ends[2];
    int hwm[2] = {b ? zi_pipe_hwm_sum(sndhwm, b->rcvhwm) : sndhwm,
                  b ? zi_pipe_hwm_sum(b->sndhwm, rcvhwm) : rcvhwm};
    const zi_pipe_sink_t *sinks[2] = {NULL, NULL};
    if (zi_pipe_pair_new(ends, hwm, sinks) != ZI_OK) {
        errno = ENOMEM;
        goto out;
    }
    /* conflate: a direction conflates when its writer's outbound or its
     * reader's inbound queue does. A connect that comes before the bind
     * knows only the connecter's side (libzmq's inproc looks at the
     * connecter's option alone). */
    bool conflate[2] = {zi_sock_conflates(s, true) || (b && b->conflate[1]),
                        (b && b->conflate[0]) || zi_sock_conflates(s, false)};
    for (int i = 0; i < 2; i++)
        if (conflate[i] && zi_pipe_set_conflate(ends[i]) != ZI_OK) {
            zi_pipe_free(ends[0]);
            zi_pipe_free(ends[1]);
            errno = ENOMEM;
            goto out;
        }
    /* connect_routing_id names the bound peer for the connecting ROUTER
     * (it keeps the first id it sees), as the tcp session does. */
    size_t crid_len;
    const uint8_t *crid = zi_optset_bytes(os, ZI_OPT_CONNECT_ROUTING_ID, &crid_len);
    if (crid_len) {
        zi_props_t *cm = zi_props_new();
        if (cm && zi_props_set(cm, "Identity", 8, crid, crid_len) == ZI_OK)
            ctx_write_peer(ends[1], cm);
        zi_props_unref(cm);
    }
    if (b) {
        ctx_write_peer(ends[1], b->meta);
        zi_sock_post(b->s, ZI_SCMD_ATTACH, ends[1]);
    } else {
        char *copy = strdup(name);
        if (!copy || ctx_grow((void **)&ctx->pending, &ctx->cap_pending, ctx->npending + 1,
                              sizeof *ctx->pending) != 0) {
            free(copy);
            zi_pipe_free(ends[0]);
            zi_pipe_free(ends[1]);
            errno = ENOMEM;
            goto out;
        }
        ctx->pending[ctx->npending++] =
            (inproc_pending_t){copy, zi_sock_ref(s), ends[1], sndhwm, rcvhwm};
    }
    ctx_write_peer(ends[0], meta);
    *mine = ends[0];
    rc = 0;
out:
    pthread_mutex_unlock(&ctx->mu);
    zi_props_unref(meta);
    return rc;
}

int zi_ctx_inproc_attach(zinc_ctx_t *ctx, const char *name, zi_props_t *meta,
                         const zi_pipe_sink_t *sink, zi_pipe_t **mine)
{
    pthread_mutex_lock(&ctx->mu);
    int rc = -1;
    inproc_bind_t *b = ctx_find_bind(ctx, name);
    zi_pipe_t *ends[2];
    const int hwm[2] = {0, 0};
    const zi_pipe_sink_t *sinks[2] = {sink, NULL};
    if (!b || ctx->terminating) {
        errno = ECONNREFUSED;
    } else if (zi_pipe_pair_new(ends, hwm, sinks) != ZI_OK) {
        errno = ENOMEM;
    } else {
        ctx_write_peer(ends[0], meta);
        zi_sock_post(b->s, ZI_SCMD_ATTACH, ends[1]);
        *mine = ends[0];
        rc = 0;
    }
    pthread_mutex_unlock(&ctx->mu);
    return rc;
}

void zi_ctx_inproc_forget(zinc_ctx_t *ctx, zinc_socket_t *s)
{
    pthread_mutex_lock(&ctx->mu);
    for (size_t i = 0; i < ctx->nbinds;) {
        if (ctx->binds[i].s == s) {
            free(ctx->binds[i].name);
            zi_props_unref(ctx->binds[i].meta);
            ctx->binds[i] = ctx->binds[--ctx->nbinds];
        } else {
            i++;
        }
    }
    for (size_t i = 0; i < ctx->npending;) {
        inproc_pending_t *pd = &ctx->pending[i];
        if (pd->s == s) {
            zi_pipe_close(pd->far_end);
            zi_pipe_free(pd->far_end);
            zi_sock_unref(pd->s);
            free(pd->name);
            ctx->pending[i] = ctx->pending[--ctx->npending];
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&ctx->mu);
}

/* ---- termination ------------------------------------------------------------- */

static void ctx_barrier_run(void *arg)
{
    pthread_mutex_t *mu = ((void **)arg)[0];
    pthread_cond_t *cv = ((void **)arg)[1];
    bool *done = ((void **)arg)[2];
    pthread_mutex_lock(mu);
    *done = true;
    pthread_cond_broadcast(cv);
    pthread_mutex_unlock(mu);
}

/* Runs everything already posted to r, so no reference is left in its
 * mailbox when it stops. */
static void ctx_drain_reactor(zinc_ctx_t *ctx, zi_reactor_t *r)
{
    bool done = false;
    void *arg[3] = {&ctx->mu, &ctx->cv, &done};
    pthread_mutex_lock(&ctx->mu);
    if (zi_reactor_call(r, ctx_barrier_run, arg) == ZI_OK)
        while (!done)
            pthread_cond_wait(&ctx->cv, &ctx->mu);
    pthread_mutex_unlock(&ctx->mu);
}

int zinc_ctx_term(zinc_ctx_t *ctx)
{
    if (!ctx) {
        errno = EFAULT;
        return -1;
    }
    pthread_mutex_lock(&ctx->mu);
    ctx->terminating = true;
    for (size_t i = 0; i < ctx->nsocks; i++)
        zi_sock_terminate(ctx->socks[i]);
    while (ctx->nsocks > 0 || ctx->io_objects > 0)
        pthread_cond_wait(&ctx->cv, &ctx->mu);
    pthread_mutex_unlock(&ctx->mu);
    for (int i = 0; i < ctx->nio; i++) {
        ctx_drain_reactor(ctx, ctx->io[i]);
        zi_reactor_free(ctx->io[i]);
    }
    free(ctx->io);
    for (size_t i = 0; i < ctx->nbinds; i++) {
        free(ctx->binds[i].name);
        zi_props_unref(ctx->binds[i].meta);
    }
    free(ctx->binds);
    free(ctx->pending); /* emptied as their sockets closed */
    free(ctx->socks);
    zi_ctx_defaults_fini(&ctx->defaults);
    pthread_cond_destroy(&ctx->cv);
    pthread_mutex_destroy(&ctx->mu);
    free(ctx);
    return 0;
}
