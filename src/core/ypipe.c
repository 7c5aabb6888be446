/* ypipe: chunked SPSC queue with write/flush separation (see ypipe.h).
 *
 * Positions are item counts, not pointers. The one shared word, c, holds the
 * number of items the writer has published, or YPIPE_ASLEEP when the reader
 * drained everything and went to sleep:
 *
 *   writer flush:  CAS(c, flushed -> complete)   ok: reader awake, no wake-up
 *                  failed (c == ASLEEP): store complete, caller wakes reader
 *   reader check:  CAS(c, read -> ASLEEP)        ok: nothing new, now asleep
 *                  failed: c is the new published count (or already ASLEEP)
 *
 * Both sides change c only by compare-and-swap from a value they know, so
 * exactly one of "the writer sees the reader asleep" and "the reader sees the
 * new items" happens: no wake-up is lost and none is sent while the reader is
 * busy. Orderings: the writer publishes with release (slot stores and chunk
 * links happen before), the reader picks the count up with acquire. Chunks
 * pass from reader back to writer through the spare pointer with acq_rel, so
 * the reader's last loads of a chunk happen before the writer reuses it.
 */
#include <assert.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/ypipe.h"

#define YPIPE_ASLEEP UINT64_MAX
#define YPIPE_LINE 64

typedef struct ypipe_chunk {
    struct ypipe_chunk *prev; /* writer only (unwrite) */
    struct ypipe_chunk *next; /* set by the writer before the items in it are published */
    unsigned cap;             /* slots; set before the chunk is linked */
    zinc_frame_t *slot[];
} ypipe_chunk_t;

struct zi_ypipe {
    /* Writer's cache line. */
    alignas(YPIPE_LINE) ypipe_chunk_t *w_chunk;
    unsigned w_pos;    /* next slot in w_chunk; w_chunk->cap when full */
    uint64_t written;  /* items written */
    uint64_t complete; /* items up to the end of the last complete message */
    uint64_t flushed;  /* last count stored in c by the writer */

    /* Reader's cache line. */
    alignas(YPIPE_LINE) ypipe_chunk_t *r_chunk;
    unsigned r_pos; /* next slot in r_chunk; r_chunk->cap when done with it */
    uint64_t read;  /* items read */
    uint64_t avail; /* items known to be published: read <= avail */

    /* Shared. */
    alignas(YPIPE_LINE) _Atomic uint64_t c;
    _Atomic(ypipe_chunk_t *) spare;
};

static ypipe_chunk_t *ypipe_chunk_new(unsigned cap)
{
    ypipe_chunk_t *ch = malloc(sizeof *ch + cap * sizeof ch->slot[0]);
    if (ch) {
        ch->prev = NULL;
        ch->next = NULL;
        ch->cap = cap;
    }
    return ch;
}

zi_ypipe_t *zi_ypipe_new(void)
{
    size_t size = (sizeof(zi_ypipe_t) + YPIPE_LINE - 1) / YPIPE_LINE * YPIPE_LINE;
    zi_ypipe_t *yp = aligned_alloc(YPIPE_LINE, size);
    if (!yp)
        return NULL;
    ypipe_chunk_t *ch = ypipe_chunk_new(ZI_YPIPE_CHUNK_MIN);
    if (!ch) {
        free(yp);
        return NULL;
    }
    yp->w_chunk = ch;
    yp->w_pos = 0;
    yp->written = yp->complete = yp->flushed = 0;
    yp->r_chunk = ch;
    yp->r_pos = 0;
    yp->read = yp->avail = 0;
    atomic_init(&yp->c, YPIPE_ASLEEP);
    atomic_init(&yp->spare, NULL);
    return yp;
}

void zi_ypipe_free(zi_ypipe_t *yp, void (*release)(zinc_frame_t *f))
{
    if (!yp)
        return;
    ypipe_chunk_t *ch = yp->r_chunk;
    unsigned pos = yp->r_pos;
    for (uint64_t left = yp->written - yp->read; left > 0; left--) {
        if (pos == ch->cap) {
            ch = ch->next;
            pos = 0;
        }
        if (release)
            release(ch->slot[pos]);
        pos++;
    }
    /* Chunks before r_chunk were recycled; after it, the list may go one
     * chunk past w_chunk (left by an unwrite). */
    for (ch = yp->r_chunk; ch;) {
        ypipe_chunk_t *next = ch->next;
        free(ch);
        ch = next;
    }
    free(atomic_load_explicit(&yp->spare, memory_order_acquire));
    free(yp);
}

zi_err zi_ypipe_write(zi_ypipe_t *yp, zinc_frame_t *f, bool incomplete)
{
    assert(f);
    if (yp->w_pos == yp->w_chunk->cap) {
        ypipe_chunk_t *next = yp->w_chunk->next; /* kept by an unwrite */
        if (!next) {
            /* Twice the last one, up to the most; a smaller spare is freed. */
            unsigned cap =
                yp->w_chunk->cap < ZI_YPIPE_CHUNK / 2 ? 2 * yp->w_chunk->cap : ZI_YPIPE_CHUNK;
            next = atomic_exchange_explicit(&yp->spare, NULL, memory_order_acq_rel);
            if (next && next->cap < cap) {
                free(next);
                next = NULL;
            }
            if (!next)
                next = ypipe_chunk_new(cap);
            if (!next)
                return ZI_ENOMEM;
            next->next = NULL;
            next->prev = yp->w_chunk;
            yp->w_chunk->next = next;
        }
        yp->w_chunk = next;
        yp->w_pos = 0;
    }
    yp->w_chunk->slot[yp->w_pos++] = f;
    yp->written++;
    if (!incomplete)
        yp->complete = yp->written;
    return ZI_OK;
}

zinc_frame_t *zi_ypipe_unwrite(zi_ypipe_t *yp)
{
    if (yp->written == yp->complete)
        return NULL;
    if (yp->w_pos == 0) {
        /* The item is unpublished, so the reader has not left its chunk. */
        yp->w_chunk = yp->w_chunk->prev;
        yp->w_pos = yp->w_chunk->cap;
    }
    yp->written--;
    return yp->w_chunk->slot[--yp->w_pos];
}

bool zi_ypipe_flush(zi_ypipe_t *yp)
{
    if (yp->complete == yp->flushed)
        return true;
    uint64_t expected = yp->flushed;
    bool awake = atomic_compare_exchange_strong_explicit(
        &yp->c, &expected, yp->complete, memory_order_release, memory_order_relaxed);
    if (!awake) {
        /* Only the reader changes c behind our back, and only to ASLEEP. */
        assert(expected == YPIPE_ASLEEP);
        atomic_store_explicit(&yp->c, yp->complete, memory_order_release);
    }
    yp->flushed = yp->complete;
    return awake;
}

bool zi_ypipe_check_read(zi_ypipe_t *yp)
{
    if (yp->read < yp->avail)
        return true;
    uint64_t expected = yp->read;
    if (atomic_compare_exchange_strong_explicit(&yp->c, &expected, YPIPE_ASLEEP,
                                                memory_order_acquire, memory_order_acquire))
        return false; /* drained: asleep now */
    if (expected == YPIPE_ASLEEP)
        return false; /* still asleep: nothing flushed since */
    assert(expected > yp->read);
    yp->avail = expected;
    return true;
}

zinc_frame_t *zi_ypipe_read(zi_ypipe_t *yp)
{
    if (!zi_ypipe_check_read(yp))
        return NULL;
    if (yp->r_pos == yp->r_chunk->cap) {
        ypipe_chunk_t *done = yp->r_chunk;
        yp->r_chunk = done->next;
        yp->r_pos = 0;
        free(atomic_exchange_explicit(&yp->spare, done, memory_order_acq_rel));
    }
    yp->read++;
    return yp->r_chunk->slot[yp->r_pos++];
}

zinc_frame_t *zi_ypipe_peek(zi_ypipe_t *yp)
{
    if (!zi_ypipe_check_read(yp))
        return NULL;
    if (yp->r_pos == yp->r_chunk->cap)
        return yp->r_chunk->next->slot[0];
    return yp->r_chunk->slot[yp->r_pos];
}
