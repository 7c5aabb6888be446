/* Socket-type names and the ZMTP compatibility rules checked on READY. Pure
 * functions over constant tables: callable from any thread. */
#ifndef ZI_ZMTP_SOCKTYPE_H
#define ZI_ZMTP_SOCKTYPE_H

#include <stdbool.h>
#include <stddef.h>

#define ZI_SOCKTYPE_MAX 20

/* Upper-case name, or NULL for an unknown type. */
const char *zi_socktype_name(int type);
/* Type for a name of len octets, matched exactly (case-sensitive, as the
 * Socket-Type property is sent), or -1. */
int zi_socktype_from_wire(const char *name, size_t len);
bool zi_socktype_compatible(int ours, int peers);
/* true for the types that send their Identity in READY (REQ, DEALER, ROUTER). */
bool zi_socktype_sends_identity(int type);

#endif
