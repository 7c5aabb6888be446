/* TCP fd helpers: listen, accept, non-blocking connect, socket options.
 *
 * Thin wrappers over the system calls, with libzmq's choices: listeners use
 * SO_REUSEADDR and, for IPv6, IPV6_V6ONLY off (dual stack); every fd is
 * non-blocking and close-on-exec; connections get TCP_NODELAY. Options with
 * the value -1 are left at the system's default, as libzmq's.
 *
 * None of these blocks (connect returns at once; see zi_tcp_connect). They
 * keep no state: any thread may call them; the caller owns every fd returned
 * and closes it. Errors: -1 with errno from the failing system call.
 */
#ifndef ZI_TRANSPORT_TCP_H
#define ZI_TRANSPORT_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef struct {
    int sndbuf;          /* SO_SNDBUF when >= 0 */
    int rcvbuf;          /* SO_RCVBUF when >= 0 */
    int keepalive;       /* tcp_keepalive: -1 system default, 0 off, 1 on */
    int keepalive_cnt;   /* TCP_KEEPCNT when keepalive is 1 and this is not -1 */
    int keepalive_idle;  /* TCP_KEEPIDLE, seconds, likewise */
    int keepalive_intvl; /* TCP_KEEPINTVL, seconds, likewise */
} zi_tcp_opts_t;

/* Every option at -1 (system defaults). */
void zi_tcp_opts_default(zi_tcp_opts_t *o);

/* Applies TCP_NODELAY and opts (NULL: defaults) to a connected fd. */
int zi_tcp_tune(int fd, const zi_tcp_opts_t *opts);

/* A listening socket bound to sa (from zi_tcp_resolve; port 0 for an
 * ephemeral port, which zi_endpoint_of_fd then reports). backlog as listen(2).
 * Buffer sizes in opts are set on the listener, so accepted sockets inherit
 * them. Returns the fd or -1 (EADDRINUSE, EADDRNOTAVAIL, ...). */
int zi_tcp_listen(const struct sockaddr *sa, socklen_t len, int backlog, const zi_tcp_opts_t *opts);

/* Accepts one pending connection, non-blocking and close-on-exec, tuned with
 * opts (zi_tcp_tune). Returns the fd, or -1: EAGAIN when none is pending;
 * ECONNABORTED, EMFILE, ENFILE, ENOBUFS, ENOMEM are worth retrying later. */
int zi_tcp_accept(int listen_fd, const zi_tcp_opts_t *opts);

/* Starts connecting to sa, from src when not NULL (a source address, bound
 * with SO_REUSEADDR first, as libzmq). The fd is non-blocking, close-on-exec
 * and tuned with opts. Returns the fd, with *pending true when the connection
 * is still in progress: wait until the fd is writable, then call
 * zi_tcp_connect_result. Returns -1 when the attempt failed at once
 * (ECONNREFUSED, ENETUNREACH, ...). */
int zi_tcp_connect(const struct sockaddr *sa, socklen_t len, const struct sockaddr *src,
                   socklen_t srclen, const zi_tcp_opts_t *opts, bool *pending);

/* After a pending connect's fd became writable: 0 when connected, -1 with
 * errno set to the connection's error (SO_ERROR) otherwise. */
int zi_tcp_connect_result(int fd);

/* The peer's IP address as text ("127.0.0.1", "::1", "::ffff:10.0.0.1"): the
 * ZMTP metadata "Peer-Address" that libzmq reports. 0 or -1 (errno). */
int zi_tcp_peer_address(int fd, char *buf, size_t cap);

#endif
