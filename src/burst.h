/*
 * burst: the explicit headroom probe. Opens up to N connections at once
 * from one thread, holds them briefly, reports how many got in, then
 * closes every one of them, also on Ctrl-C or SIGTERM.
 */
#ifndef PGPULSE_BURST_H
#define PGPULSE_BURST_H

#include <stdio.h>

#include "app.h"

int burst_run(struct sched *s, const struct app_options *o);

#endif

/* What a burst found. */
struct burst_outcome {
	int requested;
	int opened;               /* connections that got in */
	double open_ms;           /* from the first connect to the last one in (or failed) */
	bool interrupted;         /* Ctrl-C / SIGTERM */
	bool have_error;
	struct probe_result first_error; /* the first failure, when have_error */
};

/*
 * Opens up to n connections to t at once (from this thread), holds them
 * hold_ms, closes all. Returns false only when it could not start. Used by
 * 'pgpulse burst' and the prompt's 'burst N'. Stops early, closing
 * everything, when a stop signal arrives on signals_fd().
 */
bool burst_execute(struct sched *s, struct target *t, int n, double hold_ms,
		   struct burst_outcome *out);
/* Prints an outcome as text or as the JSON object of 'burst --json'. */
void burst_print(FILE *out, const struct target *t, const struct burst_outcome *b, bool json);
