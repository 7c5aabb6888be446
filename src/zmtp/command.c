#include <string.h>

#include "util/cursor.h"
#include "zmtp/codec.h"
#include "zmtp/command.h"

static const struct {
    const char *name;
    zmtp_cmd_type_t type;
} command_names[] = {
    {"READY", ZMTP_CMD_READY},     {"ERROR", ZMTP_CMD_ERROR},     {"SUBSCRIBE", ZMTP_CMD_SUBSCRIBE},
    {"CANCEL", ZMTP_CMD_CANCEL},   {"PING", ZMTP_CMD_PING},       {"PONG", ZMTP_CMD_PONG},
    {"HELLO", ZMTP_CMD_HELLO},     {"WELCOME", ZMTP_CMD_WELCOME}, {"INITIATE", ZMTP_CMD_INITIATE},
    {"MESSAGE", ZMTP_CMD_MESSAGE}, {"JOIN", ZMTP_CMD_JOIN},       {"LEAVE", ZMTP_CMD_LEAVE},
};

zi_err zmtp_command_parse(const uint8_t *body, size_t len, zmtp_command_t *cmd)
{
    zi_cur_t c = zi_cur_make(body, len);
    uint8_t name_len;
    zi_err e = zi_cur_u8(&c, &name_len);
    if (e != ZI_OK)
        return e;
    if (name_len == 0)
        return ZI_ETRUNC;
    e = zi_cur_bytes(&c, name_len, &cmd->name);
    if (e != ZI_OK)
        return e;
    cmd->name_len = name_len;
    cmd->data = zi_cur_ptr(&c);
    cmd->len = zi_cur_left(&c);
    cmd->type = ZMTP_CMD_UNKNOWN;
    /* Command names are case-sensitive on the wire (RFC 37). */
    for (size_t i = 0; i < sizeof command_names / sizeof command_names[0]; i++)
        if (strlen(command_names[i].name) == name_len &&
            memcmp(command_names[i].name, cmd->name, name_len) == 0) {
            cmd->type = command_names[i].type;
            break;
        }
    return ZI_OK;
}

zi_err zmtp_ping_parse(const zmtp_command_t *cmd, uint16_t *ttl_ds, const uint8_t **ctx,
                       size_t *ctx_len)
{
    zi_cur_t c = zi_cur_make(cmd->data, cmd->len);
    zi_err e = zi_cur_u16be(&c, ttl_ds);
    if (e != ZI_OK)
        return e;
    /* RFC 37 "PING": the context is at most 16 octets. */
    if (zi_cur_left(&c) > ZMTP_PING_CONTEXT_MAX)
        return ZI_ETRAILING;
    *ctx_len = zi_cur_left(&c);
    return zi_cur_bytes(&c, *ctx_len, ctx);
}

zi_err zmtp_error_parse(const zmtp_command_t *cmd, const uint8_t **reason, size_t *reason_len)
{
    zi_cur_t c = zi_cur_make(cmd->data, cmd->len);
    uint8_t n;
    zi_err e = zi_cur_u8(&c, &n);
    if (e == ZI_OK)
        e = zi_cur_bytes(&c, n, reason);
    if (e == ZI_OK)
        e = zi_cur_expect_end(&c);
    if (e == ZI_OK)
        *reason_len = n;
    return e;
}

zi_err zmtp_command_encode(zi_wbuf_t *out, const char *name, const void *data, size_t len)
{
    size_t name_len = strlen(name);
    if (name_len == 0 || name_len > 255 || len > UINT64_MAX - 1 - name_len)
        return ZI_EINVAL;
    uint8_t hdr[ZMTP_HEADER_MAX];
    size_t hlen = zmtp_header_encode(hdr, ZMTP_FLAG_COMMAND, 1 + name_len + len);
    size_t start = out->len;
    zi_err e = zi_wbuf_reserve(out, hlen + 1 + name_len + len);
    if (e == ZI_OK)
        e = zi_wbuf_put(out, hdr, hlen);
    if (e == ZI_OK)
        e = zi_wbuf_short_str(out, name, name_len);
    if (e == ZI_OK)
        e = zi_wbuf_put(out, data, len);
    if (e != ZI_OK)
        out->len = start;
    return e;
}

zi_err zmtp_ping_encode(zi_wbuf_t *out, uint16_t ttl_ds, const void *ctx, size_t ctx_len)
{
    uint8_t body[2 + ZMTP_PING_CONTEXT_MAX];
    if (ctx_len > ZMTP_PING_CONTEXT_MAX)
        return ZI_EINVAL;
    zi_put_u16be(body, ttl_ds);
    if (ctx_len)
        memcpy(body + 2, ctx, ctx_len);
    return zmtp_command_encode(out, "PING", body, 2 + ctx_len);
}

zi_err zmtp_error_encode(zi_wbuf_t *out, const char *reason)
{
    uint8_t body[256];
    size_t n = strlen(reason);
    if (n > 255)
        n = 255;
    body[0] = (uint8_t)n;
    memcpy(body + 1, reason, n);
    return zmtp_command_encode(out, "ERROR", body, 1 + n);
}
