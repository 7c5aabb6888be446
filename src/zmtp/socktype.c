#include <errno.h>
#include <string.h>
#include <strings.h>

#include "zinc.h"
#include "zmtp/socktype.h"

static const char *const socktype_names[ZI_SOCKTYPE_MAX + 1] = {
    "PAIR",  "PUB",  "SUB",    "REQ",     "REP",    "DEALER", "ROUTER",
    "PULL",  "PUSH", "XPUB",   "XSUB",    "STREAM", "SERVER", "CLIENT",
    "RADIO", "DISH", "GATHER", "SCATTER", "DGRAM",  "PEER",   "CHANNEL",
};

/* RFC 37 "The Socket-Type Property": which peer types each type accepts. */
#define B(t) (1u << (t))
static const unsigned socktype_peers[ZI_SOCKTYPE_MAX + 1] = {
    [ZINC_PAIR] = B(ZINC_PAIR),
    [ZINC_PUB] = B(ZINC_SUB) | B(ZINC_XSUB),
    [ZINC_SUB] = B(ZINC_PUB) | B(ZINC_XPUB),
    [ZINC_REQ] = B(ZINC_REP) | B(ZINC_ROUTER),
    [ZINC_REP] = B(ZINC_REQ) | B(ZINC_DEALER),
    [ZINC_DEALER] = B(ZINC_REP) | B(ZINC_DEALER) | B(ZINC_ROUTER),
    [ZINC_ROUTER] = B(ZINC_REQ) | B(ZINC_DEALER) | B(ZINC_ROUTER),
    [ZINC_PULL] = B(ZINC_PUSH),
    [ZINC_PUSH] = B(ZINC_PULL),
    [ZINC_XPUB] = B(ZINC_SUB) | B(ZINC_XSUB),
    [ZINC_XSUB] = B(ZINC_PUB) | B(ZINC_XPUB),
    [ZINC_STREAM] = 0,
    [ZINC_SERVER] = B(ZINC_CLIENT),
    [ZINC_CLIENT] = B(ZINC_SERVER),
    [ZINC_RADIO] = B(ZINC_DISH),
    [ZINC_DISH] = B(ZINC_RADIO),
    [ZINC_GATHER] = B(ZINC_SCATTER),
    [ZINC_SCATTER] = B(ZINC_GATHER),
    [ZINC_DGRAM] = 0,
    [ZINC_PEER] = B(ZINC_PEER),
    [ZINC_CHANNEL] = B(ZINC_CHANNEL),
};
#undef B

const char *zi_socktype_name(int type)
{
    if (type < 0 || type > ZI_SOCKTYPE_MAX)
        return NULL;
    return socktype_names[type];
}

int zi_socktype_from_wire(const char *name, size_t len)
{
    for (int t = 0; t <= ZI_SOCKTYPE_MAX; t++)
        if (strlen(socktype_names[t]) == len && memcmp(socktype_names[t], name, len) == 0)
            return t;
    return -1;
}

bool zi_socktype_compatible(int ours, int peers)
{
    if (ours < 0 || ours > ZI_SOCKTYPE_MAX || peers < 0 || peers > ZI_SOCKTYPE_MAX)
        return false;
    return (socktype_peers[ours] >> peers) & 1u;
}

bool zi_socktype_sends_identity(int type)
{
    return type == ZINC_REQ || type == ZINC_DEALER || type == ZINC_ROUTER;
}

const char *zinc_socket_type_name(int type)
{
    const char *n = zi_socktype_name(type);
    if (!n)
        errno = EINVAL;
    return n;
}

int zinc_socket_type_from_name(const char *name)
{
    if (name) {
        for (int t = 0; t <= ZI_SOCKTYPE_MAX; t++)
            if (strcasecmp(socktype_names[t], name) == 0)
                return t;
        /* libzmq's old names */
        if (strcasecmp(name, "XREQ") == 0)
            return ZINC_DEALER;
        if (strcasecmp(name, "XREP") == 0)
            return ZINC_ROUTER;
    }
    errno = EINVAL;
    return -1;
}

bool zinc_socket_types_compatible(int a, int b)
{
    return zi_socktype_compatible(a, b);
}
