/*
 * burst: the explicit headroom probe. Opens up to N connections at once
 * from one thread, holds them briefly, reports how many got in, then
 * closes every one of them, also on Ctrl-C or SIGTERM.
 */
#ifndef PGPULSE_BURST_H
#define PGPULSE_BURST_H

#include "app.h"

int burst_run(struct sched *s, const struct app_options *o);

#endif
