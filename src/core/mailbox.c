/* Mailbox: mutex-guarded ring of commands plus an eventfd (see mailbox.h).
 *
 * Invariant, kept under the mutex: the eventfd's counter is non-zero exactly
 * when the ring is non-empty. send writes 1 on the empty -> non-empty step;
 * recv reads (resets) it when it takes the last command.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
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
    size_t count;
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
    for (size_t i = 0; i < mb->count; i++)
        ring[i] = mb->ring[(mb->head + i) & (mb->cap - 1)];
    free(mb->ring);
    mb->ring = ring;
    mb->head = 0;
    mb->cap *= 2;
    return ZI_OK;
}

static void mailbox_signal(zi_mailbox_t *mb)
{
    uint64_t one = 1;
    /* Cannot fill up: the counter is reset whenever the ring empties. */
    while (write(mb->efd, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

static void mailbox_unsignal(zi_mailbox_t *mb)
{
    uint64_t n;
    while (read(mb->efd, &n, sizeof n) < 0 && errno == EINTR) {
    }
}

zi_err zi_mailbox_send(zi_mailbox_t *mb, const zi_cmd_t *cmd)
{
    zi_err err = ZI_OK;
    pthread_mutex_lock(&mb->mu);
    if (mb->count == mb->cap)
        err = mailbox_grow(mb);
    if (err == ZI_OK) {
        mb->ring[(mb->head + mb->count) & (mb->cap - 1)] = *cmd;
        if (mb->count++ == 0)
            mailbox_signal(mb);
    }
    pthread_mutex_unlock(&mb->mu);
    return err;
}

bool zi_mailbox_recv(zi_mailbox_t *mb, zi_cmd_t *out)
{
    bool got = false;
    pthread_mutex_lock(&mb->mu);
    if (mb->count > 0) {
        *out = mb->ring[mb->head];
        mb->head = (mb->head + 1) & (mb->cap - 1);
        if (--mb->count == 0)
            mailbox_unsignal(mb);
        got = true;
    }
    pthread_mutex_unlock(&mb->mu);
    return got;
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
