/* Subscription tries (see trie.h).
 *
 * A node stands for one prefix. Its children cover the byte range
 * [min, min + width): one inline pointer when width is 1, a table otherwise;
 * `live` counts the non-NULL ones. A node of a zi_trie_t holds a reference
 * count, a node of a zi_mtrie_t a sorted array of subscribers. A node that
 * holds nothing and has no child is freed at once, and so on up the branch.
 * Every walk follows parent links instead of recursing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/trie.h"

struct zi_trie_node {
    zi_trie_node_t *parent;
    union {
        zi_trie_node_t *one;    /* width == 1 */
        zi_trie_node_t **table; /* width > 1 */
    } next;
    uint16_t width; /* 0 .. 256 */
    uint16_t live;
    uint8_t min;
    uint8_t byte; /* this node's byte in its parent */
    size_t refs;  /* zi_trie_t */
    void **subs;  /* zi_mtrie_t: sorted by address */
    size_t nsubs, cap_subs;
};

/* ---- nodes ------------------------------------------------------------------ */

static zi_trie_node_t **node_slot(zi_trie_node_t *n, unsigned c)
{
    if (n->width == 0 || c < n->min || c >= (unsigned)n->min + n->width)
        return NULL;
    return n->width == 1 ? &n->next.one : &n->next.table[c - n->min];
}

static zi_trie_node_t *node_child(const zi_trie_node_t *n, unsigned c)
{
    zi_trie_node_t **slot = node_slot((zi_trie_node_t *)n, c);
    return slot ? *slot : NULL;
}

/* Widens n's range to include c. 0, or -1 (ENOMEM) with n unchanged. */
static int node_widen(zi_trie_node_t *n, unsigned c)
{
    if (n->width == 0) {
        n->min = (uint8_t)c;
        n->width = 1;
        n->next.one = NULL;
        return 0;
    }
    if (node_slot(n, c))
        return 0;
    unsigned lo = c < n->min ? c : n->min;
    unsigned hi = c >= (unsigned)n->min + n->width ? c + 1 : (unsigned)n->min + n->width;
    zi_trie_node_t **table = calloc(hi - lo, sizeof *table);
    if (!table) {
        errno = ENOMEM;
        return -1;
    }
    if (n->width == 1) {
        table[n->min - lo] = n->next.one;
    } else {
        memcpy(table + (n->min - lo), n->next.table, n->width * sizeof *table);
        free(n->next.table);
    }
    n->next.table = table;
    n->min = (uint8_t)lo;
    n->width = (uint16_t)(hi - lo);
    return 0;
}

static bool node_empty(const zi_trie_node_t *n)
{
    return n->refs == 0 && n->nsubs == 0;
}

static void node_free(zi_trie_node_t *n)
{
    if (n->width > 1)
        free(n->next.table);
    free(n->subs);
    free(n);
}

/* Frees n and its ancestors while they hold nothing and have no child. */
static void node_prune(zi_trie_base_t *b, zi_trie_node_t *n)
{
    while (n && node_empty(n) && n->live == 0) {
        zi_trie_node_t *p = n->parent;
        if (p) {
            *node_slot(p, n->byte) = NULL;
            if (--p->live == 0) {
                if (p->width > 1)
                    free(p->next.table);
                p->width = 0;
            }
        } else {
            b->root = NULL;
        }
        node_free(n);
        n = p;
    }
}

static zi_trie_node_t *node_find(const zi_trie_base_t *b, const uint8_t *topic, size_t len)
{
    zi_trie_node_t *n = b->root;
    for (size_t i = 0; n && i < len; i++)
        n = node_child(n, topic[i]);
    return n;
}

/* The node of topic, made with its branch when missing; NULL (ENOMEM) leaves
 * the trie as it was. */
static zi_trie_node_t *node_ensure(zi_trie_base_t *b, const uint8_t *topic, size_t len)
{
    if (len > b->buf_cap) {
        uint8_t *buf = realloc(b->buf, len);
        if (!buf) {
            errno = ENOMEM;
            return NULL;
        }
        b->buf = buf;
        b->buf_cap = len;
    }
    if (!b->root) {
        b->root = calloc(1, sizeof *b->root);
        if (!b->root) {
            errno = ENOMEM;
            return NULL;
        }
    }
    zi_trie_node_t *n = b->root;
    for (size_t i = 0; i < len; i++) {
        zi_trie_node_t *c = node_child(n, topic[i]);
        if (!c) {
            c = calloc(1, sizeof *c);
            if (!c || node_widen(n, topic[i]) != 0) {
                free(c);
                node_prune(b, n);
                errno = ENOMEM;
                return NULL;
            }
            c->parent = n;
            c->byte = topic[i];
            *node_slot(n, topic[i]) = c;
            n->live++;
        }
        n = c;
    }
    return n;
}

/* The first non-NULL child of n at or after byte `from`, or NULL. */
static zi_trie_node_t *node_first_child(const zi_trie_node_t *n, unsigned from)
{
    unsigned start = from > n->min ? from - n->min : 0;
    for (unsigned i = start; i < n->width; i++) {
        zi_trie_node_t *c = n->width == 1 ? n->next.one : n->next.table[i];
        if (c)
            return c;
    }
    return NULL;
}

/* Pre-order successor of n (children in byte order), keeping b->buf[0..*depth)
 * the successor's topic. NULL at the end. */
static zi_trie_node_t *node_next(zi_trie_base_t *b, zi_trie_node_t *n, size_t *depth)
{
    zi_trie_node_t *c = n->live ? node_first_child(n, 0) : NULL;
    if (c) {
        b->buf[(*depth)++] = c->byte;
        return c;
    }
    while (n->parent) {
        zi_trie_node_t *p = n->parent;
        (*depth)--;
        c = n->byte < 255 ? node_first_child(p, n->byte + 1u) : NULL;
        if (c) {
            b->buf[(*depth)++] = c->byte;
            return c;
        }
        n = p;
    }
    return NULL;
}

/* The topic of a walk's current node (never NULL, for memcpy's sake). */
static const uint8_t *walk_topic(const zi_trie_base_t *b)
{
    return b->buf ? b->buf : (const uint8_t *)"";
}

/* -1, 0, 1 as a < b in byte-wise lexicographic order. */
static int topic_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static void base_fini(zi_trie_base_t *b)
{
    zi_trie_node_t *n = b->root;
    while (n) {
        zi_trie_node_t *c = n->live ? node_first_child(n, 0) : NULL;
        if (c) {
            *node_slot(n, c->byte) = NULL;
            n->live--;
            n = c;
            continue;
        }
        zi_trie_node_t *p = n->parent;
        node_free(n);
        n = p;
    }
    free(b->buf);
    memset(b, 0, sizeof *b);
}

/* ---- zi_trie_t ---------------------------------------------------------------- */

void zi_trie_init(zi_trie_t *t)
{
    memset(t, 0, sizeof *t);
}

void zi_trie_fini(zi_trie_t *t)
{
    base_fini(&t->b);
}

int zi_trie_add(zi_trie_t *t, const uint8_t *topic, size_t len)
{
    zi_trie_node_t *n = node_ensure(&t->b, topic, len);
    if (!n)
        return -1;
    if (n->refs++ > 0)
        return 0;
    t->b.topics++;
    return 1;
}

bool zi_trie_rm(zi_trie_t *t, const uint8_t *topic, size_t len)
{
    zi_trie_node_t *n = node_find(&t->b, topic, len);
    if (!n || n->refs == 0)
        return false;
    if (--n->refs > 0)
        return false;
    t->b.topics--;
    node_prune(&t->b, n);
    return true;
}

size_t zi_trie_refs(const zi_trie_t *t, const uint8_t *topic, size_t len)
{
    const zi_trie_node_t *n = node_find(&t->b, topic, len);
    return n ? n->refs : 0;
}

bool zi_trie_match(const zi_trie_t *t, const uint8_t *data, size_t len)
{
    const zi_trie_node_t *n = t->b.root;
    for (size_t i = 0; n; i++) {
        if (n->refs)
            return true;
        if (i == len)
            break;
        n = node_child(n, data[i]);
    }
    return false;
}

size_t zi_trie_count(const zi_trie_t *t)
{
    return t->b.topics;
}

int zi_trie_each(const zi_trie_t *t, const uint8_t *from, size_t from_len, zi_trie_visit_fn *fn,
                 void *arg)
{
    zi_trie_base_t *b = (zi_trie_base_t *)&t->b; /* only the scratch buffer changes */
    size_t depth = 0;
    for (zi_trie_node_t *n = b->root; n; n = node_next(b, n, &depth)) {
        if (!n->refs || (from_len && topic_cmp(walk_topic(b), depth, from, from_len) < 0))
            continue;
        int rc = fn(walk_topic(b), depth, arg);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- zi_mtrie_t ----------------------------------------------------------------- */

/* Index of sub in n's sorted array, or where it would go (*found false). */
static size_t subs_find(const zi_trie_node_t *n, const void *sub, bool *found)
{
    size_t lo = 0, hi = n->nsubs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)n->subs[mid] < (uintptr_t)sub)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < n->nsubs && n->subs[lo] == sub;
    return lo;
}

static void subs_remove_at(zi_trie_node_t *n, size_t i)
{
    memmove(n->subs + i, n->subs + i + 1, (n->nsubs - i - 1) * sizeof *n->subs);
    if (--n->nsubs == 0) {
        free(n->subs);
        n->subs = NULL;
        n->cap_subs = 0;
    }
}

void zi_mtrie_init(zi_mtrie_t *t)
{
    memset(t, 0, sizeof *t);
}

void zi_mtrie_fini(zi_mtrie_t *t)
{
    base_fini(&t->b);
}

int zi_mtrie_add(zi_mtrie_t *t, const uint8_t *topic, size_t len, void *sub)
{
    zi_trie_node_t *n = node_ensure(&t->b, topic, len);
    if (!n)
        return -1;
    bool found;
    size_t i = subs_find(n, sub, &found);
    if (found)
        return 0;
    if (n->nsubs == n->cap_subs) {
        size_t cap = n->cap_subs ? n->cap_subs * 2 : 2;
        void **subs = realloc(n->subs, cap * sizeof *subs);
        if (!subs) {
            node_prune(&t->b, n);
            errno = ENOMEM;
            return -1;
        }
        n->subs = subs;
        n->cap_subs = cap;
    }
    memmove(n->subs + i + 1, n->subs + i, (n->nsubs - i) * sizeof *n->subs);
    n->subs[i] = sub;
    if (n->nsubs++ > 0)
        return 0;
    t->b.topics++;
    return 1;
}

zi_mtrie_rm_result zi_mtrie_rm(zi_mtrie_t *t, const uint8_t *topic, size_t len, void *sub)
{
    zi_trie_node_t *n = node_find(&t->b, topic, len);
    bool found = false;
    size_t i = n ? subs_find(n, sub, &found) : 0;
    if (!found)
        return ZI_MTRIE_NOT_FOUND;
    subs_remove_at(n, i);
    if (n->nsubs)
        return ZI_MTRIE_VALUES_REMAIN;
    t->b.topics--;
    node_prune(&t->b, n);
    return ZI_MTRIE_LAST_REMOVED;
}

void zi_mtrie_rm_sub(zi_mtrie_t *t, void *sub, zi_trie_visit_fn *fn, void *arg, bool only_last)
{
    zi_trie_base_t *b = &t->b;
    size_t depth = 0;
    zi_trie_node_t *n = b->root;
    while (n) {
        bool found = false;
        size_t i = n->nsubs ? subs_find(n, sub, &found) : 0;
        if (found) {
            subs_remove_at(n, i);
            bool last = n->nsubs == 0;
            if (last)
                b->topics--;
            if (fn && (last || !only_last))
                fn(walk_topic(b), depth, arg);
        }
        /* The successor is found before n goes: pruning n's branch never
         * reaches a node on the successor's path. */
        zi_trie_node_t *next = node_next(b, n, &depth);
        if (found)
            node_prune(b, n);
        n = next;
    }
}

void zi_mtrie_match(const zi_mtrie_t *t, const uint8_t *data, size_t len, zi_mtrie_match_fn *fn,
                    void *arg)
{
    const zi_trie_node_t *n = t->b.root;
    for (size_t i = 0; n; i++) {
        for (size_t k = 0; k < n->nsubs; k++)
            fn(n->subs[k], arg);
        if (i == len)
            break;
        n = node_child(n, data[i]);
    }
}

bool zi_mtrie_has(const zi_mtrie_t *t, const uint8_t *topic, size_t len, const void *sub)
{
    const zi_trie_node_t *n = node_find(&t->b, topic, len);
    bool found = false;
    if (n && n->nsubs)
        subs_find(n, sub, &found);
    return found;
}

size_t zi_mtrie_count(const zi_mtrie_t *t)
{
    return t->b.topics;
}

int zi_mtrie_each(const zi_mtrie_t *t, zi_trie_visit_fn *fn, void *arg)
{
    zi_trie_base_t *b = (zi_trie_base_t *)&t->b;
    size_t depth = 0;
    for (zi_trie_node_t *n = b->root; n; n = node_next(b, n, &depth)) {
        if (!n->nsubs)
            continue;
        int rc = fn(walk_topic(b), depth, arg);
        if (rc)
            return rc;
    }
    return 0;
}
