/* CURVE MESSAGE boxes with a per-direction subkey: byte for byte the boxes of
 * crypto_box_detached_afternm, opened likewise, and a bad MAC refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "zmtp/mech/curve_box.h"

static const char *const prefixes[] = {"CurveZMQMESSAGEC", "CurveZMQMESSAGES"};

/* A shared key as a handshake makes it, from two fresh pairs. */
static void make_precom(uint8_t precom[32])
{
    uint8_t apk[32], ask[32], bpk[32], bsk[32];
    crypto_box_keypair(apk, ask);
    crypto_box_keypair(bpk, bsk);
    assert_int_equal(crypto_box_beforenm(precom, bpk, ask), 0);
}

static void test_curve_box_seals_as_crypto_box_at_every_length(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    static uint8_t plain[5000], mine[5000], theirs[5000];
    for (int k = 0; k < 2; k++) {
        uint8_t precom[32];
        make_precom(precom);
        zmtp_curve_box_t b;
        zmtp_curve_box_init(&b, precom, (const uint8_t *)prefixes[k]);
        for (size_t len = 0; len < sizeof plain; len += len < 300 ? 1 : 397) {
            randombytes_buf(plain, len);
            uint8_t sn[8], nonce[24], mac_mine[16], mac_theirs[16];
            randombytes_buf(sn, sizeof sn);
            memcpy(nonce, prefixes[k], 16);
            memcpy(nonce + 16, sn, 8);
            memcpy(mine, plain, len);
            zmtp_curve_box_seal(&b, mine, len, mac_mine, sn);
            crypto_box_detached_afternm(theirs, mac_theirs, plain, len, nonce, precom);
            assert_memory_equal(mac_mine, mac_theirs, 16);
            if (len)
                assert_memory_equal(mine, theirs, len);
            /* and back, in place */
            assert_int_equal(zmtp_curve_box_open(&b, mine, len, mac_theirs, sn), 0);
            if (len)
                assert_memory_equal(mine, plain, len);
        }
        zmtp_curve_box_wipe(&b);
    }
}

static void test_curve_box_refuses_a_bad_mac_a_changed_octet_or_nonce(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    uint8_t precom[32], sn[8] = {0, 0, 0, 0, 0, 0, 0, 3}, mac[16];
    make_precom(precom);
    zmtp_curve_box_t tx, rx, other;
    zmtp_curve_box_init(&tx, precom, (const uint8_t *)prefixes[0]);
    zmtp_curve_box_init(&rx, precom, (const uint8_t *)prefixes[0]);
    zmtp_curve_box_init(&other, precom, (const uint8_t *)prefixes[1]);
    uint8_t msg[100], sealed[100], copy[100];
    memset(msg, 'x', sizeof msg);
    memcpy(sealed, msg, sizeof msg);
    zmtp_curve_box_seal(&tx, sealed, sizeof sealed, mac, sn);

    /* the other direction's subkey */
    memcpy(copy, sealed, sizeof copy);
    assert_int_equal(zmtp_curve_box_open(&other, copy, sizeof copy, mac, sn), -1);
    assert_memory_equal(copy, sealed, sizeof copy); /* untouched */
    /* another short nonce */
    uint8_t sn2[8] = {0, 0, 0, 0, 0, 0, 0, 4};
    assert_int_equal(zmtp_curve_box_open(&rx, copy, sizeof copy, mac, sn2), -1);
    /* one bit of the ciphertext, of the MAC */
    copy[57] ^= 1;
    assert_int_equal(zmtp_curve_box_open(&rx, copy, sizeof copy, mac, sn), -1);
    copy[57] ^= 1;
    mac[15] ^= 0x80;
    assert_int_equal(zmtp_curve_box_open(&rx, copy, sizeof copy, mac, sn), -1);
    mac[15] ^= 0x80;
    assert_int_equal(zmtp_curve_box_open(&rx, copy, sizeof copy, mac, sn), 0);
    assert_memory_equal(copy, msg, sizeof msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curve_box_seals_as_crypto_box_at_every_length),
        cmocka_unit_test(test_curve_box_refuses_a_bad_mac_a_changed_octet_or_nonce),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
