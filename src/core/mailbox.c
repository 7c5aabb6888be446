/* Mailbox: mutex-guarded ring of commands plus an eventfd (see mailbox.h).
 *
 * The mutex guards the ring only; no system call is made while it is held.
 * `count` mirrors the ring's length so the consumer can see an empty mailbox
 * without the lock, and `raised` says the eventfd has been written and not
 * reset since. All operations on the two are sequentially consistent.
 *
 * Signal (send): push, then raise: write the eventfd unless `raised` was
 * already set (then the consumer has not lowered since, so it is awake, or a
 * write is on its way).
 * Lower (consumer, when it sees count == 0): clear `raised`, reset the
 * eventfd if it was set, then look at count again. A command pushed after
 * that second look finds `raised` clear and writes the eventfd; a command
 * pushed before it is seen by it, and then the consumer raises again itself
 * (its own reset may have eaten that command's signal).
 * So the eventfd is never reset while a command is pending and not about to be
 * taken. It can be readable with nothing pending (a sender's write landing
 * after the consumer took its command), until the next recv that finds the
 * mailbox empty.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/mailbox.h"
#include "util/clock.h"

#define MAILBOX_INITIAL 16

struct zi_mailbox {
    pthread_mutex_t mu;
    zi_cmd_t *ring;
    size_t cap; /* a power of two */
    size_t head;
    atomic_size_t count; /* written under mu, read with or without it */
    atomic_bool raised;  /* the eventfd was written and not reset since */
    int efd;
};

zi_mailbox_t *zi_mailbox_new(void)
{
    zi_mailbox_t *mb = calloc(1, sizeof *mb);
    if (!mb) {
        errno = ENOMEM;
        return NULL;
    }
    mb->ring = malloc(MAILBOX_INITIAL * sizeof *mb->ring);
    if (!mb->ring) {
        free(mb);
        errno = ENOMEM;
        return NULL;
    }
    mb->cap = MAILBOX_INITIAL;
    mb->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (mb->efd < 0) {
        int e = errno;
        free(mb->ring);
        free(mb);
        errno = e;
        return NULL;
    }
    atomic_init(&mb->count, 0);
    atomic_init(&mb->raised, false);
    pthread_mutex_init(&mb->mu, NULL);
    return mb;
}

void zi_mailbox_free(zi_mailbox_t *mb)
{
    if (!mb)
        return;
    close(mb->efd);
    pthread_mutex_destroy(&mb->mu);
    free(mb->ring);
    free(mb);
}

int zi_mailbox_fd(const zi_mailbox_t *mb)
{
    return mb->efd;
}

static zi_err mailbox_grow(zi_mailbox_t *mb)
{
    if (mb->cap > SIZE_MAX / 2 / sizeof *mb->ring)
        return ZI_ENOMEM;
    zi_cmd_t *ring = malloc(mb->cap * 2 * sizeof *ring);
    if (!ring)
        return ZI_ENOMEM;
    size_t count = atomic_load(&mb->count);
    for (size_t i = 0; i < count; i++)
        ring[i] = mb->ring[(mb->head + i) & (mb->cap - 1)];
    free(mb->ring);
    mb->ring = ring;
    mb->head = 0;
    mb->cap *= 2;
    return ZI_OK;
}

static void mailbox_raise(zi_mailbox_t *mb)
{
    if (atomic_load(&mb->raised) || atomic_exchange(&mb->raised, true))
        return;
    uint64_t one = 1;
    /* Cannot fill up: the counter is reset whenever `raised` is cleared. */
    while (write(mb->efd, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

/* Consumer, having seen count == 0: resets the eventfd, unless a command
 * came meanwhile. false when the mailbox is (still) empty. */
static bool mailbox_lower(zi_mailbox_t *mb)
{
    if (atomic_load(&mb->raised) && atomic_exchange(&mb->raised, false)) {
        uint64_t n;
        while (read(mb->efd, &n, sizeof n) < 0 && errno == EINTR) {
        }
    }
    if (atomic_load(&mb->count) == 0)
        return false;
    mailbox_raise(mb); /* our reset may have eaten that command's signal */
    return true;
}

zi_err zi_mailbox_send(zi_mailbox_t *mb, const zi_cmd_t *cmd)
{
    zi_err err = ZI_OK;
    pthread_mutex_lock(&mb->mu);
    size_t count = atomic_load_explicit(&mb->count, memory_order_relaxed);
    if (count == mb->cap)
        err = mailbox_grow(mb);
    if (err == ZI_OK) {
        mb->ring[(mb->head + count) & (mb->cap - 1)] = *cmd;
        atomic_fetch_add(&mb->count, 1);
    }
    pthread_mutex_unlock(&mb->mu);
    if (err == ZI_OK)
        mailbox_raise(mb);
    return err;
}

bool zi_mailbox_recv(zi_mailbox_t *mb, zi_cmd_t *out)
{
    if (atomic_load(&mb->count) == 0) {
        /* The common case on the data path (sock_process on every send and
         * recv): empty and not raised, so nothing to reset. */
        if (!atomic_load(&mb->raised) || !mailbox_lower(mb))
            return false;
    }
    /* Only this thread takes commands: count stays above zero. */
    pthread_mutex_lock(&mb->mu);
    *out = mb->ring[mb->head];
    mb->head = (mb->head + 1) & (mb->cap - 1);
    size_t left = atomic_fetch_sub(&mb->count, 1) - 1;
    pthread_mutex_unlock(&mb->mu);
    if (left == 0)
        mailbox_lower(mb);
    return true;
}

zi_err zi_mailbox_wait(zi_mailbox_t *mb, int timeout_ms)
{
    int64_t deadline = timeout_ms > 0 ? zi_clock_ms() + timeout_ms : 0;
    for (;;) {
        struct pollfd pfd = {.fd = mb->efd, .events = POLLIN};
        int wait = timeout_ms;
        if (timeout_ms > 0) {
            int64_t left = deadline - zi_clock_ms();
            wait = left > 0 ? (int)left : 0;
        }
        int rc = poll(&pfd, 1, wait);
        if (rc > 0)
            return ZI_OK;
        if (rc == 0)
            return ZI_ETIMEDOUT;
        if (errno != EINTR)
            return ZI_ETIMEDOUT; /* poll on one valid fd fails only on EINTR/ENOMEM */
    }
}
