/* ZMTP commands (RFC 37 "Commands"): a body is a 1-octet name length, the
 * name, then data. Parsing returns views into the frame; encoding writes a
 * whole command frame (header included) into a bounded buffer. */
#ifndef ZI_ZMTP_COMMAND_H
#define ZI_ZMTP_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/wbuf.h"

typedef enum {
    ZMTP_CMD_UNKNOWN = 0,
    ZMTP_CMD_READY,
    ZMTP_CMD_ERROR,
    ZMTP_CMD_SUBSCRIBE,
    ZMTP_CMD_CANCEL,
    ZMTP_CMD_PING,
    ZMTP_CMD_PONG,
    ZMTP_CMD_HELLO,
    ZMTP_CMD_WELCOME,
    ZMTP_CMD_INITIATE,
    ZMTP_CMD_MESSAGE,
    ZMTP_CMD_JOIN,
    ZMTP_CMD_LEAVE,
} zmtp_cmd_type_t;

typedef struct {
    zmtp_cmd_type_t type;
    const uint8_t *name; /* view, name_len octets */
    size_t name_len;
    const uint8_t *data; /* view: what follows the name */
    size_t len;
} zmtp_command_t;

/* Splits a command body. ZI_ETRUNC when the name length runs past the end or
 * the name is empty. Unknown names parse as ZMTP_CMD_UNKNOWN. */
ZI_MUST_USE zi_err zmtp_command_parse(const uint8_t *body, size_t len, zmtp_command_t *cmd);

/* PING: u16 TTL in deciseconds, then up to 16 octets of context. */
ZI_MUST_USE zi_err zmtp_ping_parse(const zmtp_command_t *cmd, uint16_t *ttl_ds, const uint8_t **ctx,
                                   size_t *ctx_len);
/* ERROR: u8 length + reason, exactly. */
ZI_MUST_USE zi_err zmtp_error_parse(const zmtp_command_t *cmd, const uint8_t **reason,
                                    size_t *reason_len);

/* Writes a command frame: header, name, data (data may be NULL when len is
 * 0). The header gets the COMMAND flag and LONG when needed. */
ZI_MUST_USE zi_err zmtp_command_encode(zi_wbuf_t *out, const char *name, const void *data,
                                       size_t len);
ZI_MUST_USE zi_err zmtp_ping_encode(zi_wbuf_t *out, uint16_t ttl_ds, const void *ctx,
                                    size_t ctx_len);
ZI_MUST_USE zi_err zmtp_error_encode(zi_wbuf_t *out, const char *reason);

#define ZMTP_PING_CONTEXT_MAX 16

#endif
