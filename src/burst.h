/*
 * burst: the explicit headroom probe. Opens up to N connections at once
 * from one thread, holds them briefly, reports how many got in, then
 * closes every one of them, also on Ctrl-C or SIGTERM.
 */
#ifndef PGPULSE_BURST_H
#define PGPULSE_BURST_H

#include <stdio.h>

#include "app.h"

/*
 * 'pgpulse burst -n N [--hold S] [--yes] [--json] [TARGET]'. Asks first on
 * a terminal; refuses (exit 3) without one unless --yes. Exit 0 when all N
 * got in, 1 when some were refused (the headroom answer), 2 when none got
 * in, 3 on usage errors or when interrupted before the answer was known.
 */
enum app_next burst_run(struct app *a);

/* What a burst found. */
struct burst_outcome {
	int requested;
	int opened;	  /* connections that got in */
	double open_ms;	  /* from the first connect to the last one in (or failed) */
	double held_ms;	  /* how long they were held before closing */
	int opened_alone; /* of opened: refused in the crowd, then got in one at a time */
	int lost;	  /* got in, then the server closed them while held */
	bool interrupted; /* Ctrl-C / SIGTERM */
	bool settled;	  /* every connection got in or failed: the answer is known */
	bool have_error;
	struct probe_result first_error; /* the first failure, when have_error */
};

/*
 * Opens up to n connections to t at once (from this thread), holds them
 * hold_ms, closes all. Those refused for a limit (max_clients) try again
 * one at a time, the others held, until one is refused alone: a pooler may
 * refuse a crowd that would fit, and the answer is what fits at once.
 * Returns false only when it could not start (the reason is then in
 * out->first_error.error.message). Used by 'pgpulse burst' and the prompt's
 * 'burst N'. Stops early, closing everything, when a stop signal arrives on
 * signals_fd().
 *
 * The connections are a probe set the scheduler's loop drives
 * (sched_drive); the scheduler's own probes in flight are cancelled (not
 * counted) and its schedule is paused until the burst ends. The caller
 * must not watch signals_fd() meanwhile: burst reads the stop from it.
 */
bool burst_execute(struct sched *s, struct target *t, int n, double hold_ms,
		   struct burst_outcome *out);
/*
 * 0 when all got in, 1 when some were refused (the headroom), 2 when none,
 * 3 when interrupted before the answer was known; the prompt's too.
 */
int burst_exit_code(const struct burst_outcome *b);
/* Prints an outcome as text or as the JSON object of 'burst --json'. */
void burst_print(FILE *out, const struct target *t, const struct burst_outcome *b, bool json);

#endif
