#ifndef POOLSIM_CSQLITE_SHIM_H
#define POOLSIM_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a cast macro that Swift does not import: bound text and blobs are copied.
static inline sqlite3_destructor_type poolsim_sqlite_transient(void) { return SQLITE_TRANSIENT; }

#endif
