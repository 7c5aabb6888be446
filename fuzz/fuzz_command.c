/* Fuzz target: command parsing (src/zmtp/command.c).
 *
 * Input: a command body (name length, name, data), as the decoder hands it
 * over. It goes through zmtp_command_parse, then zmtp_ping_parse and
 * zmtp_error_parse whatever its name. Views must stay inside the input. What
 * parses is encoded again (command, PING, ERROR encoders), decoded by the
 * frame decoder and parsed back; it must come back the same.
 */
#include <string.h>

#include "fuzz_common.h"
#include "zmtp/codec.h"
#include "zmtp/command.h"

static bool command_inside(const uint8_t *base, size_t len, const uint8_t *p, size_t n)
{
    return p >= base && n <= len && (size_t)(p - base) <= len - n;
}

/* Decodes one whole command frame from an encoder's output; the caller
 * unrefs the frame. */
static zinc_frame_t *command_decode_frame(const zi_wbuf_t *w)
{
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1);
    d.commands_only = true;
    size_t used = 0;
    zinc_frame_t *f = NULL;
    zi_err err = zmtp_decoder_feed(&d, w->data, w->len, &used, &f);
    zmtp_decoder_fini(&d);
    if (err == ZI_ENOMEM)
        return NULL;
    FZ_CHECK(err == ZI_OK);
    FZ_CHECK(used == w->len);
    FZ_CHECK(f->flags == ZI_FRAME_COMMAND);
    return f;
}

static void command_round_trip(const zmtp_command_t *cmd)
{
    char name[256];
    if (memchr(cmd->name, 0, cmd->name_len))
        return; /* the encoder takes the name as a C string */
    if (1 + cmd->name_len + cmd->len > ZMTP_COMMAND_MAX)
        return; /* the decoder would refuse it, rightly */
    memcpy(name, cmd->name, cmd->name_len);
    name[cmd->name_len] = '\0';

    zi_wbuf_t w;
    zi_wbuf_init(&w, SIZE_MAX);
    zi_err err = zmtp_command_encode(&w, name, cmd->data, cmd->len);
    if (err == ZI_ENOMEM)
        goto out;
    FZ_CHECK(err == ZI_OK);
    /* RFC 23: LONG only above 255 octets. */
    size_t body = 1 + cmd->name_len + cmd->len;
    FZ_CHECK(w.len == body + (body > 255 ? 9 : 2));
    zinc_frame_t *f = command_decode_frame(&w);
    if (!f)
        goto out;
    zmtp_command_t back;
    FZ_CHECK(zmtp_command_parse(f->data, f->size, &back) == ZI_OK);
    FZ_CHECK(back.type == cmd->type);
    FZ_CHECK(back.name_len == cmd->name_len && memcmp(back.name, cmd->name, cmd->name_len) == 0);
    FZ_CHECK(back.len == cmd->len &&
             (cmd->len == 0 || memcmp(back.data, cmd->data, cmd->len) == 0));
    zinc_frame_unref(f);
out:
    zi_wbuf_fini(&w);
}

static void command_ping(const zmtp_command_t *cmd)
{
    uint16_t ttl = 0;
    const uint8_t *ctx = NULL;
    size_t ctx_len = 0;
    if (zmtp_ping_parse(cmd, &ttl, &ctx, &ctx_len) != ZI_OK)
        return;
    FZ_CHECK(ctx_len <= ZMTP_PING_CONTEXT_MAX);
    FZ_CHECK(cmd->len == 2 + ctx_len);
    FZ_CHECK(command_inside(cmd->data, cmd->len, ctx, ctx_len));

    zi_wbuf_t w;
    zi_wbuf_init(&w, 64);
    FZ_CHECK(zmtp_ping_encode(&w, ttl, ctx, ctx_len) == ZI_OK);
    zinc_frame_t *f = command_decode_frame(&w);
    if (f) {
        zmtp_command_t back;
        uint16_t ttl2;
        const uint8_t *ctx2;
        size_t ctx2_len;
        FZ_CHECK(zmtp_command_parse(f->data, f->size, &back) == ZI_OK);
        FZ_CHECK(back.type == ZMTP_CMD_PING);
        FZ_CHECK(zmtp_ping_parse(&back, &ttl2, &ctx2, &ctx2_len) == ZI_OK);
        FZ_CHECK(ttl2 == ttl && ctx2_len == ctx_len);
        FZ_CHECK(ctx_len == 0 || memcmp(ctx2, ctx, ctx_len) == 0);
        zinc_frame_unref(f);
    }
    zi_wbuf_fini(&w);
}

static void command_error(const zmtp_command_t *cmd)
{
    const uint8_t *reason = NULL;
    size_t reason_len = 0;
    if (zmtp_error_parse(cmd, &reason, &reason_len) != ZI_OK)
        return;
    FZ_CHECK(reason_len <= 255 && cmd->len == 1 + reason_len);
    FZ_CHECK(command_inside(cmd->data, cmd->len, reason, reason_len));
    if (memchr(reason, 0, reason_len))
        return;
    char text[256];
    memcpy(text, reason, reason_len);
    text[reason_len] = '\0';

    zi_wbuf_t w;
    zi_wbuf_init(&w, 512);
    FZ_CHECK(zmtp_error_encode(&w, text) == ZI_OK);
    zinc_frame_t *f = command_decode_frame(&w);
    if (f) {
        zmtp_command_t back;
        const uint8_t *r2;
        size_t r2_len;
        FZ_CHECK(zmtp_command_parse(f->data, f->size, &back) == ZI_OK);
        FZ_CHECK(back.type == ZMTP_CMD_ERROR);
        FZ_CHECK(zmtp_error_parse(&back, &r2, &r2_len) == ZI_OK);
        FZ_CHECK(r2_len == reason_len && (reason_len == 0 || memcmp(r2, reason, reason_len) == 0));
        zinc_frame_unref(f);
    }
    zi_wbuf_fini(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zmtp_command_t cmd;
    memset(&cmd, 0, sizeof cmd);
    zi_err err = zmtp_command_parse(data, size, &cmd);
    if (err != ZI_OK) {
        FZ_CHECK(err == ZI_ETRUNC);
        FZ_CHECK(size == 0 || data[0] == 0 || (size_t)data[0] + 1 > size);
        return 0;
    }
    FZ_CHECK(size >= 2 && cmd.name_len == data[0] && cmd.name_len > 0);
    FZ_CHECK(cmd.name == data + 1);
    FZ_CHECK(cmd.data == data + 1 + cmd.name_len && cmd.len == size - 1 - cmd.name_len);
    FZ_CHECK(cmd.type >= ZMTP_CMD_UNKNOWN && cmd.type <= ZMTP_CMD_LEAVE);

    /* Each sub-parser on every command: they must not trust the name. */
    command_ping(&cmd);
    command_error(&cmd);
    command_round_trip(&cmd);
    return 0;
}
