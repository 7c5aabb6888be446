/* Writes the seed corpora of fuzz_plain and fuzz_curve: what a real peer
 * engine sends to the engine under test, for every socket-type pair of
 * fuzz_mech.h, both roles, with and without heartbeats, then a few messages
 * (and a subscription from SUB/XSUB). The fixed keys and the deterministic
 * randomness of fuzz_mech.h make the CURVE boxes open again when replayed.
 * Not built by Meson (the seeds depend on the engine's output, so rerun it
 * when that changes); by hand, from the source tree:
 *
 *   for m in plain curve; do
 *     cc -std=c11 -D_GNU_SOURCE -DZINC_BUILDING -DFUZZ_MECH=ZMTP_MECH_${m^^} \
 *        -Iinclude -Isrc -Ifuzz fuzz/mech_seeds.c BUILD/libzinc_internal.a \
 *        -lsodium -lcjson -lpthread -o /tmp/seeds_$m && /tmp/seeds_$m fuzz/corpus/$m
 *   done
 *
 * (The seed-server-*-zap-* and -no-zap variants are seed-server-*-0 with
 * other header octets.)
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_mech.h"

typedef struct {
    int ready, errors;
    bool zap;
} seed_peer_t;

static void seed_on_ready(void *u, zi_props_t *m)
{
    (void)m;
    ((seed_peer_t *)u)->ready++;
}

static bool seed_on_frame(void *u, zinc_frame_t *f)
{
    (void)u;
    zinc_frame_unref(f);
    return true;
}

static void seed_on_error(void *u, const zmtp_error_t *e)
{
    (void)e;
    ((seed_peer_t *)u)->errors++;
}

static bool seed_on_zap(void *u, const zmtp_zap_request_t *r)
{
    (void)r;
    ((seed_peer_t *)u)->zap = true;
    return true;
}

/* Moves from's output into to, appending it to rec when rec is given. */
static void seed_move(zmtp_engine_t *from, zmtp_engine_t *to, uint8_t **rec, size_t *rec_len)
{
    for (;;) {
        struct iovec iov[16];
        int n = zmtp_engine_output(from, iov, 16);
        if (n == 0)
            return;
        size_t total = 0;
        for (int i = 0; i < n; i++) {
            if (rec) {
                uint8_t *nr = realloc(*rec, *rec_len + iov[i].iov_len);
                if (!nr)
                    abort();
                *rec = nr;
                memcpy(*rec + *rec_len, iov[i].iov_base, iov[i].iov_len);
                *rec_len += iov[i].iov_len;
            }
            zmtp_engine_feed(to, iov[i].iov_base, iov[i].iov_len);
            total += iov[i].iov_len;
        }
        zmtp_engine_written(from, total);
    }
}

/* The reply fuzz_mech.h gives for a valid 200. */
static void seed_zap_answer(zmtp_engine_t *e)
{
    const char *parts[7] = {"", "1.0", "1", "200", "OK", "fuzz-user", ""};
    static const uint8_t meta[] = {4, 'X', '-', 'F', 'z', 0, 0, 0, 1, 'y'};
    zinc_frame_t *f[7];
    for (int i = 0; i < 7; i++) {
        f[i] =
            i == 6 ? zinc_frame_new(meta, sizeof meta) : zinc_frame_new(parts[i], strlen(parts[i]));
        zi_frame_set_more(f[i], i < 6);
    }
    zmtp_engine_zap_reply(e, f, 7);
    for (int i = 0; i < 7; i++)
        zinc_frame_unref(f[i]);
}

static int seed_one(const char *dir, int server, size_t pi, int ping)
{
    uint8_t opts = (uint8_t)(server | (server ? 2 : 0) | (ping ? 0x20 : 0));
    zmtp_config_t ec, pc;
    fz_rng_t er, pr;
    mech_config(&ec, mech_pairs[pi][0], server, opts, &er);
    mech_config(&pc, mech_pairs[pi][1], !server, 0, &pr);
    if (ping) {
        pc.heartbeat_ivl = 50;
        pc.heartbeat_ttl = 1000;
    }
    seed_peer_t pe = {0}, pp = {0};
    zmtp_callbacks_t cb = {seed_on_ready, seed_on_frame, NULL, seed_on_error};
    zmtp_engine_t *e = zmtp_engine_new(&ec, &cb, &pe, 1000);
    zmtp_engine_t *p = zmtp_engine_new(&pc, &cb, &pp, 1000);
    if (!e || !p)
        return 1;
    zmtp_engine_set_zap(e, seed_on_zap);
    zmtp_engine_set_zap(p, seed_on_zap);
    uint8_t *rec = NULL;
    size_t rec_len = 0;
    for (int r = 0; r < 10; r++) {
        seed_move(p, e, &rec, &rec_len);
        seed_move(e, p, NULL, NULL);
        if (pe.zap) {
            pe.zap = false;
            seed_zap_answer(e);
        }
        if (pp.zap) {
            pp.zap = false;
            seed_zap_answer(p);
        }
    }
    if (!pe.ready || !pp.ready || pe.errors || pp.errors)
        return 1;
    static const size_t sizes[] = {0, 5, 300, 3000};
    for (int i = 0; i < 4; i++) {
        zinc_frame_t *f = zinc_frame_new_size(sizes[i]);
        memset(f->data, 'a' + i, sizes[i]);
        if (zmtp_engine_send(p, f, i == 1 || i == 2) != ZI_OK)
            return 1;
    }
    if (mech_pairs[pi][1] == ZINC_SUB || mech_pairs[pi][1] == ZINC_XSUB)
        if (zmtp_engine_send_subscribe(p, true, (const uint8_t *)"top", 3) != ZI_OK)
            return 1;
    if (ping)
        zmtp_engine_tick(p, 1100);
    seed_move(p, e, &rec, &rec_len);
    char path[512];
    snprintf(path, sizeof path, "%s/seed-%s-%s-%zu%s", dir, server ? "server" : "client",
             FUZZ_MECH == ZMTP_MECH_CURVE ? "curve" : "plain", pi, ping ? "-ping" : "");
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return 1;
    /* header: whole chunks or 1-64, 2 or 8 sends once ready */
    uint8_t hdr[MECH_HEADER] = {
        opts, (uint8_t)pi, 0, 0, 1, (uint8_t)(7 * pi + (size_t)ping), ping ? 0x13 : 0x21, 0};
    fwrite(hdr, 1, sizeof hdr, fp);
    fwrite(rec, 1, rec_len, fp);
    fclose(fp);
    free(rec);
    zmtp_engine_free(e);
    zmtp_engine_free(p);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s corpus-dir\n", argv[0]);
        return 2;
    }
    for (int server = 0; server < 2; server++)
        for (size_t pi = 0; pi < MECH_PAIRS; pi++)
            for (int ping = 0; ping < 2; ping++)
                if (seed_one(argv[1], server, pi, ping) != 0) {
                    fprintf(stderr, "no handshake: server %d pair %zu\n", server, pi);
                    return 1;
                }
    return 0;
}
