/*
 * shell_priv: what the prompt's files share (shell.c: input, history, loop
 * and front-ends; shell_cmds.c: the commands; shell_session.c: the
 * prompt's state, probes, questions and signals). Not for other modules.
 */
#ifndef PGPULSE_SHELL_PRIV_H
#define PGPULSE_SHELL_PRIV_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "app.h"
#include "shell.h"
#include "shell_words.h"

struct shell {
	struct sched *s;
	const struct app_options *o;
	int current;	   /* index of the current target */
	bool interactive;  /* readline on a terminal */
	bool in_dashboard; /* opened with ':' over the dashboard */
	bool readline_on;  /* the line handler is installed */
	bool stdin_watched;
	bool running;	   /* a command is running: Ctrl-C cancels it */
	bool interrupted;  /* Ctrl-C while a command ran */
	bool stop;	   /* SIGTERM or SIGHUP: leave now */
	bool leave;	   /* quit, watch (from the dashboard), end of input */
	bool quit;	   /* leave for good, not back to the dashboard */
	bool to_dashboard; /* 'watch' in pgpulse shell */
	bool eof;
	bool resized;
	bool said_cancelled;
	bool separate; /* a command has reported: a blank line before the next */
	int worst;     /* worst command status, for scripts */
	char *pending; /* a line readline finished */
	char *inbuf;   /* raw stdin: scripts on a pipe, burst's question */
	size_t inlen, incap;
	/* the one-off probe a command waits for */
	struct target *wait_t;
	uint64_t wait_seq;
	bool wait_done;
	struct probe_result *wait_r;
	struct probe_table *wait_table; /* our copy of a sql probe's rows */
	enum target_health *seen;	/* health last seen, for notices */
	int nseen;
	char prompt[160];
};

/*
 * Set when the running command's last words went to stderr: the blank line
 * between two commands' reports goes there too.
 */
extern bool shell_said_error;

void shell_field(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void shell_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int shell_width(const char *s);

void shell_pad(const char *s, int width, bool right);

struct target *shell_current(struct shell *sh);

struct target *shell_find_target(struct shell *sh, const char *name);

struct target *shell_add_target(struct shell *sh, const char *input, const char *name);

void shell_on_result(void *arg, struct target *t, const struct probe_result *r);

bool shell_cancelled(struct shell *sh);

bool shell_probe(struct shell *sh, struct target *t, const struct sched_oneoff *oo);

bool shell_sleep_until(struct shell *sh, double when);

int shell_fresh_probe(struct shell *sh, struct target *t, bool inspect);

bool shell_ask(struct shell *sh, const char *question, char *answer, size_t len);

void shell_watch_signals(struct shell *sh, bool on);

void shell_print_failure(const struct probe_result *r);

void shell_execute(struct shell *sh, const char *line);

void shell_execute_lines(struct shell *sh, const char *text);

/* Completion: what the word after w's words may be, each given to add. */
void shell_candidates_for(struct sched *s, const struct shell_words *w, void (*add)(const char *));

#endif
