/* zi_err: the one internal error type, returned by value.
 *
 * Strings come from the X-macro table below. At the public boundary a zi_err
 * becomes -1/NULL plus errno (zi_err_errno gives the errno to use).
 */
#ifndef ZI_UTIL_ERR_H
#define ZI_UTIL_ERR_H

#define ZI_MUST_USE __attribute__((warn_unused_result))

/*  name            errno        text */
#define ZI_ERR_TABLE(X)                                                                            \
    X(ZI_OK, 0, "success")                                                                         \
    X(ZI_AGAIN, EAGAIN, "need more input")                                                         \
    X(ZI_ENOMEM, ENOMEM, "out of memory")                                                          \
    X(ZI_EINVAL, EINVAL, "invalid argument")                                                       \
    X(ZI_ETRUNC, EPROTO, "input truncated")                                                        \
    X(ZI_ETRAILING, EPROTO, "trailing octets after the end")                                       \
    X(ZI_EFULL, ENOBUFS, "buffer full")                                                            \
    X(ZI_EMSGSIZE, EMSGSIZE, "message larger than maxmsgsize")                                     \
    X(ZI_EPROTO, EPROTO, "protocol error")                                                         \
    X(ZI_EVERSION, EPROTO, "unsupported protocol version")                                         \
    X(ZI_EMECH, EPROTO, "security mechanism mismatch")                                             \
    X(ZI_ESOCKTYPE, EPROTO, "incompatible socket type")                                            \
    X(ZI_ETIMEDOUT, ETIMEDOUT, "timed out")                                                        \
    X(ZI_EAUTH, EACCES, "authentication failed")                                                   \
    X(ZI_EPEER, ECONNRESET, "peer sent ERROR")

typedef enum {
#define ZI_ERR_ENUM(name, eno, text) name,
    ZI_ERR_TABLE(ZI_ERR_ENUM)
#undef ZI_ERR_ENUM
        ZI_ERR_COUNT_
} zi_err;

/* Text for an error; never NULL. Thread-safe (static strings). */
const char *zi_err_str(zi_err e);

/* errno value that stands for e at the public API. */
int zi_err_errno(zi_err e);

#endif
