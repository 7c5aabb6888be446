/* Helpers: strings (UTF-8 checked), JSON, multipart messages and user
 * serializers, over real sockets (inproc PAIR, and tcp where the I/O thread
 * matters). Every blocking call is bounded by rcvtimeo/sndtimeo. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "zinc.h"

typedef struct {
    zinc_ctx_t *ctx;
    zinc_socket_t *a, *b; /* a bound, b connected */
} fx_t;

static int counter;

static zinc_socket_t *fx_socket(zinc_ctx_t *ctx, int type)
{
    zinc_socket_t *s = zinc_socket_new(ctx, type);
    assert_non_null(s);
    assert_int_equal(zinc_set_int(s, "linger", 0), 0);
    assert_int_equal(zinc_set_int(s, "rcvtimeo", 2000), 0);
    assert_int_equal(zinc_set_int(s, "sndtimeo", 2000), 0);
    return s;
}

static void fx_open(fx_t *fx, const char *transport, int hwm)
{
    fx->ctx = zinc_ctx_new();
    assert_non_null(fx->ctx);
    fx->a = fx_socket(fx->ctx, ZINC_PAIR);
    fx->b = fx_socket(fx->ctx, ZINC_PAIR);
    if (hwm >= 0) {
        assert_int_equal(zinc_set_int(fx->a, "hwm", hwm), 0);
        assert_int_equal(zinc_set_int(fx->b, "hwm", hwm), 0);
    }
    char ep[128];
    if (strcmp(transport, "inproc") == 0)
        snprintf(ep, sizeof ep, "inproc://helpers-%d", counter++);
    else
        snprintf(ep, sizeof ep, "tcp://127.0.0.1:*");
    assert_int_equal(zinc_bind(fx->a, ep), 0);
    size_t len = sizeof ep;
    assert_int_equal(zinc_get(fx->a, "last_endpoint", ep, &len), 0);
    assert_int_equal(zinc_connect(fx->b, ep), 0);
}

static int setup_inproc(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    fx_open(fx, "inproc", -1);
    *state = fx;
    return 0;
}

static int setup_tcp(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    fx_open(fx, "tcp", -1);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    zinc_socket_close(fx->a);
    zinc_socket_close(fx->b);
    zinc_ctx_term(fx->ctx);
    free(fx);
    return 0;
}

/* Nothing is waiting on s. */
static void assert_nothing_queued(zinc_socket_t *s)
{
    char buf[8];
    assert_int_equal(zinc_recv(s, buf, sizeof buf, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
}

/* ---- strings ----------------------------------------------------------- */

static void test_string_round_trips_utf8_text(void **state)
{
    fx_t *fx = *state;
    const char *text = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e"; /* héllo € 𝄞 */
    assert_int_equal(zinc_send_string(fx->b, text, 0), (int)strlen(text));
    char *got = zinc_recv_string(fx->a, 0);
    assert_non_null(got);
    assert_string_equal(got, text);
    zinc_free(got);
}

static void test_string_empty_round_trips_as_empty_string(void **state)
{
    fx_t *fx = *state;
    assert_int_equal(zinc_send_string(fx->b, "", 0), 0);
    char *got = zinc_recv_string(fx->a, 0);
    assert_non_null(got);
    assert_string_equal(got, "");
    zinc_free(got);
}

static void test_send_string_refuses_invalid_utf8_and_sends_nothing(void **state)
{
    fx_t *fx = *state;
    assert_int_equal(zinc_send_string(fx->b, "ab\xc3(", 0), -1);
    assert_int_equal(errno, EILSEQ);
    assert_non_null(strstr(zinc_last_error_detail(), "UTF-8"));
    assert_int_equal(zinc_send_string(fx->b, NULL, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_nothing_queued(fx->a);
}

static void test_recv_string_invalid_utf8_is_eilseq_and_consumed(void **state)
{
    fx_t *fx = *state;
    assert_int_equal(zinc_send(fx->b, "\xff\xfe", 2, 0), 2);
    assert_int_equal(zinc_send_string(fx->b, "next", 0), 4);
    assert_null(zinc_recv_string(fx->a, 0));
    assert_int_equal(errno, EILSEQ);
    char *got = zinc_recv_string(fx->a, 0);
    assert_non_null(got);
    assert_string_equal(got, "next");
    zinc_free(got);
}

static void test_recv_string_nul_octet_is_eilseq_and_consumed(void **state)
{
    fx_t *fx = *state;
    assert_int_equal(zinc_send(fx->b, "ab\0cd", 5, 0), 5);
    assert_null(zinc_recv_string(fx->a, 0));
    assert_int_equal(errno, EILSEQ);
    assert_non_null(strstr(zinc_last_error_detail(), "NUL"));
    assert_nothing_queued(fx->a);
}

static void test_recv_string_would_block_is_eagain(void **state)
{
    fx_t *fx = *state;
    assert_null(zinc_recv_string(fx->a, ZINC_DONTWAIT));
    assert_int_equal(errno, EAGAIN);
}

/* RFC 3629 boundaries: shortest forms, surrogates, the U+10FFFF ceiling. */
static void test_recv_string_checks_utf8_boundaries(void **state)
{
    fx_t *fx = *state;
    static const struct {
        const char *bytes;
        bool valid;
    } cases[] = {
        {"\x7f", true},
        {"\xc2\x80", true},
        {"\xdf\xbf", true},
        {"\xe0\xa0\x80", true},
        {"\xed\x9f\xbf", true}, /* U+D7FF */
        {"\xee\x80\x80", true}, /* U+E000 */
        {"\xef\xbf\xbf", true},
        {"\xf0\x90\x80\x80", true},
        {"\xf4\x8f\xbf\xbf", true}, /* U+10FFFF */
        {"\xc0\x80", false},        /* overlong NUL */
        {"\xc1\xbf", false},
        {"\xe0\x9f\xbf", false},     /* overlong 3-octet */
        {"\xf0\x8f\xbf\xbf", false}, /* overlong 4-octet */
        {"\xed\xa0\x80", false},     /* U+D800 */
        {"\xed\xbf\xbf", false},     /* U+DFFF */
        {"\xf4\x90\x80\x80", false}, /* U+110000 */
        {"\xf5\x80\x80\x80", false},
        {"\x80", false},          /* lone continuation */
        {"\xe2\x82", false},      /* cut short */
        {"\xe2\x28\xa1", false},  /* bad continuation */
        {"a\xf0\x9d\x84", false}, /* cut at the end */
        {"\xfe", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = strlen(cases[i].bytes);
        assert_int_equal(zinc_send(fx->b, cases[i].bytes, n, 0), (int)n);
        char *got = zinc_recv_string(fx->a, 0);
        if (cases[i].valid) {
            assert_non_null(got);
            assert_memory_equal(got, cases[i].bytes, n + 1);
        } else {
            if (got)
                fail_msg("case %zu accepted", i);
            assert_int_equal(errno, EILSEQ);
        }
        zinc_free(got);
    }
    assert_nothing_queued(fx->a);
}

/* ---- JSON ---------------------------------------------------------------- */

static void test_json_round_trips_a_document_printed_unformatted(void **state)
{
    fx_t *fx = *state;
    cJSON *doc = cJSON_Parse("{ \"op\": \"add\", \"args\": [1, 2.5, -3], \"who\": \"J\\u00fcrgen\","
                             " \"ok\": true, \"none\": null, \"nested\": {\"a\": []} }");
    assert_non_null(doc);
    int n = zinc_send_json(fx->b, doc, 0);
    assert_true(n > 0);
    /* The wire text is cJSON's unformatted print. */
    char *expect = cJSON_PrintUnformatted(doc);
    char buf[256];
    assert_int_equal(zinc_recv(fx->a, buf, sizeof buf, 0), n);
    assert_int_equal((int)strlen(expect), n);
    assert_memory_equal(buf, expect, (size_t)n);
    cJSON_free(expect);

    assert_true(zinc_send_json(fx->b, doc, 0) > 0);
    cJSON *got = zinc_recv_json(fx->a, 0);
    assert_non_null(got);
    assert_true(cJSON_Compare(doc, got, true));
    cJSON_Delete(got);
    cJSON_Delete(doc);
}

static void test_json_round_trips_over_tcp(void **state)
{
    fx_t *fx = *state;
    cJSON *doc = cJSON_CreateObject();
    /* Large enough to leave as zero-copy text freed by the I/O thread. */
    char *big = malloc(100001);
    memset(big, 'x', 100000);
    big[100000] = '\0';
    cJSON_AddStringToObject(doc, "big", big);
    cJSON_AddNumberToObject(doc, "n", 42);
    free(big);
    for (int i = 0; i < 3; i++)
        assert_true(zinc_send_json(fx->b, doc, 0) > 100000);
    for (int i = 0; i < 3; i++) {
        cJSON *got = zinc_recv_json(fx->a, 0);
        assert_non_null(got);
        assert_true(cJSON_Compare(doc, got, true));
        cJSON_Delete(got);
    }
    cJSON_Delete(doc);
}

static void send_raw(zinc_socket_t *s, const char *text)
{
    assert_int_equal(zinc_send(s, text, strlen(text), 0), (int)strlen(text));
}

static void test_recv_json_malformed_is_eproto_and_consumed(void **state)
{
    fx_t *fx = *state;
    static const char *bad[] = {"{\"a\":", "{\"a\" 1}", "[1,2", "nul",         "{} x",
                                "1 2",     "\"abc",     "   ",  "{\"a\":tru}", "[1,]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        send_raw(fx->b, bad[i]);
        if (zinc_recv_json(fx->a, 0))
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(errno, EPROTO);
        assert_non_null(strstr(zinc_last_error_detail(), "recv_json"));
    }
    assert_int_equal(zinc_send(fx->b, "", 0, 0), 0); /* empty frame */
    assert_null(zinc_recv_json(fx->a, 0));
    assert_int_equal(errno, EPROTO);
    assert_nothing_queued(fx->a);
}

static void test_recv_json_allows_surrounding_whitespace(void **state)
{
    fx_t *fx = *state;
    send_raw(fx->b, " \t\r\n{\"k\": [true]}  \n");
    cJSON *got = zinc_recv_json(fx->a, 0);
    assert_non_null(got);
    assert_true(cJSON_IsTrue(cJSON_GetArrayItem(cJSON_GetObjectItem(got, "k"), 0)));
    cJSON_Delete(got);
    send_raw(fx->b, "17");
    got = zinc_recv_json(fx->a, 0);
    assert_non_null(got);
    assert_int_equal(got->valueint, 17);
    cJSON_Delete(got);
}

static void test_recv_json_rejects_non_utf8_and_nul_with_eilseq(void **state)
{
    fx_t *fx = *state;
    send_raw(fx->b, "\"\xc3\x28\"");
    assert_null(zinc_recv_json(fx->a, 0));
    assert_int_equal(errno, EILSEQ);
    assert_int_equal(zinc_send(fx->b, "{}\0", 3, 0), 3);
    assert_null(zinc_recv_json(fx->a, 0));
    assert_int_equal(errno, EILSEQ);
    assert_nothing_queued(fx->a);
}

static void test_recv_json_deep_nesting_fails_cleanly(void **state)
{
    fx_t *fx = *state;
    size_t n = 20000;
    char *deep = malloc(2 * n);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    assert_int_equal(zinc_send(fx->b, deep, 2 * n, 0), (int)(2 * n));
    free(deep);
    assert_null(zinc_recv_json(fx->a, 0));
    assert_int_equal(errno, EPROTO);
}

static void test_send_json_refuses_null_and_invalid_values(void **state)
{
    fx_t *fx = *state;
    assert_int_equal(zinc_send_json(fx->b, NULL, 0), -1);
    assert_int_equal(errno, EINVAL);
    cJSON invalid;
    memset(&invalid, 0, sizeof invalid); /* type cJSON_Invalid */
    assert_int_equal(zinc_send_json(fx->b, &invalid, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_nothing_queued(fx->a);
}

static void test_send_json_would_block_is_eagain_and_leaks_nothing(void **state)
{
    fx_t *fx = *state;
    zinc_socket_t *lone = fx_socket(fx->ctx, ZINC_PAIR); /* no peer: cannot send */
    cJSON *doc = cJSON_CreateString("x");
    assert_int_equal(zinc_send_json(lone, doc, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    cJSON_Delete(doc);
    zinc_socket_close(lone);
}

/* ---- multipart ----------------------------------------------------------- */

static void assert_frame_is(const zinc_frame_t *f, const char *text)
{
    assert_non_null(f);
    assert_int_equal(zinc_frame_size(f), strlen(text));
    if (*text)
        assert_memory_equal(zinc_frame_data(f), text, strlen(text));
}

static void test_multipart_round_trips_frames_in_order(void **state)
{
    fx_t *fx = *state;
    zinc_frame_t *fs[3] = {zinc_frame_new("one", 3), zinc_frame_new(NULL, 0),
                           zinc_frame_new("three", 5)};
    assert_int_equal(zinc_send_multipart(fx->b, fs, 3, 0), 0);
    for (int i = 0; i < 3; i++)
        zinc_frame_unref(fs[i]); /* borrowed: still the caller's */
    zinc_multipart_t *m = zinc_recv_multipart(fx->a, 0);
    assert_non_null(m);
    assert_int_equal(zinc_multipart_count(m), 3);
    assert_frame_is(zinc_multipart_frame(m, 0), "one");
    assert_frame_is(zinc_multipart_frame(m, 1), "");
    assert_frame_is(zinc_multipart_frame(m, 2), "three");
    assert_true(zinc_frame_more(zinc_multipart_frame(m, 0)));
    assert_false(zinc_frame_more(zinc_multipart_frame(m, 2)));
    assert_int_equal(zinc_multipart_bytes(m), 8);
    assert_null(zinc_multipart_frame(m, 3));
    assert_int_equal(errno, EINVAL);
    zinc_multipart_free(m);
    assert_nothing_queued(fx->a);
}

static void test_multipart_of_many_frames_round_trips(void **state)
{
    fx_t *fx = *state;
    enum { N = 40 };
    zinc_buf_t parts[N];
    char texts[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(texts[i], sizeof texts[i], "p%d", i);
        parts[i] = (zinc_buf_t){texts[i], strlen(texts[i])};
    }
    assert_int_equal(zinc_send_multipart_bufs(fx->b, parts, N, 0), 0);
    assert_int_equal(zinc_send_multipart_bufs(fx->b, parts, 1, 0), 0);
    zinc_multipart_t *m = zinc_recv_multipart(fx->a, 0);
    assert_non_null(m);
    assert_int_equal(zinc_multipart_count(m), N);
    for (int i = 0; i < N; i++)
        assert_frame_is(zinc_multipart_frames(m)[i], texts[i]);
    zinc_multipart_free(m);
    m = zinc_recv_multipart(fx->a, 0);
    assert_int_equal(zinc_multipart_count(m), 1);
    zinc_multipart_free(m);
}

static void test_received_multipart_can_be_sent_back_twice(void **state)
{
    fx_t *fx = *state;
    zinc_buf_t parts[2] = {{"head", 4}, {"body", 4}};
    assert_int_equal(zinc_send_multipart_bufs(fx->b, parts, 2, 0), 0);
    zinc_multipart_t *m = zinc_recv_multipart(fx->a, 0);
    assert_non_null(m);
    /* Sent twice while the first copy is still queued: the frames are shared
     * and their MORE flags must not change under the queue. */
    assert_int_equal(zinc_send_multipart(fx->a, zinc_multipart_frames(m), 2, 0), 0);
    assert_int_equal(zinc_send_multipart(fx->a, zinc_multipart_frames(m), 2, 0), 0);
    zinc_multipart_free(m);
    for (int k = 0; k < 2; k++) {
        zinc_multipart_t *e = zinc_recv_multipart(fx->b, 0);
        assert_non_null(e);
        assert_int_equal(zinc_multipart_count(e), 2);
        assert_frame_is(zinc_multipart_frame(e, 0), "head");
        assert_frame_is(zinc_multipart_frame(e, 1), "body");
        zinc_multipart_free(e);
    }
    assert_nothing_queued(fx->b);
}

static void test_send_multipart_same_frame_twice_keeps_flags_right(void **state)
{
    fx_t *fx = *state;
    zinc_frame_t *x = zinc_frame_new("x", 1), *y = zinc_frame_new("y", 1);
    zinc_frame_t *fs[3] = {x, y, x};
    assert_int_equal(zinc_send_multipart(fx->b, fs, 3, 0), 0);
    zinc_frame_unref(x);
    zinc_frame_unref(y);
    zinc_multipart_t *m = zinc_recv_multipart(fx->a, 0);
    assert_non_null(m);
    assert_int_equal(zinc_multipart_count(m), 3);
    assert_frame_is(zinc_multipart_frame(m, 2), "x");
    zinc_multipart_free(m);
    assert_nothing_queued(fx->a);
}

static void test_send_multipart_refuses_null_frames_and_sends_nothing(void **state)
{
    fx_t *fx = *state;
    zinc_frame_t *a = zinc_frame_new("a", 1);
    zinc_frame_t *fs[3] = {a, NULL, a};
    assert_int_equal(zinc_send_multipart(fx->b, fs, 3, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_send_multipart(fx->b, fs, 0, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_send_multipart(fx->b, NULL, 1, 0), -1);
    assert_int_equal(errno, EINVAL);
    zinc_buf_t parts[2] = {{"a", 1}, {NULL, 3}};
    assert_int_equal(zinc_send_multipart_bufs(fx->b, parts, 2, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_non_null(zinc_frame_data_mut(a)); /* still only the caller's */
    zinc_frame_unref(a);
    assert_nothing_queued(fx->a);
}

static void test_send_multipart_at_hwm_sends_nothing_and_keeps_frames(void **state)
{
    fx_t *fx = *state;
    int sent = 0;
    while (zinc_send(fx->b, "m", 1, ZINC_DONTWAIT) == 1)
        sent++;
    assert_int_equal(errno, EAGAIN);
    assert_true(sent >= 1);
    zinc_frame_t *fs[2] = {zinc_frame_new("p", 1), zinc_frame_new("q", 1)};
    assert_int_equal(zinc_send_multipart(fx->b, fs, 2, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    for (int i = 0; i < 2; i++) {
        assert_non_null(zinc_frame_data_mut(fs[i])); /* no reference left behind */
        zinc_frame_unref(fs[i]);
    }
    zinc_buf_t parts[2] = {{"p", 1}, {"q", 1}};
    assert_int_equal(zinc_send_multipart_bufs(fx->b, parts, 2, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    for (int i = 0; i < sent; i++) {
        zinc_multipart_t *m = zinc_recv_multipart(fx->a, 0);
        assert_non_null(m);
        assert_int_equal(zinc_multipart_count(m), 1);
        assert_frame_is(zinc_multipart_frame(m, 0), "m");
        zinc_multipart_free(m);
    }
    assert_nothing_queued(fx->a);
}

static int setup_inproc_hwm1(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    fx_open(fx, "inproc", 1);
    *state = fx;
    return 0;
}

static void test_send_multipart_with_more_continues_the_message(void **state)
{
    fx_t *fx = *state;
    zinc_buf_t parts[2] = {{"a", 1}, {"b", 1}};
    assert_int_equal(zinc_send_multipart_bufs(fx->b, parts, 2, ZINC_MORE), 0);
    assert_int_equal(zinc_send_string(fx->b, "c", 0), 1);
    zinc_multipart_t *m = zinc_recv_multipart(fx->a, 0);
    assert_non_null(m);
    assert_int_equal(zinc_multipart_count(m), 3);
    assert_frame_is(zinc_multipart_frame(m, 2), "c");
    zinc_multipart_free(m);
}

static void test_recv_multipart_would_block_is_eagain(void **state)
{
    fx_t *fx = *state;
    assert_null(zinc_recv_multipart(fx->a, ZINC_DONTWAIT));
    assert_int_equal(errno, EAGAIN);
}

static void count_free(void *data, void *hint)
{
    (void)data;
    (*(int *)hint)++;
}

/* inproc hands the frame itself to the peer: the tracker waits for the
 * receiver, and for the caller's own reference, since multipart borrows. */
static void test_tracked_zero_copy_frame_in_multipart_finishes_after_all_release(void **state)
{
    fx_t *fx = *state;
    assert_int_equal(zinc_set_int(fx->b, "copy_threshold", 0), 0);
    static char payload[1000];
    int freed = 0;
    zinc_frame_t *zc = zinc_frame_new_zerocopy(payload, sizeof payload, count_free, &freed, true);
    zinc_tracker_t *t = zinc_frame_tracker(zc);
    zinc_frame_t *fs[2] = {zinc_frame_new("hdr", 3), zc};
    assert_int_equal(zinc_send_multipart(fx->b, fs, 2, 0), 0);
    zinc_frame_unref(fs[0]);
    zinc_frame_unref(zc);
    assert_false(zinc_tracker_done(t));
    zinc_multipart_t *m = zinc_recv_multipart(fx->a, 0);
    assert_non_null(m);
    assert_ptr_equal(zinc_frame_data(zinc_multipart_frame(m, 1)), payload);
    assert_false(zinc_tracker_done(t));
    zinc_multipart_free(m);
    assert_true(zinc_tracker_done(t));
    assert_int_equal(freed, 1);
    zinc_tracker_free(t);
}

/* copy_threshold (pyzmq's): a zero-copy frame under it is sent as a copy, so
 * its memory is released, and its tracker done, when the send returns. */
static void test_zero_copy_under_copy_threshold_is_copied_and_tracker_born_done(void **state)
{
    fx_t *fx = *state;
    int64_t v;
    assert_int_equal(zinc_get_int(fx->b, "copy_threshold", &v), 0);
    assert_int_equal(v, 65536);
    static char small[100] = "small";
    int freed = 0;
    zinc_frame_t *f = zinc_frame_new_zerocopy(small, sizeof small, count_free, &freed, true);
    zinc_tracker_t *t = zinc_frame_tracker(f);
    assert_int_equal(zinc_send_frame(fx->b, f, 0), 0);
    assert_true(zinc_tracker_done(t));
    assert_int_equal(freed, 1);
    zinc_frame_t *got = zinc_recv_frame(fx->a, 0);
    assert_non_null(got);
    assert_ptr_not_equal(zinc_frame_data(got), small);
    assert_memory_equal(zinc_frame_data(got), small, sizeof small);
    zinc_frame_unref(got);
    zinc_tracker_free(t);

    /* At or over the threshold: zero-copy, done only when released. */
    assert_int_equal(zinc_set_int(fx->b, "copy_threshold", 100), 0);
    f = zinc_frame_new_zerocopy(small, sizeof small, count_free, &freed, true);
    t = zinc_frame_tracker(f);
    assert_int_equal(zinc_send_frame(fx->b, f, 0), 0);
    assert_false(zinc_tracker_done(t));
    got = zinc_recv_frame(fx->a, 0);
    assert_ptr_equal(zinc_frame_data(got), small);
    zinc_frame_unref(got);
    assert_true(zinc_tracker_done(t));
    assert_int_equal(freed, 2);
    zinc_tracker_free(t);
}

static void test_refused_copy_threshold_send_leaves_frame_with_caller(void **state)
{
    fx_t *fx = *state;
    zinc_socket_t *lone = fx_socket(fx->ctx, ZINC_PAIR);
    static char small[10];
    int freed = 0;
    zinc_frame_t *f = zinc_frame_new_zerocopy(small, sizeof small, count_free, &freed, true);
    zinc_tracker_t *t = zinc_frame_tracker(f);
    assert_int_equal(zinc_send_frame(lone, f, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(freed, 0);
    assert_false(zinc_tracker_done(t));
    zinc_frame_unref(f);
    assert_true(zinc_tracker_done(t));
    zinc_tracker_free(t);
    zinc_socket_close(lone);
}

static void test_multipart_builder_refuses_null_arguments(void **state)
{
    (void)state;
    zinc_multipart_t *m = zinc_multipart_new();
    assert_non_null(m);
    assert_int_equal(zinc_multipart_add(m, NULL), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_multipart_add_copy(m, NULL, 2), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_multipart_add_copy(NULL, "a", 1), -1);
    assert_int_equal(zinc_multipart_count(m), 0);
    assert_null(zinc_multipart_frames(m));
    for (int i = 0; i < 9; i++)
        assert_int_equal(zinc_multipart_add_copy(m, "abc", 3), 0);
    assert_int_equal(zinc_multipart_count(m), 9);
    assert_int_equal(zinc_multipart_bytes(m), 27);
    zinc_multipart_free(m);
    zinc_multipart_free(NULL);
}

/* ---- serialized ----------------------------------------------------------- */

typedef struct {
    uint32_t id;
    char name[16];
} point_t;

static int point_serialize(const void *obj, zinc_multipart_t *m, void *hint)
{
    const point_t *p = obj;
    if (hint) {
        errno = *(int *)hint;
        return -1;
    }
    uint8_t id[4] = {(uint8_t)(p->id >> 24), (uint8_t)(p->id >> 16), (uint8_t)(p->id >> 8),
                     (uint8_t)p->id};
    if (zinc_multipart_add_copy(m, id, 4) != 0 ||
        zinc_multipart_add_copy(m, p->name, strlen(p->name)) != 0)
        return -1;
    return 0;
}

static void *point_deserialize(const zinc_multipart_t *m, void *hint)
{
    (void)hint;
    if (zinc_multipart_count(m) != 2 || zinc_frame_size(zinc_multipart_frame(m, 0)) != 4 ||
        zinc_frame_size(zinc_multipart_frame(m, 1)) >= 16) {
        errno = EBADMSG;
        return NULL;
    }
    point_t *p = calloc(1, sizeof *p);
    const uint8_t *id = zinc_frame_data(zinc_multipart_frame(m, 0));
    p->id = (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3];
    memcpy(p->name, zinc_frame_data(zinc_multipart_frame(m, 1)),
           zinc_frame_size(zinc_multipart_frame(m, 1)));
    return p;
}

static int no_frames(const void *obj, zinc_multipart_t *m, void *hint)
{
    (void)obj;
    (void)m;
    (void)hint;
    return 0;
}

static void *say_null(const zinc_multipart_t *m, void *hint)
{
    (void)m;
    (void)hint;
    return NULL;
}

static void test_serialized_round_trips_through_user_callbacks(void **state)
{
    fx_t *fx = *state;
    point_t in = {.id = 0x01020304, .name = "origin"};
    assert_int_equal(zinc_send_serialized(fx->b, &in, point_serialize, NULL, 0), 0);
    point_t *out = zinc_recv_serialized(fx->a, point_deserialize, NULL, 0);
    assert_non_null(out);
    assert_int_equal(out->id, in.id);
    assert_string_equal(out->name, "origin");
    free(out);
}

static void test_serializer_failure_sends_nothing_and_keeps_its_errno(void **state)
{
    fx_t *fx = *state;
    point_t in = {.id = 1, .name = "x"};
    int err = ERANGE;
    assert_int_equal(zinc_send_serialized(fx->b, &in, point_serialize, &err, 0), -1);
    assert_int_equal(errno, ERANGE);
    assert_int_equal(zinc_send_serialized(fx->b, &in, no_frames, NULL, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_send_serialized(fx->b, &in, NULL, NULL, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_nothing_queued(fx->a);
}

static void test_deserializer_failure_consumes_the_message(void **state)
{
    fx_t *fx = *state;
    zinc_buf_t parts[3] = {{"a", 1}, {"b", 1}, {"c", 1}};
    assert_int_equal(zinc_send_multipart_bufs(fx->b, parts, 3, 0), 0);
    assert_int_equal(zinc_send_multipart_bufs(fx->b, parts, 3, 0), 0);
    assert_null(zinc_recv_serialized(fx->a, point_deserialize, NULL, 0));
    assert_int_equal(errno, EBADMSG);
    assert_null(zinc_recv_serialized(fx->a, say_null, NULL, 0));
    assert_int_equal(errno, EPROTO); /* no errno from the callback */
    assert_null(zinc_recv_serialized(fx->a, NULL, NULL, ZINC_DONTWAIT));
    assert_int_equal(errno, EINVAL);
    assert_nothing_queued(fx->a);
}

/* Regression (session_pull once stopped pulling at 1 MiB of pending output
 * and nothing woke it when the kernel took it all): a message whose first
 * frame is over 1 MiB arrives whole over tcp, and so does the next. */
static void test_tcp_multipart_with_a_frame_over_1mib_arrives(void **state)
{
    fx_t *fx = *state;
    size_t big = 1100000;
    char *data = calloc(1, big);
    zinc_buf_t parts[2] = {{data, big}, {"tail", 4}};
    assert_int_equal(zinc_send_multipart_bufs(fx->b, parts, 2, 0), 0);
    free(data);
    zinc_multipart_t *m = zinc_recv_multipart(fx->a, 0);
    assert_non_null(m);
    assert_int_equal(zinc_multipart_count(m), 2);
    zinc_multipart_free(m);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_inproc, teardown)
#define TCP(f) cmocka_unit_test_setup_teardown(f, setup_tcp, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_string_round_trips_utf8_text),
        T(test_string_empty_round_trips_as_empty_string),
        T(test_send_string_refuses_invalid_utf8_and_sends_nothing),
        T(test_recv_string_invalid_utf8_is_eilseq_and_consumed),
        T(test_recv_string_nul_octet_is_eilseq_and_consumed),
        T(test_recv_string_would_block_is_eagain),
        T(test_recv_string_checks_utf8_boundaries),
        T(test_json_round_trips_a_document_printed_unformatted),
        TCP(test_json_round_trips_over_tcp),
        T(test_recv_json_malformed_is_eproto_and_consumed),
        T(test_recv_json_allows_surrounding_whitespace),
        T(test_recv_json_rejects_non_utf8_and_nul_with_eilseq),
        T(test_recv_json_deep_nesting_fails_cleanly),
        T(test_send_json_refuses_null_and_invalid_values),
        T(test_send_json_would_block_is_eagain_and_leaks_nothing),
        T(test_multipart_round_trips_frames_in_order),
        T(test_multipart_of_many_frames_round_trips),
        T(test_received_multipart_can_be_sent_back_twice),
        TCP(test_received_multipart_can_be_sent_back_twice),
        T(test_send_multipart_same_frame_twice_keeps_flags_right),
        T(test_send_multipart_refuses_null_frames_and_sends_nothing),
        cmocka_unit_test_setup_teardown(test_send_multipart_at_hwm_sends_nothing_and_keeps_frames,
                                        setup_inproc_hwm1, teardown),
        T(test_send_multipart_with_more_continues_the_message),
        T(test_recv_multipart_would_block_is_eagain),
        T(test_tracked_zero_copy_frame_in_multipart_finishes_after_all_release),
        T(test_zero_copy_under_copy_threshold_is_copied_and_tracker_born_done),
        T(test_refused_copy_threshold_send_leaves_frame_with_caller),
        cmocka_unit_test(test_multipart_builder_refuses_null_arguments),
        T(test_serialized_round_trips_through_user_callbacks),
        T(test_serializer_failure_sends_nothing_and_keeps_its_errno),
        T(test_deserializer_failure_consumes_the_message),
        TCP(test_tcp_multipart_with_a_frame_over_1mib_arrives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
