/* ypipe_conflate: the `conflate` variant of a ypipe (libzmq's ZMQ_CONFLATE,
 * its ypipe_conflate_t): a lock-free single-producer/single-consumer queue
 * that keeps only the newest message. Same contract and threads as ypipe.h
 * (write/unwrite/flush on the writer thread, check_read/read/peek on the
 * reader thread, the two at the same time), with these differences:
 *
 *   - A message is one frame: of a multipart message only its last frame is
 *     kept, as a single-frame message (what libzmq 4.3.4 delivers: a conflate
 *     PULL given [a, b] gets b, without MORE). Frames written with
 *     incomplete == true are released at once.
 *   - A flush publishes the newest complete message written since the last
 *     flush, and releases the one still waiting there unread, if any: the
 *     reader finds at most one message, the newest published.
 *   - In-band peer metadata (ZI_FRAME_PEER frames) is never conflated: those
 *     frames are kept in order in a plain ypipe and read before the message.
 *   - unwrite gives nothing back (nothing of an unfinished message is kept).
 *
 * The wake-up protocol is ypipe's: a read that finds nothing marks the reader
 * asleep; the next flush that publishes returns false and the writer wakes
 * the reader. Frames a flush replaces are released on the writer's thread,
 * frames the reader holds on the reader's (frame references are atomic).
 */
#ifndef ZI_CORE_YPIPE_CONFLATE_H
#define ZI_CORE_YPIPE_CONFLATE_H

#include <stdbool.h>

#include "core/frame.h"
#include "util/err.h"

typedef struct zi_ypipe_conflate zi_ypipe_conflate_t;

/* An empty queue, reader asleep. NULL on ENOMEM. */
zi_ypipe_conflate_t *zi_ypipe_conflate_new(void);

/* Frees the queue, passing every frame still in it to release (unless NULL).
 * Neither side may use the queue any more. */
void zi_ypipe_conflate_free(zi_ypipe_conflate_t *q, void (*release)(zinc_frame_t *f));

/* Writer: takes f (not NULL). See above for what is kept. ZI_ENOMEM only
 * for a peer frame (the plain queue could not grow); then f is still the
 * caller's. */
ZI_MUST_USE zi_err zi_ypipe_conflate_write(zi_ypipe_conflate_t *q, zinc_frame_t *f,
                                           bool incomplete);

/* Writer: always NULL (nothing of an unfinished message is kept). */
zinc_frame_t *zi_ypipe_conflate_unwrite(zi_ypipe_conflate_t *q);

/* Writer: publishes the peer frames and the newest message written. false
 * when the reader was asleep: the caller must wake it. */
bool zi_ypipe_conflate_flush(zi_ypipe_conflate_t *q);

/* Reader: true when a frame can be read; false marks the reader asleep. */
bool zi_ypipe_conflate_check_read(zi_ypipe_conflate_t *q);

/* Reader: the next frame (peer frames first, then the newest message), or
 * NULL (the reader is then marked asleep). */
zinc_frame_t *zi_ypipe_conflate_read(zi_ypipe_conflate_t *q);

/* Reader: the next frame without taking it, or NULL. The pointer is good
 * until the reader's next call on q (a newer message may replace it). */
zinc_frame_t *zi_ypipe_conflate_peek(zi_ypipe_conflate_t *q);

#endif
