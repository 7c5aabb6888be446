/* Frames: refcounted message parts (the public zinc_frame_t).
 *
 * A copied frame is one block: the header and the data after it. A
 * zero-copy frame points at the application's memory and runs its free
 * function once, when the last reference goes, on whichever thread drops it.
 * References are atomic; everything else about a frame is written only by the
 * one thread that owns it before it is shared (sent or queued).
 *
 * Blocks for data up to ZI_FRAME_POOL_MAX octets come from per-thread caches
 * (DESIGN.md rule 4: no malloc per small message), in a few size classes. A
 * block freed on the thread whose cache it came from goes back to that
 * cache's free list; freed on any other thread, it is pushed onto its
 * cache's lock-free return stack for its class, which the owner takes back
 * whole when that free list runs dry. No lock per frame. A cache makes a
 * bounded number of blocks per class (2048, a full inproc pipe at
 * the default hwm); beyond that, frames are plain heap blocks. Frames over
 * ZI_FRAME_POOL_MAX are heap blocks too, but a few freed ones (8 MiB in all)
 * wait in process-wide slots for the next frame of about their size, on any
 * thread, so big messages do not fault in fresh pages each time. A thread's
 * cache outlives the thread: at exit its blocks go back to the heap and the
 * cache waits, unowned (frees to it go straight to the heap), for the next
 * new thread.
 *
 * This header is the only piece of core that the engine (src/zmtp) includes.
 */
#ifndef ZI_CORE_FRAME_H
#define ZI_CORE_FRAME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/props.h"
#include "zinc.h"

enum {
    ZI_FRAME_MORE = 1,     /* more frames of this message follow */
    ZI_FRAME_COMMAND = 2,  /* a ZMTP command, not a message frame */
    ZI_FRAME_ZEROCOPY = 4, /* data is the application's memory */
    ZI_FRAME_TRACKED = 8,  /* made with track: zinc_frame_tracker gives it */
    ZI_FRAME_LOCAL = 32,   /* a peer frame from an inproc peer (no metadata on frames) */
    ZI_FRAME_PEER = 16,    /* in-band peer metadata, first on a pipe (never a message) */
};

struct zinc_frame {
    atomic_uint refs;
    uint32_t flags;
    size_t size;
    uint8_t *data;
    zinc_free_fn *free_fn; /* zero-copy only */
    void *hint;
    zi_props_t *meta;        /* connection metadata of a received frame, or NULL */
    zinc_tracker_t *tracker; /* finishes when this frame is released, or NULL */
    uintptr_t pool;          /* private to frame.c: the block's cache and class, or 0 */
    uint8_t body[];          /* data of a copied frame */
};

/* Data sizes up to this get pooled blocks. */
#define ZI_FRAME_POOL_MAX 16384

/* A frame of size octets, uninitialised; NULL on ENOMEM. */
zinc_frame_t *zi_frame_alloc(size_t size);

static inline bool zi_frame_is_more(const zinc_frame_t *f)
{
    return f->flags & ZI_FRAME_MORE;
}
static inline void zi_frame_set_more(zinc_frame_t *f, bool more)
{
    f->flags = more ? (f->flags | ZI_FRAME_MORE) : (f->flags & ~(uint32_t)ZI_FRAME_MORE);
}
/* Attaches connection metadata (takes a new reference on meta). */
void zi_frame_set_meta(zinc_frame_t *f, zi_props_t *meta);

#endif
