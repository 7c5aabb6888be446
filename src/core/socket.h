/* Socket internals shared by ctx.c and session.c. The socket itself runs on
 * the application thread that calls into it; other threads reach it only
 * through its mailbox (zi_sock_post) while holding a reference. */
#ifndef ZI_CORE_SOCKET_H
#define ZI_CORE_SOCKET_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/mailbox.h"
#include "core/optset.h"
#include "core/pipe.h"
#include "pattern/pattern.h"
#include "zinc.h"

/* Socket mailbox commands. */
enum {
    ZI_SCMD_ATTACH = ZI_CMD_USER, /* target: a pipe end for this socket */
    ZI_SCMD_READABLE,             /* target: pipe */
    ZI_SCMD_WRITABLE,             /* target: pipe */
    ZI_SCMD_PIPE_TERM,            /* target: pipe: the peer end closed */
    ZI_SCMD_TERM,                 /* the context is terminating */
    ZI_SCMD_WAKE,                 /* just wake a blocked call */
    ZI_SCMD_HICCUP,               /* target: pipe: its connection was lost, the pipe
                                     is kept for the next one (ops->hiccuped) */
};

/* References keep the socket's memory and mailbox alive for I/O objects
 * that may post to it after the application closed it. */
zinc_socket_t *zi_sock_ref(zinc_socket_t *s);
void zi_sock_unref(zinc_socket_t *s);
/* Posts a command; dropped (and a pipe end in ATTACH closed) once the socket
 * is closed. Any thread holding a reference. */
void zi_sock_post(zinc_socket_t *s, int type, void *target);
/* Posts ZI_SCMD_ATTACH for p, a connection made for the endpoint whose
 * handle is `origin` (the listener that accepted it, or the connecting
 * session; a tag, compared and never dereferenced): zinc_unbind and
 * zinc_disconnect end the connections of their endpoint, as libzmq. Any
 * thread. */
void zi_sock_post_attach(zinc_socket_t *s, zi_pipe_t *p, const void *origin);
/* The sink every pipe end owned by a socket uses. */
const zi_pipe_sink_t *zi_sock_pipe_sink(zinc_socket_t *s);
bool zi_sock_closed(const zinc_socket_t *s);
/* The time of the socket's last direct write that no reply prompted, shared
 * by all its sessions, so such writes are rationed per socket, not per
 * connection (see session_send_direct). */
_Atomic int64_t *zi_sock_direct_slot(zinc_socket_t *s);
/* The socket's linger (ms, -1: forever) as of the last time it let go of a
 * connection (close, disconnect, unbind, a pipe detached): what a session
 * that the socket is done with honours. Any thread. */
int zi_sock_linger(const zinc_socket_t *s);
const zi_optset_t *zi_sock_opts(const zinc_socket_t *s);
int zi_sock_type(const zinc_socket_t *s);
zinc_ctx_t *zi_sock_ctx(const zinc_socket_t *s);
/* The in-band first frame on a pipe: zero-size, carrying the metadata of the
 * end that wrote it (Socket-Type, Identity, Peer-Address, ...). */
zinc_frame_t *zi_peer_frame_new(zi_props_t *meta);
/* Our own metadata as an inproc peer sees it. NULL on ENOMEM. */
zi_props_t *zi_sock_own_meta(const zinc_socket_t *s);
/* Whether pipes of socket s made from now on conflate in direction out (s
 * sends) or !out (s receives): option `conflate`, for the types libzmq
 * 4.3.4 applies it to (DEALER, PULL, PUSH, PUB, SUB). A PUB's inbound and a
 * SUB's outbound direction carry subscriptions and never conflate (libzmq
 * conflates them too, and then a SUB keeps only its last subscription). */
bool zi_sock_conflates(const zinc_socket_t *s, bool out);
/* The context is terminating: blocked and future calls fail with ETERM. */
void zi_sock_terminate(zinc_socket_t *s);

#endif
