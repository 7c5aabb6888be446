/* Polling zinc sockets and file descriptors together: the engine under
 * zinc_poll and zinc_poller_t (include/zinc.h), kept separate so that other
 * loops in core or ext can reuse it.
 *
 * A socket's `fd` option is its mailbox eventfd: it becomes readable when a
 * command reaches the socket (a pipe turned readable or writable, a peer
 * came or went), and every call into the socket, reading `events` included,
 * consumes the commands and so clears it. Messages already queued never make
 * it readable again. So the rule, libzmq's, is: read `events` before
 * sleeping on the fd, and again after it wakes you (docs/event-loops.md).
 * zi_poll_items does exactly that.
 *
 * Threads: the caller's; it must be allowed to use every socket it names
 * (one thread at a time per socket). Blocks up to the timeout.
 */
#ifndef ZI_CORE_POLLER_H
#define ZI_CORE_POLLER_H

#include <poll.h>
#include <stddef.h>

#include "zinc.h"

typedef struct zi_poll_item {
    zinc_socket_t *socket; /* or NULL for a file descriptor */
    int fd;                /* the fd; for a socket, its `fd` option */
    short events;          /* ZINC_POLLIN | ZINC_POLLOUT | ZINC_POLLERR */
    short revents;         /* out */
    void *user;            /* the poller's, untouched here */
} zi_poll_item_t;

/* Waits until an item is ready or timeout_ms passes (-1: no limit, 0: just
 * look), with pfds as scratch space of n entries. Sets every revents and
 * returns how many are non-zero (0 on timeout), or -1 with errno (a socket's
 * `events` failing: ETERM, ENOTSOCK, EBUSY; poll(2)'s EINTR, ENOMEM). With
 * n == 0 it just sleeps for the timeout (EINVAL when there is none). */
int zi_poll_items(zi_poll_item_t *items, size_t n, struct pollfd *pfds, long timeout_ms);

#endif
