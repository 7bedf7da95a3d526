/*
 * app: what the command line decided and what the front-ends share (check,
 * watch, dashboard, shell, the prompt, burst). A front-end runs until it is
 * done and returns what should come next (as mtr's display_keyaction
 * returns an action its select loop applies): main owns the chain, so no
 * front-end calls another. Front-ends read the scheduler and the targets;
 * they never call libpq themselves.
 */
#ifndef PGPULSE_APP_H
#define PGPULSE_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dsn.h"
#include "report.h"
#include "scheduler.h"

struct app_options {
	const char *command; /* "dashboard", "check", "watch", "shell", "burst", "serve" */
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

/* What runs next: main's table maps each to a front-end. */
enum app_next {
	APP_NEXT_EXIT = 0, /* done: main exits with app->exit_code */
	APP_NEXT_DASHBOARD,
	APP_NEXT_WATCH,
	APP_NEXT_CHECK,
	APP_NEXT_SHELL,
	APP_NEXT_BURST,
	APP_NEXT_PROMPT, /* ':' over the dashboard; returns to it */
	APP_NEXT_SERVE,
	APP_NEXT_COUNT
};

struct dashboard;

/* What the front-ends of one run share; main owns it. */
struct app {
	struct sched *s;
	const struct app_options *o;
	int exit_code; /* set by the front-end that returns APP_NEXT_EXIT */
	int current;   /* the selected target, shared by the dashboard and the prompt */
	bool quit;     /* the prompt said quit: the dashboard it covered closes */
	struct dashboard *dashboard; /* kept while the prompt covers it */
};

typedef enum app_next (*app_frontend)(struct app *a);

/*
 * Like ping: 0 when all of total answered, 1 when some did, 2 when none
 * did (watch's summary, the prompt's ping, burst's connections).
 */
int app_exit_like_ping(uint64_t ok, uint64_t total);

/* How a question ended. */
enum app_answer {
	APP_ANSWER_LINE,      /* a line came: its first word is in answer */
	APP_ANSWER_EOF,	      /* end of input before a line */
	APP_ANSWER_INTERRUPT, /* Ctrl-C */
	APP_ANSWER_STOP,      /* SIGTERM, SIGHUP */
};

/*
 * The one yes/no question: prints question on out and reads a line from
 * stdin through the scheduler's loop (probes in flight go on); a signal
 * ends the wait. The line's first word, lower-cased, goes into answer.
 * Signals of other kinds seen meanwhile (a resize) are or'ed into *other.
 * The caller must not watch signals_fd() meanwhile.
 */
enum app_answer app_ask(struct sched *s, FILE *out, const char *question, char *answer, size_t len,
			int *other);
/* "y" or "yes", as app_ask leaves it. */
bool app_answer_yes(const char *answer);

/*
 * Adds one target to s from a command-line string (NULL: $DATABASE_URL or
 * the PG* environment). Returns false with a password-free reason in err.
 */
bool app_add_target(struct sched *s, const struct app_options *o, const char *input, char *err,
		    size_t errlen);

#endif
