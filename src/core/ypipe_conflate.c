/* ypipe_conflate: one shared slot for the newest message, a plain ypipe for
 * peer frames (see ypipe_conflate.h).
 *
 * The shared word holds a frame pointer, 0 (empty, reader awake) or
 * CONFLATE_ASLEEP (empty, reader asleep; frames are at least 2-aligned, so
 * the value is never a frame):
 *
 *   writer flush:  old = exchange(slot, f)     old a frame: it was never
 *                                              read, release it;
 *                                              old ASLEEP: wake the reader
 *   reader take:   exchange(slot, 0) when the slot holds a frame
 *   reader sleep:  CAS(slot, 0 -> ASLEEP)      failed: a frame came
 *
 * Only the reader empties the slot and only the reader sets ASLEEP (from 0),
 * and the writer's exchange always stores a frame, so a take never loses the
 * mark and exactly one of "the writer sees ASLEEP" and "the reader sees the
 * frame" happens. Peer frames are flushed before the message is stored, and
 * the reader takes the slot (acquire) before it looks at the peer queue, so
 * peer metadata written before a message is read before it.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/ypipe.h"
#include "core/ypipe_conflate.h"

#define CONFLATE_ASLEEP ((uintptr_t)1)
#define CONFLATE_LINE 64

struct zi_ypipe_conflate {
    zi_ypipe_t *peers; /* ZI_FRAME_PEER frames, in order */
    /* Writer's. */
    alignas(CONFLATE_LINE) zinc_frame_t *pending; /* newest complete message, unflushed */
    /* Reader's. */
    alignas(CONFLATE_LINE) zinc_frame_t *held; /* taken from the slot, not yet read */
    /* Shared. */
    alignas(CONFLATE_LINE) _Atomic uintptr_t slot;
};

zi_ypipe_conflate_t *zi_ypipe_conflate_new(void)
{
    size_t size = (sizeof(zi_ypipe_conflate_t) + CONFLATE_LINE - 1) / CONFLATE_LINE * CONFLATE_LINE;
    zi_ypipe_conflate_t *q = aligned_alloc(CONFLATE_LINE, size);
    if (!q)
        return NULL;
    q->peers = zi_ypipe_new();
    if (!q->peers) {
        free(q);
        return NULL;
    }
    q->pending = NULL;
    q->held = NULL;
    atomic_init(&q->slot, CONFLATE_ASLEEP);
    return q;
}

void zi_ypipe_conflate_free(zi_ypipe_conflate_t *q, void (*release)(zinc_frame_t *f))
{
    if (!q)
        return;
    uintptr_t w = atomic_load_explicit(&q->slot, memory_order_acquire);
    zinc_frame_t *left[3] = {q->pending, q->held, w != CONFLATE_ASLEEP ? (zinc_frame_t *)w : NULL};
    for (int i = 0; i < 3; i++)
        if (left[i] && release)
            release(left[i]);
    zi_ypipe_free(q->peers, release);
    free(q);
}

/* ---- writer ----------------------------------------------------------- */

zi_err zi_ypipe_conflate_write(zi_ypipe_conflate_t *q, zinc_frame_t *f, bool incomplete)
{
    if (f->flags & ZI_FRAME_PEER)
        return zi_ypipe_write(q->peers, f, false);
    if (incomplete) {
        /* Not the last frame of its message: only that one is kept. */
        zinc_frame_unref(f);
        return ZI_OK;
    }
    /* Never touch f itself: a PUB shares one frame among its pipes. */
    if (q->pending)
        zinc_frame_unref(q->pending);
    q->pending = f;
    return ZI_OK;
}

zinc_frame_t *zi_ypipe_conflate_unwrite(zi_ypipe_conflate_t *q)
{
    (void)q;
    return NULL;
}

bool zi_ypipe_conflate_flush(zi_ypipe_conflate_t *q)
{
    bool awake = zi_ypipe_flush(q->peers);
    if (q->pending) {
        uintptr_t old =
            atomic_exchange_explicit(&q->slot, (uintptr_t)q->pending, memory_order_acq_rel);
        q->pending = NULL;
        if (old == CONFLATE_ASLEEP)
            awake = false;
        else if (old)
            zinc_frame_unref((zinc_frame_t *)old); /* never read: replaced */
    }
    return awake;
}

/* ---- reader ----------------------------------------------------------- */

/* Moves the newest published message, if any, into held (it replaces an
 * older one held there). Does not mark the reader asleep. */
static void conflate_take(zi_ypipe_conflate_t *q)
{
    uintptr_t w = atomic_load_explicit(&q->slot, memory_order_relaxed);
    if (w == 0 || w == CONFLATE_ASLEEP)
        return;
    w = atomic_exchange_explicit(&q->slot, 0, memory_order_acq_rel);
    if (q->held)
        zinc_frame_unref(q->held);
    q->held = (zinc_frame_t *)w;
}

/* Nothing to read: marks the reader asleep, unless a message came, which is
 * then taken (returns true). */
static bool conflate_sleep(zi_ypipe_conflate_t *q)
{
    uintptr_t expect = 0;
    if (atomic_compare_exchange_strong_explicit(&q->slot, &expect, CONFLATE_ASLEEP,
                                                memory_order_acq_rel, memory_order_acquire))
        return false;
    if (expect == CONFLATE_ASLEEP)
        return false;
    conflate_take(q);
    return true;
}

/* The next frame (peer frames first), NULL when there is none (the reader is
 * then asleep); taken out when take is true. */
static zinc_frame_t *conflate_next(zi_ypipe_conflate_t *q, bool take)
{
    for (;;) {
        conflate_take(q);
        if (zi_ypipe_check_read(q->peers))
            return take ? zi_ypipe_read(q->peers) : zi_ypipe_peek(q->peers);
        if (q->held) {
            zinc_frame_t *f = q->held;
            if (take)
                q->held = NULL;
            return f;
        }
        if (!conflate_sleep(q))
            return NULL;
    }
}

bool zi_ypipe_conflate_check_read(zi_ypipe_conflate_t *q)
{
    return conflate_next(q, false) != NULL;
}

zinc_frame_t *zi_ypipe_conflate_read(zi_ypipe_conflate_t *q)
{
    return conflate_next(q, true);
}

zinc_frame_t *zi_ypipe_conflate_peek(zi_ypipe_conflate_t *q)
{
    return conflate_next(q, false);
}
