/* The raw mode of a session (see session_raw.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/session_raw.h"
#include "zmtp/outq.h"

#define RAW_CHUNK (64 * 1024) /* one read, at most */
#define RAW_COPY_MAX 8192     /* frames up to this size are batched (copied) */
#define RAW_HELD_MAX 4        /* a data frame and notices around it */

struct zi_raw {
    zmtp_outq_t out;
    /* Frames refused by a full pipe, oldest first: [held_head, held_n). */
    zinc_frame_t *held[RAW_HELD_MAX];
    size_t held_head, held_n;
    /* The buffer the next read goes into: a frame of RAW_CHUNK octets, kept
     * across reads that give only a little (their bytes are copied into a
     * frame of their own size) and handed over whole otherwise. */
    zinc_frame_t *spare;
};

zi_raw_t *zi_raw_new(void)
{
    zi_raw_t *r = calloc(1, sizeof *r);
    if (!r) {
        errno = ENOMEM;
        return NULL;
    }
    zmtp_outq_init(&r->out);
    return r;
}

void zi_raw_free(zi_raw_t *r)
{
    if (!r)
        return;
    zmtp_outq_fini(&r->out);
    for (size_t i = r->held_head; i < r->held_n; i++)
        zinc_frame_unref(r->held[i]);
    zinc_frame_unref(r->spare);
    free(r);
}

/* ---- input ------------------------------------------------------------- */

static bool raw_pipe_gone(const zi_pipe_t *pipe)
{
    return !pipe || zi_pipe_peer_closed(pipe);
}

/* Hands f to the socket, or holds it back when the pipe is full. */
static void raw_deliver(zi_raw_t *r, zi_pipe_t *pipe, zinc_frame_t *f, bool *wrote)
{
    if (raw_pipe_gone(pipe)) {
        zinc_frame_unref(f); /* nobody will read it */
        return;
    }
    if (r->held_n == r->held_head && zi_pipe_write(pipe, f) == ZI_OK) {
        *wrote = true;
        return;
    }
    if (r->held_n == RAW_HELD_MAX && r->held_head > 0) {
        memmove(r->held, r->held + r->held_head, (r->held_n - r->held_head) * sizeof *r->held);
        r->held_n -= r->held_head;
        r->held_head = 0;
    }
    if (r->held_n == RAW_HELD_MAX) {
        zinc_frame_unref(f); /* cannot happen: reads stop while one is held */
        return;
    }
    r->held[r->held_n++] = f;
}

bool zi_raw_resume(zi_raw_t *r, zi_pipe_t *pipe, bool *wrote)
{
    while (r->held_head < r->held_n) {
        if (raw_pipe_gone(pipe)) {
            zinc_frame_unref(r->held[r->held_head++]);
            continue;
        }
        if (zi_pipe_write(pipe, r->held[r->held_head]) != ZI_OK)
            return false;
        r->held_head++;
        *wrote = true;
    }
    r->held_head = r->held_n = 0;
    return true;
}

void zi_raw_notice(zi_raw_t *r, zi_pipe_t *pipe, bool *wrote)
{
    zinc_frame_t *f = zi_frame_alloc(0);
    if (f)
        raw_deliver(r, pipe, f, wrote);
}

/* The frame carrying n octets just read into r->spare. */
static zinc_frame_t *raw_take_chunk(zi_raw_t *r, size_t n)
{
    if (n >= RAW_CHUNK / 2) {
        zinc_frame_t *f = r->spare;
        r->spare = NULL;
        f->size = n;
        return f;
    }
    zinc_frame_t *f = zi_frame_alloc(n);
    if (f)
        memcpy(f->data, r->spare->data, n);
    return f;
}

int zi_raw_read(zi_raw_t *r, int fd, zi_pipe_t *pipe, int rounds, bool *wrote)
{
    for (int i = 0; i < rounds; i++) {
        if (r->held_head < r->held_n)
            return ZI_RAW_BLOCKED;
        if (!r->spare) {
            r->spare = zi_frame_alloc(RAW_CHUNK);
            if (!r->spare)
                return ZI_RAW_EOF; /* out of memory: end this connection */
        }
        ssize_t n = read(fd, r->spare->data, RAW_CHUNK);
        if (n == 0)
            return ZI_RAW_EOF;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? ZI_RAW_AGAIN : ZI_RAW_EOF;
        }
        zinc_frame_t *f = raw_take_chunk(r, (size_t)n);
        if (!f)
            return ZI_RAW_EOF;
        raw_deliver(r, pipe, f, wrote);
    }
    return r->held_head < r->held_n ? ZI_RAW_BLOCKED : ZI_RAW_AGAIN;
}

/* ---- output ------------------------------------------------------------ */

bool zi_raw_pull(zi_raw_t *r, zi_pipe_t *pipe, size_t high)
{
    while (r->out.pending < high) {
        zinc_frame_t *f = zi_pipe_read(pipe);
        if (!f)
            return true;
        if ((f->flags & ZI_FRAME_PEER) || f->size == 0) {
            zinc_frame_unref(f);
            continue;
        }
        zi_err err = ZI_EFULL;
        if (f->size <= RAW_COPY_MAX) {
            err = zmtp_outq_put(&r->out, f->data, f->size);
            if (err == ZI_OK)
                zinc_frame_unref(f);
        }
        if (err != ZI_OK && zmtp_outq_put_frame(&r->out, f) != ZI_OK)
            return false; /* out of memory: that frame is lost; the rest waits */
    }
    return false;
}

int zi_raw_write(zi_raw_t *r, int fd)
{
    while (r->out.pending > 0) {
        struct iovec iov[64];
        int n = zmtp_outq_iov(&r->out, iov, 64);
        if (n == 0)
            break;
        ssize_t w = writev(fd, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        zmtp_outq_consume(&r->out, (size_t)w);
    }
    return 0;
}

size_t zi_raw_out_pending(const zi_raw_t *r)
{
    return r->out.pending;
}
