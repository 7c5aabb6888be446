/* The option property table: one static row per socket option.
 *
 * The rows live in option_table.c (socket options) and ctxopts.c (context
 * options); this header gives their layout, the index of every socket option
 * row (so the runtime reads a value in O(1): zi_optset_int(os, ZI_OPT_LINGER)),
 * and the value parsers and formatters every user of the table shares:
 * zinc_set/zinc_get, context defaults, the `zinc` tool's -o name=value and
 * tools/gen_options_doc.c.
 *
 * Rows are constant and shared by all threads. Nothing here allocates or
 * blocks; failing functions return -1 with errno set and a detail sentence
 * (core/error.h).
 */
#ifndef ZI_CORE_OPTIONS_H
#define ZI_CORE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zinc.h"
#include "zmtp/socktype.h"

/* Row indices, in table order: libzmq's stable and deprecated options by id,
 * then the draft ones by id, then zinc's own. */
typedef enum {
    ZI_OPT_AFFINITY,                          /* 4 */
    ZI_OPT_ROUTING_ID,                        /* 5 */
    ZI_OPT_SUBSCRIBE,                         /* 6 */
    ZI_OPT_UNSUBSCRIBE,                       /* 7 */
    ZI_OPT_RATE,                              /* 8 */
    ZI_OPT_RECOVERY_IVL,                      /* 9 */
    ZI_OPT_SNDBUF,                            /* 11 */
    ZI_OPT_RCVBUF,                            /* 12 */
    ZI_OPT_RCVMORE,                           /* 13 */
    ZI_OPT_FD,                                /* 14 */
    ZI_OPT_EVENTS,                            /* 15 */
    ZI_OPT_TYPE,                              /* 16 */
    ZI_OPT_LINGER,                            /* 17 */
    ZI_OPT_RECONNECT_IVL,                     /* 18 */
    ZI_OPT_BACKLOG,                           /* 19 */
    ZI_OPT_RECONNECT_IVL_MAX,                 /* 21 */
    ZI_OPT_MAXMSGSIZE,                        /* 22 */
    ZI_OPT_SNDHWM,                            /* 23 */
    ZI_OPT_RCVHWM,                            /* 24 */
    ZI_OPT_MULTICAST_HOPS,                    /* 25 */
    ZI_OPT_RCVTIMEO,                          /* 27 */
    ZI_OPT_SNDTIMEO,                          /* 28 */
    ZI_OPT_IPV4ONLY,                          /* 31, deprecated */
    ZI_OPT_LAST_ENDPOINT,                     /* 32 */
    ZI_OPT_ROUTER_MANDATORY,                  /* 33 */
    ZI_OPT_TCP_KEEPALIVE,                     /* 34 */
    ZI_OPT_TCP_KEEPALIVE_CNT,                 /* 35 */
    ZI_OPT_TCP_KEEPALIVE_IDLE,                /* 36 */
    ZI_OPT_TCP_KEEPALIVE_INTVL,               /* 37 */
    ZI_OPT_TCP_ACCEPT_FILTER,                 /* 38, deprecated */
    ZI_OPT_IMMEDIATE,                         /* 39 */
    ZI_OPT_XPUB_VERBOSE,                      /* 40 */
    ZI_OPT_ROUTER_RAW,                        /* 41 */
    ZI_OPT_IPV6,                              /* 42 */
    ZI_OPT_MECHANISM,                         /* 43 */
    ZI_OPT_PLAIN_SERVER,                      /* 44 */
    ZI_OPT_PLAIN_USERNAME,                    /* 45 */
    ZI_OPT_PLAIN_PASSWORD,                    /* 46 */
    ZI_OPT_CURVE_SERVER,                      /* 47 */
    ZI_OPT_CURVE_PUBLICKEY,                   /* 48 */
    ZI_OPT_CURVE_SECRETKEY,                   /* 49 */
    ZI_OPT_CURVE_SERVERKEY,                   /* 50 */
    ZI_OPT_PROBE_ROUTER,                      /* 51 */
    ZI_OPT_REQ_CORRELATE,                     /* 52 */
    ZI_OPT_REQ_RELAXED,                       /* 53 */
    ZI_OPT_CONFLATE,                          /* 54 */
    ZI_OPT_ZAP_DOMAIN,                        /* 55 */
    ZI_OPT_ROUTER_HANDOVER,                   /* 56 */
    ZI_OPT_TOS,                               /* 57 */
    ZI_OPT_IPC_FILTER_PID,                    /* 58, deprecated */
    ZI_OPT_IPC_FILTER_UID,                    /* 59, deprecated */
    ZI_OPT_IPC_FILTER_GID,                    /* 60, deprecated */
    ZI_OPT_CONNECT_ROUTING_ID,                /* 61 */
    ZI_OPT_GSSAPI_SERVER,                     /* 62 */
    ZI_OPT_GSSAPI_PRINCIPAL,                  /* 63 */
    ZI_OPT_GSSAPI_SERVICE_PRINCIPAL,          /* 64 */
    ZI_OPT_GSSAPI_PLAINTEXT,                  /* 65 */
    ZI_OPT_HANDSHAKE_IVL,                     /* 66 */
    ZI_OPT_SOCKS_PROXY,                       /* 68 */
    ZI_OPT_XPUB_NODROP,                       /* 69 */
    ZI_OPT_BLOCKY,                            /* 70 (a context option) */
    ZI_OPT_XPUB_MANUAL,                       /* 71 */
    ZI_OPT_XPUB_WELCOME_MSG,                  /* 72 */
    ZI_OPT_STREAM_NOTIFY,                     /* 73 */
    ZI_OPT_INVERT_MATCHING,                   /* 74 */
    ZI_OPT_HEARTBEAT_IVL,                     /* 75 */
    ZI_OPT_HEARTBEAT_TTL,                     /* 76 */
    ZI_OPT_HEARTBEAT_TIMEOUT,                 /* 77 */
    ZI_OPT_XPUB_VERBOSER,                     /* 78 */
    ZI_OPT_CONNECT_TIMEOUT,                   /* 79 */
    ZI_OPT_TCP_MAXRT,                         /* 80 */
    ZI_OPT_THREAD_SAFE,                       /* 81 */
    ZI_OPT_MULTICAST_MAXTPDU,                 /* 84 */
    ZI_OPT_VMCI_BUFFER_SIZE,                  /* 85 */
    ZI_OPT_VMCI_BUFFER_MIN_SIZE,              /* 86 */
    ZI_OPT_VMCI_BUFFER_MAX_SIZE,              /* 87 */
    ZI_OPT_VMCI_CONNECT_TIMEOUT,              /* 88 */
    ZI_OPT_USE_FD,                            /* 89 */
    ZI_OPT_GSSAPI_PRINCIPAL_NAMETYPE,         /* 90 */
    ZI_OPT_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE, /* 91 */
    ZI_OPT_BINDTODEVICE,                      /* 92 */
    /* libzmq draft API */
    ZI_OPT_ZAP_ENFORCE_DOMAIN,       /* 93 */
    ZI_OPT_LOOPBACK_FASTPATH,        /* 94 */
    ZI_OPT_METADATA,                 /* 95 */
    ZI_OPT_MULTICAST_LOOP,           /* 96 */
    ZI_OPT_ROUTER_NOTIFY,            /* 97 */
    ZI_OPT_XPUB_MANUAL_LAST_VALUE,   /* 98 */
    ZI_OPT_SOCKS_USERNAME,           /* 99 */
    ZI_OPT_SOCKS_PASSWORD,           /* 100 */
    ZI_OPT_IN_BATCH_SIZE,            /* 101 */
    ZI_OPT_OUT_BATCH_SIZE,           /* 102 */
    ZI_OPT_WSS_KEY_PEM,              /* 103 */
    ZI_OPT_WSS_CERT_PEM,             /* 104 */
    ZI_OPT_WSS_TRUST_PEM,            /* 105 */
    ZI_OPT_WSS_HOSTNAME,             /* 106 */
    ZI_OPT_WSS_TRUST_SYSTEM,         /* 107 */
    ZI_OPT_ONLY_FIRST_SUBSCRIBE,     /* 108 */
    ZI_OPT_RECONNECT_STOP,           /* 109 */
    ZI_OPT_HELLO_MSG,                /* 110 */
    ZI_OPT_DISCONNECT_MSG,           /* 111 */
    ZI_OPT_PRIORITY,                 /* 112 */
    ZI_OPT_BUSY_POLL,                /* 113 */
    ZI_OPT_HICCUP_MSG,               /* 114 */
    ZI_OPT_XSUB_VERBOSE_UNSUBSCRIBE, /* 115 */
    ZI_OPT_TOPICS_COUNT,             /* 116 */
    ZI_OPT_NORM_MODE,                /* 117 */
    ZI_OPT_NORM_UNICAST_NACK,        /* 118 */
    ZI_OPT_NORM_BUFFER_SIZE,         /* 119 */
    ZI_OPT_NORM_SEGMENT_SIZE,        /* 120 */
    ZI_OPT_NORM_BLOCK_SIZE,          /* 121 */
    ZI_OPT_NORM_NUM_PARITY,          /* 122 */
    ZI_OPT_NORM_NUM_AUTOPARITY,      /* 123 */
    ZI_OPT_NORM_PUSH,                /* 124 */
    /* zinc's own */
    ZI_OPT_HWM,            /* pyzmq's: sets sndhwm and rcvhwm */
    ZI_OPT_COPY_THRESHOLD, /* pyzmq's: zero-copy sends below it copy */
    ZI_OPT_COUNT
} zi_opt_index;

/* Socket-type bit masks (bit n: libzmq socket type n). */
#define ZI_ST(t) (UINT32_C(1) << (t))
#define ZI_ST_ALL ((UINT32_C(1) << 21) - 1) /* PAIR (0) .. CHANNEL (20) */

/* Row flags. */
#define ZI_OPTF_LIVE 0x01     /* read-only value the socket knows (events, fd...) */
#define ZI_OPTF_ACTION 0x02   /* write-only command the socket consumes (subscribe) */
#define ZI_OPTF_SOCKTYPE 0x04 /* default is the socket's type (type) */

/* Curve keys: 32 octets, 40 Z85 characters. */
#define ZI_CURVE_KEY_LEN 32
#define ZI_CURVE_KEY_Z85_LEN 40

/* Length bound meaning "any length". */
#define ZI_LEN_ANY INT64_MAX

typedef struct zinc_option zi_option_t;

/* A validated value. Integer types use i (UINT64 as its bit pattern); BYTES
 * and STRING point at the caller's octets (borrowed: valid only as long as
 * the text or buffer that was parsed); CURVE_KEY holds the decoded key. */
typedef struct {
    int64_t i;
    const uint8_t *data;
    size_t len;
    uint8_t key[ZI_CURVE_KEY_LEN];
} zi_optval_t;

/* An extra rule on a value beyond type and range (routing_id's first octet,
 * metadata's "X-key:value" form). Returns 0, or -1 with errno and detail. */
typedef int(zi_option_check_fn)(const zi_option_t *opt, const zi_optval_t *val);

struct zinc_option {
    const char *name;     /* canonical, lower case, no ZMQ_ */
    const char *aliases;  /* comma-separated, "" for none */
    const char *def_text; /* default in text form */
    const char *doc;      /* one line */
    int64_t def;          /* default of integer types (equals def_text) */
    int64_t min, max;     /* value range; for BYTES/STRING the length range */
    int64_t alt_def;      /* default on the socket types in alt_types */
    uint32_t types;       /* ZI_ST mask of the socket types it applies to */
    uint32_t alt_types;   /* types whose default is alt_def (0: none) */
    int id;               /* libzmq's option id, -1 for zinc's own */
    uint8_t type;         /* ZINC_OPT_INT ... */
    uint8_t access;       /* ZINC_OPT_READ / _WRITE / _RW */
    uint8_t effect;       /* ZINC_OPT_IMMEDIATE ... */
    uint8_t status;       /* ZINC_OPT_STABLE ... */
    uint8_t flags;        /* ZI_OPTF_* */
    bool implemented;     /* false: set/get answer ENOTSUP */
    zi_option_check_fn *check;
};

/* The socket option rows, indexed by zi_opt_index (option_table.c). */
extern const zi_option_t zi_option_table[ZI_OPT_COUNT];

static inline const zi_option_t *zi_option_at(zi_opt_index i)
{
    return &zi_option_table[i];
}

static inline zi_opt_index zi_option_index(const zi_option_t *opt)
{
    return (zi_opt_index)(opt - zi_option_table);
}

/* Looks name up in a table of n rows (case-insensitive, optional "zmq_"
 * prefix, '-' = '_', aliases). NULL when absent; sets neither errno nor
 * detail. */
const zi_option_t *zi_option_lookup(const zi_option_t *table, size_t n, const char *name);

/* zinc_option_find with a caller-chosen noun for the detail ("option",
 * "context option"): NULL, EINVAL and a detail with suggestions when absent. */
const zi_option_t *zi_option_find_in(const zi_option_t *table, size_t n, const char *name,
                                     const char *noun);

/* Up to max names of rows in the given tables nearest to name, written
 * comma-separated to buf (capacity cap). Returns how many. */
int zi_option_suggest_in(const zi_option_t *const *tables, const size_t *counts, size_t ntables,
                         const char *name, char *buf, size_t cap, int max);

/* Default of an integer-typed row on a socket of type socktype. */
int64_t zi_option_default_int(const zi_option_t *opt, int socktype);

/* The socket types of a ZI_ST mask in words, written to buf (capacity cap,
 * truncated): "all", "all but STREAM", "ROUTER, STREAM" or "none". Returns buf. */
char *zi_option_types_text(uint32_t types, char *buf, size_t cap);

/* Value validation, separate from applying the value: checks type, range
 * and the row's extra rule only, not access, socket type or implemented
 * (so that a context default can be validated when it is set).
 *   text:  integers in decimal (or 0x hex); booleans as 1/0/true/false/yes/
 *          no/on/off (any case); bytes and strings as given; CURVE keys as
 *          40 Z85 characters or 32 raw octets.
 *   int:   integer and bool types only.
 *   bytes: bytes, strings (one trailing NUL is dropped, others refused) and
 *          CURVE keys (32 raw octets, 40 Z85, or 41 = Z85 + NUL).
 * Return 0, or -1 with EINVAL and a detail naming the rule. */
int zi_option_parse_text(const zi_option_t *opt, const char *text, zi_optval_t *out);
/* The text conversion alone, without range and extra rule: used to check
 * that every row's default text is a value of the row's type. */
int zi_option_convert_text(const zi_option_t *opt, const char *text, zi_optval_t *out);
int zi_option_parse_int(const zi_option_t *opt, int64_t value, zi_optval_t *out);
int zi_option_parse_bytes(const zi_option_t *opt, const void *data, size_t len, zi_optval_t *out);

/* Text form of a value: decimal integers ("1"/"0" for booleans), bytes and
 * strings as they are, CURVE keys as 40 Z85 characters. *len is the capacity
 * of buf in, the length written out (NUL not counted); buf is NUL-terminated.
 * When buf is too small: -1, EINVAL, and *len set to the length needed. */
int zi_option_format(const zi_option_t *opt, const zi_optval_t *val, char *buf, size_t *len);

#endif
