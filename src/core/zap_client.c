/* The session's ZAP client (see zap_client.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/pipe.h"
#include "core/zap_client.h"

#define ZAP_CLIENT_MAX (ZMTP_ZAP_REPLY_FRAMES + 1)

struct zi_zap_client {
    zi_pipe_t *pipe;
    zi_pipe_sink_t sink;
    zi_zap_wake_fn *wake;
    void *arg;
    zinc_frame_t *reply[ZAP_CLIENT_MAX];
    size_t n;  /* frames kept in reply */
    bool done; /* the reply's last frame was read, or the handler left */
};

static void zap_client_notify(void *ctx, zi_pipe_t *p)
{
    (void)p;
    zi_zap_client_t *z = ctx;
    z->wake(z->arg);
}

/* How the handler sees us: a DEALER, as libzmq's session presents itself. */
static zi_props_t *zap_client_meta(void)
{
    zi_props_t *m = zi_props_new();
    if (m && zi_props_set(m, "Socket-Type", 11, "DEALER", 6) != ZI_OK) {
        zi_props_unref(m);
        m = NULL;
    }
    return m;
}

zi_zap_client_t *zi_zap_client_start(zinc_ctx_t *ctx, const zmtp_zap_request_t *req,
                                     const char *address, zi_zap_wake_fn *wake, void *arg)
{
    zi_zap_client_t *z = calloc(1, sizeof *z);
    zi_props_t *meta = zap_client_meta();
    zinc_frame_t *frames[ZMTP_ZAP_REQUEST_FRAMES];
    size_t nf = 0;
    if (!z || !meta)
        goto nomem;
    z->wake = wake;
    z->arg = arg;
    z->sink = (zi_pipe_sink_t){zap_client_notify, NULL, zap_client_notify, z};
    nf = zmtp_zap_request_frames(req, address, frames);
    if (nf == 0)
        goto nomem;
    if (zi_ctx_inproc_attach(ctx, ZMTP_ZAP_ENDPOINT + strlen("inproc://"), meta, &z->sink,
                             &z->pipe) != 0)
        goto fail;
    zi_props_unref(meta);
    meta = NULL;
    /* RFC 27: the request is one message; the pipe has no hwm. */
    size_t i = 0;
    for (; i < nf; i++)
        if (zi_pipe_write(z->pipe, frames[i]) != ZI_OK)
            break;
    if (i < nf) {
        zi_pipe_rollback(z->pipe);
        for (; i < nf; i++)
            zinc_frame_unref(frames[i]);
        zi_zap_client_free(z);
        errno = ENOMEM;
        return NULL;
    }
    zi_pipe_flush(z->pipe);
    return z;
nomem:
    errno = ENOMEM;
fail:;
    int err = errno;
    for (size_t k = 0; k < nf; k++)
        zinc_frame_unref(frames[k]);
    zi_props_unref(meta);
    free(z);
    errno = err;
    return NULL;
}

bool zi_zap_client_done(zi_zap_client_t *z, zinc_frame_t *const **frames, size_t *n)
{
    while (!z->done) {
        zinc_frame_t *f = zi_pipe_read(z->pipe);
        if (!f) {
            /* Gone without a (whole) reply: n frames so far, 0 usually. */
            if (zi_pipe_eof(z->pipe))
                z->done = true;
            break;
        }
        if (f->flags & ZI_FRAME_PEER) {
            zinc_frame_unref(f);
            continue;
        }
        bool more = zi_frame_is_more(f);
        if (z->n < ZAP_CLIENT_MAX)
            z->reply[z->n++] = f;
        else
            zinc_frame_unref(f); /* already too many: malformed either way */
        if (!more)
            z->done = true;
    }
    *frames = z->reply;
    *n = z->n;
    return z->done;
}

void zi_zap_client_free(zi_zap_client_t *z)
{
    if (!z)
        return;
    if (z->pipe) {
        zi_pipe_close(z->pipe);
        zi_pipe_free(z->pipe);
    }
    for (size_t i = 0; i < z->n; i++)
        zinc_frame_unref(z->reply[i]);
    free(z);
}
