/* ZPL (ZeroMQ RFC 4) reader: see zpl.h. */
#include <string.h>

#include "ext/zpl.h"
#include "util/cursor.h"

/* The next octet of the view, or -1 at its end. */
static int zpl_peek(const zi_cur_t *c)
{
    return zi_cur_left(c) ? *zi_cur_ptr(c) : -1;
}

static void zpl_skip(zi_cur_t *c)
{
    uint8_t ch;
    if (zi_cur_u8(c, &ch) != ZI_OK)
        return;
}

static void zpl_skip_blanks(zi_cur_t *c)
{
    while (zpl_peek(c) == ' ' || zpl_peek(c) == '\t')
        zpl_skip(c);
}

/* Cuts the next line (without its end: LF, CR or CRLF) off file; false at
 * the end of the file. */
static bool zpl_next_line(zi_cur_t *file, zi_cur_t *line)
{
    size_t left = zi_cur_left(file);
    if (left == 0)
        return false;
    const uint8_t *p = zi_cur_ptr(file);
    size_t n = 0;
    while (n < left && p[n] != '\n' && p[n] != '\r')
        n++;
    if (zi_cur_sub(file, n, line) != ZI_OK)
        return false;
    if (zpl_peek(file) == '\r') {
        zpl_skip(file);
        if (zpl_peek(file) == '\n')
            zpl_skip(file);
    } else if (zpl_peek(file) == '\n') {
        zpl_skip(file);
    }
    return true;
}

/* The value after '=' and its blanks: the rest of the line. */
static void zpl_value(const zi_cur_t *rest, const uint8_t **v, size_t *vl)
{
    size_t n = zi_cur_left(rest);
    const uint8_t *p = zi_cur_ptr(rest);
    /* RFC 4: "A value that starts with a quote and does not end in a
     * matching quote is treated as unquoted." */
    if (n > 0 && (p[0] == '"' || p[0] == '\'')) {
        const uint8_t *close = memchr(p + 1, p[0], n - 1);
        if (close) {
            size_t after = (size_t)(close - p) + 1;
            size_t i = after;
            while (i < n && (p[i] == ' ' || p[i] == '\t'))
                i++;
            if (i == n || p[i] == '#') {
                *v = p + 1;
                *vl = after - 2;
                return;
            }
        }
    }
    /* RFC 4: "Whitespace following after a value is discarded." */
    size_t end = 0;
    while (end < n && p[end] != '#')
        end++;
    while (end > 0 && (p[end - 1] == ' ' || p[end - 1] == '\t'))
        end--;
    *v = p;
    *vl = end;
}

/* Parses one line into *prop; returns a syntax fault, or NULL. *is_prop
 * says whether the line held a property (not blank, not a comment). */
static const char *zpl_line(zi_cur_t *line, size_t max_level, zi_zpl_prop_t *prop, bool *is_prop)
{
    *is_prop = false;
    const uint8_t *all = zi_cur_ptr(line);
    for (size_t i = 0; i < zi_cur_left(line); i++)
        if ((all[i] < 0x20 && all[i] != '\t') || all[i] == 0x7f)
            return "a control character";

    size_t indent = 0;
    while (zpl_peek(line) == ' ') {
        zpl_skip(line);
        indent++;
    }
    bool tab = zpl_peek(line) == '\t';
    zpl_skip_blanks(line);
    if (zpl_peek(line) == -1 || zpl_peek(line) == '#')
        return NULL; /* a blank line or a comment */
    if (tab)
        return "a tab in the indentation";
    /* RFC 4: "a child is indented 4 spaces more than its parent" */
    if (indent % 4 != 0)
        return "an indentation that is not a multiple of 4 spaces";
    prop->level = indent / 4;
    if (prop->level > max_level)
        return "indented deeper than under its parent";

    prop->name = zi_cur_ptr(line);
    prop->name_len = 0;
    while (zi_zpl_name_char(zpl_peek(line))) {
        zpl_skip(line);
        prop->name_len++;
    }
    if (prop->name_len == 0)
        return "a name starts with a character outside letters, digits and $-_@.&+/";
    zpl_skip_blanks(line);
    prop->value = (const uint8_t *)"";
    prop->value_len = 0;
    prop->has_value = false;
    if (zpl_peek(line) == '=') {
        zpl_skip(line);
        zpl_skip_blanks(line);
        zpl_value(line, &prop->value, &prop->value_len);
        prop->has_value = true;
    } else if (zpl_peek(line) != -1 && zpl_peek(line) != '#') {
        return "'=' expected after a name";
    }
    *is_prop = true;
    return NULL;
}

const char *zi_zpl_parse(const uint8_t *p, size_t n, zi_zpl_fn *fn, void *ctx, size_t *line_out)
{
    zi_cur_t file = zi_cur_make(p, n);
    static const uint8_t bom[3] = {0xEF, 0xBB, 0xBF};
    size_t line_no = 0, max_level = 0;
    *line_out = 0;
    if (n >= 3 && memcmp(p, bom, 3) == 0 && zi_cur_skip(&file, 3) != ZI_OK)
        return "cannot skip the byte-order mark";
    zi_cur_t line;
    while (zpl_next_line(&file, &line)) {
        line_no++;
        zi_zpl_prop_t prop = {.line = line_no};
        bool is_prop;
        const char *why = zpl_line(&line, max_level, &prop, &is_prop);
        if (!why && is_prop) {
            max_level = prop.level + 1;
            why = fn(&prop, ctx);
        }
        if (why) {
            *line_out = line_no;
            return why;
        }
    }
    return NULL;
}
