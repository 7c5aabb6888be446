/* ypipe_conflate: what it keeps, in one thread, then two threads at once
 * (every frame released exactly once, the reader never goes backwards and
 * ends on the newest message). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/ypipe_conflate.h"

static atomic_uint conflate_freed;

static void conflate_free_tag(void *data, void *hint)
{
    (void)hint;
    free(data);
    atomic_fetch_add(&conflate_freed, 1);
}

/* A frame carrying tag n; zero-copy, so its release is counted. */
static zinc_frame_t *tagged(uint32_t n, bool more)
{
    uint32_t *p = malloc(sizeof *p);
    assert_non_null(p);
    *p = n;
    zinc_frame_t *f = zinc_frame_new_zerocopy(p, sizeof *p, conflate_free_tag, NULL, false);
    assert_non_null(f);
    zi_frame_set_more(f, more);
    return f;
}

static uint32_t tag_of(const zinc_frame_t *f)
{
    uint32_t n;
    memcpy(&n, zinc_frame_data(f), sizeof n);
    return n;
}

static zinc_frame_t *peer_frame(void)
{
    zinc_frame_t *f = zinc_frame_new(NULL, 0);
    assert_non_null(f);
    f->flags = ZI_FRAME_PEER;
    return f;
}

static void test_conflate_keeps_only_the_newest_message(void **state)
{
    (void)state;
    atomic_store(&conflate_freed, 0);
    zi_ypipe_conflate_t *q = zi_ypipe_conflate_new();
    assert_non_null(q);
    assert_false(zi_ypipe_conflate_check_read(q));
    assert_null(zi_ypipe_conflate_read(q));
    for (uint32_t i = 1; i <= 5; i++) {
        assert_int_equal(zi_ypipe_conflate_write(q, tagged(i, false), false), ZI_OK);
        (void)zi_ypipe_conflate_flush(q);
    }
    /* Written but not flushed: invisible; its flush replaces message 5. */
    assert_int_equal(zi_ypipe_conflate_write(q, tagged(6, false), false), ZI_OK);
    assert_int_equal(atomic_load(&conflate_freed), 4);
    zinc_frame_t *f = zi_ypipe_conflate_read(q);
    assert_non_null(f);
    assert_int_equal(tag_of(f), 5);
    zinc_frame_unref(f);
    assert_null(zi_ypipe_conflate_read(q));
    (void)zi_ypipe_conflate_flush(q);
    f = zi_ypipe_conflate_read(q);
    assert_int_equal(tag_of(f), 6);
    zinc_frame_unref(f);
    assert_int_equal(atomic_load(&conflate_freed), 6);
    zi_ypipe_conflate_free(q, zinc_frame_unref);
}

static void test_conflate_cuts_a_multipart_message_to_its_last_frame(void **state)
{
    (void)state;
    atomic_store(&conflate_freed, 0);
    zi_ypipe_conflate_t *q = zi_ypipe_conflate_new();
    assert_int_equal(zi_ypipe_conflate_write(q, tagged(1, true), true), ZI_OK);
    assert_int_equal(zi_ypipe_conflate_write(q, tagged(2, true), true), ZI_OK);
    assert_int_equal(atomic_load(&conflate_freed), 2); /* released at once */
    assert_null(zi_ypipe_conflate_unwrite(q));
    (void)zi_ypipe_conflate_flush(q); /* an unfinished message publishes nothing */
    assert_false(zi_ypipe_conflate_check_read(q));
    assert_int_equal(zi_ypipe_conflate_write(q, tagged(3, false), false), ZI_OK);
    (void)zi_ypipe_conflate_flush(q);
    zinc_frame_t *f = zi_ypipe_conflate_read(q);
    assert_int_equal(tag_of(f), 3);
    assert_false(zinc_frame_more(f));
    zinc_frame_unref(f);
    zi_ypipe_conflate_free(q, zinc_frame_unref);
}

static void test_conflate_passes_every_peer_frame_before_the_message(void **state)
{
    (void)state;
    zi_ypipe_conflate_t *q = zi_ypipe_conflate_new();
    assert_int_equal(zi_ypipe_conflate_write(q, peer_frame(), false), ZI_OK);
    assert_int_equal(zi_ypipe_conflate_write(q, tagged(1, false), false), ZI_OK);
    assert_int_equal(zi_ypipe_conflate_write(q, peer_frame(), false), ZI_OK);
    assert_int_equal(zi_ypipe_conflate_write(q, tagged(2, false), false), ZI_OK);
    (void)zi_ypipe_conflate_flush(q);
    for (int i = 0; i < 2; i++) {
        zinc_frame_t *f = zi_ypipe_conflate_peek(q);
        assert_non_null(f);
        assert_true(f->flags & ZI_FRAME_PEER);
        assert_ptr_equal(zi_ypipe_conflate_read(q), f);
        zinc_frame_unref(f);
    }
    zinc_frame_t *f = zi_ypipe_conflate_read(q);
    assert_int_equal(tag_of(f), 2);
    zinc_frame_unref(f);
    assert_null(zi_ypipe_conflate_read(q));
    zi_ypipe_conflate_free(q, zinc_frame_unref);
}

static void test_conflate_flush_says_when_the_reader_sleeps(void **state)
{
    (void)state;
    zi_ypipe_conflate_t *q = zi_ypipe_conflate_new();
    assert_true(zi_ypipe_conflate_flush(q)); /* nothing to publish */
    assert_int_equal(zi_ypipe_conflate_write(q, tagged(1, false), false), ZI_OK);
    assert_false(zi_ypipe_conflate_flush(q)); /* a new queue's reader sleeps */
    assert_int_equal(zi_ypipe_conflate_write(q, tagged(2, false), false), ZI_OK);
    assert_true(zi_ypipe_conflate_flush(q)); /* not drained since: awake */
    zinc_frame_t *f = zi_ypipe_conflate_read(q);
    assert_int_equal(tag_of(f), 2);
    zinc_frame_unref(f);
    assert_false(zi_ypipe_conflate_check_read(q)); /* drained: asleep */
    assert_int_equal(zi_ypipe_conflate_write(q, tagged(3, false), false), ZI_OK);
    assert_false(zi_ypipe_conflate_flush(q));
    /* Peer frames wake a sleeping reader too. */
    f = zi_ypipe_conflate_read(q);
    zinc_frame_unref(f);
    assert_null(zi_ypipe_conflate_read(q));
    assert_int_equal(zi_ypipe_conflate_write(q, peer_frame(), false), ZI_OK);
    assert_false(zi_ypipe_conflate_flush(q));
    zi_ypipe_conflate_free(q, zinc_frame_unref);
}

static void test_conflate_free_releases_what_is_left(void **state)
{
    (void)state;
    atomic_store(&conflate_freed, 0);
    zi_ypipe_conflate_t *q = zi_ypipe_conflate_new();
    assert_int_equal(zi_ypipe_conflate_write(q, tagged(1, false), false), ZI_OK);
    (void)zi_ypipe_conflate_flush(q);
    assert_non_null(zi_ypipe_conflate_peek(q)); /* held by the reader */
    assert_int_equal(zi_ypipe_conflate_write(q, tagged(2, false), false), ZI_OK);
    (void)zi_ypipe_conflate_flush(q);                                             /* published */
    assert_int_equal(zi_ypipe_conflate_write(q, tagged(3, false), false), ZI_OK); /* pending */
    assert_int_equal(atomic_load(&conflate_freed), 0);
    zi_ypipe_conflate_free(q, zinc_frame_unref);
    assert_int_equal(atomic_load(&conflate_freed), 3);
}

/* ---- two threads ------------------------------------------------------- */

enum { STRESS_N = 200000 };

typedef struct {
    zi_ypipe_conflate_t *q;
    sem_t wake;
    atomic_bool done;
    uint32_t last; /* reader's: the last tag it read */
    uint32_t reads;
    int backwards;
} stress_t;

static void *stress_writer(void *arg)
{
    stress_t *s = arg;
    for (uint32_t i = 1; i <= STRESS_N; i++) {
        bool more = i % 3 == 0; /* every third message has two frames */
        if (more)
            assert_int_equal(zi_ypipe_conflate_write(s->q, tagged(0, true), true), ZI_OK);
        assert_int_equal(zi_ypipe_conflate_write(s->q, tagged(i, false), false), ZI_OK);
        if (!zi_ypipe_conflate_flush(s->q))
            sem_post(&s->wake);
    }
    atomic_store(&s->done, true);
    sem_post(&s->wake);
    return NULL;
}

static void *stress_reader(void *arg)
{
    stress_t *s = arg;
    for (;;) {
        zinc_frame_t *f = zi_ypipe_conflate_read(s->q);
        if (f) {
            uint32_t n = tag_of(f);
            if (n <= s->last || zinc_frame_more(f))
                s->backwards++;
            s->last = n;
            s->reads++;
            zinc_frame_unref(f);
            continue;
        }
        if (s->last == STRESS_N)
            break;
        /* Asleep: the writer's next flush posts. */
        while (sem_wait(&s->wake) != 0) {
        }
    }
    return NULL;
}

static void test_conflate_two_threads_reader_ends_on_the_newest(void **state)
{
    (void)state;
    atomic_store(&conflate_freed, 0);
    stress_t s = {.q = zi_ypipe_conflate_new()};
    assert_non_null(s.q);
    sem_init(&s.wake, 0, 0);
    atomic_init(&s.done, false);
    pthread_t w, r;
    assert_int_equal(pthread_create(&r, NULL, stress_reader, &s), 0);
    assert_int_equal(pthread_create(&w, NULL, stress_writer, &s), 0);
    pthread_join(w, NULL);
    pthread_join(r, NULL);
    assert_int_equal(s.backwards, 0);
    assert_int_equal(s.last, STRESS_N);
    assert_true(s.reads >= 1 && s.reads <= STRESS_N);
    zi_ypipe_conflate_free(s.q, zinc_frame_unref);
    /* Every frame written was released once: read, replaced or cut. */
    assert_int_equal(atomic_load(&conflate_freed), STRESS_N + STRESS_N / 3);
    sem_destroy(&s.wake);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conflate_keeps_only_the_newest_message),
        cmocka_unit_test(test_conflate_cuts_a_multipart_message_to_its_last_frame),
        cmocka_unit_test(test_conflate_passes_every_peer_frame_before_the_message),
        cmocka_unit_test(test_conflate_flush_says_when_the_reader_sleeps),
        cmocka_unit_test(test_conflate_free_releases_what_is_left),
        cmocka_unit_test(test_conflate_two_threads_reader_ends_on_the_newest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
