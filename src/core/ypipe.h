/* ypipe: a lock-free single-producer/single-consumer queue of frame pointers.
 *
 * The data path between a socket and a session (DESIGN.md "Threads and the
 * data path"): one thread writes, one other thread reads, no lock and no
 * system call. Storage is a list of chunks; the chunk the reader leaves
 * behind is kept as a spare for the writer, so a queue in a steady state
 * allocates nothing. The first chunk has ZI_YPIPE_CHUNK_MIN slots and each
 * new one twice its predecessor's, up to ZI_YPIPE_CHUNK: an idle connection's
 * two queues cost a few hundred octets, a busy one's a chunk per 256 items.
 *
 * Writes are invisible until flushed, and a flush publishes only up to the end
 * of the last complete message (the last item written with incomplete ==
 * false), so the reader never sees part of a multipart message.
 *
 * Wake-up protocol ("the reader may be asleep"): when a read finds the queue
 * empty, the reader marks itself asleep in the same atomic step. The next flush
 * that publishes something sees the mark, clears it and returns false: the
 * writer must then wake the reader (post to its mailbox, signal its condition
 * variable). A flush that returns true needs no wake-up, because the reader has
 * not yet drained what it was given before. A new queue starts with the reader
 * asleep, so the first flush always returns false.
 *
 * Threads: zi_ypipe_write, _unwrite and _flush belong to the writer thread;
 * zi_ypipe_check_read, _read and _peek to the reader thread. The two may run
 * at the same time. _new and _free are not concurrent with anything.
 *
 * Ownership: the queue holds pointers, it does not own or touch the frames;
 * a frame written is the reader's once read. zi_ypipe_free hands what is left
 * (flushed or not) to a release function.
 */
#ifndef ZI_CORE_YPIPE_H
#define ZI_CORE_YPIPE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/frame.h"
#include "util/err.h"

/* Slots per chunk: the first, and the most. */
#define ZI_YPIPE_CHUNK_MIN 16
#define ZI_YPIPE_CHUNK 256

typedef struct zi_ypipe zi_ypipe_t;

/* An empty queue, reader asleep. NULL on ENOMEM. */
zi_ypipe_t *zi_ypipe_new(void);

/* Frees the queue. Every item still in it, flushed or not, is passed to
 * release (unless release is NULL). Neither side may use the queue any more;
 * the caller makes sure both have stopped. */
void zi_ypipe_free(zi_ypipe_t *yp, void (*release)(zinc_frame_t *f));

/* Writer: appends f (not NULL). incomplete: more items of the same message
 * follow, so a flush must not publish f yet. ZI_ENOMEM when a new chunk cannot
 * be allocated; then nothing was written and f is still the caller's. */
ZI_MUST_USE zi_err zi_ypipe_write(zi_ypipe_t *yp, zinc_frame_t *f, bool incomplete);

/* Writer: takes back the last item written, if it belongs to an incomplete
 * message (written with incomplete == true and not yet followed by the end of
 * the message). Returns it (the caller owns it again), or NULL when there is
 * nothing to take back. Used to roll back a message that cannot be finished. */
zinc_frame_t *zi_ypipe_unwrite(zi_ypipe_t *yp);

/* Writer: publishes every complete message written so far. Returns false when
 * the reader was asleep (had drained the queue): the caller must wake it.
 * Returns true otherwise, including when there was nothing to publish. */
bool zi_ypipe_flush(zi_ypipe_t *yp);

/* Reader: true when an item can be read. When false, the reader is now marked
 * asleep and the next flush that publishes an item returns false. */
bool zi_ypipe_check_read(zi_ypipe_t *yp);

/* Reader: the next item, or NULL when none is published (the reader is then
 * marked asleep, as with zi_ypipe_check_read). */
zinc_frame_t *zi_ypipe_read(zi_ypipe_t *yp);

/* Reader: the next item without removing it, or NULL (as zi_ypipe_read). */
zinc_frame_t *zi_ypipe_peek(zi_ypipe_t *yp);

#endif
