#include <string.h>

#include "util/cursor.h"
#include "zmtp/metadata.h"

/* RFC 37: name-char = ALPHA | DIGIT | "-" | "_" | "." | "+" */
static int metadata_name_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '+';
}

zi_err zmtp_metadata_parse(const uint8_t *p, size_t len, zi_props_t *out)
{
    zi_cur_t c = zi_cur_make(p, len);
    while (zi_cur_left(&c) > 0) {
        uint8_t name_len;
        const uint8_t *name, *value;
        uint32_t value_len;
        zi_err e = zi_cur_u8(&c, &name_len);
        if (e == ZI_OK)
            e = zi_cur_bytes(&c, name_len, &name);
        if (e == ZI_OK)
            e = zi_cur_u32be(&c, &value_len);
        if (e == ZI_OK)
            e = zi_cur_bytes(&c, value_len, &value);
        if (e != ZI_OK)
            return ZI_EPROTO; /* a property runs past the end: trailing octets */
        if (name_len == 0)
            return ZI_EPROTO;
        for (size_t i = 0; i < name_len; i++)
            if (!metadata_name_char(name[i]))
                return ZI_EPROTO;
        char key[256];
        memcpy(key, name, name_len);
        key[name_len] = '\0';
        if (zi_props_get(out, key, NULL))
            return ZI_EPROTO;
        e = zi_props_set(out, key, name_len, value, value_len);
        if (e != ZI_OK)
            return e;
    }
    return ZI_OK;
}

zi_err zmtp_metadata_put(zi_wbuf_t *out, const char *name, const void *value, size_t value_len)
{
    size_t name_len = strlen(name);
    if (name_len == 0 || name_len > 255 || value_len > UINT32_MAX)
        return ZI_EINVAL;
    size_t start = out->len;
    zi_err e = zi_wbuf_reserve(out, zmtp_metadata_size(name_len, value_len));
    if (e == ZI_OK)
        e = zi_wbuf_short_str(out, name, name_len);
    if (e == ZI_OK)
        e = zi_wbuf_u32be(out, (uint32_t)value_len);
    if (e == ZI_OK)
        e = zi_wbuf_put(out, value, value_len);
    if (e != ZI_OK)
        out->len = start;
    return e;
}
