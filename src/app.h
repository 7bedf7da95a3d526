/*
 * app: what the command line decided, handed to each front-end (check,
 * watch, dashboard, shell, burst). Front-ends read the scheduler and the
 * targets; they never call libpq themselves.
 */
#ifndef PGPULSE_APP_H
#define PGPULSE_APP_H

#include <stdbool.h>

#include "dsn.h"
#include "report.h"
#include "scheduler.h"

struct app_options {
	const char *command; /* "dashboard", "check", "watch", "shell", "burst" */
	char **targets;	     /* as given on the command line */
	int ntargets;
	struct dsn_overrides overrides;
	struct sched_config sched;
	enum report_format format; /* watch */
	bool json;		   /* check, burst */
	struct report_thresholds thresholds;
	bool color; /* false with --no-color or NO_COLOR */
	bool yes;   /* burst: no confirmation */
	int burst_n;
	double burst_hold_ms;
	const char *shell_commands; /* shell -c */
	const char *listen;	    /* serve --listen ADDR:PORT; NULL: the default */
};

/* Exit codes, as Nagios plugins use them. */
enum app_exit {
	APP_EXIT_OK = 0,
	APP_EXIT_WARNING = 1,
	APP_EXIT_CRITICAL = 2,
	APP_EXIT_USAGE = 3,
};

/*
 * Adds one target to s from a command-line string (NULL: $DATABASE_URL or
 * the PG* environment). Returns false with a password-free reason in err.
 */
bool app_add_target(struct sched *s, const struct app_options *o, const char *input, char *err,
		    size_t errlen);

#endif
