/* IPC (unix-domain stream socket) fd helpers: listen, accept, connect.
 *
 * Addresses are the text after "ipc://" (see endpoint.h): a filesystem path,
 * "@name" for a Linux abstract socket (the name's octets exactly, no trailing
 * NUL, as libzmq), or for a listener "*": a new socket file in a new private
 * folder under $TMPDIR (else /tmp), as libzmq's ipc wildcard.
 *
 * A listener remembers the socket file it created and removes it when closed
 * (and the folder it made for "*"), unless the path now names another file;
 * abstract names leave no file behind. Like libzmq, a listener first removes
 * a stale socket at its path (but, unlike libzmq, only a socket: a regular
 * file there makes the bind fail with EADDRINUSE).
 *
 * Every fd is non-blocking and close-on-exec; nothing here blocks. No shared
 * state: any thread may call these; a listener struct belongs to its caller.
 * Errors: -1 with errno (ENAMETOOLONG when the path does not fit sun_path).
 */
#ifndef ZI_TRANSPORT_IPC_H
#define ZI_TRANSPORT_IPC_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "transport/endpoint.h"

typedef struct {
    int fd;                           /* listening socket, -1 when closed */
    char path[ZI_IPC_PATH_MAX + 1];   /* socket file to remove, "" for none */
    char tmpdir[ZI_IPC_PATH_MAX + 1]; /* folder made for "*", "" for none */
    char endpoint[ZI_ADDR_TEXT_MAX];  /* "ipc://..." (last_endpoint) */
    dev_t dev;                        /* identity of the file we made */
    ino_t ino;
} zi_ipc_listener_t;

/* Fills *sa for address (a path or "@name"). ENAMETOOLONG when it does not
 * fit sun_path (more than ZI_IPC_PATH_MAX octets); EINVAL when empty or "@". */
int zi_ipc_sockaddr(const char *address, struct sockaddr_un *sa, socklen_t *len);

/* Binds and listens on address ("*" allowed). On success l->fd is the
 * listening fd and l->endpoint its last_endpoint string. 0 or -1; on failure
 * nothing is left behind and l->fd is -1. */
int zi_ipc_listen(zi_ipc_listener_t *l, const char *address, int backlog);

/* Closes the listener and removes what it created (see above). Idempotent. */
void zi_ipc_listener_close(zi_ipc_listener_t *l);

/* Accepts one pending connection (non-blocking, close-on-exec): the fd, or -1
 * with EAGAIN when none is pending. */
int zi_ipc_accept(int listen_fd);

/* Connects to address. Returns the fd, with *pending true when the connection
 * is still in progress (then wait for writability and check with
 * zi_tcp_connect_result's twin, zi_ipc_connect_result). -1 on failure:
 * ENOENT or ECONNREFUSED when nobody listens, EAGAIN when the listener's
 * backlog is full. */
int zi_ipc_connect(const char *address, bool *pending);

/* As zi_tcp_connect_result: 0 when connected, -1 with the socket's error. */
int zi_ipc_connect_result(int fd);

#endif
