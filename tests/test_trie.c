/* Subscription tries: the counted trie of SUB/XSUB and the per-subscriber
 * trie of PUB/XPUB, case by case and against a naive model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pattern/trie.h"
#include "testutil.h"

#define T(s) (const uint8_t *)(s), strlen(s)

/* ---- a walk recorder ----------------------------------------------------- */

typedef struct {
    char seen[64][32];
    size_t lens[64];
    int n;
    int stop_at; /* return 7 at this visit (-1: never) */
} visits_t;

static int record(const uint8_t *topic, size_t len, void *arg)
{
    visits_t *v = arg;
    assert_true(v->n < 64 && len < 32);
    memcpy(v->seen[v->n], topic, len);
    v->lens[v->n] = len;
    v->seen[v->n][len] = '\0';
    return v->n++ == v->stop_at ? 7 : 0;
}

typedef struct {
    size_t lens[2];
    int seen;
} lens_t;

static int note_len(const uint8_t *topic, size_t len, void *arg)
{
    lens_t *a = arg;
    (void)topic;
    if (a->seen < 2)
        a->lens[a->seen] = len;
    a->seen++;
    return 0;
}

/* ---- zi_trie_t -------------------------------------------------------------- */

static void test_trie_empty_matches_nothing(void **state)
{
    zi_trie_t t;
    zi_trie_init(&t);
    assert_false(zi_trie_match(&t, T("abc")));
    assert_false(zi_trie_match(&t, T("")));
    assert_int_equal(zi_trie_count(&t), 0);
    assert_false(zi_trie_rm(&t, T("abc")));
    zi_trie_fini(&t);
}

static void test_trie_empty_topic_matches_every_message(void **state)
{
    zi_trie_t t;
    zi_trie_init(&t);
    assert_int_equal(zi_trie_add(&t, T("")), 1);
    assert_true(zi_trie_match(&t, T("")));
    assert_true(zi_trie_match(&t, T("anything")));
    assert_true(zi_trie_rm(&t, T("")));
    assert_false(zi_trie_match(&t, T("anything")));
    assert_null(t.b.root);
    zi_trie_fini(&t);
}

static void test_trie_matches_prefixes_only(void **state)
{
    zi_trie_t t;
    zi_trie_init(&t);
    assert_int_equal(zi_trie_add(&t, T("ab")), 1);
    assert_true(zi_trie_match(&t, T("ab")));
    assert_true(zi_trie_match(&t, T("abc")));
    assert_false(zi_trie_match(&t, T("a")));
    assert_false(zi_trie_match(&t, T("")));
    assert_false(zi_trie_match(&t, T("ac")));
    assert_false(zi_trie_match(&t, T("b")));
    assert_false(zi_trie_match(&t, T("xab")));
    zi_trie_fini(&t);
}

static void test_trie_subscribe_twice_unsubscribe_once_stays_subscribed(void **state)
{
    zi_trie_t t;
    zi_trie_init(&t);
    assert_int_equal(zi_trie_add(&t, T("news")), 1);
    assert_int_equal(zi_trie_add(&t, T("news")), 0);
    assert_int_equal(zi_trie_refs(&t, T("news")), 2);
    assert_int_equal(zi_trie_count(&t), 1);
    assert_false(zi_trie_rm(&t, T("news")));
    assert_true(zi_trie_match(&t, T("news/today")));
    assert_true(zi_trie_rm(&t, T("news")));
    assert_false(zi_trie_match(&t, T("news/today")));
    assert_false(zi_trie_rm(&t, T("news")));
    assert_int_equal(zi_trie_count(&t), 0);
    zi_trie_fini(&t);
}

static void test_trie_removing_a_prefix_that_was_not_added_changes_nothing(void **state)
{
    zi_trie_t t;
    zi_trie_init(&t);
    zi_trie_add(&t, T("abc"));
    assert_false(zi_trie_rm(&t, T("ab")));
    assert_false(zi_trie_rm(&t, T("abcd")));
    assert_true(zi_trie_match(&t, T("abcdef")));
    assert_false(zi_trie_match(&t, T("ab")));
    assert_int_equal(zi_trie_count(&t), 1);
    zi_trie_fini(&t);
}

static void test_trie_topics_may_hold_any_octet(void **state)
{
    static const uint8_t a[] = {0x00, 0xff, 0x00};
    static const uint8_t b[] = {0xff};
    static const uint8_t msg_a[] = {0x00, 0xff, 0x00, 0x01};
    static const uint8_t msg_no[] = {0x00, 0xfe};
    zi_trie_t t;
    zi_trie_init(&t);
    assert_int_equal(zi_trie_add(&t, a, sizeof a), 1);
    assert_int_equal(zi_trie_add(&t, b, sizeof b), 1);
    assert_true(zi_trie_match(&t, msg_a, sizeof msg_a));
    assert_true(zi_trie_match(&t, b, sizeof b));
    assert_false(zi_trie_match(&t, msg_no, sizeof msg_no));
    assert_true(zi_trie_rm(&t, a, sizeof a));
    assert_false(zi_trie_match(&t, msg_a, sizeof msg_a));
    assert_true(zi_trie_match(&t, b, sizeof b));
    zi_trie_fini(&t);
}

static void test_trie_walk_is_in_lexicographic_order(void **state)
{
    const char *add[] = {"b", "abc", "", "ab", "a\x7f", "ba", "abc"};
    const char *want[] = {"", "ab", "abc", "a\x7f", "b", "ba"};
    zi_trie_t t;
    zi_trie_init(&t);
    for (size_t i = 0; i < sizeof add / sizeof add[0]; i++)
        assert_true(zi_trie_add(&t, T(add[i])) >= 0);
    visits_t v = {.stop_at = -1};
    assert_int_equal(zi_trie_each(&t, NULL, 0, record, &v), 0);
    assert_int_equal(v.n, 6);
    for (int i = 0; i < v.n; i++)
        assert_string_equal(v.seen[i], want[i]);
    zi_trie_fini(&t);
}

static void test_trie_walk_resumes_from_a_topic(void **state)
{
    zi_trie_t t;
    zi_trie_init(&t);
    const char *add[] = {"a", "ab", "abc", "b", "c"};
    for (size_t i = 0; i < 5; i++)
        zi_trie_add(&t, T(add[i]));
    /* From "ab" inclusive. */
    visits_t v = {.stop_at = -1};
    zi_trie_each(&t, T("ab"), record, &v);
    assert_int_equal(v.n, 4);
    assert_string_equal(v.seen[0], "ab");
    /* Strictly after "ab": from "ab\0". */
    static const uint8_t after_ab[] = {'a', 'b', 0};
    visits_t w = {.stop_at = -1};
    zi_trie_each(&t, after_ab, sizeof after_ab, record, &w);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.seen[0], "abc");
    assert_string_equal(w.seen[2], "c");
    /* From something absent, between topics. */
    visits_t x = {.stop_at = -1};
    zi_trie_each(&t, T("abd"), record, &x);
    assert_int_equal(x.n, 2);
    assert_string_equal(x.seen[0], "b");
    /* Past the end. */
    visits_t y = {.stop_at = -1};
    zi_trie_each(&t, T("d"), record, &y);
    assert_int_equal(y.n, 0);
    zi_trie_fini(&t);
}

static void test_trie_walk_stops_when_the_visitor_says_so(void **state)
{
    zi_trie_t t;
    zi_trie_init(&t);
    zi_trie_add(&t, T("a"));
    zi_trie_add(&t, T("b"));
    zi_trie_add(&t, T("c"));
    visits_t v = {.stop_at = 1};
    assert_int_equal(zi_trie_each(&t, NULL, 0, record, &v), 7);
    assert_int_equal(v.n, 2);
    zi_trie_fini(&t);
}

static void test_trie_frees_branches_when_emptied(void **state)
{
    zi_trie_t t;
    zi_trie_init(&t);
    zi_trie_add(&t, T("alpha"));
    zi_trie_add(&t, T("alps"));
    zi_trie_add(&t, T("beta"));
    assert_true(zi_trie_rm(&t, T("alpha")));
    assert_true(zi_trie_match(&t, T("alps!")));
    assert_true(zi_trie_rm(&t, T("beta")));
    assert_true(zi_trie_rm(&t, T("alps")));
    assert_null(t.b.root);
    /* And it can grow again. */
    assert_int_equal(zi_trie_add(&t, T("alpha")), 1);
    assert_true(zi_trie_match(&t, T("alphabet")));
    zi_trie_fini(&t);
}

static void test_trie_handles_a_very_long_topic_without_recursion(void **state)
{
    size_t n = 200000;
    uint8_t *topic = malloc(n + 1);
    assert_non_null(topic);
    memset(topic, 'x', n);
    topic[n] = 'y';
    zi_trie_t t;
    zi_trie_init(&t);
    assert_int_equal(zi_trie_add(&t, topic, n), 1);
    assert_true(zi_trie_match(&t, topic, n + 1));
    assert_false(zi_trie_match(&t, topic, n - 1));
    zi_trie_add(&t, T("a"));
    lens_t seen = {{0, 0}, 0};
    assert_int_equal(zi_trie_each(&t, NULL, 0, note_len, &seen), 0);
    assert_int_equal(seen.seen, 2);
    assert_int_equal(seen.lens[0], 1);
    assert_int_equal(seen.lens[1], n);
    assert_true(zi_trie_rm(&t, topic, n));
    assert_int_equal(zi_trie_count(&t), 1);
    zi_trie_fini(&t);
    free(topic);
}

/* ---- the model tests ------------------------------------------------------------ */

#define MODEL_SUBS 5

/* Small alphabet and lengths so that prefixes collide often. */
static size_t random_topic(uint64_t *seed, uint8_t *out)
{
    size_t len = zt_rand(seed) % 4; /* 85 topics at most */
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)("ab\x00\xff"[zt_rand(seed) % 4]);
    return len;
}

typedef struct {
    uint8_t topic[8];
    size_t len;
    size_t refs;
} model_topic_t;

static model_topic_t *model_find(model_topic_t *m, size_t *n, const uint8_t *topic, size_t len,
                                 bool make)
{
    for (size_t i = 0; i < *n; i++)
        if (m[i].len == len && memcmp(m[i].topic, topic, len) == 0)
            return &m[i];
    if (!make)
        return NULL;
    assert_true(*n < 256);
    model_topic_t *e = &m[(*n)++];
    memcpy(e->topic, topic, len);
    e->len = len;
    e->refs = 0;
    return e;
}

static bool model_match(const model_topic_t *m, size_t n, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (m[i].refs && m[i].len <= len && memcmp(m[i].topic, data, m[i].len) == 0)
            return true;
    return false;
}

typedef struct {
    uint8_t topic[8];
    size_t len;
    const uint8_t *from;
    size_t from_len;
    const model_topic_t *model;
    size_t nmodel;
    int visited;
} order_check_t;

static int model_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    return c ? c : (alen > blen) - (alen < blen);
}

/* Each visited topic must be the model's smallest live topic above the
 * previous one (and not below from). */
static int check_order(const uint8_t *topic, size_t len, void *arg)
{
    order_check_t *c = arg;
    const model_topic_t *best = NULL;
    for (size_t i = 0; i < c->nmodel; i++) {
        const model_topic_t *e = &c->model[i];
        if (!e->refs || model_cmp(e->topic, e->len, c->from, c->from_len) < 0)
            continue;
        if (c->visited && model_cmp(e->topic, e->len, c->topic, c->len) <= 0)
            continue;
        if (!best || model_cmp(e->topic, e->len, best->topic, best->len) < 0)
            best = e;
    }
    assert_non_null(best);
    assert_int_equal(model_cmp(topic, len, best->topic, best->len), 0);
    memcpy(c->topic, topic, len);
    c->len = len;
    c->visited++;
    return 0;
}

static void test_trie_agrees_with_a_naive_model(void **state)
{
    uint64_t seed = 42;
    model_topic_t model[256];
    size_t nmodel = 0;
    zi_trie_t t;
    zi_trie_init(&t);
    for (int step = 0; step < 20000; step++) {
        uint8_t topic[8];
        size_t len = random_topic(&seed, topic);
        model_topic_t *e = model_find(model, &nmodel, topic, len, true);
        if (zt_rand(&seed) % 2) {
            assert_int_equal(zi_trie_add(&t, topic, len), e->refs == 0 ? 1 : 0);
            e->refs++;
        } else {
            assert_int_equal(zi_trie_rm(&t, topic, len), e->refs == 1);
            if (e->refs)
                e->refs--;
        }
        uint8_t msg[8];
        size_t mlen = random_topic(&seed, msg);
        assert_int_equal(zi_trie_match(&t, msg, mlen), model_match(model, nmodel, msg, mlen));
        size_t live = 0;
        for (size_t i = 0; i < nmodel; i++)
            live += model[i].refs > 0;
        assert_int_equal(zi_trie_count(&t), live);
        if (step % 97 == 0) {
            uint8_t from[8];
            order_check_t c = {.model = model, .nmodel = nmodel, .from = from};
            c.from_len = random_topic(&seed, from);
            assert_int_equal(zi_trie_each(&t, from, c.from_len, check_order, &c), 0);
            size_t above = 0;
            for (size_t i = 0; i < nmodel; i++)
                above +=
                    model[i].refs && model_cmp(model[i].topic, model[i].len, from, c.from_len) >= 0;
            assert_int_equal((size_t)c.visited, above);
        }
    }
    zi_trie_fini(&t);
}

/* ---- zi_mtrie_t ----------------------------------------------------------------- */

static int subs[MODEL_SUBS]; /* their addresses are the subscribers */
#define SUB(i) ((void *)&subs[i])

typedef struct {
    int hits[MODEL_SUBS];
    int total;
} hits_t;

static void count_hit(void *sub, void *arg)
{
    hits_t *h = arg;
    h->hits[(int *)sub - subs]++;
    h->total++;
}

static void test_mtrie_reports_the_first_subscriber_of_a_topic(void **state)
{
    zi_mtrie_t t;
    zi_mtrie_init(&t);
    assert_int_equal(zi_mtrie_add(&t, T("a"), SUB(0)), 1);
    assert_int_equal(zi_mtrie_add(&t, T("a"), SUB(0)), 0); /* already in: a set */
    assert_int_equal(zi_mtrie_add(&t, T("a"), SUB(1)), 0);
    assert_int_equal(zi_mtrie_add(&t, T("ab"), SUB(1)), 1);
    assert_int_equal(zi_mtrie_count(&t), 2);
    assert_true(zi_mtrie_has(&t, T("a"), SUB(0)));
    assert_false(zi_mtrie_has(&t, T("ab"), SUB(0)));
    zi_mtrie_fini(&t);
}

static void test_mtrie_one_removal_unsubscribes_a_subscriber(void **state)
{
    zi_mtrie_t t;
    zi_mtrie_init(&t);
    zi_mtrie_add(&t, T("a"), SUB(0));
    zi_mtrie_add(&t, T("a"), SUB(0));
    zi_mtrie_add(&t, T("a"), SUB(1));
    assert_int_equal(zi_mtrie_rm(&t, T("a"), SUB(2)), ZI_MTRIE_NOT_FOUND);
    assert_int_equal(zi_mtrie_rm(&t, T("b"), SUB(0)), ZI_MTRIE_NOT_FOUND);
    assert_int_equal(zi_mtrie_rm(&t, T("a"), SUB(0)), ZI_MTRIE_VALUES_REMAIN);
    assert_int_equal(zi_mtrie_rm(&t, T("a"), SUB(0)), ZI_MTRIE_NOT_FOUND);
    assert_int_equal(zi_mtrie_rm(&t, T("a"), SUB(1)), ZI_MTRIE_LAST_REMOVED);
    assert_int_equal(zi_mtrie_count(&t), 0);
    assert_null(t.b.root);
    zi_mtrie_fini(&t);
}

static void test_mtrie_match_walks_every_prefix_of_the_message(void **state)
{
    zi_mtrie_t t;
    zi_mtrie_init(&t);
    zi_mtrie_add(&t, T(""), SUB(0));
    zi_mtrie_add(&t, T("a"), SUB(1));
    zi_mtrie_add(&t, T("ab"), SUB(1));
    zi_mtrie_add(&t, T("ab"), SUB(2));
    zi_mtrie_add(&t, T("abc"), SUB(3));
    zi_mtrie_add(&t, T("b"), SUB(4));
    hits_t h = {0};
    zi_mtrie_match(&t, T("ab!"), count_hit, &h);
    assert_int_equal(h.hits[0], 1);
    assert_int_equal(h.hits[1], 2); /* "a" and "ab": the caller deduplicates */
    assert_int_equal(h.hits[2], 1);
    assert_int_equal(h.hits[3], 0);
    assert_int_equal(h.hits[4], 0);
    hits_t none = {0};
    zi_mtrie_rm(&t, T(""), SUB(0));
    zi_mtrie_match(&t, T("x"), count_hit, &none);
    assert_int_equal(none.total, 0);
    zi_mtrie_fini(&t);
}

static void test_mtrie_removing_a_subscriber_reports_its_topics(void **state)
{
    zi_mtrie_t t;
    zi_mtrie_init(&t);
    zi_mtrie_add(&t, T("a"), SUB(0));
    zi_mtrie_add(&t, T("ab"), SUB(0));
    zi_mtrie_add(&t, T("ab"), SUB(1));
    zi_mtrie_add(&t, T("c"), SUB(0));
    zi_mtrie_add(&t, T("d"), SUB(1));
    /* Only the topics nobody else holds. */
    visits_t v = {.stop_at = -1};
    zi_mtrie_rm_sub(&t, SUB(0), record, &v, true);
    assert_int_equal(v.n, 2);
    assert_string_equal(v.seen[0], "a");
    assert_string_equal(v.seen[1], "c");
    assert_int_equal(zi_mtrie_count(&t), 2);
    hits_t h = {0};
    zi_mtrie_match(&t, T("abc"), count_hit, &h);
    assert_int_equal(h.hits[0], 0);
    assert_int_equal(h.hits[1], 1);
    /* Every topic it held. */
    visits_t w = {.stop_at = -1};
    zi_mtrie_rm_sub(&t, SUB(1), record, &w, false);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.seen[0], "ab");
    assert_string_equal(w.seen[1], "d");
    assert_null(t.b.root);
    zi_mtrie_fini(&t);
}

static void test_mtrie_walk_lists_subscribed_topics_in_order(void **state)
{
    zi_mtrie_t t;
    zi_mtrie_init(&t);
    zi_mtrie_add(&t, T("b"), SUB(0));
    zi_mtrie_add(&t, T("abc"), SUB(1));
    zi_mtrie_add(&t, T("a"), SUB(2));
    visits_t v = {.stop_at = -1};
    assert_int_equal(zi_mtrie_each(&t, record, &v), 0);
    assert_int_equal(v.n, 3);
    assert_string_equal(v.seen[0], "a");
    assert_string_equal(v.seen[1], "abc");
    assert_string_equal(v.seen[2], "b");
    zi_mtrie_fini(&t);
}

static void test_mtrie_agrees_with_a_naive_model(void **state)
{
    uint64_t seed = 7;
    /* model[s][k]: subscriber s holds topic k of the model's topic list. */
    model_topic_t topics[256];
    size_t ntopics = 0;
    bool held[MODEL_SUBS][256] = {{false}};
    zi_mtrie_t t;
    zi_mtrie_init(&t);
    for (int step = 0; step < 20000; step++) {
        uint8_t topic[8];
        size_t len = random_topic(&seed, topic);
        model_topic_t *e = model_find(topics, &ntopics, topic, len, true);
        size_t k = (size_t)(e - topics);
        int s = (int)(zt_rand(&seed) % MODEL_SUBS);
        size_t holders = 0;
        for (int i = 0; i < MODEL_SUBS; i++)
            holders += held[i][k];
        unsigned op = (unsigned)(zt_rand(&seed) % 16);
        if (op < 8) {
            assert_int_equal(zi_mtrie_add(&t, topic, len, SUB(s)), holders == 0 ? 1 : 0);
            held[s][k] = true;
        } else if (op < 15) {
            zi_mtrie_rm_result want = !held[s][k]    ? ZI_MTRIE_NOT_FOUND
                                      : holders == 1 ? ZI_MTRIE_LAST_REMOVED
                                                     : ZI_MTRIE_VALUES_REMAIN;
            assert_int_equal(zi_mtrie_rm(&t, topic, len, SUB(s)), want);
            held[s][k] = false;
        } else {
            zi_mtrie_rm_sub(&t, SUB(s), NULL, NULL, false);
            for (size_t i = 0; i < ntopics; i++)
                held[s][i] = false;
        }
        /* Match a random message against the model. */
        uint8_t msg[8];
        size_t mlen = random_topic(&seed, msg);
        hits_t h = {0};
        zi_mtrie_match(&t, msg, mlen, count_hit, &h);
        size_t live = 0;
        for (int i = 0; i < MODEL_SUBS; i++) {
            int want = 0;
            for (size_t j = 0; j < ntopics; j++)
                if (held[i][j] && topics[j].len <= mlen &&
                    memcmp(topics[j].topic, msg, topics[j].len) == 0)
                    want++;
            assert_int_equal(h.hits[i], want);
        }
        for (size_t j = 0; j < ntopics; j++) {
            bool any = false;
            for (int i = 0; i < MODEL_SUBS; i++)
                any |= held[i][j];
            live += any;
        }
        assert_int_equal(zi_mtrie_count(&t), live);
    }
    zi_mtrie_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trie_empty_matches_nothing),
        cmocka_unit_test(test_trie_empty_topic_matches_every_message),
        cmocka_unit_test(test_trie_matches_prefixes_only),
        cmocka_unit_test(test_trie_subscribe_twice_unsubscribe_once_stays_subscribed),
        cmocka_unit_test(test_trie_removing_a_prefix_that_was_not_added_changes_nothing),
        cmocka_unit_test(test_trie_topics_may_hold_any_octet),
        cmocka_unit_test(test_trie_walk_is_in_lexicographic_order),
        cmocka_unit_test(test_trie_walk_resumes_from_a_topic),
        cmocka_unit_test(test_trie_walk_stops_when_the_visitor_says_so),
        cmocka_unit_test(test_trie_frees_branches_when_emptied),
        cmocka_unit_test(test_trie_handles_a_very_long_topic_without_recursion),
        cmocka_unit_test(test_trie_agrees_with_a_naive_model),
        cmocka_unit_test(test_mtrie_reports_the_first_subscriber_of_a_topic),
        cmocka_unit_test(test_mtrie_one_removal_unsubscribes_a_subscriber),
        cmocka_unit_test(test_mtrie_match_walks_every_prefix_of_the_message),
        cmocka_unit_test(test_mtrie_removing_a_subscriber_reports_its_topics),
        cmocka_unit_test(test_mtrie_walk_lists_subscribed_topics_in_order),
        cmocka_unit_test(test_mtrie_agrees_with_a_naive_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
