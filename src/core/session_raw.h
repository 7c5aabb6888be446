/* The raw mode of a session: the data path of a STREAM socket (libzmq's
 * ZMQ_STREAM), which speaks no ZMTP at all. Bytes read from the connection
 * become one-frame messages for the socket, in whatever chunks the reads
 * give; frames from the socket are written to the connection as they are.
 * Received bytes are never parsed.
 *
 * Empty frames mean something here, since a read never gives an empty
 * chunk: an empty frame towards the socket is a connect or disconnect notice
 * (the STREAM pattern delivers or drops it, per stream_notify), and the
 * pattern never sends an empty frame down (it closes the pipe instead).
 *
 * Same care as the ZMTP path: a large chunk is read straight into the
 * frame that carries it; small frames are batched into one write and large
 * ones written from their own memory (zero copy), through the engine's
 * output queue (src/zmtp/outq.h).
 *
 * A zi_raw_t belongs to one session and is used on its I/O thread only. The
 * session owns the fd and the pipe; these functions only read, write and
 * move frames.
 */
#ifndef ZI_CORE_SESSION_RAW_H
#define ZI_CORE_SESSION_RAW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/pipe.h"

typedef struct zi_raw zi_raw_t;

/* A raw connection's state, or NULL (ENOMEM). */
zi_raw_t *zi_raw_new(void);
/* Drops queued output and input held back (frame references too). NULL ok. */
void zi_raw_free(zi_raw_t *r);

/* ---- input: connection -> socket ------------------------------------- */

enum {
    ZI_RAW_AGAIN = 0, /* the fd has nothing more for now */
    ZI_RAW_BLOCKED,   /* the pipe is full: a frame is held (zi_raw_resume) */
    ZI_RAW_EOF,       /* the connection ended (end of stream or an error) */
};

/* Queues an empty message for the socket (a connect or disconnect notice).
 * It is held back, after anything held already, when the pipe is full.
 * *wrote is set when a frame went into the pipe (flush it). */
void zi_raw_notice(zi_raw_t *r, zi_pipe_t *pipe, bool *wrote);
/* Reads the fd up to `rounds` times, each chunk one message written to
 * pipe (dropped when pipe is NULL or its socket end is closed). Returns one
 * of the ZI_RAW_ values; *wrote as above. Call it only when nothing is held
 * (it returns ZI_RAW_BLOCKED at once otherwise). */
int zi_raw_read(zi_raw_t *r, int fd, zi_pipe_t *pipe, int rounds, bool *wrote);
/* Retries the frames held back. true when none is held any more. */
bool zi_raw_resume(zi_raw_t *r, zi_pipe_t *pipe, bool *wrote);

/* ---- output: socket -> connection ------------------------------------ */

/* Moves frames from pipe to the output queue while it holds fewer than
 * `high` bytes. true when the pipe was read empty (it then signals the
 * session when more comes). In-band peer frames and empty frames are
 * skipped. */
bool zi_raw_pull(zi_raw_t *r, zi_pipe_t *pipe, size_t high);
/* Writes queued output until done or the fd would block. 0, or -1 when the
 * connection refused the write (broken: stop writing). */
int zi_raw_write(zi_raw_t *r, int fd);
/* Bytes queued and not written yet. */
size_t zi_raw_out_pending(const zi_raw_t *r);

#endif
