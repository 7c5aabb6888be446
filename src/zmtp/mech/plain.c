/* The PLAIN mechanism (RFC 24), client and server.
 *
 *   C: HELLO (user name, password)   S: WELCOME
 *   C: INITIATE (metadata)           S: READY (metadata)  or  S: ERROR
 *
 * The server asks the ZAP handler (RFC 27) after HELLO. With no handler
 * bound it does what libzmq 4.3.4 does: it closes the connection without a
 * word (no WELCOME, no ERROR). Status 200 goes on with WELCOME; 300 closes
 * silently; 400 and 500 send ERROR with the status first. The client sends
 * its credentials in clear, so PLAIN only makes sense on a trusted network.
 *
 * Each role is a table of steps: our turn to send (produce), or the command
 * we wait for (consume). Any other command is ZMTP_UNEXPECTED_COMMAND.
 */
#include <string.h>

#include <sodium.h>

#include "util/cursor.h"
#include "zinc.h"
#include "zmtp/codec.h"
#include "zmtp/mech.h"

enum plain_state {
    PLAIN_C_HELLO,    /* client: send HELLO */
    PLAIN_C_WELCOME,  /* client: wait for WELCOME */
    PLAIN_C_INITIATE, /* client: send INITIATE */
    PLAIN_C_READY,    /* client: wait for READY */
    PLAIN_S_HELLO,    /* server: wait for HELLO */
    PLAIN_S_ZAP,      /* server: wait for the ZAP handler */
    PLAIN_S_WELCOME,  /* server: send WELCOME */
    PLAIN_S_INITIATE, /* server: wait for INITIATE */
    PLAIN_S_READY,    /* server: send READY */
    PLAIN_S_ERROR,    /* server: send ERROR, then fail */
    PLAIN_DONE,
    PLAIN_FAILED,
};

typedef struct plain_mech {
    zmtp_mech_t base;
    enum plain_state state;
    int zap_status; /* the handler's refusal, for PLAIN_S_ERROR */
} plain_mech_t;

typedef struct {
    zmtp_cmd_type_t expect; /* waiting for this command; 0 when it is our turn */
    bool error_ok;          /* an ERROR from the peer is an answer here */
    zi_err (*consume)(plain_mech_t *p, const zmtp_command_t *cmd);
    zi_err (*produce)(plain_mech_t *p, zi_wbuf_t *out);
    enum plain_state next;
} plain_step_t;

/* ---- client ---------------------------------------------------------------- */

static zi_err plain_hello_put(plain_mech_t *p, zi_wbuf_t *out)
{
    const zmtp_config_t *cfg = p->base.cfg;
    uint8_t body[2 + 2 * ZMTP_PLAIN_FIELD_MAX];
    size_t ul = cfg->plain_username_len, pl = cfg->plain_password_len;
    if (ul > ZMTP_PLAIN_FIELD_MAX || pl > ZMTP_PLAIN_FIELD_MAX)
        return ZI_EINVAL;
    /* RFC 24: HELLO = username (u8 length + octets), password (same). */
    body[0] = (uint8_t)ul;
    memcpy(body + 1, cfg->plain_username, ul);
    body[1 + ul] = (uint8_t)pl;
    memcpy(body + 2 + ul, cfg->plain_password, pl);
    zi_err e = zmtp_command_encode(out, "HELLO", body, 2 + ul + pl);
    sodium_memzero(body, sizeof body);
    return e;
}

static zi_err plain_welcome_take(plain_mech_t *p, const zmtp_command_t *cmd)
{
    /* RFC 24: WELCOME has no body. */
    if (cmd->len != 0)
        return zmtp_mech_failed(&p->base, ZI_EPROTO,
                                ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME,
                                "malformed WELCOME command");
    return ZI_OK;
}

/* INITIATE (client) and READY (server) carry our metadata. */
static zi_err plain_metadata_put(plain_mech_t *p, zi_wbuf_t *out, const char *name)
{
    zi_wbuf_t body;
    zi_wbuf_init(&body, ZMTP_COMMAND_MAX);
    zi_err e = zmtp_mech_put_metadata(&p->base, &body);
    if (e == ZI_OK)
        e = zmtp_command_encode(out, name, body.data, body.len);
    zi_wbuf_fini(&body);
    return e;
}

static zi_err plain_initiate_put(plain_mech_t *p, zi_wbuf_t *out)
{
    return plain_metadata_put(p, out, "INITIATE");
}

/* INITIATE (server) and READY (client) carry the peer's metadata. */
static zi_err plain_metadata_take(plain_mech_t *p, const zmtp_command_t *cmd)
{
    return zmtp_mech_take_metadata(&p->base, cmd->data, cmd->len);
}

/* ---- server ---------------------------------------------------------------- */

static zi_err plain_hello_take(plain_mech_t *p, const zmtp_command_t *cmd)
{
    zi_cur_t c = zi_cur_make(cmd->data, cmd->len);
    uint8_t ul, pl;
    const uint8_t *user, *pass;
    zi_err e = zi_cur_u8(&c, &ul);
    if (e == ZI_OK)
        e = zi_cur_bytes(&c, ul, &user);
    if (e == ZI_OK)
        e = zi_cur_u8(&c, &pl);
    if (e == ZI_OK)
        e = zi_cur_bytes(&c, pl, &pass);
    if (e == ZI_OK)
        e = zi_cur_expect_end(&c);
    if (e != ZI_OK)
        return zmtp_mech_failed(&p->base, ZI_EPROTO,
                                ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
                                "malformed HELLO command");
    const uint8_t *cred[2] = {user, pass};
    const size_t cred_len[2] = {ul, pl};
    /* RFC 24: the server authenticates the client through ZAP. libzmq 4.3.4
     * refuses PLAIN when no handler is bound: it closes, sending nothing. */
    if (!zmtp_mech_zap(&p->base, "PLAIN", cred, cred_len, 2))
        return zmtp_mech_failed(&p->base, ZI_EAUTH, 0,
                                "PLAIN server with no ZAP handler bound refuses the client");
    return ZI_OK;
}

static zi_err plain_welcome_put(plain_mech_t *p, zi_wbuf_t *out)
{
    (void)p;
    return zmtp_command_encode(out, "WELCOME", NULL, 0);
}

static zi_err plain_ready_put(plain_mech_t *p, zi_wbuf_t *out)
{
    return plain_metadata_put(p, out, "READY");
}

static zi_err plain_error_put(plain_mech_t *p, zi_wbuf_t *out)
{
    /* libzmq's ERROR carries the ZAP status code as its reason. */
    char reason[4] = {(char)('0' + p->zap_status / 100), '0', '0', '\0'};
    zi_err e = zmtp_error_encode(out, reason);
    if (e != ZI_OK)
        return e;
    zmtp_mech_failed(&p->base, ZI_EAUTH, 0, "the ZAP handler refused the client");
    p->base.fail.zap_status = p->zap_status;
    return ZI_EAUTH;
}

/* ---- the tables -------------------------------------------------------------- */

static const plain_step_t plain_steps[] = {
    [PLAIN_C_HELLO] = {.produce = plain_hello_put, .next = PLAIN_C_WELCOME},
    [PLAIN_C_WELCOME] = {ZMTP_CMD_WELCOME, true, plain_welcome_take, NULL, PLAIN_C_INITIATE},
    [PLAIN_C_INITIATE] = {.produce = plain_initiate_put, .next = PLAIN_C_READY},
    [PLAIN_C_READY] = {ZMTP_CMD_READY, true, plain_metadata_take, NULL, PLAIN_DONE},
    [PLAIN_S_HELLO] = {ZMTP_CMD_HELLO, false, plain_hello_take, NULL, PLAIN_S_ZAP},
    [PLAIN_S_ZAP] = {.next = PLAIN_S_ZAP},
    [PLAIN_S_WELCOME] = {.produce = plain_welcome_put, .next = PLAIN_S_INITIATE},
    [PLAIN_S_INITIATE] = {ZMTP_CMD_INITIATE, false, plain_metadata_take, NULL, PLAIN_S_READY},
    [PLAIN_S_READY] = {.produce = plain_ready_put, .next = PLAIN_DONE},
    [PLAIN_S_ERROR] = {.produce = plain_error_put, .next = PLAIN_FAILED},
    [PLAIN_DONE] = {.next = PLAIN_DONE},
    [PLAIN_FAILED] = {.next = PLAIN_FAILED},
};

static zi_err plain_init(zmtp_mech_t *m)
{
    plain_mech_t *p = (plain_mech_t *)m;
    p->state = m->cfg->as_server ? PLAIN_S_HELLO : PLAIN_C_HELLO;
    return ZI_OK;
}

static void plain_fini(zmtp_mech_t *m)
{
    (void)m;
}

static zi_err plain_produce(zmtp_mech_t *m, zi_wbuf_t *out)
{
    plain_mech_t *p = (plain_mech_t *)m;
    while (plain_steps[p->state].produce) {
        const plain_step_t *s = &plain_steps[p->state];
        zi_err e = s->produce(p, out);
        if (e != ZI_OK) {
            p->state = PLAIN_FAILED;
            return e;
        }
        p->state = s->next;
    }
    m->ready = p->state == PLAIN_DONE;
    return ZI_OK;
}

static zi_err plain_consume(zmtp_mech_t *m, const zmtp_command_t *cmd)
{
    plain_mech_t *p = (plain_mech_t *)m;
    const plain_step_t *s = &plain_steps[p->state];
    zi_err e;
    if (cmd->type == ZMTP_CMD_ERROR && s->error_ok)
        e = zmtp_mech_peer_error(m, cmd);
    else if (!s->consume || cmd->type != s->expect)
        e = zmtp_mech_failed(m, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
                             "unexpected command during the PLAIN handshake");
    else
        e = s->consume(p, cmd);
    if (e != ZI_OK) {
        p->state = PLAIN_FAILED;
        return e;
    }
    p->state = s->next;
    m->ready = p->state == PLAIN_DONE;
    return ZI_OK;
}

static zi_err plain_zap_result(zmtp_mech_t *m, int status)
{
    plain_mech_t *p = (plain_mech_t *)m;
    if (p->state != PLAIN_S_ZAP)
        return zmtp_mech_failed(m, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZAP_UNSPECIFIED,
                                "ZAP reply without a request");
    if (status == 200) {
        p->state = PLAIN_S_WELCOME;
        return ZI_OK;
    }
    /* RFC 27 / libzmq: a temporary failure (300) closes without ERROR. */
    if (status == 300) {
        p->state = PLAIN_FAILED;
        zmtp_mech_failed(m, ZI_EAUTH, 0, "the ZAP handler refused the client (temporary)");
        m->fail.zap_status = status;
        return ZI_EAUTH;
    }
    p->zap_status = status;
    p->state = PLAIN_S_ERROR;
    return ZI_OK;
}

const zmtp_mech_ops_t zmtp_mech_plain = {
    .name = "PLAIN",
    .size = sizeof(plain_mech_t),
    .init = plain_init,
    .fini = plain_fini,
    .produce = plain_produce,
    .consume = plain_consume,
    .zap_result = plain_zap_result,
};
