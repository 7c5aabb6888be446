/* zinc_poll and zinc_poller_t: zinc sockets and plain file descriptors in
 * one poll(2), following the rule of src/core/poller.h (events before
 * sleeping, events after waking). Uses only the public socket API.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/poller.h"
#include "util/clock.h"

#define POLLER_MASK (ZINC_POLLIN | ZINC_POLLOUT | ZINC_POLLERR)
#define POLLER_STACK_ITEMS 16

/* poll(2)'s timeout until deadline: -1 for none, 0 once it has passed. */
static int poller_wait_ms(int64_t deadline)
{
    if (deadline == INT64_MAX)
        return -1;
    int64_t left = deadline - zi_clock_ms();
    if (left <= 0)
        return 0;
    return left > INT_MAX ? INT_MAX : (int)left;
}

/* As libzmq's zmq_poll: anything but in/out (POLLERR, POLLHUP, POLLNVAL)
 * reads as ZINC_POLLERR, asked for or not. */
static short poller_fd_revents(short r)
{
    short out = 0;
    if (r & POLLIN)
        out |= ZINC_POLLIN;
    if (r & POLLOUT)
        out |= ZINC_POLLOUT;
    if (r & ~(POLLIN | POLLOUT | POLLPRI))
        out |= ZINC_POLLERR;
    return out;
}

/* Reads every polled socket's events (which also consumes its pending
 * commands and so re-arms its fd). The number ready, or -1 with errno. */
static int poller_check_sockets(zi_poll_item_t *items, size_t n)
{
    int ready = 0;
    for (size_t i = 0; i < n; i++) {
        zi_poll_item_t *it = &items[i];
        it->revents = 0;
        if (!it->socket || !(it->events & (ZINC_POLLIN | ZINC_POLLOUT)))
            continue;
        int64_t ev;
        if (zinc_get_int(it->socket, "events", &ev) != 0)
            return -1;
        it->revents = (short)(ev & it->events & (ZINC_POLLIN | ZINC_POLLOUT));
        ready += it->revents != 0;
    }
    return ready;
}

int zi_poll_items(zi_poll_item_t *items, size_t n, struct pollfd *pfds, long timeout_ms)
{
    if (n == 0 && timeout_ms < 0)
        return zi_fail(EINVAL, "poll: nothing to wait for and no timeout");
    int64_t deadline = INT64_MAX;
    if (timeout_ms >= 0)
        deadline = zi_clock_ms() + (timeout_ms > INT32_MAX ? INT32_MAX : timeout_ms);
    size_t nfds = 0; /* plain descriptors among the items */
    for (size_t i = 0; i < n; i++) {
        zi_poll_item_t *it = &items[i];
        nfds += !it->socket;
        if (it->socket) {
            bool wanted = it->events & (ZINC_POLLIN | ZINC_POLLOUT);
            pfds[i] = (struct pollfd){.fd = wanted ? it->fd : -1, .events = POLLIN};
        } else {
            short ev = 0;
            if (it->events & ZINC_POLLIN)
                ev |= POLLIN;
            if (it->events & ZINC_POLLOUT)
                ev |= POLLOUT;
            pfds[i] = (struct pollfd){.fd = it->fd, .events = ev};
        }
    }
    for (;;) {
        /* Before sleeping: what is ready now, with every socket fd re-armed. */
        int ready = poller_check_sockets(items, n);
        if (ready < 0)
            return -1;
        int wait = ready ? 0 : poller_wait_ms(deadline);
        if (wait == 0 && nfds == 0 && n > 0)
            return ready; /* sockets only, nothing to wait for: spare the system call */
        for (size_t i = 0; i < n; i++)
            pfds[i].revents = 0;
        int rc = poll(pfds, n, wait);
        if (rc < 0)
            return -1; /* EINTR, ENOMEM: as poll(2), and as zmq_poll */
        for (size_t i = 0; i < n; i++)
            if (!items[i].socket && pfds[i].revents) {
                items[i].revents = poller_fd_revents(pfds[i].revents);
                ready += items[i].revents != 0;
            }
        if (ready)
            return ready;
        if (wait == 0)
            return 0; /* the deadline has passed (or it was 0): nothing */
        /* Woken by a socket's fd (or the time is up): look again. */
    }
}

/* ---- zinc_poll ---------------------------------------------------------- */

int zinc_poll(zinc_pollitem_t *items, int n, long timeout_ms)
{
    if (n < 0 || (n > 0 && !items))
        return zi_fail(EINVAL, "poll: %s", n < 0 ? "negative item count" : "NULL items");
    zi_poll_item_t stack_items[POLLER_STACK_ITEMS];
    struct pollfd stack_pfds[POLLER_STACK_ITEMS];
    zi_poll_item_t *its = stack_items;
    struct pollfd *pfds = stack_pfds;
    size_t count = (size_t)n;
    if (count > POLLER_STACK_ITEMS) {
        its = malloc(count * sizeof *its);
        pfds = malloc(count * sizeof *pfds);
        if (!its || !pfds) {
            free(its);
            free(pfds);
            return zi_fail(ENOMEM, "poll: no memory for %d items", n);
        }
    }
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        zinc_pollitem_t *item = &items[i];
        item->revents = 0;
        its[i] = (zi_poll_item_t){item->socket, item->fd, item->events, 0, NULL};
        if (item->socket) {
            int64_t fd;
            if (zinc_get_int(item->socket, "fd", &fd) != 0)
                rc = -1;
            its[i].fd = (int)fd;
        }
    }
    if (rc == 0)
        rc = zi_poll_items(its, count, pfds, timeout_ms);
    int err = errno;
    for (size_t i = 0; rc >= 0 && i < count; i++)
        items[i].revents = its[i].revents;
    if (its != stack_items) {
        free(its);
        free(pfds);
    }
    errno = err;
    return rc;
}

/* ---- zinc_poller_t ------------------------------------------------------ */

struct zinc_poller {
    zi_poll_item_t *items;
    struct pollfd *pfds;
    size_t n, cap;
};

zinc_poller_t *zinc_poller_new(void)
{
    zinc_poller_t *p = calloc(1, sizeof *p);
    if (!p)
        errno = ENOMEM;
    return p;
}

void zinc_poller_free(zinc_poller_t *p)
{
    if (!p)
        return;
    free(p->items);
    free(p->pfds);
    free(p);
}

/* Index of the item for socket s (s != NULL) or fd, or p->n. */
static size_t poller_find(const zinc_poller_t *p, const zinc_socket_t *s, int fd)
{
    for (size_t i = 0; i < p->n; i++)
        if (s ? p->items[i].socket == s : (!p->items[i].socket && p->items[i].fd == fd))
            return i;
    return p->n;
}

static int poller_add(zinc_poller_t *p, zinc_socket_t *s, int fd, void *user, short events)
{
    if (!p)
        return zi_fail(EINVAL, "poller: NULL poller");
    if (events & ~POLLER_MASK)
        return zi_fail(EINVAL, "poller: events 0x%x: only ZINC_POLLIN, _POLLOUT, _POLLERR",
                       (unsigned)events);
    if (poller_find(p, s, fd) != p->n)
        return zi_fail(EINVAL, "poller: this %s is already added", s ? "socket" : "fd");
    if (s) {
        int64_t sfd;
        if (zinc_get_int(s, "fd", &sfd) != 0)
            return -1;
        fd = (int)sfd;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        zi_poll_item_t *items = realloc(p->items, cap * sizeof *items);
        if (!items)
            return zi_fail(ENOMEM, "poller: no memory for %zu items", cap);
        p->items = items;
        struct pollfd *pfds = realloc(p->pfds, cap * sizeof *pfds);
        if (!pfds)
            return zi_fail(ENOMEM, "poller: no memory for %zu items", cap);
        p->pfds = pfds;
        p->cap = cap;
    }
    p->items[p->n++] = (zi_poll_item_t){s, fd, events, 0, user};
    return 0;
}

int zinc_poller_add(zinc_poller_t *p, zinc_socket_t *s, void *user, short events)
{
    if (!s) {
        errno = ENOTSOCK;
        return -1;
    }
    return poller_add(p, s, -1, user, events);
}

int zinc_poller_add_fd(zinc_poller_t *p, int fd, void *user, short events)
{
    if (fd < 0)
        return zi_fail(EBADF, "poller: fd %d", fd);
    return poller_add(p, NULL, fd, user, events);
}

static int poller_modify(zinc_poller_t *p, const zinc_socket_t *s, int fd, short events)
{
    if (!p)
        return zi_fail(EINVAL, "poller: NULL poller");
    if (events & ~POLLER_MASK)
        return zi_fail(EINVAL, "poller: events 0x%x: only ZINC_POLLIN, _POLLOUT, _POLLERR",
                       (unsigned)events);
    size_t i = poller_find(p, s, fd);
    if (i == p->n)
        return zi_fail(EINVAL, "poller: this %s was not added", s ? "socket" : "fd");
    p->items[i].events = events;
    return 0;
}

int zinc_poller_modify(zinc_poller_t *p, zinc_socket_t *s, short events)
{
    if (!s) {
        errno = ENOTSOCK;
        return -1;
    }
    return poller_modify(p, s, -1, events);
}

int zinc_poller_modify_fd(zinc_poller_t *p, int fd, short events)
{
    if (fd < 0)
        return zi_fail(EBADF, "poller: fd %d", fd);
    return poller_modify(p, NULL, fd, events);
}

static int poller_remove(zinc_poller_t *p, const zinc_socket_t *s, int fd)
{
    if (!p)
        return zi_fail(EINVAL, "poller: NULL poller");
    size_t i = poller_find(p, s, fd);
    if (i == p->n)
        return zi_fail(EINVAL, "poller: this %s was not added", s ? "socket" : "fd");
    /* Keep the order of the rest: results come in the order items were added. */
    memmove(&p->items[i], &p->items[i + 1], (p->n - i - 1) * sizeof *p->items);
    p->n--;
    return 0;
}

int zinc_poller_remove(zinc_poller_t *p, zinc_socket_t *s)
{
    if (!s) {
        errno = ENOTSOCK;
        return -1;
    }
    return poller_remove(p, s, -1);
}

int zinc_poller_remove_fd(zinc_poller_t *p, int fd)
{
    if (fd < 0)
        return zi_fail(EBADF, "poller: fd %d", fd);
    return poller_remove(p, NULL, fd);
}

int zinc_poller_size(const zinc_poller_t *p)
{
    return p ? (int)p->n : 0;
}

int zinc_poller_wait(zinc_poller_t *p, zinc_poller_event_t *out, int max, long timeout_ms)
{
    if (!p || !out || max < 1)
        return zi_fail(EINVAL, "poller_wait: %s", !p ? "NULL poller" : "no room for results");
    int rc = zi_poll_items(p->items, p->n, p->pfds, timeout_ms);
    if (rc <= 0)
        return rc;
    int k = 0;
    for (size_t i = 0; i < p->n && k < max; i++) {
        const zi_poll_item_t *it = &p->items[i];
        if (it->revents)
            out[k++] =
                (zinc_poller_event_t){it->socket, it->socket ? -1 : it->fd, it->user, it->revents};
    }
    return k;
}
