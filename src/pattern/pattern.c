/* The one table through which core reaches the patterns. A pattern that
 * lands adds its line here. */
#include <stddef.h>

#include "pattern/pattern.h"
#include "zinc.h"

extern const zi_pattern_ops_t zi_pattern_pair, zi_pattern_push, zi_pattern_pull, zi_pattern_dealer;
extern const zi_pattern_ops_t zi_pattern_req, zi_pattern_rep, zi_pattern_router;
extern const zi_pattern_ops_t zi_pattern_pub, zi_pattern_sub, zi_pattern_xpub, zi_pattern_xsub;
extern const zi_pattern_ops_t zi_pattern_stream;

const zi_pattern_ops_t *zi_pattern_lookup(int type)
{
    static const zi_pattern_ops_t *const table[] = {
        [ZINC_PAIR] = &zi_pattern_pair,     [ZINC_PUB] = &zi_pattern_pub,
        [ZINC_SUB] = &zi_pattern_sub,       [ZINC_REQ] = &zi_pattern_req,
        [ZINC_REP] = &zi_pattern_rep,       [ZINC_DEALER] = &zi_pattern_dealer,
        [ZINC_ROUTER] = &zi_pattern_router, [ZINC_PULL] = &zi_pattern_pull,
        [ZINC_PUSH] = &zi_pattern_push,     [ZINC_XPUB] = &zi_pattern_xpub,
        [ZINC_XSUB] = &zi_pattern_xsub,     [ZINC_STREAM] = &zi_pattern_stream,
    };
    if (type < 0 || (size_t)type >= sizeof table / sizeof table[0])
        return NULL;
    return table[type];
}
