#include <errno.h>
#include <stdlib.h>

#include "pattern/strategy.h"

/* ---- the shared pipe array ----------------------------------------------- */

static int set_add(zi_pipe_t ***pipes, size_t *n, size_t *active, size_t *cap, zi_pipe_t *p)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        zi_pipe_t **a = realloc(*pipes, c * sizeof *a);
        if (!a) {
            errno = ENOMEM;
            return -1;
        }
        *pipes = a;
        *cap = c;
    }
    /* New pipes start active: put p at the end, then swap it into place. */
    (*pipes)[*n] = (*pipes)[*active];
    (*pipes)[*active] = p;
    (*n)++;
    (*active)++;
    return 0;
}

static size_t set_index(zi_pipe_t **pipes, size_t n, const zi_pipe_t *p)
{
    for (size_t i = 0; i < n; i++)
        if (pipes[i] == p)
            return i;
    return n;
}

static void set_swap(zi_pipe_t **pipes, size_t a, size_t b)
{
    zi_pipe_t *t = pipes[a];
    pipes[a] = pipes[b];
    pipes[b] = t;
}

static void set_activate(zi_pipe_t **pipes, size_t n, size_t *active, const zi_pipe_t *p)
{
    size_t i = set_index(pipes, n, p);
    if (i < n && i >= *active)
        set_swap(pipes, i, (*active)++);
}

/* Removes pipes[i]; keeps *cur pointing at the same pipe when possible. */
static void set_remove(zi_pipe_t **pipes, size_t *n, size_t *active, size_t *cur, size_t i)
{
    if (i < *active) {
        set_swap(pipes, i, --(*active));
        i = *active;
        if (*cur == *active)
            *cur = 0;
    }
    pipes[i] = pipes[--(*n)];
    if (*cur >= *active)
        *cur = 0;
}

static void set_deactivate(zi_pipe_t **pipes, size_t *active, size_t *cur, size_t i)
{
    set_swap(pipes, i, --(*active));
    if (*cur >= *active)
        *cur = 0;
}

/* ---- fair queue ---------------------------------------------------------- */

void zi_fq_fini(zi_fq_t *fq)
{
    free(fq->pipes);
}

int zi_fq_attach(zi_fq_t *fq, zi_pipe_t *p)
{
    return set_add(&fq->pipes, &fq->n, &fq->active, &fq->cap, p);
}

void zi_fq_activated(zi_fq_t *fq, zi_pipe_t *p)
{
    set_activate(fq->pipes, fq->n, &fq->active, p);
}

void zi_fq_detach(zi_fq_t *fq, zi_pipe_t *p)
{
    size_t i = set_index(fq->pipes, fq->n, p);
    if (i == fq->n)
        return;
    if (i == fq->cur && fq->more)
        fq->more = false;
    set_remove(fq->pipes, &fq->n, &fq->active, &fq->cur, i);
}

zinc_frame_t *zi_fq_recv(zi_fq_t *fq, zi_sock_t *s, zi_pipe_t **from)
{
    while (fq->active > 0) {
        zi_pipe_t *p = fq->pipes[fq->cur];
        zinc_frame_t *f = zi_sock_pipe_read(s, p);
        if (f) {
            if (from)
                *from = p;
            fq->more = zi_frame_is_more(f);
            if (!fq->more)
                fq->cur = (fq->cur + 1) % fq->active;
            return f;
        }
        /* Messages arrive whole, so a pipe never runs dry mid-message. */
        fq->more = false;
        set_deactivate(fq->pipes, &fq->active, &fq->cur, fq->cur);
    }
    errno = EAGAIN;
    return NULL;
}

bool zi_fq_has_in(zi_fq_t *fq, zi_sock_t *s)
{
    if (fq->more)
        return true;
    while (fq->active > 0) {
        if (zi_pipe_check_read(fq->pipes[fq->cur]))
            return true;
        set_deactivate(fq->pipes, &fq->active, &fq->cur, fq->cur);
    }
    return false;
}

/* ---- load balance --------------------------------------------------------- */

void zi_lb_fini(zi_lb_t *lb)
{
    free(lb->pipes);
}

int zi_lb_attach(zi_lb_t *lb, zi_pipe_t *p)
{
    return set_add(&lb->pipes, &lb->n, &lb->active, &lb->cap, p);
}

void zi_lb_activated(zi_lb_t *lb, zi_pipe_t *p)
{
    set_activate(lb->pipes, lb->n, &lb->active, p);
}

void zi_lb_detach(zi_lb_t *lb, zi_pipe_t *p)
{
    size_t i = set_index(lb->pipes, lb->n, p);
    if (i == lb->n)
        return;
    /* A message half given to p cannot be finished: drop its rest. */
    if (i == lb->cur && lb->more) {
        lb->more = false;
        lb->dropping = true;
    }
    set_remove(lb->pipes, &lb->n, &lb->active, &lb->cur, i);
}

int zi_lb_send(zi_lb_t *lb, zinc_frame_t *f, zi_pipe_t **to)
{
    bool more = zi_frame_is_more(f);
    if (lb->dropping) {
        lb->dropping = more;
        zinc_frame_unref(f);
        return 0;
    }
    while (lb->active > 0) {
        zi_pipe_t *p = lb->pipes[lb->cur];
        if (zi_pipe_check_write(p) && zi_pipe_write(p, f) == ZI_OK) {
            if (to)
                *to = p;
            lb->more = more;
            if (!more) {
                zi_pipe_flush(p);
                lb->cur = (lb->cur + 1) % lb->active;
            }
            return 0;
        }
        if (lb->more) { /* the peer closed mid-message */
            zi_pipe_rollback(p);
            lb->more = false;
            lb->dropping = more;
            zinc_frame_unref(f);
            return 0;
        }
        set_deactivate(lb->pipes, &lb->active, &lb->cur, lb->cur);
    }
    errno = EAGAIN;
    return -1;
}

bool zi_lb_has_out(zi_lb_t *lb)
{
    if (lb->more)
        return true;
    while (lb->active > 0) {
        if (zi_pipe_check_write(lb->pipes[lb->cur]))
            return true;
        set_deactivate(lb->pipes, &lb->active, &lb->cur, lb->cur);
    }
    return false;
}
