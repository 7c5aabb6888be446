/* Mailbox: order, eventfd readable exactly while commands are pending,
 * blocking wait, many producers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/mailbox.h"
#include "util/clock.h"

static bool fd_readable(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

static void test_mailbox_delivers_commands_in_order(void **state)
{
    zi_mailbox_t *mb = zi_mailbox_new();
    assert_non_null(mb);
    for (int i = 0; i < 100; i++) {
        zi_cmd_t c = {.type = ZI_CMD_USER, .value = i, .arg = &c};
        assert_int_equal(zi_mailbox_send(mb, &c), ZI_OK);
    }
    zi_cmd_t c;
    for (int i = 0; i < 100; i++) {
        assert_true(zi_mailbox_recv(mb, &c));
        assert_int_equal(c.type, ZI_CMD_USER);
        assert_int_equal(c.value, i);
    }
    assert_false(zi_mailbox_recv(mb, &c));
    zi_mailbox_free(mb);
}

static void test_mailbox_fd_is_readable_exactly_while_commands_are_pending(void **state)
{
    zi_mailbox_t *mb = zi_mailbox_new();
    int fd = zi_mailbox_fd(mb);
    assert_true(fd >= 0);
    assert_false(fd_readable(fd));
    zi_cmd_t c = {.type = ZI_CMD_USER};
    assert_int_equal(zi_mailbox_send(mb, &c), ZI_OK);
    assert_true(fd_readable(fd));
    assert_int_equal(zi_mailbox_send(mb, &c), ZI_OK);
    assert_true(zi_mailbox_recv(mb, &c));
    assert_true(fd_readable(fd)); /* one still pending */
    assert_true(zi_mailbox_recv(mb, &c));
    assert_false(fd_readable(fd));
    assert_false(zi_mailbox_recv(mb, &c));
    assert_false(fd_readable(fd));
    zi_mailbox_free(mb);
}

static void test_mailbox_wait_times_out_when_empty(void **state)
{
    zi_mailbox_t *mb = zi_mailbox_new();
    assert_int_equal(zi_mailbox_wait(mb, 0), ZI_ETIMEDOUT);
    int64_t t0 = zi_clock_ms();
    assert_int_equal(zi_mailbox_wait(mb, 30), ZI_ETIMEDOUT);
    assert_true(zi_clock_ms() - t0 >= 30);
    zi_cmd_t c = {.type = ZI_CMD_STOP};
    assert_int_equal(zi_mailbox_send(mb, &c), ZI_OK);
    assert_int_equal(zi_mailbox_wait(mb, -1), ZI_OK);
    zi_mailbox_free(mb);
}

static void test_mailbox_free_discards_pending_commands(void **state)
{
    zi_mailbox_t *mb = zi_mailbox_new();
    zi_cmd_t c = {.type = ZI_CMD_USER};
    for (int i = 0; i < 1000; i++) /* grows the ring past its first size */
        assert_int_equal(zi_mailbox_send(mb, &c), ZI_OK);
    zi_mailbox_free(mb);
}

/* ---- many producers --------------------------------------------------- */

#define PRODUCERS 4
#define PER_PRODUCER 50000

typedef struct {
    zi_mailbox_t *mb;
    int id;
} producer_t;

static void *producer(void *arg)
{
    producer_t *p = arg;
    for (int i = 0; i < PER_PRODUCER; i++) {
        zi_cmd_t c = {.type = ZI_CMD_USER + p->id, .value = i};
        if (zi_mailbox_send(p->mb, &c) != ZI_OK)
            abort();
    }
    return NULL;
}

static void test_mailbox_many_producers_keep_their_own_order(void **state)
{
    zi_mailbox_t *mb = zi_mailbox_new();
    producer_t p[PRODUCERS];
    pthread_t t[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        p[i] = (producer_t){mb, i};
        assert_int_equal(pthread_create(&t[i], NULL, producer, &p[i]), 0);
    }
    int64_t next[PRODUCERS] = {0};
    long total = 0;
    while (total < (long)PRODUCERS * PER_PRODUCER) {
        assert_int_equal(zi_mailbox_wait(mb, 10000), ZI_OK);
        zi_cmd_t c;
        while (zi_mailbox_recv(mb, &c)) {
            int id = c.type - ZI_CMD_USER;
            assert_true(id >= 0 && id < PRODUCERS);
            assert_int_equal(c.value, next[id]);
            next[id]++;
            total++;
        }
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(t[i], NULL);
    /* A producer's signal may land after its command was taken: the next
     * recv finds nothing and resets the eventfd. */
    zi_cmd_t c;
    assert_false(zi_mailbox_recv(mb, &c));
    assert_false(fd_readable(zi_mailbox_fd(mb)));
    zi_mailbox_free(mb);
}

/* ---- wake-ups ---------------------------------------------------------- */

#define PINGS 20000

static void *ponger(void *arg)
{
    zi_mailbox_t **mb = arg; /* mb[0]: pings in, mb[1]: pongs out */
    for (long got = 0; got < PINGS;) {
        if (zi_mailbox_wait(mb[0], 10000) != ZI_OK)
            return NULL; /* lost wake-up: the main thread times out too */
        zi_cmd_t c;
        while (zi_mailbox_recv(mb[0], &c)) {
            got++;
            if (zi_mailbox_send(mb[1], &c) != ZI_OK)
                abort();
        }
    }
    return NULL;
}

/* Every send to an empty mailbox wakes a consumer that is about to wait, or
 * already waiting: one command at a time, back and forth. */
static void test_mailbox_ping_pong_never_loses_a_wake_up(void **state)
{
    zi_mailbox_t *mb[2] = {zi_mailbox_new(), zi_mailbox_new()};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, ponger, mb), 0);
    for (long i = 0; i < PINGS; i++) {
        zi_cmd_t c = {.type = ZI_CMD_USER, .value = i};
        assert_int_equal(zi_mailbox_send(mb[0], &c), ZI_OK);
        bool got = false;
        while (!got) {
            assert_int_equal(zi_mailbox_wait(mb[1], 10000), ZI_OK);
            while (zi_mailbox_recv(mb[1], &c)) {
                assert_int_equal(c.value, i);
                got = true;
            }
        }
    }
    pthread_join(t, NULL);
    zi_mailbox_free(mb[0]);
    zi_mailbox_free(mb[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mailbox_delivers_commands_in_order),
        cmocka_unit_test(test_mailbox_fd_is_readable_exactly_while_commands_are_pending),
        cmocka_unit_test(test_mailbox_wait_times_out_when_empty),
        cmocka_unit_test(test_mailbox_free_discards_pending_commands),
        cmocka_unit_test(test_mailbox_many_producers_keep_their_own_order),
        cmocka_unit_test(test_mailbox_ping_pong_never_loses_a_wake_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
