/* Subscription tries (libzmq's trie_t and mtrie_t, written anew).
 *
 * Topics are byte strings (any octets, any length, "" included); a topic
 * matches a message when it is a prefix of the message's first frame.
 *
 *   zi_trie_t   a counted set of topics, for SUB and XSUB: subscribing twice
 *               and unsubscribing once leaves the topic subscribed.
 *   zi_mtrie_t  for each topic, the set of subscribers (opaque non-NULL
 *               pointers: a pattern's per-pipe records), for PUB and XPUB: a
 *               subscriber added twice to a topic is in it once, and one
 *               removal takes it out, as libzmq's XPUB does per pipe.
 *
 * Both are byte-wise tries: a node per distinct prefix, children kept in a
 * byte range, parent links so that every walk is iterative (a topic of any
 * length from the network cannot exhaust the stack). Lookups, adds and
 * removals cost O(topic length); a walk over every topic costs O(nodes).
 * Empty branches are freed as soon as they are empty.
 *
 * Memory: an add may allocate (and fails with -1, errno ENOMEM, leaving the
 * trie as it was); nothing else allocates, so removals and walks never fail.
 *
 * Threads: none; a trie belongs to one socket and is used by its thread.
 */
#ifndef ZI_PATTERN_TRIE_H
#define ZI_PATTERN_TRIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct zi_trie_node zi_trie_node_t;

/* What both tries share: zero-initialised is an empty trie. */
typedef struct {
    zi_trie_node_t *root; /* NULL when empty */
    size_t topics;        /* distinct topics present */
    uint8_t *buf;         /* walk scratch, as long as the longest topic added */
    size_t buf_cap;
} zi_trie_base_t;

typedef struct {
    zi_trie_base_t b;
} zi_trie_t;

typedef struct {
    zi_trie_base_t b;
} zi_mtrie_t;

/* Called with each topic of a walk; topic is valid during the call only. A
 * non-zero return stops the walk and is returned by it. The callback must not
 * change the trie being walked. */
typedef int zi_trie_visit_fn(const uint8_t *topic, size_t len, void *arg);

/* ---- zi_trie_t: counted topics ----------------------------------------- */

void zi_trie_init(zi_trie_t *t);
void zi_trie_fini(zi_trie_t *t);

/* Adds one reference to topic. 1: the topic is new; 0: it was there (one
 * more reference); -1 with ENOMEM. */
int zi_trie_add(zi_trie_t *t, const uint8_t *topic, size_t len);

/* Drops one reference. true when that was the last one (the topic is gone);
 * false when the topic was absent or is still referenced. */
bool zi_trie_rm(zi_trie_t *t, const uint8_t *topic, size_t len);

/* References to exactly this topic (0: absent). */
size_t zi_trie_refs(const zi_trie_t *t, const uint8_t *topic, size_t len);

/* true when some topic in t is a prefix of data[0..len). */
bool zi_trie_match(const zi_trie_t *t, const uint8_t *data, size_t len);

/* Distinct topics. */
size_t zi_trie_count(const zi_trie_t *t);

/* Visits each topic that is not less than from[0..from_len) (byte-wise
 * lexicographic order, a prefix before its extensions), in that order;
 * from NULL/0 visits all. The smallest topic greater than T is T + "\0", so
 * a walk can resume after T from there. Returns 0 or fn's non-zero value. */
int zi_trie_each(const zi_trie_t *t, const uint8_t *from, size_t from_len, zi_trie_visit_fn *fn,
                 void *arg);

/* ---- zi_mtrie_t: subscribers per topic ---------------------------------- */

typedef enum {
    ZI_MTRIE_NOT_FOUND,    /* sub was not subscribed to topic */
    ZI_MTRIE_LAST_REMOVED, /* removed; nobody is subscribed to topic now */
    ZI_MTRIE_VALUES_REMAIN /* removed; others are still subscribed */
} zi_mtrie_rm_result;

/* Called with each subscriber a match finds; must not change the trie. */
typedef void zi_mtrie_match_fn(void *sub, void *arg);

void zi_mtrie_init(zi_mtrie_t *t);
void zi_mtrie_fini(zi_mtrie_t *t);

/* Subscribes sub (non-NULL) to topic. 1: nobody was subscribed to topic
 * before; 0: somebody was (sub itself, maybe); -1 with ENOMEM. */
int zi_mtrie_add(zi_mtrie_t *t, const uint8_t *topic, size_t len, void *sub);

/* Unsubscribes sub from topic. */
zi_mtrie_rm_result zi_mtrie_rm(zi_mtrie_t *t, const uint8_t *topic, size_t len, void *sub);

/* Unsubscribes sub from every topic, calling fn (may be NULL) with each
 * topic it was subscribed to, or with only those that nobody is subscribed
 * to any more when only_last. Never fails. */
void zi_mtrie_rm_sub(zi_mtrie_t *t, void *sub, zi_trie_visit_fn *fn, void *arg, bool only_last);

/* Calls fn once per (topic, subscriber) pair whose topic is a prefix of
 * data[0..len), shortest topic first: a subscriber to both "a" and "ab" is
 * reported twice for "abc" (the caller deduplicates). */
void zi_mtrie_match(const zi_mtrie_t *t, const uint8_t *data, size_t len, zi_mtrie_match_fn *fn,
                    void *arg);

/* true when sub is subscribed to exactly topic. */
bool zi_mtrie_has(const zi_mtrie_t *t, const uint8_t *topic, size_t len, const void *sub);

/* Topics with at least one subscriber. */
size_t zi_mtrie_count(const zi_mtrie_t *t);

/* Visits each topic that has a subscriber, in order (as zi_trie_each). */
int zi_mtrie_each(const zi_mtrie_t *t, zi_trie_visit_fn *fn, void *arg);

#endif
