/* Fuzz target: the greeting parser (src/zmtp/greeting.c).
 *
 * Input: one control octet, then the peer's bytes. The bytes are parsed
 * three ways: in one piece, in two pieces split where the control octet says,
 * and one octet at a time. All three must agree (result, octets consumed,
 * version, mechanism, role, a 1.0/2.0 peer's socket type): a greeting may be
 * split anywhere, and an older peer's is never read past its end. The
 * control octet also picks a greeting to encode and parse back.
 */
#include <string.h>

#include "fuzz_common.h"
#include "zmtp/greeting.h"

typedef struct {
    zi_err err;
    size_t used;
    zmtp_greeting_t g;
} greeting_result_t;

/* Feeds data in pieces of the given sizes (the last piece takes the rest)
 * until the parser stops asking for more. */
static void greeting_run(const uint8_t *data, size_t size, const size_t *pieces, size_t npieces,
                         greeting_result_t *r)
{
    zmtp_greeting_parser_t p;
    zmtp_greeting_parser_init(&p);
    memset(r, 0, sizeof *r);
    r->err = ZI_AGAIN;
    size_t pos = 0;
    for (size_t i = 0; pos < size || i == 0; i++) {
        size_t n = i < npieces ? pieces[i] : 1;
        if (i + 1 == npieces || n > size - pos)
            n = size - pos;
        size_t used = 0;
        r->err = zmtp_greeting_parse(&p, data + pos, n, &used, &r->g);
        FZ_CHECK(used <= n);
        FZ_CHECK(p.have <= ZMTP_GREETING_SIZE);
        pos += used;
        if (r->err != ZI_AGAIN)
            break;
        /* Needing more means everything given was taken. */
        FZ_CHECK(used == n);
    }
    r->used = pos;
    if (r->err == ZI_OK && r->g.version >= ZMTP_V30) {
        FZ_CHECK(p.have == ZMTP_GREETING_SIZE);
        FZ_CHECK(r->g.version == ZMTP_V30 || r->g.version == ZMTP_V31);
        FZ_CHECK(strlen(r->g.mechanism) <= ZMTP_MECHANISM_SIZE);
        FZ_CHECK(!r->g.unversioned && r->g.socket_type == -1);
    } else if (r->err == ZI_OK && r->g.unversioned) {
        /* 1.0 without a greeting: seen at octet 0, or at octet 9. */
        FZ_CHECK(r->g.version == ZMTP_V10);
        FZ_CHECK((p.have == 1 && p.buf[0] != 0xFF) ||
                 (p.have == ZMTP_SIGNATURE_SIZE && p.buf[0] == 0xFF && !(p.buf[9] & 1)));
    } else if (r->err == ZI_OK) {
        /* Revision 0 (1.0) or 1 (2.0): 12 octets, the last the type. */
        FZ_CHECK(p.have == ZMTP_V2_GREETING_SIZE && p.buf[10] <= 1);
        FZ_CHECK(r->g.version == (p.buf[10] ? ZMTP_V20 : ZMTP_V10));
        FZ_CHECK(r->g.socket_type == p.buf[11]);
    } else {
        FZ_CHECK(r->err == ZI_AGAIN || r->err == ZI_EPROTO);
    }
}

static void greeting_same(const greeting_result_t *a, const greeting_result_t *b)
{
    FZ_CHECK(a->err == b->err);
    FZ_CHECK(a->used == b->used);
    if (a->err == ZI_OK) {
        FZ_CHECK(a->g.version == b->g.version);
        FZ_CHECK(a->g.unversioned == b->g.unversioned);
        FZ_CHECK(a->g.socket_type == b->g.socket_type);
    }
    if (a->err == ZI_OK && a->g.version >= ZMTP_V30) {
        FZ_CHECK(a->g.major == b->g.major && a->g.minor == b->g.minor);
        FZ_CHECK(strcmp(a->g.mechanism, b->g.mechanism) == 0);
        FZ_CHECK(a->g.as_server == b->g.as_server);
    }
}

static void greeting_round_trip(uint8_t ctl)
{
    static const char *const mechs[] = {"NULL", "PLAIN", "CURVE", "X", "ABCDEFGHIJKLMNOPQRST"};
    const char *mech = mechs[(ctl >> 1) % (sizeof mechs / sizeof mechs[0])];
    bool as_server = ctl & 1;
    uint8_t g[ZMTP_GREETING_SIZE];
    zmtp_greeting_encode(g, mech, as_server);
    zmtp_greeting_parser_t p;
    zmtp_greeting_parser_init(&p);
    zmtp_greeting_t out;
    size_t used;
    FZ_CHECK(zmtp_greeting_parse(&p, g, sizeof g, &used, &out) == ZI_OK);
    FZ_CHECK(used == sizeof g);
    FZ_CHECK(out.version == ZMTP_V31 && out.major == 3 && out.minor == 1);
    FZ_CHECK(strcmp(out.mechanism, mech) == 0);
    FZ_CHECK(out.as_server == as_server);
    /* The signature for any identity length reads back as versioned. */
    size_t id_len = (size_t)ctl * 3;
    zmtp_greeting_signature(g, id_len);
    zmtp_greeting_parser_init(&p);
    FZ_CHECK(zmtp_greeting_parse(&p, g, ZMTP_SIGNATURE_SIZE, &used, &out) == ZI_AGAIN);
    FZ_CHECK(zmtp_greeting_peer_signed(&p) && zmtp_greeting_peer_major(&p) == -1);
    FZ_CHECK(g[0] == 0xFF && g[9] == 0x7F && g[8] == (uint8_t)(id_len + 1) &&
             g[7] == (uint8_t)((id_len + 1) >> 8));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t ctl = data[0];
    data++;
    size--;

    greeting_result_t whole, split, bytewise;
    size_t all = size;
    greeting_run(data, size, &all, 1, &whole);

    size_t at = size ? ctl % (size + 1) : 0;
    size_t two[2] = {at, size - at};
    greeting_run(data, size, two, 2, &split);
    greeting_same(&whole, &split);

    greeting_run(data, size, NULL, 0, &bytewise);
    greeting_same(&whole, &bytewise);

    greeting_round_trip(ctl);
    return 0;
}
