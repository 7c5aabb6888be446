/* The engine's output queue: what is to be written, in order, as segments.
 *
 * Small pieces (headers, commands, small frame bodies) are copied into one
 * batch buffer so that many frames leave in one write; a large frame body is
 * a segment pointing at the frame itself (zero copy), which holds a reference
 * until the bytes are written. Not thread-safe.
 */
#ifndef ZI_ZMTP_OUTQ_H
#define ZI_ZMTP_OUTQ_H

#include <stddef.h>
#include <sys/uio.h>

#include "core/frame.h"
#include "util/err.h"
#include "util/wbuf.h"

typedef struct {
    zinc_frame_t *frame; /* NULL: a range of the batch buffer */
    size_t off;          /* batch offset, or offset into frame data */
    size_t len;          /* bytes left in this segment */
} zmtp_outseg_t;

typedef struct {
    zi_wbuf_t batch;     /* copied bytes */
    size_t batch_done;   /* batch bytes already written */
    size_t batch_tail;   /* batch bytes already in a segment */
    zmtp_outseg_t *segs; /* ring */
    size_t head, count, cap;
    size_t pending; /* bytes not yet written */
} zmtp_outq_t;

void zmtp_outq_init(zmtp_outq_t *q);
/* Drops every segment (frame references too). */
void zmtp_outq_fini(zmtp_outq_t *q);

/* The batch buffer, for encoders to append to; call zmtp_outq_commit after
 * appending so the new bytes become a segment. */
static inline zi_wbuf_t *zmtp_outq_batch(zmtp_outq_t *q)
{
    return &q->batch;
}
ZI_MUST_USE zi_err zmtp_outq_commit(zmtp_outq_t *q);
/* Appends bytes (copied). */
ZI_MUST_USE zi_err zmtp_outq_put(zmtp_outq_t *q, const void *p, size_t n);
/* Appends the frame's data as a zero-copy segment; takes the reference (it
 * is dropped at once when an error is returned). */
ZI_MUST_USE zi_err zmtp_outq_put_frame(zmtp_outq_t *q, zinc_frame_t *f);

int zmtp_outq_iov(const zmtp_outq_t *q, struct iovec *iov, int max);
/* n bytes were written: segments done are released. */
void zmtp_outq_consume(zmtp_outq_t *q, size_t n);

#endif
