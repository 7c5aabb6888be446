/* Pipe: a bidirectional message channel between two ends, each owned by one
 * thread: a socket (application thread) and a session (I/O thread), or two
 * sockets (inproc). The pipe knows nothing of sockets or sessions.
 *
 * Data path (DESIGN.md "Threads and the data path"): each direction is a ypipe
 * (lock-free SPSC). The writer writes frames and flushes; a flush publishes
 * whole messages only, so a multipart message is atomic: every frame becomes
 * visible at once, or none does (an unfinished message can be rolled back, and
 * is dropped if its writer closes). No lock, no system call and no wake-up per
 * message: the other side is told only when it may be asleep.
 *
 * High-water mark, per direction, counted in messages (a multipart message
 * counts once): a writer may start a new message while fewer than hwm
 * messages it wrote are unconsumed by the reader; hwm 0 means no limit. Frames
 * after the first of a message are never refused for the hwm. Which number to
 * give is the owner's rule; as libzmq:
 *   socket <-> session:  socket->session direction: the socket's sndhwm;
 *                        session->socket direction: the socket's rcvhwm
 *                        (the peer's own limits live in the peer process);
 *   inproc (two sockets): each direction: zi_pipe_hwm_sum(writer's sndhwm,
 *                        reader's rcvhwm), i.e. their sum, or 0 (no limit)
 *                        when either of them is 0.
 *
 * Credit: the reader does not report each message it consumes. It returns
 * credit every lwm messages (libzmq's compute_lwm: (hwm + 1) / 2, or
 * hwm - 1024 when hwm > 2048; 1024 when there is no limit), and whenever it
 * finds its queue empty. A writer that hits the hwm marks itself waiting; the
 * reader's next credit return then calls the writer's `writable` callback.
 *
 * Notifications: each end has a sink, provided by its owner. The pipe calls an
 * end's sink from the OTHER end's thread, and only when the owner may be
 * asleep:
 *   readable    the peer flushed messages and this end had drained its queue
 *               (or never read): read until zi_pipe_read returns NULL;
 *   writable    this end had hit its hwm and the peer returned credit;
 *   terminated  the peer closed its end (see below).
 * Callbacks must be short and must not block nor call any zi_pipe_ function:
 * typically they post a command to a mailbox or signal a condition variable.
 * They must not take a lock that the owner holds while calling
 * zi_pipe_close/_free/_set_sink on this end (those wait for a callback in
 * progress to return). A sink may be NULL; notifications to it are dropped.
 *
 * Termination: either end may close at any time. zi_pipe_close publishes the
 * complete messages this end wrote, stops this end, and calls the peer's
 * `terminated` (unless the peer has closed too). The peer can still read every
 * message the closed end had published (this is how a session drains a
 * lingering socket's messages) and zi_pipe_eof tells it when it has read them
 * all; its writes fail from then on. After zi_pipe_close returns, the pipe
 * never calls this end's sink again. Each end is freed with zi_pipe_free; the
 * pair's memory and every frame still queued in either direction, flushed or
 * not, are released (unref'd) once, when the second end is freed.
 *
 * Threads: every function on an end must be called by that end's owner thread
 * (one at a time). An end can change owner thread only through something that
 * synchronises (a mutex, a mailbox), e.g. when a pipe is created on one thread
 * and its other end handed to an I/O thread.
 */
#ifndef ZI_CORE_PIPE_H
#define ZI_CORE_PIPE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/frame.h"
#include "util/err.h"

typedef struct zi_pipe zi_pipe_t;

/* What the pipe tells an end's owner (see above). ctx is the sink's ctx, p the
 * owner's end. Any of the functions may be NULL. */
typedef struct zi_pipe_sink {
    void (*readable)(void *ctx, zi_pipe_t *p);
    void (*writable)(void *ctx, zi_pipe_t *p);
    void (*terminated)(void *ctx, zi_pipe_t *p);
    void *ctx;
} zi_pipe_sink_t;

/* Creates the two ends of a pipe. hwm[i]: limit for messages from end i to
 * end 1 - i (0: none; negative is taken as 0). sink[i]: end i's sink, or NULL;
 * the sink struct must stay valid until end i is closed. Both ends start owned
 * by the calling thread. ZI_ENOMEM on failure. */
ZI_MUST_USE zi_err zi_pipe_pair_new(zi_pipe_t *ends[2], const int hwm[2],
                                    const zi_pipe_sink_t *sink[2]);

/* libzmq's rule for an inproc direction: sndhwm + rcvhwm, 0 when either is 0
 * (no limit), saturated at INT32_MAX. */
int zi_pipe_hwm_sum(int writer_sndhwm, int reader_rcvhwm);

/* Replaces p's sink (NULL: none). When it returns, no callback to the old sink
 * is running or will run. Notifications sent while there was no sink are lost:
 * after attaching, the owner should call zi_pipe_check_read/_check_write once.
 * Does not block beyond waiting for a callback in progress. */
void zi_pipe_set_sink(zi_pipe_t *p, const zi_pipe_sink_t *sink);

/* Owner's per-end pointer (a pattern's per-peer state). NULL initially. */
void zi_pipe_set_data(zi_pipe_t *p, void *data);
void *zi_pipe_data(const zi_pipe_t *p);
/* A second per-end pointer for the object that owns the end (the socket's
 * own record), so that zi_pipe_data stays free for the pattern. */
void zi_pipe_set_owner(zi_pipe_t *p, void *owner);
void *zi_pipe_owner(const zi_pipe_t *p);

/* ---- writing (messages from p to its peer) ---------------------------- */

/* Makes p's outbound direction conflate (option `conflate`, as libzmq's
 * ZMQ_CONFLATE): it keeps only the newest message, a multipart message is
 * cut to its last frame, and the hwm no longer applies (zi_pipe_set_hwm is
 * ignored from then on); peer metadata frames still all pass, in order (see
 * core/ypipe_conflate.h). Call before anything is written in that direction,
 * from a thread that owns both ends (typically right after
 * zi_pipe_pair_new). Idempotent. ZI_ENOMEM. */
ZI_MUST_USE zi_err zi_pipe_set_conflate(zi_pipe_t *p);

/* Changes the hwm of p's outbound direction (as zi_pipe_pair_new). A writer
 * that was refused should call zi_pipe_check_write again afterwards. */
void zi_pipe_set_hwm(zi_pipe_t *p, int hwm);

/* true when p may write: mid-message always (unless closed), otherwise when
 * under the hwm. false when the hwm is reached (then `writable` follows when
 * credit comes back; messages written but not flushed are flushed first, so
 * the reader can consume them), or when either end is closed. Never blocks. */
bool zi_pipe_check_write(zi_pipe_t *p);

/* Appends one frame; its MORE flag says whether more frames of the message
 * follow. On ZI_OK the pipe owns f; it becomes visible to the peer at the next
 * zi_pipe_flush after the message's last frame. ZI_AGAIN: a new message would
 * pass the hwm, or either end is closed (zi_pipe_peer_closed tells which);
 * ZI_ENOMEM. On failure f is still the caller's, and if it was not the first
 * frame of the message the caller should zi_pipe_rollback. Never blocks. */
ZI_MUST_USE zi_err zi_pipe_write(zi_pipe_t *p, zinc_frame_t *f);

/* Drops the frames of the unfinished message written so far (unrefs them). */
void zi_pipe_rollback(zi_pipe_t *p);

/* Publishes the complete messages written so far, and calls the peer's
 * `readable` if the peer had drained its queue. Call at the end of a message
 * or of a batch of messages. Never blocks. */
void zi_pipe_flush(zi_pipe_t *p);

/* ---- reading (messages from the peer to p) ---------------------------- */

/* true when a frame can be read. When false, p is marked asleep: the peer's
 * next flush of a message calls `readable`. Never blocks. */
bool zi_pipe_check_read(zi_pipe_t *p);

/* The next frame (the caller owns the reference), or NULL when none is
 * published (marked asleep, as zi_pipe_check_read) or p is closed. Frames
 * come whole messages at a time: after a frame with MORE, the next read never
 * returns NULL. Never blocks. */
zinc_frame_t *zi_pipe_read(zi_pipe_t *p);

/* The next frame without taking it (the pipe keeps the reference), or NULL
 * as zi_pipe_read (marked asleep). Never blocks. */
zinc_frame_t *zi_pipe_peek(zi_pipe_t *p);

/* true when the peer has closed and p has read every message it published:
 * nothing more will ever arrive. */
bool zi_pipe_eof(zi_pipe_t *p);

/* true when the peer has closed its end. */
bool zi_pipe_peer_closed(const zi_pipe_t *p);

/* ---- termination ------------------------------------------------------ */

/* Closes p: publishes its complete messages, stops reading and writing on p,
 * and tells the peer (`terminated`) unless the peer is closed. Idempotent.
 * Waits only for a callback into p's sink that is in progress. */
void zi_pipe_close(zi_pipe_t *p);

/* Closes p if needed and releases it; p must not be used again. The second
 * free of a pair releases the pair and unrefs every frame left in it. */
void zi_pipe_free(zi_pipe_t *p);

#endif
