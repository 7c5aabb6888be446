#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/frame.h"
#include "core/tracker.h"

struct zinc_tracker {
    atomic_uint refs;    /* application + attached frames not yet released */
    atomic_uint pending; /* attached frames not yet released */
    atomic_int waiters;  /* threads in zinc_tracker_wait */
    atomic_int efd;      /* eventfd for zinc_tracker_fd, or -1 */
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

zinc_tracker_t *zinc_tracker_new(void)
{
    zinc_tracker_t *t = malloc(sizeof *t);
    if (!t) {
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&t->refs, 1);
    atomic_init(&t->pending, 0);
    atomic_init(&t->waiters, 0);
    atomic_init(&t->efd, -1);
    pthread_mutex_init(&t->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &ca);
    pthread_condattr_destroy(&ca);
    return t;
}

static void tracker_unref(zinc_tracker_t *t)
{
    if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
        return;
    int fd = atomic_load(&t->efd);
    if (fd >= 0)
        close(fd);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

void zi_tracker_attach(zinc_tracker_t *t)
{
    atomic_fetch_add(&t->refs, 1);
    atomic_fetch_add(&t->pending, 1);
}

static void tracker_signal_fd(int fd)
{
    uint64_t one = 1;
    ssize_t rc = write(fd, &one, sizeof one);
    (void)rc; /* an eventfd counter cannot overflow from single increments */
}

void zi_tracker_release(zinc_tracker_t *t)
{
    if (atomic_fetch_sub(&t->pending, 1) == 1 &&
        (atomic_load(&t->waiters) > 0 || atomic_load(&t->efd) >= 0)) {
        /* seq_cst on pending, waiters and efd: a waiter or an fd creator
         * either sees the count at zero or is seen here. */
        pthread_mutex_lock(&t->mu);
        pthread_cond_broadcast(&t->cv);
        int fd = atomic_load(&t->efd);
        if (fd >= 0)
            tracker_signal_fd(fd);
        pthread_mutex_unlock(&t->mu);
    }
    tracker_unref(t);
}

int zinc_frame_track(zinc_frame_t *f, zinc_tracker_t *t)
{
    if (!f || !t) {
        errno = EINVAL;
        return -1;
    }
    if (f->tracker) {
        errno = EBUSY;
        return -1;
    }
    zi_tracker_attach(t);
    f->tracker = t;
    return 0;
}

zinc_tracker_t *zinc_frame_tracker(zinc_frame_t *f)
{
    if (!f || !f->tracker || !(f->flags & ZI_FRAME_TRACKED)) {
        errno = f ? ENOENT : EINVAL;
        return NULL;
    }
    return f->tracker;
}

bool zinc_tracker_done(const zinc_tracker_t *t)
{
    return t && atomic_load(&((zinc_tracker_t *)t)->pending) == 0;
}

int zinc_tracker_wait(zinc_tracker_t *t, int timeout_ms)
{
    if (!t) {
        errno = EINVAL;
        return -1;
    }
    if (atomic_load(&t->pending) == 0)
        return 0;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_ms >= 0) {
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    int rc = 0;
    pthread_mutex_lock(&t->mu);
    atomic_fetch_add(&t->waiters, 1);
    while (atomic_load(&t->pending) != 0 && rc == 0) {
        if (timeout_ms < 0)
            pthread_cond_wait(&t->cv, &t->mu);
        else if (pthread_cond_timedwait(&t->cv, &t->mu, &deadline) == ETIMEDOUT)
            rc = atomic_load(&t->pending) == 0 ? 0 : -1;
    }
    atomic_fetch_sub(&t->waiters, 1);
    pthread_mutex_unlock(&t->mu);
    if (rc != 0)
        errno = EAGAIN;
    return rc;
}

int zinc_tracker_fd(zinc_tracker_t *t)
{
    if (!t) {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&t->mu);
    int fd = atomic_load(&t->efd);
    if (fd < 0) {
        fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd >= 0) {
            atomic_store(&t->efd, fd);
            if (atomic_load(&t->pending) == 0)
                tracker_signal_fd(fd);
        }
    }
    pthread_mutex_unlock(&t->mu);
    return fd;
}

void zinc_tracker_free(zinc_tracker_t *t)
{
    if (t)
        tracker_unref(t);
}
