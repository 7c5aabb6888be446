/* Context internals: the socket registry, I/O threads, the inproc endpoint
 * registry and the count of live I/O objects that zinc_ctx_term waits for.
 * Every function here is thread-safe (one context mutex; control path only,
 * never per message). */
#ifndef ZI_CORE_CTX_H
#define ZI_CORE_CTX_H

#include <stdbool.h>

#include "core/ctxopts.h"
#include "core/pipe.h"
#include "core/reactor.h"
#include "zinc.h"

/* The least loaded I/O thread, starting the threads on first use. NULL with
 * errno (ETERM after term began, EMTHREAD-like ENOMEM when none can start). */
zi_reactor_t *zi_ctx_io(zinc_ctx_t *ctx);

/* An I/O object (session, listener) came to life / ended: term waits until
 * the count is back to zero before it stops the I/O threads. */
void zi_ctx_io_object_add(zinc_ctx_t *ctx);
void zi_ctx_io_object_done(zinc_ctx_t *ctx);

/* Socket registry. add fails with EMFILE past max_sockets, ETERM after term
 * began; add also applies the context's defaults to the new socket's optset. */
int zi_ctx_socket_add(zinc_ctx_t *ctx, zinc_socket_t *s, zi_optset_t *os);
void zi_ctx_socket_remove(zinc_ctx_t *ctx, zinc_socket_t *s);

/* inproc: bind registers name for s (EADDRINUSE if taken) and completes the
 * connects that were waiting for it; connect joins s to the bound socket, or
 * queues the connection until the name is bound. unbind removes the name. */
int zi_ctx_inproc_bind(zinc_ctx_t *ctx, const char *name, zinc_socket_t *s);
int zi_ctx_inproc_unbind(zinc_ctx_t *ctx, const char *name, zinc_socket_t *s);
int zi_ctx_inproc_connect(zinc_ctx_t *ctx, const char *name, zinc_socket_t *s, zi_pipe_t **mine);
/* Joins an I/O-thread object (not a socket) to the socket bound at
 * inproc://name, as a ZAP client does (RFC 27): on success *mine is our end
 * of a new pipe (owned by the calling thread, with sink), meta is written
 * as our peer frame for the bound socket, and the bound socket gets the
 * other end. -1 with ECONNREFUSED when nothing is bound there (nothing is
 * queued), ENOMEM. Any thread; never blocks beyond the context mutex. */
int zi_ctx_inproc_attach(zinc_ctx_t *ctx, const char *name, zi_props_t *meta,
                         const zi_pipe_sink_t *sink, zi_pipe_t **mine);
/* Drops every inproc binding and pending connect of s (on close). */
void zi_ctx_inproc_forget(zinc_ctx_t *ctx, zinc_socket_t *s);

int64_t zi_ctx_opt(zinc_ctx_t *ctx, zi_ctxopt_index i);

#endif
