#include <stdlib.h>
#include <string.h>

#include "zmtp/outq.h"

/* The batch only grows while writes lag behind; this bounds it. */
#define OUTQ_BATCH_MAX ((size_t)1 << 30)

void zmtp_outq_init(zmtp_outq_t *q)
{
    memset(q, 0, sizeof *q);
    zi_wbuf_init(&q->batch, OUTQ_BATCH_MAX);
}

void zmtp_outq_fini(zmtp_outq_t *q)
{
    for (size_t i = 0; i < q->count; i++)
        zinc_frame_unref(q->segs[(q->head + i) % q->cap].frame);
    free(q->segs);
    zi_wbuf_fini(&q->batch);
    memset(q, 0, sizeof *q);
}

static zmtp_outseg_t *outq_at(const zmtp_outq_t *q, size_t i)
{
    return &q->segs[(q->head + i) % q->cap];
}

static zi_err outq_push(zmtp_outq_t *q, zinc_frame_t *f, size_t off, size_t len)
{
    if (q->count == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        zmtp_outseg_t *segs = malloc(cap * sizeof *segs);
        if (!segs)
            return ZI_ENOMEM;
        for (size_t i = 0; i < q->count; i++)
            segs[i] = *outq_at(q, i);
        free(q->segs);
        q->segs = segs;
        q->cap = cap;
        q->head = 0;
    }
    *outq_at(q, q->count) = (zmtp_outseg_t){f, off, len};
    q->count++;
    q->pending += len;
    return ZI_OK;
}

/* Batch bytes appended since the last commit become (part of) a segment. */
zi_err zmtp_outq_commit(zmtp_outq_t *q)
{
    size_t add = q->batch.len - q->batch_tail;
    if (add == 0)
        return ZI_OK;
    if (q->count) {
        zmtp_outseg_t *last = outq_at(q, q->count - 1);
        if (!last->frame && last->off + last->len == q->batch_tail) {
            last->len += add;
            q->pending += add;
            q->batch_tail = q->batch.len;
            return ZI_OK;
        }
    }
    zi_err e = outq_push(q, NULL, q->batch_tail, add);
    if (e != ZI_OK) {
        q->batch.len = q->batch_tail; /* forget what could not be queued */
        return e;
    }
    q->batch_tail = q->batch.len;
    return ZI_OK;
}

zi_err zmtp_outq_put(zmtp_outq_t *q, const void *p, size_t n)
{
    zi_err e = zi_wbuf_put(&q->batch, p, n);
    return e == ZI_OK ? zmtp_outq_commit(q) : e;
}

zi_err zmtp_outq_put_frame(zmtp_outq_t *q, zinc_frame_t *f)
{
    if (f->size == 0) {
        zinc_frame_unref(f);
        return ZI_OK;
    }
    zi_err e = outq_push(q, f, 0, f->size);
    if (e != ZI_OK)
        zinc_frame_unref(f);
    return e;
}

int zmtp_outq_iov(const zmtp_outq_t *q, struct iovec *iov, int max)
{
    int n = 0;
    for (size_t i = 0; i < q->count && n < max; i++) {
        const zmtp_outseg_t *s = outq_at(q, i);
        const uint8_t *base = s->frame ? s->frame->data : q->batch.data;
        iov[n].iov_base = (void *)(base + s->off);
        iov[n].iov_len = s->len;
        n++;
    }
    return n;
}

/* When the written prefix of the batch is large, move the rest down; when
 * everything was written, start again at 0. */
static void outq_compact(zmtp_outq_t *q)
{
    size_t shift = q->batch_done;
    if (shift == 0 || (shift < q->batch_tail && (shift < 65536 || shift < q->batch_tail / 2)))
        return;
    memmove(q->batch.data, q->batch.data + shift, q->batch.len - shift);
    q->batch.len -= shift;
    q->batch_tail -= shift;
    q->batch_done = 0;
    for (size_t i = 0; i < q->count; i++) {
        zmtp_outseg_t *s = outq_at(q, i);
        if (!s->frame)
            s->off -= shift;
    }
}

void zmtp_outq_consume(zmtp_outq_t *q, size_t n)
{
    while (n > 0 && q->count > 0) {
        zmtp_outseg_t *s = outq_at(q, 0);
        size_t take = n < s->len ? n : s->len;
        s->off += take;
        s->len -= take;
        q->pending -= take;
        n -= take;
        if (!s->frame)
            q->batch_done = s->off;
        if (s->len == 0) {
            zinc_frame_unref(s->frame);
            q->head = (q->head + 1) % q->cap;
            q->count--;
        }
    }
    outq_compact(q);
}
