/*
 * shell_session: the prompt's state while it runs: the current target,
 * one-off probes it waits for (Ctrl-C cancels), health notices, questions,
 * the signal pipe, and how it writes (fields, errors in order with stdout).
 */
#include "shell_priv.h"
#include "signals.h"
#include "text.h"
#include "util.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <readline/readline.h>
#include <readline/history.h>

/* One "label     value" line of a report. */
void shell_field(const char *label, const char *fmt, ...)
{
	va_list ap;

	printf("%-10s", label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/*
 * Set when the running command's last words went to stderr: the blank line
 * between two commands' reports goes there too, so neither stream alone
 * starts with one.
 */
bool shell_said_error;

/* A message for stderr, after what stdout holds so far: the two stay in order. */
void shell_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	shell_said_error = true;
}

/*
 * Untrusted text (from a server, a pooler or a target string) in its
 * terminal form: control characters shown visibly, never sent. The result
 * lives until the eighth call after (enough for one message's arguments).
 */
const char *shell_show(const char *s)
{
	static char *ring[8];
	static unsigned next;
	char **slot = &ring[next++ % 8];

	free(*slot);
	*slot = text_terminal_dup(s ? s : "", text_locale_utf8());
	return *slot;
}

void shell_pad(const char *s, int width, bool right)
{
	int pad = width - text_width(s);

	if (right)
		printf("%*s%s", pad > 0 ? pad : 0, "", s);
	else
		printf("%s%*s", s, pad > 0 ? pad : 0, "");
}

struct target *shell_current(struct shell *sh)
{
	struct target *t = sched_target(sh->s, sh->current);

	return t ? t : sched_target(sh->s, 0);
}

/* A target by name or number; NULL when there is none. */
struct target *shell_find_target(struct shell *sh, const char *name)
{
	long i;

	for (int k = 0; k < sched_ntargets(sh->s); k++)
		if (strcmp(sched_target(sh->s, k)->dsn.name, name) == 0)
			return sched_target(sh->s, k);
	/* Numbered from 1, as the dashboard and 'targets' show them. */
	if (shell_parse_count(name, 1, sched_ntargets(sh->s), &i))
		return sched_target(sh->s, (int)i - 1);
	return NULL;
}

/* Adds a target from a connection string; name it when name is not NULL. */
struct target *shell_add_target(struct shell *sh, const char *input, const char *name)
{
	char err[400];
	struct target *t;

	/* An empty string would mean libpq's defaults: not what anyone typed. */
	if (input[strspn(input, " \t")] == '\0') {
		shell_error("give a connection string or URI, e.g. postgresql://user@host/db\n");
		return NULL;
	}
	if (!app_add_target(sh->s, sh->o, input, err, sizeof(err))) {
		shell_error("%s\n", shell_show(err));
		return NULL;
	}
	t = sched_target(sh->s, sched_ntargets(sh->s) - 1);
	if (name) {
		free(t->dsn.name);
		t->dsn.name = util_xstrdup(name);
	}
	return t;
}

/* Line breaks and tabs would break the alignment: shown as spaces. */
static char *shell_cell_copy(const char *s)
{
	char *c;

	if (s == NULL)
		return NULL;
	c = util_xstrdup(s);
	for (char *p = c; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return c;
}

/* The rows are the probe's only during the result callback. */
static struct probe_table *shell_table_copy(const struct probe_table *src)
{
	struct probe_table *t = util_xcalloc(1, sizeof(*t));
	size_t ncells = (size_t)src->nrows * (size_t)src->ncols;

	t->nrows = src->nrows;
	t->ncols = src->ncols;
	memcpy(t->command, src->command, sizeof(t->command));
	t->names = util_xcalloc((size_t)src->ncols + 1, sizeof(char *));
	t->cells = util_xcalloc(ncells + 1, sizeof(char *));
	for (int i = 0; i < src->ncols; i++)
		t->names[i] = shell_cell_copy(src->names[i]);
	for (size_t i = 0; i < ncells; i++)
		t->cells[i] = shell_cell_copy(src->cells[i]);
	return t;
}

/* Prints above the prompt without breaking what is being typed. */
static void shell_notice(struct shell *sh, struct target *t, const struct probe_result *r)
{
	enum target_health was;
	char ts[40];

	if (t->index >= sh->nseen) {
		sh->seen = util_xrealloc(sh->seen, sizeof(*sh->seen) * (size_t)(t->index + 1));
		for (int i = sh->nseen; i <= t->index; i++)
			sh->seen[i] = TARGET_UNKNOWN;
		sh->nseen = t->index + 1;
	}
	was = sh->seen[t->index];
	sh->seen[t->index] = t->health;
	if (was == t->health || !sh->readline_on)
		return;
	util_rfc3339(&r->wall, ts, sizeof(ts));
	rl_clear_visible_line();
	printf("%s %s: %s -> %s", ts, shell_show(t->dsn.name), target_health_name(was),
	       target_health_name(t->health));
	if (!r->ok)
		printf(" (%s: %s)", classify_class_name(r->error.cls),
		       shell_show(r->error.message));
	putchar('\n');
	fflush(stdout);
	rl_forced_update_display();
}

void shell_on_result(void *arg, struct target *t, const struct probe_result *r)
{
	struct shell *sh = arg;

	if (t == sh->wait_t && r->seq == sh->wait_seq && !sh->wait_done) {
		*sh->wait_r = *r;
		sh->wait_r->table = NULL;
		probe_table_free(sh->wait_table);
		sh->wait_table = r->table ? shell_table_copy(r->table) : NULL;
		sh->wait_done = true;
		if (t->index < sh->nseen)
			sh->seen[t->index] = t->health;
		return;
	}
	shell_notice(sh, t, r);
}

/* A failed probe, classified: what, where, and what to do. */
void shell_print_failure(const struct probe_result *r)
{
	char ms[32];

	printf("%-10s%s in %s after %s", "failed", classify_class_name(r->error.cls),
	       probe_phase_name(r->failed_phase),
	       util_fmt_ms(r->phase_ms[PROBE_TOTAL], ms, sizeof(ms)));
	if (r->error.sqlstate[0])
		printf(" (SQLSTATE %s)", shell_show(r->error.sqlstate));
	if (r->error.limit != LIMIT_NONE)
		printf(", limit %s", classify_limit_name(r->error.limit));
	putchar('\n');
	shell_field("message", "%s", shell_show(r->error.message));
	if (r->error.advice && r->error.advice[0])
		shell_field("advice", "%s", shell_show(r->error.advice));
}

bool shell_cancelled(struct shell *sh)
{
	if (!sh->said_cancelled) {
		printf("%scancelled\n", sh->interactive ? "\n" : "");
		fflush(stdout);
		sh->said_cancelled = true;
	}
	return false;
}

/*
 * Runs a one-off probe on t and waits for its result (sh->wait_r, and
 * sh->wait_table for sql) while the loop goes on. A scheduled probe in
 * flight on t is waited for first: one connection per target at a time.
 * Ctrl-C cancels, closing the connection; then returns false.
 */
bool shell_probe(struct shell *sh, struct target *t, const struct sched_oneoff *oo)
{
	while (!sched_probe_now(sh->s, t, oo)) {
		if (!sched_target_busy(t)) {
			printf("cannot start a probe: pgpulse is stopping\n");
			return false;
		}
		if (sh->interrupted || sh->stop)
			return shell_cancelled(sh);
		sched_run_once(sh->s, -1);
	}
	sh->wait_t = t;
	sh->wait_seq = t->seq;
	sh->wait_done = false;
	while (!sh->wait_done && !sh->interrupted && !sh->stop && sched_target_busy(t))
		sched_run_once(sh->s, -1);
	sh->wait_t = NULL;
	if (sh->wait_done)
		return true;
	sched_cancel_target(sh->s, t);
	return shell_cancelled(sh);
}

/* Runs the loop until when (monotonic ms); false when Ctrl-C came first. */
bool shell_sleep_until(struct shell *sh, double when)
{
	double now;

	while (!sh->interrupted && !sh->stop && (now = util_now_ms()) < when)
		sched_run_once(sh->s, when - now);
	return !sh->interrupted && !sh->stop;
}

/* The probe for version, settings, slots, tls; prints a failure itself. */
int shell_fresh_probe(struct shell *sh, struct target *t, bool inspect)
{
	struct sched_oneoff oo = { .inspect = inspect, .record = true };

	if (!shell_probe(sh, t, &oo))
		return APP_EXIT_USAGE;
	if (!sh->wait_r->ok) {
		shell_field("target", "%s", shell_show(t->dsn.display));
		shell_print_failure(sh->wait_r);
		return APP_EXIT_CRITICAL;
	}
	return APP_EXIT_OK;
}

/* Reads one answer line from stdin while the loop goes on; false on Ctrl-C or EOF. */
bool shell_ask(struct shell *sh, const char *question, char *answer, size_t len)
{
	int other = 0;
	enum app_answer got;

	/* The question reads the signal pipe itself while it waits. */
	shell_watch_signals(sh, false);
	got = app_ask(sh->s, stdout, question, answer, len, &other);
	shell_watch_signals(sh, true);
	if (other & SIGNALS_RESIZE)
		sh->resized = true;
	if (got == APP_ANSWER_STOP)
		sh->stop = true;
	if (got == APP_ANSWER_LINE)
		return true;
	/* Ctrl-D at a question answers no; the prompt stays. */
	putchar('\n');
	if (got != APP_ANSWER_EOF) {
		sh->interrupted = true;
		shell_cancelled(sh);
	}
	return false;
}

/* Ctrl-C: cancels a running command, else clears the line like bash. */
static void shell_interrupt(struct shell *sh)
{
	if (sh->running) {
		sh->interrupted = true;
	} else if (sh->readline_on) {
		rl_callback_sigcleanup(); /* leaves a Ctrl-R search */
		rl_free_line_state();
		rl_echo_signal_char(SIGINT);
		rl_replace_line("", 0);
		using_history();
		rl_crlf();
		rl_on_new_line();
		rl_redisplay();
	} else if (!sh->interactive) {
		sh->interrupted = true;
		sh->worst = APP_EXIT_USAGE;
		sh->leave = true;
	}
}

/* SIGTERM and SIGHUP leave; Ctrl-C cancels; a resize reaches readline. */
static void shell_on_signal(void *arg, int fd, short revents)
{
	struct shell *sh = arg;
	int kinds = signals_take();

	(void)fd;
	(void)revents;
	if (kinds & SIGNALS_RESIZE) {
		sh->resized = true;
		if (sh->readline_on)
			rl_resize_terminal();
	}
	if (kinds & SIGNALS_STOP) {
		sh->stop = true;
		sh->interrupted = true;
	}
	if (kinds & SIGNALS_INTERRUPT)
		shell_interrupt(sh);
}

/* The signal pipe in the loop; off while burst or a question reads it itself. */
void shell_watch_signals(struct shell *sh, bool on)
{
	if (on)
		sched_watch(sh->s, signals_fd(), POLLIN, shell_on_signal, sh);
	else
		sched_unwatch(sh->s, signals_fd());
}
