/* What ROUTER and STREAM share about peers known by a routing id: a fair
 * queue over peer structs (the first `active` entries may have input), the
 * 5-octet ids libzmq generates (0x00 + a big-endian counter), and a random
 * seed for the id hash. Socket thread only; nothing here locks.
 *
 * A peer struct embeds a zi_peerq_slot_t; the queue is told its offset once
 * (zi_peerq_init) and stores pointers to the peer structs themselves. */
#ifndef ZI_PATTERN_PEERSET_H
#define ZI_PATTERN_PEERSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t idx;  /* index in zi_peerq_t.items while queued */
    bool queued; /* in the queue (active or not) */
} zi_peerq_slot_t;

typedef struct {
    void **items; /* peer structs; the first `active` may have input */
    size_t n, active, cur, cap;
    size_t slot_off; /* offsetof(peer struct, its zi_peerq_slot_t) */
} zi_peerq_t;

void zi_peerq_init(zi_peerq_t *q, size_t slot_off);
/* Frees the array (not the peers). */
void zi_peerq_fini(zi_peerq_t *q);
/* Queues peer as active: 0, or -1 with ENOMEM. */
int zi_peerq_add(zi_peerq_t *q, void *peer);
/* A queued peer has input again (no-op when not queued or already active). */
void zi_peerq_activate(zi_peerq_t *q, void *peer);
/* items[i] (i < active) has no input now; cur stays in range. */
void zi_peerq_deactivate(zi_peerq_t *q, size_t i);
/* Takes peer out of the queue (no-op when not queued). */
void zi_peerq_remove(zi_peerq_t *q, void *peer);

/* Writes libzmq's generated routing id for counter value n: 5 octets,
 * 0x00 then n big-endian (a user-set id may not start with 0x00). */
void zi_routing_id_make(uint8_t id[5], uint32_t n);

/* 64 random bits from getrandom, or from the clock when that fails. */
uint64_t zi_pattern_random64(void);

#endif
