/*
 * shell_priv: what the prompt's files share (shell.c: input, history, loop
 * and front-ends; shell_cmds.c: the commands; shell_pooler.c: the pooler's
 * side; shell_session.c: the prompt's state, probes, questions and
 * signals). Not for other modules.
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

/* shell_session.c: how the prompt writes. */
/* One "label     value" line of a report. */
void shell_field(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A message for stderr, after what stdout holds so far: the two stay in order. */
void shell_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Untrusted text (server, pooler, target string) in its terminal form
 * (text_terminal): lives until the eighth call after.
 */
const char *shell_show(const char *s);
/* s padded to width columns, on the left when right-aligned. */
void shell_pad(const char *s, int width, bool right);
/* A failed probe's class, SQLSTATE, message and advice. */
void shell_print_failure(const struct probe_result *r);

/* shell_session.c: targets. */
struct target *shell_current(struct shell *sh);
/* By name, or by position from 1; NULL when none. */
struct target *shell_find_target(struct shell *sh, const char *name);
/* 'target add': a target from a connection string, named name. */
struct target *shell_add_target(struct shell *sh, const char *input, const char *name);

/* shell_session.c: probes the commands wait for, notices, questions, signals. */
void shell_on_result(void *arg, struct target *t, const struct probe_result *r);
/* Says "cancelled" once per command; returns false for the caller to return. */
bool shell_cancelled(struct shell *sh);
/*
 * Runs a one-off probe on t and waits for its result (sh->wait_r, and
 * sh->wait_table for sql) while the loop goes on; false on Ctrl-C.
 */
bool shell_probe(struct shell *sh, struct target *t, const struct sched_oneoff *oo);
/* Turns the loop until when (util_now_ms time); false on Ctrl-C. */
bool shell_sleep_until(struct shell *sh, double when);
/* A recorded probe (with inspection when asked) and its failure printed; the status. */
int shell_fresh_probe(struct shell *sh, struct target *t, bool inspect);
/* Reads one answer line from stdin while the loop goes on; false on Ctrl-C or EOF. */
bool shell_ask(struct shell *sh, const char *question, char *answer, size_t len);
/* The signal pipe in the loop; off while burst or a question reads it itself. */
void shell_watch_signals(struct shell *sh, bool on);

/* shell_pooler.c: the pooler's side (issue 9). */
int shell_cmd_pooler(struct shell *sh, const struct shell_words *w);
int shell_cmd_clients(struct shell *sh, const struct shell_words *w);
/* slots on a target that cannot get in: who holds what it needs, seen from elsewhere. */
void shell_slots_elsewhere(struct shell *sh, const struct target *t);
/* The server side's culprit, the pooler's server connections left out. */
bool shell_slots_culprit(struct shell *sh, const struct target *t, const struct inspect_info *in,
			 char *out, size_t len);
/* Supavisor's server connections per user against its pool size (issue 9). */
/*
 * slots' oldest behind PgBouncer: the age per application from the pooler's
 * clients (its server connections outlive them). False when no console view.
 */
bool shell_slots_oldest_pooler(struct shell *sh, const struct target *t);
void shell_slots_supavisor(struct shell *sh, const struct target *t, const struct inspect_info *in);

/* shell_cmds.c: running lines. */
/* The commands of one line, in order; a cancelled one ends the line. */
void shell_execute(struct shell *sh, const char *line);
/* -c: each line of text run like a line from a pipe. */
void shell_execute_lines(struct shell *sh, const char *text);
/* Completion: what the word after w's words may be, each given to add. */
void shell_candidates_for(struct sched *s, const struct shell_words *w, void (*add)(const char *));

#endif
