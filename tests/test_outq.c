/* The engine's output queue: batching, zero-copy segments, partial writes,
 * frame release and batch compaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "vectors.h"
#include "zmtp/outq.h"

/* ---- helpers ---------------------------------------------------------- */

typedef struct {
    int calls;
    void *last;
} freed_t;

static void count_free(void *data, void *hint)
{
    freed_t *c = hint;
    c->calls++;
    c->last = data;
}

static void free_and_count(void *data, void *hint)
{
    count_free(data, hint);
    free(data);
}

/* Everything the queue offers, concatenated (without consuming). */
static size_t outq_peek(const zmtp_outq_t *q, uint8_t *out, size_t cap)
{
    struct iovec iov[64];
    int n = zmtp_outq_iov(q, iov, 64);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        assert_true(len + iov[i].iov_len <= cap);
        memcpy(out + len, iov[i].iov_base, iov[i].iov_len);
        len += iov[i].iov_len;
    }
    return len;
}

/* Takes up to n octets off the front as a transport write would. */
static size_t outq_write(zmtp_outq_t *q, uint8_t *out, size_t n)
{
    struct iovec iov[16];
    int cnt = zmtp_outq_iov(q, iov, 16);
    size_t got = 0;
    for (int i = 0; i < cnt && got < n; i++) {
        size_t take = iov[i].iov_len < n - got ? iov[i].iov_len : n - got;
        memcpy(out + got, iov[i].iov_base, take);
        got += take;
    }
    zmtp_outq_consume(q, got);
    return got;
}

/* ---- batching and zero copy ------------------------------------------- */

static void test_outq_small_pieces_coalesce_into_one_iovec(void **state)
{
    (void)state;
    zmtp_outq_t q;
    zmtp_outq_init(&q);
    assert_int_equal(zmtp_outq_put(&q, "ab", 2), ZI_OK);
    assert_int_equal(zmtp_outq_put(&q, "cd", 2), ZI_OK);
    assert_int_equal(zi_wbuf_put(zmtp_outq_batch(&q), "ef", 2), ZI_OK);
    assert_int_equal(zmtp_outq_commit(&q), ZI_OK);
    struct iovec iov[4];
    assert_int_equal(zmtp_outq_iov(&q, iov, 4), 1);
    assert_int_equal(iov[0].iov_len, 6);
    assert_memory_equal(iov[0].iov_base, "abcdef", 6);
    assert_int_equal(q.pending, 6);
    zmtp_outq_fini(&q);
}

static void test_outq_commit_without_new_bytes_adds_nothing(void **state)
{
    (void)state;
    zmtp_outq_t q;
    zmtp_outq_init(&q);
    assert_int_equal(zmtp_outq_commit(&q), ZI_OK);
    struct iovec iov[2];
    assert_int_equal(zmtp_outq_iov(&q, iov, 2), 0);
    assert_int_equal(zmtp_outq_put(&q, "x", 1), ZI_OK);
    assert_int_equal(zmtp_outq_commit(&q), ZI_OK);
    assert_int_equal(zmtp_outq_iov(&q, iov, 2), 1);
    assert_int_equal(q.pending, 1);
    zmtp_outq_fini(&q);
}

static void test_outq_big_frame_is_an_iovec_pointing_at_its_data(void **state)
{
    (void)state;
    static uint8_t data[100000];
    freed_t fr = {0, NULL};
    zinc_frame_t *f = zinc_frame_new_zerocopy(data, sizeof data, count_free, &fr, false);
    assert_non_null(f);
    zmtp_outq_t q;
    zmtp_outq_init(&q);
    assert_int_equal(zmtp_outq_put(&q, zt_hdr_256, 9), ZI_OK);
    assert_int_equal(zmtp_outq_put_frame(&q, f), ZI_OK);
    assert_int_equal(zmtp_outq_put(&q, zt_frame_empty, 2), ZI_OK);
    struct iovec iov[4];
    assert_int_equal(zmtp_outq_iov(&q, iov, 4), 3);
    assert_int_equal(iov[0].iov_len, 9);
    assert_ptr_equal(iov[1].iov_base, data); /* zero copy */
    assert_int_equal(iov[1].iov_len, sizeof data);
    assert_int_equal(iov[2].iov_len, 2);
    assert_int_equal(q.pending, 9 + sizeof data + 2);
    /* partially written: the iovec still points into the frame */
    zmtp_outq_consume(&q, 9 + 1000);
    assert_int_equal(zmtp_outq_iov(&q, iov, 4), 2);
    assert_ptr_equal(iov[0].iov_base, data + 1000);
    assert_int_equal(iov[0].iov_len, sizeof data - 1000);
    assert_int_equal(fr.calls, 0);
    zmtp_outq_fini(&q);
    assert_int_equal(fr.calls, 1);
}

static void test_outq_iov_respects_the_maximum_count(void **state)
{
    (void)state;
    zmtp_outq_t q;
    zmtp_outq_init(&q);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(zmtp_outq_put(&q, "h", 1), ZI_OK);
        assert_int_equal(zmtp_outq_put_frame(&q, zinc_frame_new("frame", 5)), ZI_OK);
    }
    struct iovec iov[10];
    assert_int_equal(zmtp_outq_iov(&q, iov, 3), 3);
    assert_int_equal(zmtp_outq_iov(&q, iov, 10), 10);
    assert_int_equal(zmtp_outq_iov(&q, iov, 0), 0);
    zmtp_outq_fini(&q);
}

static void test_outq_empty_frame_is_released_at_once_and_adds_nothing(void **state)
{
    (void)state;
    freed_t fr = {0, NULL};
    static uint8_t data[1];
    zmtp_outq_t q;
    zmtp_outq_init(&q);
    assert_int_equal(
        zmtp_outq_put_frame(&q, zinc_frame_new_zerocopy(data, 0, count_free, &fr, false)), ZI_OK);
    assert_int_equal(fr.calls, 1);
    struct iovec iov[2];
    assert_int_equal(zmtp_outq_iov(&q, iov, 2), 0);
    assert_int_equal(q.pending, 0);
    zmtp_outq_fini(&q);
    assert_int_equal(fr.calls, 1);
}

/* ---- partial writes and release --------------------------------------- */

enum { PW_FRAME1 = 700, PW_FRAME2 = 300 };

/* A queue holding batch, frame, batch, frame, batch; the reference bytes
 * in ref. Frames count their releases in fr[0..1]. */
static size_t pw_build(zmtp_outq_t *q, uint8_t *ref, freed_t fr[2], uint8_t *d1, uint8_t *d2)
{
    size_t len = 0;
    zmtp_outq_init(q);
    zt_fill_pattern(d1, PW_FRAME1, 1);
    zt_fill_pattern(d2, PW_FRAME2, 2);
    assert_int_equal(zmtp_outq_put(q, zt_greeting_null_31, 64), ZI_OK);
    memcpy(ref + len, zt_greeting_null_31, 64);
    len += 64;
    assert_int_equal(
        zmtp_outq_put_frame(q, zinc_frame_new_zerocopy(d1, PW_FRAME1, count_free, &fr[0], false)),
        ZI_OK);
    memcpy(ref + len, d1, PW_FRAME1);
    len += PW_FRAME1;
    assert_int_equal(zmtp_outq_put(q, zt_ready_dealer, sizeof zt_ready_dealer), ZI_OK);
    memcpy(ref + len, zt_ready_dealer, sizeof zt_ready_dealer);
    len += sizeof zt_ready_dealer;
    assert_int_equal(
        zmtp_outq_put_frame(q, zinc_frame_new_zerocopy(d2, PW_FRAME2, count_free, &fr[1], false)),
        ZI_OK);
    memcpy(ref + len, d2, PW_FRAME2);
    len += PW_FRAME2;
    assert_int_equal(zmtp_outq_put(q, zt_frame_hello_more, 7), ZI_OK);
    memcpy(ref + len, zt_frame_hello_more, 7);
    len += 7;
    return len;
}

static void test_outq_partial_write_at_every_offset_leaves_the_rest_intact(void **state)
{
    (void)state;
    uint8_t ref[2048], got[2048], d1[PW_FRAME1], d2[PW_FRAME2];
    zmtp_outq_t q;
    freed_t fr[2] = {{0, NULL}, {0, NULL}};
    size_t len = pw_build(&q, ref, fr, d1, d2);
    zmtp_outq_fini(&q);
    for (size_t k = 0; k <= len; k++) {
        memset(fr, 0, sizeof fr);
        assert_int_equal(pw_build(&q, ref, fr, d1, d2), len);
        zmtp_outq_consume(&q, k);
        assert_int_equal(q.pending, len - k);
        size_t n = outq_peek(&q, got, sizeof got);
        assert_int_equal(n, len - k);
        assert_memory_equal(got, ref + k, n);
        /* a frame is released once its last octet is written, not before */
        assert_int_equal(fr[0].calls, k >= 64 + PW_FRAME1 ? 1 : 0);
        assert_int_equal(fr[1].calls, k >= 64 + PW_FRAME1 + 43 + PW_FRAME2 ? 1 : 0);
        /* and the rest in one more write */
        assert_int_equal(outq_write(&q, got, sizeof got), len - k);
        assert_int_equal(q.pending, 0);
        assert_int_equal(fr[0].calls, 1);
        assert_int_equal(fr[1].calls, 1);
        zmtp_outq_fini(&q);
        assert_int_equal(fr[0].calls, 1);
        assert_int_equal(fr[1].calls, 1);
    }
}

static void test_outq_written_frames_are_released_exactly_once(void **state)
{
    (void)state;
    uint8_t ref[2048], got[2048], d1[PW_FRAME1], d2[PW_FRAME2];
    zmtp_outq_t q;
    freed_t fr[2] = {{0, NULL}, {0, NULL}};
    size_t len = pw_build(&q, ref, fr, d1, d2);
    /* one octet at a time */
    for (size_t k = 0; k < len; k++) {
        assert_int_equal(outq_write(&q, got + k, 1), 1);
        assert_true(fr[0].calls <= 1 && fr[1].calls <= 1);
    }
    assert_memory_equal(got, ref, len);
    assert_int_equal(fr[0].calls, 1);
    assert_ptr_equal(fr[0].last, d1);
    assert_int_equal(fr[1].calls, 1);
    assert_ptr_equal(fr[1].last, d2);
    /* consuming more than is queued is harmless */
    zmtp_outq_consume(&q, 100);
    assert_int_equal(q.pending, 0);
    zmtp_outq_fini(&q);
    assert_int_equal(fr[0].calls, 1);
    assert_int_equal(fr[1].calls, 1);
}

static void test_outq_fini_releases_unwritten_frames_once(void **state)
{
    (void)state;
    uint8_t ref[2048], d1[PW_FRAME1], d2[PW_FRAME2];
    zmtp_outq_t q;
    freed_t fr[2] = {{0, NULL}, {0, NULL}};
    pw_build(&q, ref, fr, d1, d2);
    zmtp_outq_consume(&q, 64 + 10);
    zmtp_outq_fini(&q);
    assert_int_equal(fr[0].calls, 1);
    assert_int_equal(fr[1].calls, 1);
}

static void test_outq_a_frame_queued_twice_keeps_its_data_until_both_are_written(void **state)
{
    (void)state;
    static uint8_t data[500];
    freed_t fr = {0, NULL};
    zinc_frame_t *f = zinc_frame_new_zerocopy(data, sizeof data, count_free, &fr, false);
    zmtp_outq_t q;
    zmtp_outq_init(&q);
    assert_int_equal(zmtp_outq_put_frame(&q, zinc_frame_ref(f)), ZI_OK);
    assert_int_equal(zmtp_outq_put_frame(&q, f), ZI_OK);
    zmtp_outq_consume(&q, sizeof data);
    assert_int_equal(fr.calls, 0);
    zmtp_outq_consume(&q, sizeof data);
    assert_int_equal(fr.calls, 1);
    zmtp_outq_fini(&q);
    assert_int_equal(fr.calls, 1);
}

/* ---- compaction ------------------------------------------------------- */

/* A long random interleaving of puts (small, batch-sized and large, copied
 * and zero copy) and partial writes: the bytes written are exactly the bytes
 * put, while the batch is compacted behind the writes. */
static void test_outq_compaction_keeps_the_byte_stream_identical(void **state)
{
    (void)state;
    const size_t total_max = (size_t)64 << 20;
    uint8_t *ref = malloc(total_max), *out = malloc(total_max);
    uint8_t *scratch = malloc(200000);
    assert_non_null(ref);
    assert_non_null(out);
    assert_non_null(scratch);
    size_t put = 0, written = 0, max_batch = 0;
    int compactions = 0, moves = 0;
    freed_t fr = {0, NULL};
    int frames = 0;
    zmtp_outq_t q;
    zmtp_outq_init(&q);
    uint64_t rng = 2024;
    for (int step = 0; step < 8000; step++) {
        uint64_t r = zt_rand(&rng);
        int op = (int)(r % 10);
        if (op < 4 && put + 200000 < total_max) {
            /* copied bytes: mostly small, sometimes big */
            size_t n = (r >> 8) % 4 == 0 ? 1 + (size_t)((r >> 16) % 100000)
                                         : 1 + (size_t)((r >> 16) % 200);
            zt_rand_bytes(&rng, scratch, n);
            if ((r >> 40) & 1) {
                assert_int_equal(zmtp_outq_put(&q, scratch, n), ZI_OK);
            } else {
                assert_int_equal(zi_wbuf_put(zmtp_outq_batch(&q), scratch, n), ZI_OK);
                assert_int_equal(zmtp_outq_commit(&q), ZI_OK);
            }
            memcpy(ref + put, scratch, n);
            put += n;
        } else if (op < 5 && put + 200000 < total_max) {
            /* a zero-copy frame */
            size_t n = 1 + (size_t)((r >> 16) % 20000);
            uint8_t *d = malloc(n);
            assert_non_null(d);
            zt_rand_bytes(&rng, d, n);
            memcpy(ref + put, d, n);
            put += n;
            assert_int_equal(
                zmtp_outq_put_frame(&q, zinc_frame_new_zerocopy(d, n, free_and_count, &fr, false)),
                ZI_OK);
            frames++;
        } else {
            /* a write of a random size; phases of slow writes (the queue
             * grows) and fast ones (it drains) */
            size_t limit = (step / 200) % 2 ? 200000 : 8000;
            size_t n = (size_t)((r >> 16) % limit);
            size_t before_done = q.batch_done;
            size_t got = outq_write(&q, out + written, n);
            written += got;
            if (q.batch_done < before_done) {
                compactions++;
                if (q.batch.len > 0)
                    moves++; /* unwritten bytes were moved down */
            }
        }
        assert_int_equal(q.pending, put - written);
        if (q.batch.len > max_batch)
            max_batch = q.batch.len;
    }
    written += outq_write(&q, out + written, total_max);
    assert_int_equal(written, put);
    assert_memory_equal(out, ref, put);
    assert_int_equal(q.pending, 0);
    assert_true(compactions > 0);
    assert_true(moves > 0);
    /* the batch stayed far below what went through it */
    assert_true(max_batch < put / 4);
    assert_int_equal(fr.calls, frames);
    zmtp_outq_fini(&q);
    assert_int_equal(fr.calls, frames);
    free(ref);
    free(out);
    free(scratch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outq_small_pieces_coalesce_into_one_iovec),
        cmocka_unit_test(test_outq_commit_without_new_bytes_adds_nothing),
        cmocka_unit_test(test_outq_big_frame_is_an_iovec_pointing_at_its_data),
        cmocka_unit_test(test_outq_iov_respects_the_maximum_count),
        cmocka_unit_test(test_outq_empty_frame_is_released_at_once_and_adds_nothing),
        cmocka_unit_test(test_outq_partial_write_at_every_offset_leaves_the_rest_intact),
        cmocka_unit_test(test_outq_written_frames_are_released_exactly_once),
        cmocka_unit_test(test_outq_fini_releases_unwritten_frames_once),
        cmocka_unit_test(test_outq_a_frame_queued_twice_keeps_its_data_until_both_are_written),
        cmocka_unit_test(test_outq_compaction_keeps_the_byte_stream_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
