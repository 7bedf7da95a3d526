/*
 * settings: the one table of how probes run (name, value, range, help,
 * setters). The command line reads it for its options (--interval, ...)
 * and the prompt for 'set', 'show', their help and completion, so a
 * setting's range and wording live in one row.
 */
#ifndef PGPULSE_SETTINGS_H
#define PGPULSE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "scheduler.h"

struct settings_entry {
	const char *name;  /* 'set NAME' in the prompt, '--NAME' on the command line */
	const char *value; /* usage of the value: "SECONDS", "SQL", "on|off" */
	const char *help;
	double min_s, max_s;   /* SECONDS: the range (both front-ends); 0, 0 for the others */
	const char *choices;   /* completion of the value, space separated; NULL: none */
	const char *cli_error; /* the command line's message for a bad value (%s: it) */
	/* The command line, before the scheduler exists; NULL: prompt only. */
	bool (*cli)(const struct settings_entry *e, struct sched_config *cfg, const char *text);
	/* The prompt: the value in ms for SECONDS, else the text; NULL: command line only. */
	bool (*set)(struct sched *s, const char *text, double ms);
	void (*show)(struct sched *s, char *out, size_t len);
};

/* Seconds as typed ("0.5"): finite, within [min_s, max_s]; *ms set only when true. */
bool settings_seconds(const char *text, double min_s, double max_s, double *ms);
/* The rows in order; n gets their number. */
const struct settings_entry *settings_table(size_t *n);
/* The row named name; prompt: only those the prompt sets. NULL when none. */
const struct settings_entry *settings_find(const char *name, bool prompt);

#endif
