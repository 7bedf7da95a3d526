/*
 * holders: reading pg_stat_activity's summary like a person would: who
 * holds the slots, and which holder looks like the culprit of a
 * max_clients incident (a client-side pool parked idle, sessions idle in
 * transaction).
 */
#ifndef PGPULSE_HOLDERS_H
#define PGPULSE_HOLDERS_H

#include <stdbool.h>
#include <stddef.h>

#include "inspect.h"

/*
 * Writes one line naming the likely culprit into out, e.g. "api holds 48 of
 * 57 usable slots, 45 idle for more than 10 minutes: a client-side pool".
 * Returns false (and writes "") when nothing stands out.
 */
bool holders_culprit(const struct inspect_info *info, char *out, size_t outlen);

#endif
