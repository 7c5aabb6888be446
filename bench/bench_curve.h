/* bench_curve.h: CURVE keys and socket set-up for the benchmarks that
 * measure the CURVE mechanism (bench_curve_thr, bench_handshake), for either
 * library (include after bench_api.h).
 *
 * Keys are made with libsodium (crypto_box_keypair: the X25519 pairs both
 * libraries use) once, in main, before the roles start, so a forked client
 * and a thread client see the same server key. No ZAP handler runs: a CURVE
 * server without one accepts any client key, in zinc as in libzmq.
 */
#ifndef BENCH_CURVE_H
#define BENCH_CURVE_H

#include <sodium.h>

typedef struct {
    unsigned char server_public[32], server_secret[32];
    unsigned char client_public[32], client_secret[32];
} bench_curve_keys_t;

/* Makes both key pairs. 0, or -1 when libsodium cannot start. */
static inline int bench_curve_keys(bench_curve_keys_t *k)
{
    if (sodium_init() < 0)
        return -1;
    crypto_box_keypair(k->server_public, k->server_secret);
    crypto_box_keypair(k->client_public, k->client_secret);
    return 0;
}

/* Makes s a CURVE server (before its bind). 0, or -1 with errno. */
static inline int bench_curve_server(void *s, const bench_curve_keys_t *k)
{
    int one = 1;
    if (B_SETI(s, CURVE_SERVER, one) != 0)
        return -1;
    if (B_SETB(s, CURVE_PUBLICKEY, k->server_public, 32) != 0)
        return -1;
    return B_SETB(s, CURVE_SECRETKEY, k->server_secret, 32);
}

/* Makes s a CURVE client of that server (before its connect). */
static inline int bench_curve_client(void *s, const bench_curve_keys_t *k)
{
    if (B_SETB(s, CURVE_SERVERKEY, k->server_public, 32) != 0 ||
        B_SETB(s, CURVE_PUBLICKEY, k->client_public, 32) != 0)
        return -1;
    return B_SETB(s, CURVE_SECRETKEY, k->client_secret, 32);
}

#endif
