#include <string.h>

#include "util/cursor.h"
#include "zmtp/codec.h"

/* ZMTP 3.x/2.0: FLAGS, SIZE, BODY. ZMTP 1.0: V1_LEN (first octet), V1_SIZE
 * (8 octets after 0xFF), V1_FLAGS, BODY. */
enum decoder_state { DEC_FLAGS, DEC_SIZE, DEC_BODY, DEC_V1_LEN, DEC_V1_SIZE, DEC_V1_FLAGS };

void zmtp_decoder_init(zmtp_decoder_t *d, int64_t maxmsgsize)
{
    memset(d, 0, sizeof *d);
    d->state = DEC_FLAGS;
    d->maxmsgsize = maxmsgsize;
}

void zmtp_decoder_fini(zmtp_decoder_t *d)
{
    zinc_frame_unref(d->frame);
    d->frame = NULL;
}

size_t zmtp_header_encode(uint8_t out[ZMTP_HEADER_MAX], uint8_t flags, uint64_t size)
{
    if (size > 255) {
        out[0] = flags | ZMTP_FLAG_LONG;
        zi_put_u64be(out + 1, size);
        return 9;
    }
    out[0] = flags & (uint8_t)~ZMTP_FLAG_LONG;
    out[1] = (uint8_t)size;
    return 2;
}

size_t zmtp_header_encode_v1(uint8_t out[ZMTP_V1_HEADER_MAX], bool more, uint64_t size)
{
    /* RFC 13: the length counts the flags octet. */
    uint64_t len = size + 1;
    if (len < 0xFF) {
        out[0] = (uint8_t)len;
        out[1] = more ? ZMTP_FLAG_MORE : 0;
        return 2;
    }
    out[0] = 0xFF;
    zi_put_u64be(out + 1, len);
    out[9] = more ? ZMTP_FLAG_MORE : 0;
    return 10;
}

/* The size is known: check it, then allocate the frame it will fill. */
static zi_err decoder_start_body(zmtp_decoder_t *d)
{
    bool command = d->flags & ZMTP_FLAG_COMMAND;
    if (command) {
        if (d->size > ZMTP_COMMAND_MAX)
            return ZI_EMSGSIZE;
    } else if (d->maxmsgsize >= 0 && d->size > (uint64_t)d->maxmsgsize) {
        return ZI_EMSGSIZE;
    }
    if (d->size > (uint64_t)INT64_MAX || d->size > (uint64_t)(SIZE_MAX / 2))
        return ZI_EMSGSIZE;
    zinc_frame_t *f = zi_frame_alloc((size_t)d->size);
    if (!f)
        return ZI_ENOMEM;
    f->flags = (d->flags & ZMTP_FLAG_MORE ? ZI_FRAME_MORE : 0) | (command ? ZI_FRAME_COMMAND : 0);
    d->frame = f;
    d->body_have = 0;
    d->state = DEC_BODY;
    return ZI_OK;
}

static zi_err decoder_flags(zmtp_decoder_t *d, uint8_t flags)
{
    /* RFC 23: reserved bits must be zero; RFC 15 (2.0) has no commands. */
    if (flags & ZMTP_FLAG_RESERVED)
        return ZI_EPROTO;
    if (d->framing == ZMTP_FRAMING_V2 && (flags & ZMTP_FLAG_COMMAND))
        return ZI_EPROTO;
    /* RFC 37: a command is always a single frame. */
    if ((flags & ZMTP_FLAG_COMMAND) && (flags & ZMTP_FLAG_MORE))
        return ZI_EPROTO;
    if (d->commands_only && !(flags & ZMTP_FLAG_COMMAND))
        return ZI_EPROTO;
    d->flags = flags;
    d->hdr_have = 0;
    d->state = DEC_SIZE;
    return ZI_OK;
}

static zinc_frame_t *decoder_take(zmtp_decoder_t *d)
{
    zinc_frame_t *f = d->frame;
    d->frame = NULL;
    d->state = DEC_FLAGS;
    return f;
}

/* ZMTP 1.0: the length (flags octet included) is known. */
static zi_err decoder_v1_length(zmtp_decoder_t *d, uint64_t len)
{
    /* RFC 13: a frame has at least its flags octet. */
    if (len == 0)
        return ZI_EPROTO;
    d->size = len - 1;
    d->state = DEC_V1_FLAGS;
    return ZI_OK;
}

zi_err zmtp_decoder_feed(zmtp_decoder_t *d, const uint8_t *in, size_t n, size_t *used,
                         zinc_frame_t **out)
{
    size_t pos = 0;
    zi_err e = ZI_OK;
    *out = NULL;
    while (pos < n || (d->state == DEC_BODY && d->body_have == d->frame->size)) {
        if (d->state == DEC_FLAGS && d->framing == ZMTP_FRAMING_V1)
            d->state = DEC_V1_LEN;
        switch (d->state) {
        case DEC_FLAGS:
            e = decoder_flags(d, in[pos++]);
            if (e != ZI_OK)
                goto out;
            break;
        case DEC_V1_LEN: {
            uint8_t b = in[pos++];
            d->hdr_have = 0;
            if (b == 0xFF) {
                d->state = DEC_V1_SIZE;
                break;
            }
            e = decoder_v1_length(d, b);
            if (e != ZI_OK)
                goto out;
            break;
        }
        case DEC_V1_SIZE: {
            size_t take = 8 - d->hdr_have;
            if (take > n - pos)
                take = n - pos;
            memcpy(d->hdr + d->hdr_have, in + pos, take);
            d->hdr_have += take;
            pos += take;
            if (d->hdr_have < 8)
                break;
            e = decoder_v1_length(d, zi_get_u64be(d->hdr));
            if (e != ZI_OK)
                goto out;
            break;
        }
        case DEC_V1_FLAGS:
            /* Only MORE means something in 1.0; libzmq ignores the rest. */
            d->flags = in[pos++] & ZMTP_FLAG_MORE;
            e = decoder_start_body(d);
            if (e != ZI_OK)
                goto out;
            break;
        case DEC_SIZE: {
            size_t need = (d->flags & ZMTP_FLAG_LONG) ? 8 : 1;
            size_t take = need - d->hdr_have;
            if (take > n - pos)
                take = n - pos;
            memcpy(d->hdr + d->hdr_have, in + pos, take);
            d->hdr_have += take;
            pos += take;
            if (d->hdr_have < need)
                break;
            d->size = need == 8 ? zi_get_u64be(d->hdr) : d->hdr[0];
            e = decoder_start_body(d);
            if (e != ZI_OK)
                goto out;
            break;
        }
        case DEC_BODY: {
            size_t take = d->frame->size - d->body_have;
            if (take > n - pos)
                take = n - pos;
            if (take) {
                memcpy(d->frame->data + d->body_have, in + pos, take);
                d->body_have += take;
                pos += take;
            }
            if (d->body_have == d->frame->size) {
                *out = decoder_take(d);
                goto out;
            }
            break;
        }
        }
    }
    e = ZI_AGAIN;
out:
    *used = pos;
    return e;
}

uint8_t *zmtp_decoder_window(zmtp_decoder_t *d, size_t *len)
{
    if (d->state != DEC_BODY) {
        *len = 0;
        return NULL;
    }
    *len = d->frame->size - d->body_have;
    return d->frame->data + d->body_have;
}

zinc_frame_t *zmtp_decoder_advance(zmtp_decoder_t *d, size_t n)
{
    if (d->state != DEC_BODY)
        return NULL;
    size_t left = d->frame->size - d->body_have;
    d->body_have += n < left ? n : left;
    if (d->body_have < d->frame->size)
        return NULL;
    return decoder_take(d);
}
