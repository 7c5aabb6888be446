/* A reader for ZPL, the ZeroMQ Property Language (ZeroMQ RFC 4), the text
 * format of CZMQ's and pyzmq's certificate files.
 *
 * zi_zpl_parse walks the text line by line and reports each property (a
 * name, with an optional value, at an indentation level) to a callback; it
 * knows nothing of what the properties mean. The rules it enforces:
 *   - lines end with LF, CR or CRLF; blank lines and lines whose first
 *     non-blank octet is '#' are skipped; a UTF-8 byte-order mark at the
 *     very start is skipped;
 *   - no control octet other than TAB anywhere (NUL included: the text is
 *     bounded by its length, never by a NUL);
 *   - indentation is spaces only, a multiple of 4, at most one level deeper
 *     than the line before (the first property is at level 0);
 *   - a name is one or more of ALPHA DIGIT $ - _ @ . & + / and is followed
 *     by blanks, then the end, a comment, or '=' and a value;
 *   - a value is quoted with ' or " when the line, after the closing quote,
 *     holds only blanks and perhaps a comment (the quotes are not part of
 *     it); otherwise it is bare: up to a '#' or the end, trailing blanks cut.
 *
 * Pure: no allocation, no I/O, callable from any thread. Every read is
 * bounded by the input's length (the bounded cursor of util/cursor.h).
 */
#ifndef ZI_EXT_ZPL_H
#define ZI_EXT_ZPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One property. The views point into the parsed text. */
typedef struct {
    size_t line;         /* 1-based line number */
    size_t level;        /* indentation in steps of 4 spaces */
    const uint8_t *name; /* name_len > 0 octets */
    size_t name_len;
    const uint8_t *value; /* value_len octets; "" when there is no value */
    size_t value_len;
    bool has_value; /* an '=' followed the name */
} zi_zpl_prop_t;

/* Called for each property in order. Returns NULL to go on, or a reason to
 * stop, which zi_zpl_parse hands back (with the property's line). */
typedef const char *(zi_zpl_fn)(const zi_zpl_prop_t *prop, void *ctx);

/* Parses n octets of ZPL. NULL when every line was well-formed and fn never
 * stopped; otherwise the reason (a syntax rule, or fn's) and, in *line, the
 * 1-based line it concerns. */
const char *zi_zpl_parse(const uint8_t *p, size_t n, zi_zpl_fn *fn, void *ctx, size_t *line);

/* Whether ch may be part of a name (RFC 4's name-char). */
static inline bool zi_zpl_name_char(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '$' || ch == '-' || ch == '_' || ch == '@' || ch == '.' || ch == '&' ||
           ch == '+' || ch == '/';
}

#endif
