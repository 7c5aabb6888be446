/* Sessions, listeners and connecting sessions: the I/O-thread side of tcp
 * and ipc connections.
 *
 * A session joins one transport fd and one ZMTP engine (src/zmtp) to one
 * pipe end whose other end belongs to a socket. It lives on one I/O thread
 * (a reactor); the socket reaches it only through the pipe and through
 * zi_session_stop. A connecting session also owns its connecter: it dials,
 * and redials with back-off after a disconnect (not after a protocol error,
 * as libzmq). A listener accepts connections and starts a session for each.
 *
 * The functions here are called on the socket's thread; they hand work to
 * an I/O thread and never block on the network.
 *
 * One exception to "the session lives on its I/O thread": when the socket
 * writes to an idle connection (the session drained its pipe, nothing waits
 * to be written), the socket's thread may move the messages and write them
 * itself, if it gets the session's lock without waiting (the I/O thread holds
 * it whenever it runs the session). What cannot finish there (a partial
 * write, a failure) goes to the I/O thread. A stream of sends still goes
 * through the I/O thread, in batches: see SESSION_DIRECT_GAP_US.
 */
#ifndef ZI_CORE_SESSION_H
#define ZI_CORE_SESSION_H

#include <stddef.h>

#include "core/pipe.h"
#include "transport/endpoint.h"
#include "zinc.h"

typedef struct zi_session zi_session_t;
typedef struct zi_listener zi_listener_t;

/* Binds ep (tcp or ipc) for s: the listening fd is made now (so errors such
 * as EADDRINUSE are returned here), then served by an I/O thread. *io gets
 * the listener; resolved the last_endpoint text. 0 or -1 with errno. */
int zi_listener_start(zinc_socket_t *s, const zi_endpoint_t *ep, void **io, char *resolved,
                      size_t cap);
/* Stops accepting and closes the listening fd (and removes an ipc socket
 * file) on its I/O thread, and waits for that, so the address is free when
 * this returns. Sessions already accepted go on. Never call it on an I/O
 * thread. */
void zi_listener_stop(void *io);

/* Connects s to ep (tcp or ipc) through a new session on an I/O thread. Unless
 * the immediate option is set, the pipe is made now and *mine gets the
 * socket's end, so messages queue before the connection is up. 0 or -1. */
int zi_session_connect(zinc_socket_t *s, const zi_endpoint_t *ep, void **io, zi_pipe_t **mine);
/* Ends a connecting session (disconnect, close): it stops redialling; its
 * pipe, if any, is closed by the socket. */
void zi_session_stop(void *io);

/* Direct writes made so far in this process, that no reply prompted (for
 * tests: they are rationed per socket). */
uint64_t zi_session_unprompted_direct_writes(void);

#endif
