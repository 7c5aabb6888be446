/* The CURVE mechanism (RFC 25 ZMTP-CURVE, RFC 26 CurveZMQ), client and
 * server, on libsodium's crypto_box (Curve25519, XSalsa20, Poly1305).
 *
 *   C: HELLO    C', box[64 zeros](C'->S)
 *   S: WELCOME  box[S' + cookie](S->C'), cookie = secretbox[C' + s'](K)
 *   C: INITIATE cookie, box[C + vouch + metadata](C'->S'), vouch = box[C' + S](C->S')
 *   S: READY    box[metadata](S'->C')            (or ERROR after a ZAP refusal)
 *   both: MESSAGE box[flags + payload](S'<->C')
 *
 * Rules kept here (ZMTP-NOTES.md):
 * - every command's exact size is checked before libsodium sees it;
 * - one 64-bit short-nonce counter per direction, from 1, through the
 *   handshake and the messages (client HELLO 1, INITIATE 2, messages 3...;
 *   server READY 1, messages 2...); what the peer sends must strictly
 *   increase, else ZMTP_INVALID_SEQUENCE (libzmq's code for a replay);
 * - a fresh cookie key K per connection;
 * - the long-term/transient key agreements are computed once each
 *   (crypto_box_beforenm): 4 scalar multiplications per side per handshake;
 * - messages are sealed and opened in place (detached MAC), no allocation,
 *   with each direction's subkey computed once (curve_box.h); the
 *   precomputed key is wiped once the handshake is done;
 * - transient secrets, shared keys and the cookie key are wiped with
 *   sodium_memzero as soon as they are no longer needed, and at fini. No
 *   guarded pages: a handshake costs no mmap/mprotect (DESIGN.md rule 7).
 *
 * Without a ZAP handler the server accepts any client key, as libzmq 4.3.4
 * does, unless zap_enforce_domain is set with a zap_domain (then it closes
 * without a word). There is then no User-Id: libzmq takes it from the ZAP
 * reply.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/cursor.h"
#include "zinc.h"
#include "zmtp/codec.h"
#include "zmtp/mech.h"
#include "zmtp/mech/curve_box.h"

#define KEY 32   /* crypto_box_PUBLICKEYBYTES, _SECRETKEYBYTES, _BEFORENMBYTES */
#define MAC 16   /* crypto_box_MACBYTES, crypto_secretbox_MACBYTES */
#define NONCE 24 /* crypto_box_NONCEBYTES, crypto_secretbox_NONCEBYTES */

/* Command bodies after the name (RFC 26 "Commands"). */
#define HELLO_LEN (2 + 72 + KEY + 8 + MAC + 64)            /* 194: HELLO is 200 octets */
#define COOKIE_LEN (16 + MAC + 2 * KEY)                    /* 96 */
#define WELCOME_LEN (16 + MAC + KEY + COOKIE_LEN)          /* 160: WELCOME is 168 */
#define VOUCH_LEN (16 + MAC + 2 * KEY)                     /* 96 */
#define INITIATE_BOX (KEY + VOUCH_LEN)                     /* 128 before the metadata */
#define INITIATE_MIN (COOKIE_LEN + 8 + MAC + INITIATE_BOX) /* 248: 257 with the name */
#define READY_MIN (8 + MAC)                                /* 24: 30 with the name */
#define MESSAGE_NAME "\x07MESSAGE"
#define MESSAGE_HEAD (8 + 8 + MAC) /* name, short nonce, MAC: then flags + payload */
#define MESSAGE_OVERHEAD (MESSAGE_HEAD + 1)

_Static_assert(crypto_box_PUBLICKEYBYTES == KEY && crypto_box_SECRETKEYBYTES == KEY &&
                   crypto_box_BEFORENMBYTES == KEY && crypto_secretbox_KEYBYTES == KEY,
               "CURVE key sizes");
_Static_assert(crypto_box_MACBYTES == MAC && crypto_secretbox_MACBYTES == MAC, "CURVE MAC size");
_Static_assert(crypto_box_NONCEBYTES == NONCE && crypto_secretbox_NONCEBYTES == NONCE,
               "CURVE nonce size");

enum curve_state {
    CURVE_C_HELLO,    /* client: send HELLO */
    CURVE_C_WELCOME,  /* client: wait for WELCOME */
    CURVE_C_INITIATE, /* client: send INITIATE */
    CURVE_C_READY,    /* client: wait for READY */
    CURVE_S_HELLO,    /* server: wait for HELLO */
    CURVE_S_WELCOME,  /* server: send WELCOME */
    CURVE_S_INITIATE, /* server: wait for INITIATE */
    CURVE_S_ZAP,      /* server: wait for the ZAP handler */
    CURVE_S_READY,    /* server: send READY */
    CURVE_S_ERROR,    /* server: send ERROR, then fail */
    CURVE_DONE,
    CURVE_FAILED,
};

typedef struct curve_mech {
    zmtp_mech_t base;
    enum curve_state state;
    uint8_t tpk[KEY], tsk[KEY]; /* our transient pair: C', c' or S', s' */
    uint8_t peer_tpk[KEY];      /* the peer's transient public key */
    uint8_t hs_key[KEY];        /* client (S, c'), server (C', s): HELLO, WELCOME */
    uint8_t precom[KEY];        /* (peer transient, our transient): the rest */
    uint8_t cookie[COOKIE_LEN]; /* client: from WELCOME, for INITIATE */
    uint8_t cookie_key[KEY];    /* server: K, this connection only */
    uint8_t client_key[KEY];    /* server: C, for ZAP */
    uint64_t tx_nonce;          /* the last short nonce we sent */
    uint64_t rx_nonce;          /* the last short nonce the peer sent */
    int zap_status;
    const char *tx_prefix, *rx_prefix; /* MESSAGE nonce prefixes */
    zmtp_curve_box_t tx_box, rx_box;   /* MESSAGE boxes, made when the handshake is done */
    bool boxes;
} curve_mech_t;

typedef struct {
    zmtp_cmd_type_t expect; /* waiting for this command; 0 when it is our turn */
    bool error_ok;          /* an ERROR from the peer is an answer here */
    zi_err (*consume)(curve_mech_t *c, const zmtp_command_t *cmd);
    zi_err (*produce)(curve_mech_t *c, zi_wbuf_t *out);
    enum curve_state next; /* a step may choose another */
} curve_step_t;

/* ---- helpers ------------------------------------------------------------------ */

static zi_err curve_fail(curve_mech_t *c, zi_err err, uint32_t protocol, const char *reason)
{
    c->state = CURVE_FAILED;
    return zmtp_mech_failed(&c->base, err, protocol, reason);
}

static zi_err curve_crypto_fail(curve_mech_t *c, const char *reason)
{
    return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC, reason);
}

/* A full nonce: a 16- or 8-octet prefix, then the rest. */
static void curve_nonce(uint8_t n[NONCE], const char *prefix, const uint8_t *rest)
{
    size_t pl = strlen(prefix);
    memcpy(n, prefix, pl);
    memcpy(n + pl, rest, NONCE - pl);
}

/* The next short nonce of ours (RFC 26: it must never repeat). */
static zi_err curve_tx_nonce(curve_mech_t *c, uint8_t out[8])
{
    if (c->tx_nonce == UINT64_MAX)
        return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE,
                          "CURVE short nonces exhausted");
    c->tx_nonce++;
    zi_put_u64be(out, c->tx_nonce);
    return ZI_OK;
}

/* The peer's short nonce: strictly above the last one, else a replay. */
static zi_err curve_rx_nonce(curve_mech_t *c, const uint8_t *p, uint64_t *n)
{
    *n = zi_get_u64be(p);
    if (*n <= c->rx_nonce)
        return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE,
                          "CURVE nonce not above the last one (replay?)");
    return ZI_OK;
}

/* Appends a command frame header and name for a body of len octets after
 * the name; *data gets where that body goes (len octets, to be filled). */
static zi_err curve_command_open(zi_wbuf_t *out, const char *name, size_t len, uint8_t **data)
{
    size_t nl = strlen(name);
    uint8_t hdr[ZMTP_HEADER_MAX];
    size_t hl = zmtp_header_encode(hdr, ZMTP_FLAG_COMMAND, 1 + nl + len);
    zi_err e = zi_wbuf_reserve(out, hl + 1 + nl + len);
    if (e != ZI_OK)
        return e;
    uint8_t *p = out->data + out->len;
    memcpy(p, hdr, hl);
    p[hl] = (uint8_t)nl;
    memcpy(p + hl + 1, name, nl);
    *data = p + hl + 1 + nl;
    out->len += hl + 1 + nl + len;
    return ZI_OK;
}

/* Our metadata (Socket-Type, Identity, X-...) in a temporary buffer. */
static zi_err curve_metadata(curve_mech_t *c, zi_wbuf_t *meta)
{
    zi_wbuf_init(meta, ZMTP_COMMAND_MAX - INITIATE_MIN - 16);
    return zmtp_mech_put_metadata(&c->base, meta);
}

/* ---- client ----------------------------------------------------------------------- */

static zi_err curve_hello_put(curve_mech_t *c, zi_wbuf_t *out)
{
    const zmtp_config_t *cfg = c->base.cfg;
    /* One agreement for the HELLO and WELCOME boxes: (S, c'). */
    if (crypto_box_beforenm(c->hs_key, cfg->curve_serverkey, c->tsk) != 0)
        return curve_fail(c, ZI_EINVAL, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
                          "the CURVE server key is not usable");
    uint8_t *d;
    zi_err e = curve_command_open(out, "HELLO", HELLO_LEN, &d);
    if (e != ZI_OK)
        return e;
    /* RFC 26 HELLO: version 1.0, 72 octets of anti-amplification padding,
     * C', short nonce, box[64 zeros](C'->S). */
    d[0] = 1;
    d[1] = 0;
    memset(d + 2, 0, 72);
    memcpy(d + 74, c->tpk, KEY);
    uint8_t n[NONCE];
    if ((e = curve_tx_nonce(c, d + 106)) != ZI_OK)
        return e;
    curve_nonce(n, "CurveZMQHELLO---", d + 106);
    memset(d + 130, 0, 64);
    crypto_box_detached_afternm(d + 130, d + 114, d + 130, 64, n, c->hs_key);
    return ZI_OK;
}

static zi_err curve_welcome_take(curve_mech_t *c, const zmtp_command_t *cmd)
{
    if (cmd->len != WELCOME_LEN)
        return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME,
                          "WELCOME is not 168 octets");
    const uint8_t *d = cmd->data;
    uint8_t n[NONCE], plain[KEY + COOKIE_LEN];
    curve_nonce(n, "WELCOME-", d);
    if (crypto_box_open_detached_afternm(plain, d + 16 + MAC, d + 16, sizeof plain, n, c->hs_key) !=
        0)
        return curve_crypto_fail(c, "cannot open the WELCOME box (wrong server key?)");
    memcpy(c->peer_tpk, plain, KEY);
    memcpy(c->cookie, plain + KEY, COOKIE_LEN);
    sodium_memzero(plain, sizeof plain);
    sodium_memzero(c->hs_key, KEY);
    /* The one agreement every later box uses: (S', c'). */
    if (crypto_box_beforenm(c->precom, c->peer_tpk, c->tsk) != 0)
        return curve_crypto_fail(c, "the server's transient key is not usable");
    return ZI_OK;
}

static zi_err curve_initiate_put(curve_mech_t *c, zi_wbuf_t *out)
{
    const zmtp_config_t *cfg = c->base.cfg;
    zi_wbuf_t meta;
    zi_err e = curve_metadata(c, &meta);
    if (e != ZI_OK)
        goto out;
    uint8_t *d;
    size_t box = INITIATE_BOX + meta.len;
    if ((e = curve_command_open(out, "INITIATE", COOKIE_LEN + 8 + MAC + box, &d)) != ZI_OK)
        goto out;
    /* RFC 26 INITIATE: cookie, short nonce, box[C + vouch + metadata](C'->S'),
     * vouch = long nonce + box[C' + S](C->S'). */
    memcpy(d, c->cookie, COOKIE_LEN);
    uint8_t *sn = d + COOKIE_LEN, *mac = sn + 8, *p = mac + MAC;
    memcpy(p, cfg->curve_publickey, KEY);
    uint8_t *vouch = p + KEY, n[NONCE];
    zmtp_mech_random(&c->base, vouch, 16);
    curve_nonce(n, "VOUCH---", vouch);
    uint8_t *vplain = vouch + 16 + MAC;
    memcpy(vplain, c->tpk, KEY);
    memcpy(vplain + KEY, cfg->curve_serverkey, KEY);
    if (crypto_box_detached(vplain, vouch + 16, vplain, 2 * KEY, n, c->peer_tpk,
                            cfg->curve_secretkey) != 0) {
        e = curve_crypto_fail(c, "cannot make the vouch box"); /* produce drops the command */
        goto out;
    }
    if (meta.len)
        memcpy(p + INITIATE_BOX, meta.data, meta.len);
    if ((e = curve_tx_nonce(c, sn)) != ZI_OK)
        goto out;
    curve_nonce(n, "CurveZMQINITIATE", sn);
    crypto_box_detached_afternm(p, mac, p, box, n, c->precom);
    /* c' is done with: every later box uses the precomputed key. */
    sodium_memzero(c->tsk, KEY);
    memset(c->cookie, 0, COOKIE_LEN);
out:
    zi_wbuf_fini(&meta);
    return e;
}

/* The peer's metadata from an opened box. */
static zi_err curve_metadata_take(curve_mech_t *c, const uint8_t *p, size_t len)
{
    zi_err e = zmtp_mech_take_metadata(&c->base, p, len);
    if (e != ZI_OK)
        c->state = CURVE_FAILED;
    return e;
}

/* Opens box (MAC + len octets of ciphertext) into a new buffer (freed by
 * the caller with curve_plain_free). NULL (and *err set) on failure. */
static uint8_t *curve_open(curve_mech_t *c, const uint8_t *mac, const uint8_t *ct, size_t len,
                           const uint8_t n[NONCE], zi_err *err)
{
    uint8_t *p = malloc(len ? len : 1);
    if (!p) {
        *err = curve_fail(c, ZI_ENOMEM, 0, "out of memory");
        return NULL;
    }
    if (crypto_box_open_detached_afternm(p, ct, mac, len, n, c->precom) != 0) {
        free(p);
        *err = ZI_EPROTO;
        return NULL;
    }
    return p;
}

static void curve_plain_free(uint8_t *p, size_t len)
{
    if (p) {
        sodium_memzero(p, len);
        free(p);
    }
}

static zi_err curve_ready_take(curve_mech_t *c, const zmtp_command_t *cmd)
{
    if (cmd->len < READY_MIN)
        return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY,
                          "READY shorter than 30 octets");
    const uint8_t *d = cmd->data;
    uint64_t sn;
    zi_err e = curve_rx_nonce(c, d, &sn);
    if (e != ZI_OK)
        return e;
    uint8_t n[NONCE];
    curve_nonce(n, "CurveZMQREADY---", d);
    size_t len = cmd->len - READY_MIN;
    uint8_t *p = curve_open(c, d + 8, d + READY_MIN, len, n, &e);
    if (!p)
        return e == ZI_EPROTO ? curve_crypto_fail(c, "cannot open the READY box") : e;
    c->rx_nonce = sn;
    e = curve_metadata_take(c, p, len);
    curve_plain_free(p, len);
    return e;
}

/* ---- server ----------------------------------------------------------------------- */

static zi_err curve_hello_take(curve_mech_t *c, const zmtp_command_t *cmd)
{
    if (cmd->len != HELLO_LEN)
        return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
                          "HELLO is not 200 octets");
    const uint8_t *d = cmd->data;
    if (d[0] != 1 || d[1] != 0)
        return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
                          "HELLO has an unknown CurveZMQ version");
    uint64_t sn;
    zi_err e = curve_rx_nonce(c, d + 106, &sn);
    if (e != ZI_OK)
        return e;
    memcpy(c->peer_tpk, d + 74, KEY);
    /* One agreement for the HELLO and WELCOME boxes: (C', s). */
    if (crypto_box_beforenm(c->hs_key, c->peer_tpk, c->base.cfg->curve_secretkey) != 0)
        return curve_crypto_fail(c, "the client's transient key is not usable");
    uint8_t n[NONCE], plain[64];
    curve_nonce(n, "CurveZMQHELLO---", d + 106);
    /* RFC 26: the signature box holds 64 zero octets. */
    if (crypto_box_open_detached_afternm(plain, d + 130, d + 114, 64, n, c->hs_key) != 0 ||
        !sodium_is_zero(plain, 64))
        return curve_crypto_fail(c, "cannot open the HELLO box (wrong server key?)");
    c->rx_nonce = sn;
    return ZI_OK;
}

static zi_err curve_welcome_put(curve_mech_t *c, zi_wbuf_t *out)
{
    uint8_t *d;
    zi_err e = curve_command_open(out, "WELCOME", WELCOME_LEN, &d);
    if (e != ZI_OK)
        return e;
    /* RFC 26 WELCOME: long nonce, box[S' + cookie](S->C'); the cookie is
     * long nonce + secretbox[C' + s'](K) with K fresh for this connection. */
    uint8_t *p = d + 16 + MAC, *cookie = p + KEY, n[NONCE];
    memcpy(p, c->tpk, KEY);
    zmtp_mech_random(&c->base, c->cookie_key, KEY);
    zmtp_mech_random(&c->base, cookie, 16);
    curve_nonce(n, "COOKIE--", cookie);
    uint8_t *cplain = cookie + 16 + MAC;
    memcpy(cplain, c->peer_tpk, KEY);
    memcpy(cplain + KEY, c->tsk, KEY);
    crypto_secretbox_detached(cplain, cookie + 16, cplain, 2 * KEY, n, c->cookie_key);
    zmtp_mech_random(&c->base, d, 16);
    curve_nonce(n, "WELCOME-", d);
    crypto_box_detached_afternm(p, d + 16, p, KEY + COOKIE_LEN, n, c->hs_key);
    sodium_memzero(c->hs_key, KEY);
    return ZI_OK;
}

/* Checks the cookie of an INITIATE: it must be ours, for this C' and s'. */
static zi_err curve_cookie_check(curve_mech_t *c, const uint8_t *cookie)
{
    uint8_t n[NONCE], plain[2 * KEY];
    curve_nonce(n, "COOKIE--", cookie);
    int bad = crypto_secretbox_open_detached(plain, cookie + 16 + MAC, cookie + 16, sizeof plain, n,
                                             c->cookie_key);
    if (!bad)
        bad = sodium_memcmp(plain, c->peer_tpk, KEY) | sodium_memcmp(plain + KEY, c->tsk, KEY);
    sodium_memzero(plain, sizeof plain);
    sodium_memzero(c->cookie_key, KEY);
    return bad ? curve_crypto_fail(c, "the INITIATE cookie is not ours") : ZI_OK;
}

/* Checks the vouch: box[C' + S](C->S'), proving the client holds C's secret.
 * S is compared only when the server was given its public key: libzmq's
 * server needs just curve_secretkey (it never reads curve_publickey), and the
 * box, sealed to this connection's S', already ties the vouch to us. */
static zi_err curve_vouch_check(curve_mech_t *c, const uint8_t *client_key, const uint8_t *vouch)
{
    static const uint8_t unset[KEY];
    uint8_t n[NONCE], plain[2 * KEY];
    curve_nonce(n, "VOUCH---", vouch);
    if (crypto_box_open_detached(plain, vouch + 16 + MAC, vouch + 16, sizeof plain, n, client_key,
                                 c->tsk) != 0)
        return curve_crypto_fail(c, "cannot open the vouch box");
    const uint8_t *spk = c->base.cfg->curve_publickey;
    int bad = sodium_memcmp(plain, c->peer_tpk, KEY) |
              (sodium_memcmp(spk, unset, KEY) != 0 && sodium_memcmp(plain + KEY, spk, KEY) != 0);
    return bad ? curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE,
                            "the vouch names other keys")
               : ZI_OK;
}

static zi_err curve_initiate_take(curve_mech_t *c, const zmtp_command_t *cmd)
{
    if (cmd->len < INITIATE_MIN)
        return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE,
                          "INITIATE shorter than 257 octets");
    const uint8_t *d = cmd->data, *sn_p = d + COOKIE_LEN;
    zi_err e = curve_cookie_check(c, d);
    if (e != ZI_OK)
        return e;
    uint64_t sn;
    if ((e = curve_rx_nonce(c, sn_p, &sn)) != ZI_OK)
        return e;
    /* The one agreement every later box uses: (C', s'). */
    if (crypto_box_beforenm(c->precom, c->peer_tpk, c->tsk) != 0)
        return curve_crypto_fail(c, "the client's transient key is not usable");
    uint8_t n[NONCE];
    curve_nonce(n, "CurveZMQINITIATE", sn_p);
    size_t len = cmd->len - COOKIE_LEN - 8 - MAC;
    uint8_t *p = curve_open(c, sn_p + 8, sn_p + 8 + MAC, len, n, &e);
    if (!p)
        return e == ZI_EPROTO ? curve_crypto_fail(c, "cannot open the INITIATE box") : e;
    c->rx_nonce = sn;
    e = curve_vouch_check(c, p, p + KEY);
    if (e == ZI_OK)
        e = curve_metadata_take(c, p + INITIATE_BOX, len - INITIATE_BOX);
    if (e == ZI_OK)
        memcpy(c->client_key, p, KEY);
    curve_plain_free(p, len);
    if (e != ZI_OK)
        return e;
    sodium_memzero(c->tsk, KEY); /* s' is done with */
    /* RFC 27: the client's long-term key goes to the ZAP handler. */
    const uint8_t *cred[1] = {c->client_key};
    const size_t cred_len[1] = {KEY};
    if (zmtp_mech_zap(&c->base, "CURVE", cred, cred_len, 1)) {
        c->state = CURVE_S_ZAP;
        return ZI_OK;
    }
    /* No handler: libzmq 4.3.4 lets any client in, unless told to enforce a
     * domain. */
    const zmtp_config_t *cfg = c->base.cfg;
    if (cfg->zap_enforce_domain && cfg->zap_domain[0])
        return curve_fail(c, ZI_EAUTH, 0, "no ZAP handler bound for the enforced domain");
    return ZI_OK;
}

static zi_err curve_ready_put(curve_mech_t *c, zi_wbuf_t *out)
{
    zi_wbuf_t meta;
    zi_err e = curve_metadata(c, &meta);
    uint8_t *d;
    if (e == ZI_OK)
        e = curve_command_open(out, "READY", READY_MIN + meta.len, &d);
    if (e == ZI_OK)
        e = curve_tx_nonce(c, d);
    if (e == ZI_OK) {
        /* RFC 26 READY: short nonce, box[metadata](S'->C'). */
        uint8_t n[NONCE];
        curve_nonce(n, "CurveZMQREADY---", d);
        if (meta.len)
            memcpy(d + READY_MIN, meta.data, meta.len);
        crypto_box_detached_afternm(d + READY_MIN, d + 8, d + READY_MIN, meta.len, n, c->precom);
    }
    zi_wbuf_fini(&meta);
    return e;
}

static zi_err curve_error_put(curve_mech_t *c, zi_wbuf_t *out)
{
    char reason[4] = {(char)('0' + c->zap_status / 100), '0', '0', '\0'};
    zi_err e = zmtp_error_encode(out, reason);
    if (e != ZI_OK)
        return e;
    curve_fail(c, ZI_EAUTH, 0, "the ZAP handler refused the client");
    c->base.fail.zap_status = c->zap_status;
    return ZI_EAUTH;
}

/* ---- the tables ------------------------------------------------------------------- */

static const curve_step_t curve_steps[] = {
    [CURVE_C_HELLO] = {.produce = curve_hello_put, .next = CURVE_C_WELCOME},
    [CURVE_C_WELCOME] = {ZMTP_CMD_WELCOME, true, curve_welcome_take, NULL, CURVE_C_INITIATE},
    [CURVE_C_INITIATE] = {.produce = curve_initiate_put, .next = CURVE_C_READY},
    [CURVE_C_READY] = {ZMTP_CMD_READY, true, curve_ready_take, NULL, CURVE_DONE},
    [CURVE_S_HELLO] = {ZMTP_CMD_HELLO, false, curve_hello_take, NULL, CURVE_S_WELCOME},
    [CURVE_S_WELCOME] = {.produce = curve_welcome_put, .next = CURVE_S_INITIATE},
    [CURVE_S_INITIATE] = {ZMTP_CMD_INITIATE, false, curve_initiate_take, NULL, CURVE_S_READY},
    [CURVE_S_ZAP] = {.next = CURVE_S_ZAP},
    [CURVE_S_READY] = {.produce = curve_ready_put, .next = CURVE_DONE},
    [CURVE_S_ERROR] = {.produce = curve_error_put, .next = CURVE_FAILED},
    [CURVE_DONE] = {.next = CURVE_DONE},
    [CURVE_FAILED] = {.next = CURVE_FAILED},
};

static zi_err curve_init(zmtp_mech_t *m)
{
    curve_mech_t *c = (curve_mech_t *)m;
    if (sodium_init() < 0)
        return ZI_ENOMEM;
    bool server = m->cfg->as_server;
    c->state = server ? CURVE_S_HELLO : CURVE_C_HELLO;
    /* RFC 26: MESSAGE nonces are "CurveZMQMESSAGEC" from the client and
     * "CurveZMQMESSAGES" from the server. */
    c->tx_prefix = server ? "CurveZMQMESSAGES" : "CurveZMQMESSAGEC";
    c->rx_prefix = server ? "CurveZMQMESSAGEC" : "CurveZMQMESSAGES";
    /* Our transient pair, as crypto_box_keypair makes it, from our rng. */
    zmtp_mech_random(m, c->tsk, KEY);
    crypto_scalarmult_base(c->tpk, c->tsk);
    return ZI_OK;
}

static void curve_fini(zmtp_mech_t *m)
{
    curve_mech_t *c = (curve_mech_t *)m;
    sodium_memzero((uint8_t *)c + sizeof c->base, sizeof *c - sizeof c->base);
}

/* The handshake is done: the MESSAGE boxes of both directions are all the
 * keys still needed. */
static void curve_done(curve_mech_t *c)
{
    if (c->boxes)
        return;
    zmtp_curve_box_init(&c->tx_box, c->precom, (const uint8_t *)c->tx_prefix);
    zmtp_curve_box_init(&c->rx_box, c->precom, (const uint8_t *)c->rx_prefix);
    sodium_memzero(c->precom, KEY);
    c->boxes = true;
}

static zi_err curve_produce(zmtp_mech_t *m, zi_wbuf_t *out)
{
    curve_mech_t *c = (curve_mech_t *)m;
    while (curve_steps[c->state].produce) {
        const curve_step_t *s = &curve_steps[c->state];
        size_t start = out->len;
        zi_err e = s->produce(c, out);
        if (e != ZI_OK) {
            if (e != ZI_EAUTH) /* an ERROR to send stays in out */
                out->len = start;
            c->state = CURVE_FAILED;
            return e;
        }
        c->state = s->next;
    }
    m->ready = c->state == CURVE_DONE;
    if (m->ready)
        curve_done(c);
    return ZI_OK;
}

static zi_err curve_consume(zmtp_mech_t *m, const zmtp_command_t *cmd)
{
    curve_mech_t *c = (curve_mech_t *)m;
    const curve_step_t *s = &curve_steps[c->state];
    zi_err e;
    if (cmd->type == ZMTP_CMD_ERROR && s->error_ok) {
        e = zmtp_mech_peer_error(m, cmd);
    } else if (!s->consume || cmd->type != s->expect) {
        e = zmtp_mech_failed(m, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
                             "unexpected command during the CURVE handshake");
    } else {
        c->state = s->next;
        e = s->consume(c, cmd);
    }
    if (e != ZI_OK) {
        c->state = CURVE_FAILED;
        return e;
    }
    m->ready = c->state == CURVE_DONE;
    if (m->ready)
        curve_done(c);
    return ZI_OK;
}

static zi_err curve_zap_result(zmtp_mech_t *m, int status)
{
    curve_mech_t *c = (curve_mech_t *)m;
    if (c->state != CURVE_S_ZAP)
        return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZAP_UNSPECIFIED,
                          "ZAP reply without a request");
    if (status == 200) {
        c->state = CURVE_S_READY;
        return ZI_OK;
    }
    /* RFC 26 / libzmq: a temporary failure (300) closes without ERROR. */
    if (status == 300) {
        curve_fail(c, ZI_EAUTH, 0, "the ZAP handler refused the client (temporary)");
        m->fail.zap_status = status;
        return ZI_EAUTH;
    }
    c->zap_status = status;
    c->state = CURVE_S_ERROR;
    return ZI_OK;
}

/* ---- MESSAGE ----------------------------------------------------------------------- */

static zi_err curve_encode(zmtp_mech_t *m, uint8_t *dst, uint8_t flags, const uint8_t *head,
                           size_t head_len, const uint8_t *body, size_t len)
{
    curve_mech_t *c = (curve_mech_t *)m;
    /* RFC 26 MESSAGE: short nonce, box[flags + payload](C'->S' or S'->C'),
     * sealed in place: the plaintext is laid out where the ciphertext goes. */
    memcpy(dst, MESSAGE_NAME, 8);
    zi_err e = curve_tx_nonce(c, dst + 8);
    if (e != ZI_OK)
        return e;
    uint8_t *p = dst + MESSAGE_HEAD;
    p[0] = flags & (ZMTP_BOX_MORE | ZMTP_BOX_COMMAND);
    if (head_len)
        memcpy(p + 1, head, head_len);
    if (len)
        memcpy(p + 1 + head_len, body, len);
    zmtp_curve_box_seal(&c->tx_box, p, 1 + head_len + len, dst + 16, dst + 8);
    return ZI_OK;
}

static zi_err curve_decode(zmtp_mech_t *m, zinc_frame_t *f, uint8_t *flags)
{
    curve_mech_t *c = (curve_mech_t *)m;
    uint8_t *d = f->data;
    size_t len = f->size;
    /* As libzmq: a body shorter than its own name is malformed; anything
     * but MESSAGE is unexpected; then the exact minimum size. */
    if (len <= 1 || len <= d[0])
        return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
                          "malformed command");
    if (len < 8 || memcmp(d, MESSAGE_NAME, 8) != 0)
        return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
                          "CURVE peer sent something else than MESSAGE");
    if (!c->boxes)
        return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
                          "MESSAGE before the CURVE handshake is done");
    if (len < MESSAGE_OVERHEAD)
        return curve_fail(c, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
                          "MESSAGE shorter than 33 octets");
    uint64_t sn;
    zi_err e = curve_rx_nonce(c, d + 8, &sn);
    if (e != ZI_OK)
        return e;
    uint8_t *p = d + MESSAGE_HEAD;
    if (zmtp_curve_box_open(&c->rx_box, p, len - MESSAGE_HEAD, d + 16, d + 8) != 0)
        return curve_crypto_fail(c, "cannot open a MESSAGE box");
    c->rx_nonce = sn;
    *flags = p[0] & (ZMTP_BOX_MORE | ZMTP_BOX_COMMAND);
    f->data = p + 1;
    f->size = len - MESSAGE_OVERHEAD;
    return ZI_OK;
}

const zmtp_mech_ops_t zmtp_mech_curve = {
    .name = "CURVE",
    .size = sizeof(curve_mech_t),
    .init = curve_init,
    .fini = curve_fini,
    .produce = curve_produce,
    .consume = curve_consume,
    .overhead = MESSAGE_OVERHEAD,
    .encode = curve_encode,
    .decode = curve_decode,
    .zap_result = curve_zap_result,
};
