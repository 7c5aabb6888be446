/* ZAP (RFC 27) request frames and reply checks; see zap.h. */
#include <string.h>

#include "zinc.h"
#include "zmtp/metadata.h"
#include "zmtp/zap.h"

static zinc_frame_t *zap_frame(const void *p, size_t n, bool more)
{
    zinc_frame_t *f = zi_frame_alloc(n);
    if (!f)
        return NULL;
    if (n)
        memcpy(f->data, p, n);
    zi_frame_set_more(f, more);
    return f;
}

size_t zmtp_zap_request_frames(const zmtp_zap_request_t *req, const char *address,
                               zinc_frame_t **out)
{
    size_t ncred = req->ncred < ZMTP_ZAP_CRED_MAX ? req->ncred : ZMTP_ZAP_CRED_MAX;
    const char *domain = req->domain ? req->domain : "";
    address = address ? address : "";
    /* RFC 27 "Request": version, id, domain, address, identity, mechanism,
     * credentials; libzmq puts the delimiter first. */
    const void *part[ZMTP_ZAP_REQUEST_FRAMES] = {
        "", ZMTP_ZAP_VERSION, ZMTP_ZAP_REQUEST_ID, domain, address, req->identity, req->mechanism,
    };
    size_t len[ZMTP_ZAP_REQUEST_FRAMES] = {
        0,
        strlen(ZMTP_ZAP_VERSION),
        strlen(ZMTP_ZAP_REQUEST_ID),
        strlen(domain),
        strlen(address),
        req->identity_len,
        strlen(req->mechanism),
    };
    size_t n = 7;
    for (size_t i = 0; i < ncred; i++, n++) {
        part[n] = req->cred[i];
        len[n] = req->cred_len[i];
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = zap_frame(part[i], len[i], i + 1 < n);
        if (!out[i]) {
            while (i > 0)
                zinc_frame_unref(out[--i]);
            return 0;
        }
    }
    return n;
}

static bool zap_frame_is(const zinc_frame_t *f, const char *text)
{
    size_t n = strlen(text);
    return f->size == n && memcmp(f->data, text, n) == 0;
}

static zi_err zap_reply_fail(uint32_t *protocol, uint32_t code)
{
    *protocol = code;
    return ZI_EPROTO;
}

zi_err zmtp_zap_reply_parse(zinc_frame_t *const *frames, size_t n, zmtp_zap_reply_t *out,
                            uint32_t *protocol)
{
    memset(out, 0, sizeof *out);
    *protocol = 0;
    /* RFC 27 "Reply": exactly seven frames (with libzmq's delimiter). */
    if (n != ZMTP_ZAP_REPLY_FRAMES)
        return zap_reply_fail(protocol, ZINC_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY);
    for (size_t i = 0; i < n; i++)
        if (zi_frame_is_more(frames[i]) != (i + 1 < n))
            return zap_reply_fail(protocol, ZINC_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY);
    if (frames[0]->size != 0)
        return zap_reply_fail(protocol, ZINC_PROTOCOL_ERROR_ZAP_UNSPECIFIED);
    if (!zap_frame_is(frames[1], ZMTP_ZAP_VERSION))
        return zap_reply_fail(protocol, ZINC_PROTOCOL_ERROR_ZAP_BAD_VERSION);
    if (!zap_frame_is(frames[2], ZMTP_ZAP_REQUEST_ID))
        return zap_reply_fail(protocol, ZINC_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID);
    const uint8_t *s = frames[3]->data;
    if (frames[3]->size != 3 || s[0] < '2' || s[0] > '5' || s[1] != '0' || s[2] != '0')
        return zap_reply_fail(protocol, ZINC_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE);
    zi_props_t *meta = zi_props_new();
    if (!meta)
        return ZI_ENOMEM;
    zi_err e = zmtp_metadata_parse(frames[6]->data, frames[6]->size, meta);
    if (e != ZI_OK) {
        zi_props_unref(meta);
        if (e == ZI_ENOMEM)
            return e;
        return zap_reply_fail(protocol, ZINC_PROTOCOL_ERROR_ZAP_INVALID_METADATA);
    }
    out->status = (s[0] - '0') * 100;
    out->user_id = frames[5]->data;
    out->user_id_len = frames[5]->size;
    out->meta = meta;
    return ZI_OK;
}
