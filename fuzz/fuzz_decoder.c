/* Fuzz target: the frame decoder (src/zmtp/codec.c), in ZMTP 3.x, 2.0 and
 * 1.0 framing.
 *
 * Input: three control octets, then the stream.
 *   [0] bit 7: commands_only; bits 0-6: maxmsgsize (0..63 as is, above that
 *       a table of boundary values; -1 only with commands_only, so that a
 *       peer-chosen size cannot make the fuzzer itself allocate gigabytes)
 *   [1] bits 0-1: chunking (whole, fixed, random small, random up to 64 KiB),
 *       bits 2-7: chunk size parameter; [1] and [2] seed the PRNG
 *   [2] bits 0-3: how often (n/16) a body is filled through
 *       zmtp_decoder_window/advance instead of feed; bits 4-5: framing (0
 *       and 3: ZMTP 3.x, 1: 2.0, 2: 1.0). 2.0 and 1.0 have no commands:
 *       commands_only is off there, and "no limit" becomes 1 MiB
 *
 * The stream is decoded twice: in one piece, and in the chosen chunks with
 * window/advance. Both must give the same frames (flags, size, contents),
 * end the same way at the same offset, and obey the limits.
 */
#include <string.h>

#include "fuzz_common.h"
#include "zmtp/codec.h"

typedef struct {
    int64_t maxmsgsize;
    bool commands_only;
    int framing;
    int chunk_mode;
    size_t chunk_param;
    unsigned window_odds; /* out of 16 */
    uint64_t seed;
} decoder_plan_t;

typedef struct {
    zi_err err; /* ZI_AGAIN: the input ended; else the decoder's error */
    size_t consumed;
    size_t frames;
    uint64_t digest;
} decoder_result_t;

static void decoder_take_frame(const decoder_plan_t *plan, zinc_frame_t *f, decoder_result_t *r)
{
    FZ_CHECK(f != NULL);
    FZ_CHECK((f->flags & ~(uint32_t)(ZI_FRAME_MORE | ZI_FRAME_COMMAND)) == 0);
    FZ_CHECK(atomic_load(&f->refs) == 1);
    if (f->flags & ZI_FRAME_COMMAND) {
        FZ_CHECK(!(f->flags & ZI_FRAME_MORE));
        FZ_CHECK(plan->framing == ZMTP_FRAMING_V3);
        FZ_CHECK(f->size <= ZMTP_COMMAND_MAX);
    } else {
        FZ_CHECK(!plan->commands_only);
        if (plan->maxmsgsize >= 0)
            FZ_CHECK(f->size <= (uint64_t)plan->maxmsgsize);
    }
    r->frames++;
    r->digest = fz_hash_u64(r->digest, f->flags);
    r->digest = fz_hash_u64(r->digest, f->size);
    r->digest = fz_hash(r->digest, f->data, f->size);
    zinc_frame_unref(f);
}

static void decoder_check_error(zi_err err)
{
    FZ_CHECK(err == ZI_EPROTO || err == ZI_EMSGSIZE || err == ZI_ENOMEM);
}

static void decoder_whole(const decoder_plan_t *plan, const uint8_t *data, size_t size,
                          decoder_result_t *r)
{
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, plan->maxmsgsize);
    d.commands_only = plan->commands_only;
    d.framing = plan->framing;
    size_t pos = 0;
    for (;;) {
        size_t used = 0;
        zinc_frame_t *f = NULL;
        zi_err err = zmtp_decoder_feed(&d, data + pos, size - pos, &used, &f);
        FZ_CHECK(used <= size - pos);
        pos += used;
        if (err == ZI_OK) {
            decoder_take_frame(plan, f, r);
            continue;
        }
        FZ_CHECK(f == NULL);
        if (err == ZI_AGAIN)
            FZ_CHECK(pos == size);
        else
            decoder_check_error(err);
        r->err = err;
        break;
    }
    r->consumed = pos;
    zmtp_decoder_fini(&d);
}

static size_t decoder_chunk(const decoder_plan_t *plan, fz_rng_t *rng, size_t left)
{
    size_t n;
    switch (plan->chunk_mode) {
    case 0:
        n = left;
        break;
    case 1:
        n = plan->chunk_param;
        break;
    case 2:
        n = fz_rng_range(rng, 1, plan->chunk_param);
        break;
    default:
        n = fz_rng_range(rng, 1, (size_t)1 << fz_rng_below(rng, 17));
        break;
    }
    return n < left ? n : left;
}

static void decoder_chunked(const decoder_plan_t *plan, const uint8_t *data, size_t size,
                            decoder_result_t *r)
{
    fz_rng_t rng;
    fz_rng_seed(&rng, plan->seed);
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, plan->maxmsgsize);
    d.commands_only = plan->commands_only;
    d.framing = plan->framing;
    size_t pos = 0;
    r->err = ZI_AGAIN;
    while (pos < size) {
        size_t wlen = 0;
        uint8_t *win = zmtp_decoder_window(&d, &wlen);
        if (!win)
            FZ_CHECK(wlen == 0);
        if (win && fz_rng_below(&rng, 16) < plan->window_odds) {
            /* A direct read() into the body: any amount up to what is left. */
            FZ_CHECK(wlen > 0);
            size_t k = decoder_chunk(plan, &rng, size - pos);
            if (k > wlen)
                k = wlen;
            memcpy(win, data + pos, k);
            pos += k;
            zinc_frame_t *f = zmtp_decoder_advance(&d, k);
            if (f)
                decoder_take_frame(plan, f, r);
            continue;
        }
        size_t n = decoder_chunk(plan, &rng, size - pos);
        size_t used = 0;
        zinc_frame_t *f = NULL;
        zi_err err = zmtp_decoder_feed(&d, data + pos, n, &used, &f);
        FZ_CHECK(used <= n);
        pos += used;
        if (err == ZI_OK) {
            decoder_take_frame(plan, f, r);
        } else if (err == ZI_AGAIN) {
            FZ_CHECK(f == NULL && used == n);
        } else {
            FZ_CHECK(f == NULL);
            decoder_check_error(err);
            r->err = err;
            break;
        }
    }
    r->consumed = pos;
    zmtp_decoder_fini(&d);
}

static int64_t decoder_maxmsgsize(uint8_t sel)
{
    static const int64_t table[] = {-1,   255,   256,   257,   1000,    8191,
                                    8192, 65535, 65536, 65537, 1 << 20, (1 << 20) + 1};
    if (sel < 64)
        return sel;
    return table[(sel - 64) % (sizeof table / sizeof table[0])];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    decoder_plan_t plan;
    plan.maxmsgsize = decoder_maxmsgsize(data[0] & 0x7F);
    plan.commands_only = (data[0] & 0x80) || plan.maxmsgsize < 0;
    static const int framings[] = {ZMTP_FRAMING_V3, ZMTP_FRAMING_V2, ZMTP_FRAMING_V1,
                                   ZMTP_FRAMING_V3};
    plan.framing = framings[(data[2] >> 4) & 3];
    if (plan.framing != ZMTP_FRAMING_V3) {
        plan.commands_only = false;
        if (plan.maxmsgsize < 0)
            plan.maxmsgsize = 1 << 20;
    }
    plan.chunk_mode = data[1] & 3;
    plan.chunk_param = (size_t)(data[1] >> 2) + 1;
    plan.window_odds = data[2] & 0x0F;
    plan.seed = (uint64_t)data[1] << 8 | data[2];
    data += 3;
    size -= 3;

    decoder_result_t a = {ZI_AGAIN, 0, 0, FZ_HASH_INIT};
    decoder_result_t b = {ZI_AGAIN, 0, 0, FZ_HASH_INIT};
    decoder_whole(&plan, data, size, &a);
    decoder_chunked(&plan, data, size, &b);
    FZ_CHECK(a.err == b.err);
    FZ_CHECK(a.consumed == b.consumed);
    FZ_CHECK(a.frames == b.frames);
    FZ_CHECK(a.digest == b.digest);
    return 0;
}
