/* Fair queue over peer structs, generated routing ids (pattern/peerset.h). */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "pattern/peerset.h"

static zi_peerq_slot_t *peerq_slot(const zi_peerq_t *q, void *peer)
{
    return (zi_peerq_slot_t *)((char *)peer + q->slot_off);
}

static void peerq_swap(zi_peerq_t *q, size_t a, size_t b)
{
    void *t = q->items[a];
    q->items[a] = q->items[b];
    q->items[b] = t;
    peerq_slot(q, q->items[a])->idx = a;
    peerq_slot(q, q->items[b])->idx = b;
}

void zi_peerq_init(zi_peerq_t *q, size_t slot_off)
{
    *q = (zi_peerq_t){.slot_off = slot_off};
}

void zi_peerq_fini(zi_peerq_t *q)
{
    free(q->items);
    q->items = NULL;
    q->n = q->active = q->cur = q->cap = 0;
}

int zi_peerq_add(zi_peerq_t *q, void *peer)
{
    if (q->n == q->cap) {
        size_t c = q->cap ? q->cap * 2 : 8;
        void **a = realloc(q->items, c * sizeof *a);
        if (!a) {
            errno = ENOMEM;
            return -1;
        }
        q->items = a;
        q->cap = c;
    }
    zi_peerq_slot_t *s = peerq_slot(q, peer);
    s->idx = q->n;
    s->queued = true;
    q->items[q->n++] = peer;
    peerq_swap(q, s->idx, q->active++);
    return 0;
}

void zi_peerq_activate(zi_peerq_t *q, void *peer)
{
    zi_peerq_slot_t *s = peerq_slot(q, peer);
    if (s->queued && s->idx >= q->active)
        peerq_swap(q, s->idx, q->active++);
}

void zi_peerq_deactivate(zi_peerq_t *q, size_t i)
{
    peerq_swap(q, i, --q->active);
    if (q->cur >= q->active)
        q->cur = 0;
}

void zi_peerq_remove(zi_peerq_t *q, void *peer)
{
    zi_peerq_slot_t *s = peerq_slot(q, peer);
    if (!s->queued)
        return;
    size_t i = s->idx;
    if (i < q->active) {
        peerq_swap(q, i, --q->active);
        i = q->active;
    }
    peerq_swap(q, i, --q->n);
    s->queued = false;
    if (q->cur >= q->active)
        q->cur = 0;
}

void zi_routing_id_make(uint8_t id[5], uint32_t n)
{
    id[0] = 0;
    id[1] = (uint8_t)(n >> 24);
    id[2] = (uint8_t)(n >> 16);
    id[3] = (uint8_t)(n >> 8);
    id[4] = (uint8_t)n;
}

uint64_t zi_pattern_random64(void)
{
    uint64_t v;
    if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v)
        return v;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec;
}
