/*
 * shell: the readline prompt for ad-hoc checks (pgpulse shell, ':' in the
 * dashboard, shell -c scripts). One table of commands dispatches, completes
 * and renders help; every check is a one-off probe through the scheduler.
 */
#include "shell.h"
#include "burst.h"
#include "holders.h"
#include "settings.h"
#include "signals.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include <readline/history.h>
#include <readline/readline.h>

#define SHELL_MAX_WORDS	     64
#define SHELL_HISTORY_LINES  1000
#define SHELL_PING_DEFAULT   5
#define SHELL_PING_MAX	     100000
#define SHELL_ERRORS_SHOWN   20
#define SHELL_MAX_CANDIDATES 256

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

/* Words of one command: quotes group and are removed; raw keeps the text. */
struct shell_words {
	int argc;
	char *argv[SHELL_MAX_WORDS];
	const char *raw[SHELL_MAX_WORDS]; /* where each word starts */
	char *buf;
};

typedef int (*shell_handler)(struct shell *sh, const struct shell_words *w);

/*
 * What a word after the command's name is. Completion, history masking,
 * help and argument checks read it from the table (tmux's cmd_entry), so a
 * new command that takes a target gets its password masked by saying so.
 */
enum shell_arg_kind {
	SHELL_ARG_NONE = 0,
	SHELL_ARG_TARGET,   /* a target's name or number, or a connection string: masked */
	SHELL_ARG_NAME,	    /* an existing target's name or number */
	SHELL_ARG_NEW_NAME, /* a name for a new target */
	SHELL_ARG_CONNINFO, /* a connection string, to the end: masked */
	SHELL_ARG_SETTING,  /* a prompt setting; the next word is its value */
	SHELL_ARG_VALUE,    /* the value of the setting before it */
	SHELL_ARG_COUNT,    /* a whole number from min to max */
	SHELL_ARG_WORD,	    /* one of choices */
	SHELL_ARG_SQL,	    /* free SQL, to the end */
	SHELL_ARG_COMMAND,  /* a command's name */
};

#define SHELL_MAX_ARGS 2

struct shell_arg {
	enum shell_arg_kind kind;
	const char *choices; /* SHELL_ARG_WORD: the words, space separated */
	long min, max;	     /* SHELL_ARG_COUNT */
};

/* A subcommand: 'target add NAME TARGET', 'target use NAME'. */
struct shell_sub {
	const char *word;
	struct shell_arg arg[SHELL_MAX_ARGS];
};

struct shell_command {
	const char *name;
	const char *alias; /* NULL: none */
	const char *args;  /* usage after the name */
	const char *help;
	shell_handler run;
	int min_args; /* words after the name */
	int max_args; /* -1: the last argument runs to the end of the command */
	struct shell_arg arg[SHELL_MAX_ARGS]; /* the words after the name */
	const struct shell_sub *subs;	      /* or a subcommand first (NULL: none) */
	const char *sub_words;		      /* the subcommands, space separated */
};

static int shell_cmd_check(struct shell *sh, const struct shell_words *w);
static int shell_cmd_ping(struct shell *sh, const struct shell_words *w);
static int shell_cmd_version(struct shell *sh, const struct shell_words *w);
static int shell_cmd_settings(struct shell *sh, const struct shell_words *w);
static int shell_cmd_slots(struct shell *sh, const struct shell_words *w);
static int shell_cmd_tls(struct shell *sh, const struct shell_words *w);
static int shell_cmd_errors(struct shell *sh, const struct shell_words *w);
static int shell_cmd_sql(struct shell *sh, const struct shell_words *w);
static int shell_cmd_target(struct shell *sh, const struct shell_words *w);
static int shell_cmd_targets(struct shell *sh, const struct shell_words *w);
static int shell_cmd_set(struct shell *sh, const struct shell_words *w);
static int shell_cmd_show(struct shell *sh, const struct shell_words *w);
static int shell_cmd_burst(struct shell *sh, const struct shell_words *w);
static int shell_cmd_watch(struct shell *sh, const struct shell_words *w);
static int shell_cmd_help(struct shell *sh, const struct shell_words *w);
static int shell_cmd_quit(struct shell *sh, const struct shell_words *w);

static const struct shell_sub shell_target_subs[] = {
	{ .word = "add",
	  .arg = { { .kind = SHELL_ARG_NEW_NAME }, { .kind = SHELL_ARG_CONNINFO } } },
	{ .word = "use", .arg = { { .kind = SHELL_ARG_NAME } } },
	{ .word = NULL },
};

/*
 * One row a command: name, alias, arguments, help; handler; words after
 * the name (min, max); what those words are.
 */
#define SHELL_CMD(n, al, usage, h, fn, lo, hi)                                                     \
	.name = (n), .alias = (al), .args = (usage), .help = (h), .run = (fn), .min_args = (lo),   \
	.max_args = (hi)
/* clang-format off */
static const struct shell_command shell_commands[] = {
	{SHELL_CMD("check", NULL, "[TARGET]",
	 "full health check on a fresh connection", shell_cmd_check, 0, -1),
	 .arg = {{.kind = SHELL_ARG_TARGET}}},
	{SHELL_CMD("ping", NULL, "[N]",
	 "N probes (default 5), per-phase times, a summary", shell_cmd_ping, 0, 1),
	 .arg = {{.kind = SHELL_ARG_COUNT, .min = 1, .max = SHELL_PING_MAX}}},
	{SHELL_CMD("version", NULL, "",
	 "server version, primary or standby, backend pid", shell_cmd_version, 0, 0)},
	{SHELL_CMD("settings", "timeouts", "",
	 "timeouts and slot settings with their source", shell_cmd_settings, 0, 0)},
	{SHELL_CMD("slots", "who", "",
	 "who holds the connection slots; the likely culprit", shell_cmd_slots, 0, 0)},
	{SHELL_CMD("tls", "cert", "",
	 "TLS protocol, cipher, server certificate, expiry", shell_cmd_tls, 0, 0)},
	{SHELL_CMD("errors", NULL, "",
	 "recent classified failures and incidents", shell_cmd_errors, 0, 0)},
	{SHELL_CMD("sql", NULL, "QUERY",
	 "run QUERY read-only on a fresh connection", shell_cmd_sql, 1, -1),
	 .arg = {{.kind = SHELL_ARG_SQL}}},
	{SHELL_CMD("target", NULL, "add NAME TARGET | use NAME",
	 "add a target, or make one current", shell_cmd_target, 2, -1),
	 .subs = shell_target_subs, .sub_words = "add use"},
	{SHELL_CMD("targets", NULL, "",
	 "list the targets; * marks the current one", shell_cmd_targets, 0, 0)},
	{SHELL_CMD("set", NULL, "interval|timeout|query-timeout|query|probing VALUE",
	 "change how probes run (see show)", shell_cmd_set, 2, -1),
	 .arg = {{.kind = SHELL_ARG_SETTING}, {.kind = SHELL_ARG_VALUE}}},
	{SHELL_CMD("show", NULL, "",
	 "the current settings", shell_cmd_show, 0, 0)},
	{SHELL_CMD("burst", NULL, "N [yes]",
	 "open up to N connections at once (asks first)", shell_cmd_burst, 1, 2),
	 .arg = {{.kind = SHELL_ARG_COUNT, .min = 1, .max = 10000},
		 {.kind = SHELL_ARG_WORD, .choices = "yes"}}},
	{SHELL_CMD("watch", NULL, "",
	 "go to the live dashboard", shell_cmd_watch, 0, 0)},
	{SHELL_CMD("help", "?", "[COMMAND]",
	 "list the commands, or explain one", shell_cmd_help, 0, 1),
	 .arg = {{.kind = SHELL_ARG_COMMAND}}},
	{SHELL_CMD("quit", "exit", "",
	 "leave (Ctrl-D too)", shell_cmd_quit, 0, 0)},
};
/* clang-format on */

#define SHELL_NCOMMANDS (sizeof(shell_commands) / sizeof(shell_commands[0]))

/* readline's callbacks take no argument: the prompt open now. */
static struct shell *shell_active;
static char shell_history_file[PATH_MAX]; /* "" while history is off */
static bool shell_history_loaded;
static char shell_word_breaks[] = " \t\n;";

/* ------------------------------------------------------------ small helpers */

static void shell_field(const char *label, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One "label     value" line of a report. */
static void shell_field(const char *label, const char *fmt, ...)
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
static bool shell_said_error;

/* True when a word may carry a password: a URI or a password= pair. */
static bool shell_word_secret(const char *word)
{
	return strstr(word, "://") != NULL || util_contains_ci(word, "password=");
}

/*
 * What the user typed, fit to echo in a message: a word that may carry a
 * password goes through dsn_mask_password. The result lives until the
 * fourth call after (enough for one message's arguments).
 */
static const char *shell_safe(const char *word)
{
	static char ring[4][256];
	static unsigned next;
	char *slot = ring[next++ % 4];
	char *masked;

	if (!shell_word_secret(word))
		return word;
	masked = dsn_mask_password(word);
	util_strlcpy(slot, masked, sizeof(ring[0]));
	free(masked);
	return slot;
}

static void shell_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A message for stderr, after what stdout holds so far: the two stay in order. */
static void shell_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	shell_said_error = true;
}

/* "2", "2s", "1.5", "500ms" -> seconds; false when it is no such number. */
static bool shell_parse_seconds(const char *s, double *seconds)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !isfinite(v))
		return false;
	if (strcmp(end, "ms") == 0)
		v /= 1000.0;
	else if (*end != '\0' && strcmp(end, "s") != 0)
		return false;
	*seconds = v;
	return true;
}

static bool shell_parse_count(const char *s, long min, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Columns a string takes on the terminal (UTF-8 aware when the locale is). */
static int shell_width(const char *s)
{
	mbstate_t st;
	int w = 0;

	memset(&st, 0, sizeof(st));
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, strnlen(s, MB_CUR_MAX), &st);
		int cw;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			w++;
			s++;
			continue;
		}
		cw = wcwidth(wc);
		w += cw > 0 ? cw : 0;
		s += n;
	}
	return w;
}

static void shell_pad(const char *s, int width, bool right)
{
	int pad = width - shell_width(s);

	if (right)
		printf("%*s%s", pad > 0 ? pad : 0, "", s);
	else
		printf("%s%*s", s, pad > 0 ? pad : 0, "");
}

/* ------------------------------------------------------------ parsing */

/* Splits one command into words; false when a quote is left open. */
static bool shell_split_words(const char *text, struct shell_words *w)
{
	const char *p = text;
	char *out;
	char quote = 0;

	memset(w, 0, sizeof(*w));
	out = w->buf = util_xmalloc(strlen(text) + 1);
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || w->argc == SHELL_MAX_WORDS)
			break;
		w->raw[w->argc] = p;
		w->argv[w->argc++] = out;
		for (; *p && (quote || !isspace((unsigned char)*p)); p++) {
			if (quote && *p == quote)
				quote = 0;
			else if (!quote && (*p == '\'' || *p == '"'))
				quote = *p;
			else
				*out++ = *p;
		}
		*out++ = '\0';
	}
	return quote == 0;
}

/*
 * Splits a line into commands at ';' outside quotes. Returns a
 * NULL-terminated array of malloc'd strings.
 */
static char **shell_split_commands(const char *line)
{
	char **cmds = NULL;
	size_t n = 0;
	const char *start = line, *p;
	char quote = 0;

	for (p = line;; p++) {
		if (*p == '\0' || (*p == ';' && !quote)) {
			cmds = util_xrealloc(cmds, (n + 2) * sizeof(*cmds));
			cmds[n] = util_xmalloc((size_t)(p - start) + 1);
			memcpy(cmds[n], start, (size_t)(p - start));
			cmds[n][p - start] = '\0';
			n++;
			if (*p == '\0')
				break;
			start = p + 1;
		} else if (quote && *p == quote) {
			quote = 0;
		} else if (!quote && (*p == '\'' || *p == '"')) {
			quote = *p;
		}
	}
	cmds[n] = NULL;
	return cmds;
}

static void shell_free_list(char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}

/*
 * The text of word i to the end of the command, as typed. One quoted word
 * loses its quotes, so -c 'sql "SELECT 1; SELECT 2"' works.
 */
static char *shell_rest(const struct shell_words *w, int i)
{
	const char *r = w->raw[i];
	size_t n = strlen(r);
	char *out;

	while (n > 0 && isspace((unsigned char)r[n - 1]))
		n--;
	if (i == w->argc - 1 && n >= 2 && (r[0] == '"' || r[0] == '\'') && r[n - 1] == r[0] &&
	    strlen(w->argv[i]) == n - 2)
		return util_xstrdup(w->argv[i]);
	out = util_xmalloc(n + 1);
	memcpy(out, r, n);
	out[n] = '\0';
	return out;
}

static const struct shell_command *shell_find_command(const char *name)
{
	for (size_t i = 0; i < SHELL_NCOMMANDS; i++)
		if (strcmp(shell_commands[i].name, name) == 0 ||
		    (shell_commands[i].alias && strcmp(shell_commands[i].alias, name) == 0))
			return &shell_commands[i];
	return NULL;
}

static int shell_usage(const struct shell_command *c)
{
	shell_error("usage: %s%s%s\n", c->name, c->args[0] ? " " : "", c->args);
	return APP_EXIT_USAGE;
}

const char *shell_command_name(size_t i)
{
	return i < SHELL_NCOMMANDS ? shell_commands[i].name : NULL;
}

/* What word k (1: the first after the name) of command c is, given the words typed. */
static struct shell_arg shell_arg_of(const struct shell_command *c, int argc, char *const *argv,
				     int k)
{
	struct shell_arg none = { SHELL_ARG_NONE, NULL, 0, 0 };

	if (k < 1)
		return none;
	if (c->subs == NULL)
		return k - 1 < SHELL_MAX_ARGS ? c->arg[k - 1] : none;
	if (k == 1)
		return (struct shell_arg){ SHELL_ARG_WORD, c->sub_words, 0, 0 };
	for (const struct shell_sub *sub = c->subs; argc > 1 && sub->word; sub++)
		if (strcmp(sub->word, argv[1]) == 0)
			return k - 2 < SHELL_MAX_ARGS ? sub->arg[k - 2] : none;
	return none;
}

/* Is word one of the space-separated choices? */
static bool shell_is_choice(const char *choices, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = choices; p && *p; p += strcspn(p, " "), p += strspn(p, " "))
		if (n > 0 && strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* The first word that may carry a password (a target, a connection string); 0: none. */
static int shell_masked_from(const struct shell_words *w)
{
	const struct shell_command *c = w->argc ? shell_find_command(w->argv[0]) : NULL;

	for (int k = 1; c && k < w->argc; k++) {
		enum shell_arg_kind kind = shell_arg_of(c, w->argc, w->argv, k).kind;

		if (kind == SHELL_ARG_TARGET || kind == SHELL_ARG_CONNINFO)
			return k;
	}
	return 0;
}

/* The nearest command name: a prefix, else the smallest edit distance. */
static const char *shell_suggest(const char *word)
{
	const char *best = NULL;
	int best_d = INT_MAX;

	for (size_t i = 0; i < SHELL_NCOMMANDS; i++)
		if (word[0] && strncmp(shell_commands[i].name, word, strlen(word)) == 0)
			return shell_commands[i].name;
	for (size_t i = 0; i < SHELL_NCOMMANDS; i++) {
		int d = util_edit_distance(word, shell_commands[i].name);

		if (d < best_d) {
			best_d = d;
			best = shell_commands[i].name;
		}
	}
	/* Only a near miss is a suggestion; "frobnicate" gets the list. */
	return best_d <= 2 && (size_t)best_d < strlen(word) ? best : NULL;
}

/* ------------------------------------------------------------ targets */

static struct target *shell_current(struct shell *sh)
{
	struct target *t = sched_target(sh->s, sh->current);

	return t ? t : sched_target(sh->s, 0);
}

/* A target by name or number; NULL when there is none. */
static struct target *shell_find_target(struct shell *sh, const char *name)
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
static struct target *shell_add_target(struct shell *sh, const char *input, const char *name)
{
	char err[400];
	struct target *t;

	/* An empty string would mean libpq's defaults: not what anyone typed. */
	if (input[strspn(input, " \t")] == '\0') {
		shell_error("give a connection string or URI, e.g. postgresql://user@host/db\n");
		return NULL;
	}
	if (!app_add_target(sh->s, sh->o, input, err, sizeof(err))) {
		shell_error("%s\n", err);
		return NULL;
	}
	t = sched_target(sh->s, sched_ntargets(sh->s) - 1);
	if (name) {
		free(t->dsn.name);
		t->dsn.name = util_xstrdup(name);
	}
	return t;
}

/* ------------------------------------------------------------ probes */

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
	printf("%s %s: %s -> %s", ts, t->dsn.name, target_health_name(was),
	       target_health_name(t->health));
	if (!r->ok)
		printf(" (%s: %s)", classify_class_name(r->error.cls), r->error.message);
	putchar('\n');
	fflush(stdout);
	rl_forced_update_display();
}

static void shell_on_result(void *arg, struct target *t, const struct probe_result *r)
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

static bool shell_cancelled(struct shell *sh)
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
static bool shell_probe(struct shell *sh, struct target *t, const struct sched_oneoff *oo)
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
static bool shell_sleep_until(struct shell *sh, double when)
{
	double now;

	while (!sh->interrupted && !sh->stop && (now = util_now_ms()) < when)
		sched_run_once(sh->s, when - now);
	return !sh->interrupted && !sh->stop;
}

static void shell_print_phases(const struct probe_result *r)
{
	printf("%-10s", "phases");
	for (int i = 0; i < PROBE_PHASE_COUNT; i++) {
		if (isnan(r->phase_ms[i]))
			printf("%s%s -", i ? "  " : "", probe_phase_name(i));
		else
			printf("%s%s %.2f", i ? "  " : "", probe_phase_name(i), r->phase_ms[i]);
	}
	printf(" ms\n");
}

/* A failed probe, classified: what, where, and what to do. */
static void shell_print_failure(const struct probe_result *r)
{
	char ms[32];

	printf("%-10s%s in %s after %s", "failed", classify_class_name(r->error.cls),
	       probe_phase_name(r->failed_phase),
	       util_fmt_ms(r->phase_ms[PROBE_TOTAL], ms, sizeof(ms)));
	if (r->error.sqlstate[0])
		printf(" (SQLSTATE %s)", r->error.sqlstate);
	if (r->error.limit != LIMIT_NONE)
		printf(", limit %s", classify_limit_name(r->error.limit));
	putchar('\n');
	shell_field("message", "%s", r->error.message);
	if (r->error.advice && r->error.advice[0])
		shell_field("advice", "%s", r->error.advice);
}

/* The probe for version, settings, slots, tls; prints a failure itself. */
static int shell_fresh_probe(struct shell *sh, struct target *t, bool inspect)
{
	struct sched_oneoff oo = { .inspect = inspect, .record = true };

	if (!shell_probe(sh, t, &oo))
		return APP_EXIT_USAGE;
	if (!sh->wait_r->ok) {
		shell_field("target", "%s", t->dsn.display);
		shell_print_failure(sh->wait_r);
		return APP_EXIT_CRITICAL;
	}
	return APP_EXIT_OK;
}

/* ------------------------------------------------------------ reports */

static void shell_print_tls_line(const struct target *t, const struct tls_info *tls)
{
	if (!tls->in_use) {
		shell_field("tls", "none (sslmode %s)", t->dsn.sslmode ? t->dsn.sslmode : "prefer");
		return;
	}
	char days[40];

	if (tls->have_cert)
		shell_field("tls", "%s %s (%d bits); certificate %s, expires %s (%s)",
			    tls->protocol, tls->cipher, tls->bits, tls->subject, tls->not_after,
			    util_fmt_days_left(tls->days_left, days, sizeof(days)));
	else
		shell_field("tls", "%s %s (%d bits)", tls->protocol, tls->cipher, tls->bits);
}

static void shell_print_slots_line(const struct inspect_info *in)
{
	int usable = inspect_usable_slots(in);
	char states[200] = "";
	size_t n = 0;

	for (int s = 0; s < INSPECT_STATE_COUNT; s++)
		if (in->by_state[s] && n < sizeof(states))
			n += (size_t)snprintf(states + n, sizeof(states) - n, "%s%s %d",
					      n ? ", " : "", inspect_state_name(s),
					      in->by_state[s]);
	if (usable >= 0)
		shell_field("slots",
			    "%d of %d usable in use, %d left (max_connections %d, %d reserved)%s%s",
			    in->in_use, usable, usable - in->in_use, in->max_connections,
			    in->reserved, n ? "; " : "", states);
	else
		shell_field("slots", "%d in use%s%s", in->in_use, n ? "; " : "", states);
}

static void shell_print_check(struct shell *sh, const struct target *t,
			      const struct probe_result *r, enum report_status st, const char *why)
{
	char ms[32], version[32], pid[16];

	printf("%s - ", report_status_name(st));
	if (!r->ok) {
		printf("%s\n", why);
	} else {
		report_short_version(r->server_version, version, sizeof(version));
		printf("connected in %s (PostgreSQL %s, %s)",
		       util_fmt_ms(r->phase_ms[PROBE_TOTAL], ms, sizeof(ms)), version,
		       r->tls.in_use ? r->tls.protocol : "no TLS");
		if (st != REPORT_OK && why[0])
			printf(": %s", why);
		putchar('\n');
	}
	shell_field("target", "%s", t->dsn.display);
	if (r->used_addr[0])
		shell_field("address", "%s", r->used_addr);
	shell_print_phases(r);
	if (!r->ok) {
		shell_print_failure(r);
		return;
	}
	shell_field("server", "PostgreSQL %s, %s, backend pid %s", r->server_version,
		    r->in_recovery < 0 ? "role unknown"
		    : r->in_recovery   ? "standby (in recovery)"
				       : "primary",
		    probe_pid_text(r->backend_pid, pid, sizeof(pid)));
	shell_print_tls_line(t, &r->tls);
	if (!r->inspected) {
		if (r->inspect.error[0])
			shell_field("inspect", "%s", r->inspect.error);
		return;
	}
	shell_print_slots_line(&r->inspect);
	{
		char culprit[300];

		if (holders_culprit(&r->inspect, culprit, sizeof(culprit)))
			shell_field("culprit", "%s", culprit);
	}
	for (int i = 0; i < r->inspect.nsettings; i++) {
		const struct inspect_setting *set = &r->inspect.settings[i];

		shell_field(i ? "" : "settings", "%s %s (%s)", set->name, set->value, set->source);
	}
	(void)sh;
}

/* psql's aligned format: centred headers, numbers to the right. */
static void shell_print_table(const struct probe_table *t)
{
	int *width, *numeric;

	if (t->ncols == 0) {
		printf("%s\n", t->command);
		return;
	}
	width = util_xcalloc((size_t)t->ncols, sizeof(int));
	numeric = util_xcalloc((size_t)t->ncols, sizeof(int));
	for (int c = 0; c < t->ncols; c++) {
		bool any = false, all = true;

		width[c] = shell_width(t->names[c]);
		for (int r = 0; r < t->nrows; r++) {
			const char *v = t->cells[r * t->ncols + c];
			char *end;

			if (v == NULL)
				continue;
			if (shell_width(v) > width[c])
				width[c] = shell_width(v);
			any = true;
			strtod(v, &end);
			if (end == v || *end != '\0' || isspace((unsigned char)v[0]))
				all = false;
		}
		numeric[c] = any && all;
	}
	for (int c = 0; c < t->ncols; c++) {
		int left = (width[c] - shell_width(t->names[c])) / 2;

		printf("%s%*s", c ? "| " : " ", left, "");
		if (c + 1 < t->ncols) {
			shell_pad(t->names[c], width[c] - left, false);
			putchar(' ');
		} else {
			printf("%s\n", t->names[c]);
		}
	}
	for (int c = 0; c < t->ncols; c++) {
		printf("%s", c ? "+" : "");
		for (int i = 0; i < width[c] + 2; i++)
			putchar('-');
	}
	putchar('\n');
	for (int r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *v = t->cells[r * t->ncols + c];
			bool last = c + 1 == t->ncols;

			printf("%s", c ? "| " : " ");
			/* psql leaves no trailing blanks after a left-aligned last column */
			if (last && !numeric[c])
				printf("%s", v ? v : "");
			else
				shell_pad(v ? v : "", width[c], numeric[c]);
			printf(last ? "\n" : " ");
		}
	}
	printf("(%d row%s)\n", t->nrows, t->nrows == 1 ? "" : "s");
	free(width);
	free(numeric);
}

/* ------------------------------------------------------------ commands */

static int shell_cmd_check(struct shell *sh, const struct shell_words *w)
{
	struct sched_oneoff oo = { .inspect = true, .record = true };
	struct target *t = shell_current(sh);
	enum report_status st;
	char why[400];

	if (w->argc > 1) {
		char *rest = shell_rest(w, 1);

		t = shell_find_target(sh, rest);
		if (t == NULL && !strchr(rest, '=') && !strstr(rest, "://")) {
			shell_error("check: no target '%s' (targets lists them; or give a "
				    "connection string or URI)\n",
				    shell_safe(rest));
		} else if (t == NULL) {
			t = shell_add_target(sh, rest, NULL);
			if (t)
				printf("added target %s (targets lists them)\n", t->dsn.name);
		}
		free(rest);
		if (t == NULL)
			return APP_EXIT_USAGE;
	}
	if (!shell_probe(sh, t, &oo))
		return APP_EXIT_USAGE;
	st = report_evaluate(t, sh->wait_r, &sh->o->thresholds, why, sizeof(why));
	shell_print_check(sh, t, sh->wait_r, st, why);
	return (int)st;
}

static void shell_print_ping_line(long seq, const struct probe_result *r)
{
	char ms[32], pid[16];

	if (!r->ok) {
		printf("seq=%ld FAIL %s", seq, classify_class_name(r->error.cls));
		if (r->error.sqlstate[0])
			printf(" (%s)", r->error.sqlstate);
		printf(" in %s after %s: %s\n", probe_phase_name(r->failed_phase),
		       util_fmt_ms(r->phase_ms[PROBE_TOTAL], ms, sizeof(ms)), r->error.message);
	} else {
		printf("seq=%ld ok time=%s (", seq,
		       util_fmt_ms(r->phase_ms[PROBE_TOTAL], ms, sizeof(ms)));
		for (int i = 0; i < PROBE_TOTAL; i++)
			printf("%s%s %.2f", i ? ", " : "", probe_phase_name(i), r->phase_ms[i]);
		printf(") pid=%s\n", probe_pid_text(r->backend_pid, pid, sizeof(pid)));
	}
	fflush(stdout);
}

static int shell_cmd_ping(struct shell *sh, const struct shell_words *w)
{
	struct target *t = shell_current(sh), *sum;
	double interval = sched_config(sh->s)->interval_ms, start = util_now_ms();
	long n = SHELL_PING_DEFAULT;
	const struct shell_arg *count = &shell_find_command("ping")->arg[0];
	char ms[32];
	int st;

	if (w->argc > 1 && !shell_parse_count(w->argv[1], count->min, count->max, &n)) {
		shell_error("ping: bad count '%s': give %ld to %ld\n", shell_safe(w->argv[1]),
			    count->min, count->max);
		return shell_usage(shell_find_command("ping"));
	}
	/* The summary covers this ping only: a scratch target collects it. */
	sum = util_xcalloc(1, sizeof(*sum));
	target_init(sum, t->index);
	sum->dsn.display = t->dsn.display; /* borrowed for report_summary */
	printf("PING %s (%s): %ld probe%s, one every %s\n", t->dsn.name, t->dsn.display, n,
	       n == 1 ? "" : "s", util_fmt_ms(interval, ms, sizeof(ms)));
	fflush(stdout);
	for (long i = 1; i <= n; i++) {
		double began = util_now_ms();
		struct sched_oneoff oo = { .record = true };

		if (!shell_probe(sh, t, &oo))
			break;
		shell_print_ping_line(i, sh->wait_r);
		target_record(sum, sh->wait_r, util_now_ms());
		if (i < n && !shell_sleep_until(sh, began + interval)) {
			shell_cancelled(sh);
			break;
		}
	}
	putchar('\n');
	report_summary(stdout, sum, util_now_ms() - start);
	st = sum->probes == 0 ? APP_EXIT_USAGE : app_exit_like_ping(sum->ok, sum->probes);
	free(sum); /* not target_free: the display is t's */
	return st;
}

static int shell_cmd_version(struct shell *sh, const struct shell_words *w)
{
	char pid[16];
	struct target *t = shell_current(sh);
	const struct probe_result *r = sh->wait_r;
	int st = shell_fresh_probe(sh, t, false);

	(void)w;
	if (st != APP_EXIT_OK)
		return st;
	shell_field("server", "PostgreSQL %s", r->server_version);
	shell_field("number", "%d", r->server_version_num);
	shell_field("role", "%s",
		    r->in_recovery < 0 ? "unknown"
		    : r->in_recovery   ? "standby (in recovery)"
				       : "primary (not in recovery)");
	shell_field("backend", "pid %s via %s", probe_pid_text(r->backend_pid, pid, sizeof(pid)),
		    r->used_addr);
	return APP_EXIT_OK;
}

static int shell_cmd_settings(struct shell *sh, const struct shell_words *w)
{
	struct target *t = shell_current(sh);
	const struct probe_result *r = sh->wait_r;
	struct probe_config pc;
	char value[32];
	int st = shell_fresh_probe(sh, t, true);

	(void)w;
	if (st != APP_EXIT_OK)
		return st;
	if (!r->inspected) {
		printf("settings unknown: %s\n", r->inspect.error);
		return APP_EXIT_USAGE;
	}
	printf("%-38s %-10s %s\n", "setting", "value", "source");
	for (int i = 0; i < r->inspect.nsettings; i++)
		printf("%-38s %-10s %s\n", r->inspect.settings[i].name,
		       r->inspect.settings[i].value, r->inspect.settings[i].source);
	/*
	 * The client side of the deadlines: libpq's connect_timeout as pgpulse
	 * applies it. Sources as the dashboard and check --json name them.
	 */
	sched_probe_config(sh->s, t, &pc);
	util_fmt_seconds(pc.connect_timeout_ms, value, sizeof(value));
	printf("%-38s %-10s %s\n", "connect_timeout", value, pc.connect_timeout_source);
	return APP_EXIT_OK;
}

static int shell_cmd_slots(struct shell *sh, const struct shell_words *w)
{
	struct target *t = shell_current(sh);
	const struct probe_result *r = sh->wait_r;
	const struct inspect_info *in = &r->inspect;
	char culprit[300];
	int st = shell_fresh_probe(sh, t, true);

	(void)w;
	if (st != APP_EXIT_OK)
		return st;
	if (!r->inspected) {
		printf("slots unknown: %s\n", in->error);
		return APP_EXIT_USAGE;
	}
	shell_print_slots_line(in);
	if (in->idle_in_xact)
		shell_field("idle-xact", "%d idle in transaction, the longest for %.0f s",
			    in->idle_in_xact, in->longest_idle_xact_s);
	if (in->oldest_connection_s > 0)
		shell_field("oldest", "%.0f s (%s)", in->oldest_connection_s,
			    in->oldest_application[0] ? in->oldest_application
						      : "no application_name");
	printf("\n%-20s %-12s %-16s %5s %6s %5s %7s %8s %9s\n", "application", "user", "client",
	       "count", "active", "idle", "in-xact", "idle>10m", "oldest");
	for (int i = 0; i < in->nholders; i++) {
		const struct inspect_holder *h = &in->holders[i];

		printf("%-20s %-12s %-16s %5d %6d %5d %7d %8d %8.0fs\n",
		       h->application_name[0] ? h->application_name : "-",
		       h->usename[0] ? h->usename : "-", h->client_addr, h->count, h->active,
		       h->idle, h->idle_in_transaction, h->idle_over_10min, h->oldest_s);
	}
	if (holders_culprit(in, culprit, sizeof(culprit)))
		printf("\nculprit: %s\n", culprit);
	return APP_EXIT_OK;
}

static int shell_cmd_tls(struct shell *sh, const struct shell_words *w)
{
	struct target *t = shell_current(sh);
	const struct tls_info *tls = &sh->wait_r->tls;
	int st = shell_fresh_probe(sh, t, false);
	char days[40];

	(void)w;
	if (st != APP_EXIT_OK)
		return st;
	shell_field("sslmode", "%s", t->dsn.sslmode ? t->dsn.sslmode : "prefer (libpq default)");
	if (!tls->in_use) {
		shell_field("tls", "not in use: the connection is not encrypted");
		return APP_EXIT_OK;
	}
	shell_field("protocol", "%s", tls->protocol);
	shell_field("cipher", "%s (%d bits)", tls->cipher, tls->bits);
	if (!tls->have_cert) {
		shell_field("cert", "none seen");
		return APP_EXIT_OK;
	}
	shell_field("subject", "%s", tls->subject);
	shell_field("issuer", "%s", tls->issuer);
	shell_field("expires", "%s (%s)", tls->not_after,
		    util_fmt_days_left(tls->days_left, days, sizeof(days)));
	return APP_EXIT_OK;
}

static int shell_cmd_errors(struct shell *sh, const struct shell_words *w)
{
	struct target *t = shell_current(sh);
	const struct probe_event *shown[SHELL_ERRORS_SHOWN];
	int n = 0;
	uint64_t failed = 0;
	char ts[40], te[40];

	(void)w;
	for (unsigned i = 0; n < SHELL_ERRORS_SHOWN; i++) {
		const struct probe_event *ev = target_event(t, i);

		if (ev == NULL)
			break;
		if (ev->kind == PROBE_EV_ERROR || ev->kind == PROBE_EV_TIMEOUT)
			shown[n++] = ev;
	}
	for (int c = 1; c < CLASS_COUNT; c++)
		failed += t->failures[c];
	printf("%s (%s): %llu probe%s, %llu failed\n", t->dsn.name, t->dsn.display,
	       (unsigned long long)t->probes, t->probes == 1 ? "" : "s",
	       (unsigned long long)failed);
	if (failed) {
		printf("by class:");
		for (int c = 1; c < CLASS_COUNT; c++)
			if (t->failures[c])
				printf(" %s=%llu", classify_class_name(c),
				       (unsigned long long)t->failures[c]);
		putchar('\n');
	}
	if (n)
		printf("\nrecent failures, oldest first:\n");
	for (int i = n - 1; i >= 0; i--) {
		util_rfc3339(&shown[i]->wall, ts, sizeof(ts));
		/* The event's detail reads "class in phase: message". */
		printf("%s seq=%llu %s\n", ts, (unsigned long long)shown[i]->seq, shown[i]->detail);
	}
	if (t->ninc)
		printf("\nmax_clients incidents (%llu in all):\n",
		       (unsigned long long)t->incidents_total);
	for (unsigned i = 0; i < t->ninc; i++) {
		const struct target_incident *inc = &t->incidents[i];
		const char *limit = classify_limit_name(inc->limit);

		util_rfc3339(&inc->start, ts, sizeof(ts));
		if (inc->end.tv_sec)
			util_rfc3339(&inc->end, te, sizeof(te));
		else
			util_strlcpy(te, "open now", sizeof(te));
		printf("%s to %s: %llu probe%s failed%s%s, %s%s%s\n", ts, te,
		       (unsigned long long)inc->probes_failed, inc->probes_failed == 1 ? "" : "s",
		       limit ? ", limit " : "", limit ? limit : "", inc->sqlstate,
		       inc->sqlstate[0] ? " " : "", inc->message);
	}
	if (!failed && !n && !t->ninc)
		printf("no failures recorded since pgpulse started\n");
	return APP_EXIT_OK;
}

/* What sql adds to a failure its own wrapping explains. */
struct shell_sql_hint {
	const char *sqlstate;
	const char *hint;
};

/* clang-format off */
static const struct shell_sql_hint shell_sql_hints[] = {
	{"25006", "sql runs in a read-only transaction; use psql to change data"},
};
/* clang-format on */

static int shell_cmd_sql(struct shell *sh, const struct shell_words *w)
{
	struct target *t = shell_current(sh);
	char *query = shell_rest(w, 1);
	struct sched_oneoff oo = { .sql = query, .record = false };
	const struct probe_result *r = sh->wait_r;
	char total[32], q[32];
	int st = APP_EXIT_OK;

	if (!shell_probe(sh, t, &oo)) {
		free(query);
		return APP_EXIT_USAGE;
	}
	if (!r->ok) {
		shell_print_failure(r);
		for (size_t i = 0; i < sizeof(shell_sql_hints) / sizeof(shell_sql_hints[0]); i++)
			if (strcmp(r->error.sqlstate, shell_sql_hints[i].sqlstate) == 0)
				shell_field("hint", "%s", shell_sql_hints[i].hint);
		st = APP_EXIT_CRITICAL;
	} else {
		if (sh->wait_table)
			shell_print_table(sh->wait_table);
		printf("time: %s on a fresh connection (query %s)\n",
		       util_fmt_ms(r->phase_ms[PROBE_TOTAL], total, sizeof(total)),
		       util_fmt_ms(r->phase_ms[PROBE_QUERY], q, sizeof(q)));
	}
	probe_table_free(sh->wait_table);
	sh->wait_table = NULL;
	free(query);
	return st;
}

static int shell_cmd_target(struct shell *sh, const struct shell_words *w)
{
	const struct shell_command *c = shell_find_command("target");
	struct target *t;

	if (strcmp(w->argv[1], "add") == 0) {
		char *input;

		if (w->argc < 4)
			return shell_usage(c);
		if (strspn(w->argv[2], "0123456789") == strlen(w->argv[2])) {
			shell_error(
				"target add: '%s' is a number; numbers pick targets by position\n",
				w->argv[2]);
			return APP_EXIT_USAGE;
		}
		if (shell_find_target(sh, w->argv[2])) {
			shell_error("target add: '%s' is taken; pick another name\n",
				    shell_safe(w->argv[2]));
			return APP_EXIT_USAGE;
		}
		input = shell_rest(w, 3);
		t = shell_add_target(sh, input, w->argv[2]);
		free(input);
		if (t == NULL)
			return APP_EXIT_USAGE;
		printf("added %s: %s (target use %s to make it current)\n", t->dsn.name,
		       t->dsn.display, t->dsn.name);
		return APP_EXIT_OK;
	}
	if (strcmp(w->argv[1], "use") == 0 && w->argc == 3) {
		t = shell_find_target(sh, w->argv[2]);
		if (t == NULL) {
			shell_error("target use: no target '%s' (targets lists them)\n",
				    shell_safe(w->argv[2]));
			return APP_EXIT_USAGE;
		}
		sh->current = t->index;
		printf("using %s: %s\n", t->dsn.name, t->dsn.display);
		return APP_EXIT_OK;
	}
	return shell_usage(c);
}

/* With background probing off, a target no command probed waits for nothing. */
static const char *shell_health_text(const struct shell *sh, const struct target *t)
{
	if (t->health == TARGET_UNKNOWN && sched_paused(sh->s))
		return "not probed";
	return target_health_name(t->health);
}

static int shell_cmd_targets(struct shell *sh, const struct shell_words *w)
{
	(void)w;
	for (int i = 0; i < sched_ntargets(sh->s); i++) {
		struct target *t = sched_target(sh->s, i);

		printf("%c %d %-20s %-10s %s\n", i == sh->current ? '*' : ' ', i + 1, t->dsn.name,
		       shell_health_text(sh, t), t->dsn.display);
	}
	return APP_EXIT_OK;
}

static int shell_cmd_set(struct shell *sh, const struct shell_words *w)
{
	const struct settings_entry *set = settings_find(w->argv[1], true);
	size_t nsettings;
	const struct settings_entry *all = settings_table(&nsettings);
	char *value;
	char now[200];
	double seconds = 0;
	bool ok;

	if (set == NULL) {
		shell_error("set: no setting '%s'; settings:", shell_safe(w->argv[1]));
		for (size_t i = 0; i < nsettings; i++)
			if (all[i].set)
				shell_error(" %s", all[i].name);
		shell_error("\n");
		return APP_EXIT_USAGE;
	}
	value = shell_rest(w, 2);
	if (set->max_s > 0 && !shell_parse_seconds(value, &seconds)) {
		shell_error("set: '%s' is no number of seconds (e.g. 2, 1.5, 500ms)\n",
			    shell_safe(value));
		ok = false;
	} else if (set->max_s > 0 && (seconds < set->min_s || seconds > set->max_s)) {
		shell_error("set: %s must be %g s to %g s\n", set->name, set->min_s, set->max_s);
		ok = false;
	} else {
		ok = set->set(sh->s, value, seconds * 1000.0);
	}
	if (!ok)
		shell_error("usage: set %s %s (%s)\n", set->name, set->value, set->help);
	free(value);
	if (!ok)
		return APP_EXIT_USAGE;
	set->show(sh->s, now, sizeof(now));
	printf("%s %s\n", set->name, now);
	return APP_EXIT_OK;
}

static int shell_cmd_show(struct shell *sh, const struct shell_words *w)
{
	struct target *t = shell_current(sh);
	size_t n;
	const struct settings_entry *all = settings_table(&n);
	char value[200];

	(void)w;
	printf("%-14s %s (%s)\n", "target", t->dsn.name, t->dsn.display);
	for (size_t i = 0; i < n; i++) {
		if (!all[i].set)
			continue;
		all[i].show(sh->s, value, sizeof(value));
		printf("%-14s %-26s %s\n", all[i].name, value, all[i].help);
	}
	return APP_EXIT_OK;
}

/* Reads one answer line from stdin while the loop goes on; false on Ctrl-C or EOF. */
static bool shell_ask(struct shell *sh, const char *question, char *answer, size_t len);
static void shell_watch_signals(struct shell *sh, bool on);

static int shell_cmd_burst(struct shell *sh, const struct shell_words *w)
{
	struct target *t = shell_current(sh);
	struct burst_outcome out;
	bool yes = w->argc > 2 && strcmp(w->argv[2], "yes") == 0;
	const struct shell_arg *count = &shell_find_command("burst")->arg[0];
	char question[600], answer[16];
	long n;

	if (!shell_parse_count(w->argv[1], count->min, count->max, &n) || (w->argc > 2 && !yes))
		return shell_usage(shell_find_command("burst"));
	/* Scripts confirm in the command itself: nobody is there to answer. */
	if (!yes && !sh->interactive) {
		shell_error("burst: in a script, confirm in the command: burst %ld yes\n", n);
		return APP_EXIT_USAGE;
	}
	if (!yes) {
		snprintf(question, sizeof(question), "Open up to %ld connection%s to %s? [y/N] ", n,
			 n == 1 ? "" : "s", t->dsn.display);
		if (!shell_ask(sh, question, answer, sizeof(answer)) || !app_answer_yes(answer)) {
			printf("burst not started\n");
			return APP_EXIT_OK;
		}
	}
	/* burst reads Ctrl-C from the signal pipe itself: ours rests while it runs. */
	memset(&out, 0, sizeof(out));
	shell_watch_signals(sh, false);
	if (!burst_execute(sh->s, t, (int)n, sh->o->burst_hold_ms, &out)) {
		shell_watch_signals(sh, true);
		signals_take();
		printf("burst could not start\n");
		return APP_EXIT_USAGE;
	}
	shell_watch_signals(sh, true);
	signals_take();
	burst_print(stdout, t, &out, false);
	return burst_exit_code(&out);
}

static int shell_cmd_watch(struct shell *sh, const struct shell_words *w)
{
	(void)w;
	if (!sh->interactive) {
		shell_error(
			"watch: the dashboard needs a terminal; use 'pgpulse watch' in scripts\n");
		return APP_EXIT_USAGE;
	}
	/*
	 * From the dashboard: back to it. From 'pgpulse shell': the dashboard
	 * takes over once the prompt is gone (':' there opens a new prompt).
	 */
	sh->leave = true;
	sh->to_dashboard = !sh->in_dashboard;
	return APP_EXIT_OK;
}

static int shell_cmd_help(struct shell *sh, const struct shell_words *w)
{
	const struct shell_command *c;

	(void)sh;
	if (w->argc == 1) {
		printf("Commands (Tab completes, Ctrl-R searches the history, Ctrl-C cancels, "
		       "Ctrl-D leaves;\n';' separates commands on one line; a line starting with "
		       "# is a comment):\n");
		for (size_t i = 0; i < SHELL_NCOMMANDS; i++) {
			char usage[80];

			/* The alias in brackets: "settings (timeouts)". */
			c = &shell_commands[i];
			snprintf(usage, sizeof(usage), "%s%s%s%s%s%s", c->name,
				 c->args[0] ? " " : "", c->args, c->alias ? " (" : "",
				 c->alias ? c->alias : "", c->alias ? ")" : "");
			if (strlen(usage) > 26)
				printf("  %s\n  %-26s %s\n", usage, "", c->help);
			else
				printf("  %-26s %s\n", usage, c->help);
		}
		return APP_EXIT_OK;
	}
	c = shell_find_command(w->argv[1]);
	if (c == NULL) {
		const char *near = shell_suggest(w->argv[1]);

		shell_error("help: no command '%s'%s%s%s\n", shell_safe(w->argv[1]),
			    near ? ": did you mean " : "", near ? near : "", near ? "?" : "");
		return APP_EXIT_USAGE;
	}
	printf("usage: %s%s%s\n%s\n", c->name, c->args[0] ? " " : "", c->args, c->help);
	if (c->alias)
		printf("alias: %s\n", c->alias);
	/* A command that takes a setting explains each one. */
	for (int k = 0; k < SHELL_MAX_ARGS; k++) {
		size_t n;
		const struct settings_entry *all = settings_table(&n);

		if (c->arg[k].kind != SHELL_ARG_SETTING)
			continue;
		for (size_t i = 0; i < n; i++)
			if (all[i].set)
				printf("  %s %s %-10s %s\n", c->name, all[i].name, all[i].value,
				       all[i].help);
	}
	return APP_EXIT_OK;
}

static int shell_cmd_quit(struct shell *sh, const struct shell_words *w)
{
	(void)w;
	sh->quit = sh->leave = true;
	return APP_EXIT_OK;
}

/* ------------------------------------------------------------ dispatch */

/* Words the table says are one of a few (a subcommand, 'yes') are one of them. */
static bool shell_words_fit(const struct shell_command *c, const struct shell_words *w)
{
	for (int k = 1; k < w->argc; k++) {
		struct shell_arg a = shell_arg_of(c, w->argc, w->argv, k);

		if (a.kind == SHELL_ARG_WORD && !shell_is_choice(a.choices, w->argv[k]))
			return false;
	}
	return true;
}

static int shell_run_command(struct shell *sh, const char *text)
{
	const struct shell_command *c;
	struct shell_words w;
	int st = APP_EXIT_OK, nargs;

	if (!shell_split_words(text, &w)) {
		/* Not echoed: the line may hold a password that never parsed. */
		shell_error("unbalanced quote: close the ' or \" and try again\n");
		free(w.buf);
		return APP_EXIT_USAGE;
	}
	if (w.argc == 0) {
		free(w.buf);
		return -1;
	}
	c = shell_find_command(w.argv[0]);
	nargs = w.argc - 1;
	if (c == NULL) {
		const char *near = shell_suggest(w.argv[0]);

		if (near)
			shell_error("unknown command '%s': did you mean %s?\n",
				    shell_safe(w.argv[0]), near);
		else
			shell_error("unknown command '%s': help lists the commands\n",
				    shell_safe(w.argv[0]));
		st = APP_EXIT_USAGE;
	} else if (nargs < c->min_args || (c->max_args >= 0 && nargs > c->max_args) ||
		   !shell_words_fit(c, &w)) {
		st = shell_usage(c);
	} else {
		st = c->run(sh, &w);
	}
	free(w.buf);
	fflush(stdout);
	return st;
}

/*
 * Runs the commands of one line in order; a cancelled one ends the line.
 * Blank commands are skipped; one starting with '#' makes the rest of the
 * line a comment.
 */
static void shell_execute(struct shell *sh, const char *line)
{
	char **cmds = shell_split_commands(line);

	/* At the prompt each line starts afresh; a script's reports all run on. */
	if (sh->interactive)
		sh->separate = false;
	for (size_t i = 0; cmds[i] && !sh->leave && !sh->stop; i++) {
		const char *text = cmds[i];
		int st;

		while (isspace((unsigned char)*text))
			text++;
		if (*text == '\0')
			continue;
		if (*text == '#')
			break;
		/* Exactly one blank line between two reports, on the stream the last one used. */
		if (sh->separate) {
			fputc('\n', shell_said_error ? stderr : stdout);
			fflush(stdout);
		}
		shell_said_error = false;
		sh->separate = true;
		sh->interrupted = false;
		sh->said_cancelled = false;
		sh->running = true;
		st = shell_run_command(sh, text);
		sh->running = false;
		if (sh->interrupted || sh->stop)
			st = APP_EXIT_USAGE;
		if (st > sh->worst)
			sh->worst = st;
		if (sh->interrupted) {
			/* A script stops at Ctrl-C; the prompt drops the rest of the line. */
			if (!sh->interactive)
				sh->leave = true;
			break;
		}
	}
	sh->interrupted = false;
	shell_free_list(cmds);
}

/* -c: the text may hold several lines, each run like a line from a pipe. */
static void shell_execute_lines(struct shell *sh, const char *text)
{
	while (!sh->leave && !sh->stop) {
		size_t n = strcspn(text, "\n");
		char *line = util_xmalloc(n + 1);

		memcpy(line, text, n);
		line[n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		shell_execute(sh, line);
		free(line);
		if (text[n] == '\0')
			break;
		text += n + 1;
	}
}

/* ------------------------------------------------------------ history */

/* mkdir -p with mode 0700 for what it creates (XDG: private state). */
static bool shell_mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return false;
		}
		*p = '/';
	}
	return mkdir(path, 0700) == 0 || errno == EEXIST;
}

static void shell_history_open(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX - 16]; /* room for "/history" */
	int fd;

	if (shell_history_loaded)
		return;
	shell_history_loaded = true;
	if (state && state[0] == '/')
		snprintf(dir, sizeof(dir), "%s/pgpulse", state);
	else if (home && home[0])
		snprintf(dir, sizeof(dir), "%s/.local/state/pgpulse", home);
	else
		return;
	if (!shell_mkdirs(dir))
		return;
	snprintf(shell_history_file, sizeof(shell_history_file), "%s/history", dir);
	/* Created private, and made private again if someone widened it. */
	fd = open(shell_history_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fchmod(fd, 0600) < 0) {
		if (fd >= 0)
			close(fd);
		shell_history_file[0] = '\0';
		return;
	}
	close(fd);
	using_history();
	read_history(shell_history_file);
}

static void shell_history_close(void)
{
	if (shell_history_file[0])
		history_truncate_file(shell_history_file, SHELL_HISTORY_LINES);
	clear_history();
	shell_history_loaded = false;
	shell_history_file[0] = '\0';
}

static void shell_append(char **buf, size_t *len, const char *s, size_t n)
{
	*buf = util_xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/*
 * The line as the history (and ps, for -c) keeps it: from the first word the
 * command table calls a target or a connection string (check TARGET,
 * target add NAME TARGET) the rest goes through dsn_mask_password, and so
 * does any other word that looks like a connection string.
 */
char *shell_mask_line(const char *line)
{
	char **cmds = shell_split_commands(line);
	char *out = util_xstrdup("");
	size_t len = 0;

	for (size_t i = 0; cmds[i]; i++) {
		struct shell_words w;
		const char *text = cmds[i];
		int from = -1;

		if (i)
			shell_append(&out, &len, ";", 1);
		shell_split_words(text, &w);
		from = shell_masked_from(&w);
		if (w.argc >= SHELL_MAX_WORDS) {
			/* Past the split's cap the last word runs to the end: mask it all. */
			char *masked = dsn_mask_password(text);

			shell_append(&out, &len, masked, strlen(masked));
			free(masked);
		} else if (from > 0) {
			char *masked = dsn_mask_password(w.raw[from]);

			shell_append(&out, &len, text, (size_t)(w.raw[from] - text));
			shell_append(&out, &len, masked, strlen(masked));
			free(masked);
		} else {
			const char *p = text;

			for (int k = 0; k < w.argc; k++) {
				const char *end =
					k + 1 < w.argc ? w.raw[k + 1] : text + strlen(text);

				shell_append(&out, &len, p, (size_t)(w.raw[k] - p));
				if (shell_word_secret(w.argv[k])) {
					/* The unquoted word: a quoted 'password=x' is still one. */
					const char *blank = end;
					char *masked = dsn_mask_password(w.argv[k]);

					while (blank > w.raw[k] &&
					       isspace((unsigned char)blank[-1]))
						blank--;
					shell_append(&out, &len, masked, strlen(masked));
					shell_append(&out, &len, blank, (size_t)(end - blank));
					free(masked);
				} else {
					shell_append(&out, &len, w.raw[k],
						     (size_t)(end - w.raw[k]));
				}
				p = end;
			}
			shell_append(&out, &len, p, strlen(p));
		}
		free(w.buf);
	}
	shell_free_list(cmds);
	return out;
}

static void shell_history_add(const char *line)
{
	HIST_ENTRY *last;
	char *safe;

	if (line[strspn(line, " \t")] == '\0')
		return;
	safe = shell_mask_line(line);
	/* Last line of defence: a password= that is still readable never goes in. */
	for (const char *q = safe; (q = strstr(q, "password=")) != NULL; q += 9)
		if (q[9] != '*' && q[9] != '\0' && !isspace((unsigned char)q[9])) {
			free(safe);
			return;
		}
	for (size_t n = strlen(safe); n > 0 && isspace((unsigned char)safe[n - 1]); n--)
		safe[n - 1] = '\0';
	last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
	if (last == NULL || strcmp(last->line, safe) != 0) {
		add_history(safe);
		if (shell_history_file[0])
			append_history(1, shell_history_file);
	}
	free(safe);
}

/* ------------------------------------------------------------ completion */

static const char *shell_candidates[SHELL_MAX_CANDIDATES];
static size_t shell_ncandidates;

static void shell_candidate(const char *s)
{
	if (shell_ncandidates < SHELL_MAX_CANDIDATES)
		shell_candidates[shell_ncandidates++] = s;
}

static char *shell_complete_next(const char *text, int state)
{
	static size_t i, len;

	if (state == 0) {
		i = 0;
		len = strlen(text);
	}
	while (i < shell_ncandidates) {
		const char *c = shell_candidates[i++];

		if (strncmp(c, text, len) == 0)
			return util_xstrdup(c);
	}
	return NULL;
}

static void shell_candidate_targets(void)
{
	for (int i = 0; shell_active && i < sched_ntargets(shell_active->s); i++)
		shell_candidate(sched_target(shell_active->s, i)->dsn.name);
}

/* Each of the space-separated words (kept: readline copies the matches later). */
static void shell_candidate_choices(const char *choices)
{
	static char buf[256];
	size_t used = 0;

	for (const char *p = choices; p && *p; p += strspn(p, " ")) {
		size_t n = strcspn(p, " ");

		if (used + n + 1 > sizeof(buf))
			break;
		memcpy(buf + used, p, n);
		buf[used + n] = '\0';
		shell_candidate(buf + used);
		used += n + 1;
		p += n;
	}
}

/* Commands first; then what the table says the word is: a target, a setting, a choice. */
static char **shell_complete(const char *text, int start, int end)
{
	const char *line = rl_line_buffer, *seg = line;
	const struct shell_command *c;
	struct shell_words w;
	struct shell_arg arg = { SHELL_ARG_NONE, NULL, 0, 0 };
	enum shell_arg_kind kind;
	size_t nsettings;
	const struct settings_entry *settings = settings_table(&nsettings), *set;
	char *before;
	int word;

	(void)end;
	rl_attempted_completion_over = 1; /* never file names */
	for (const char *p = line; p < line + start; p++)
		if (*p == ';')
			seg = p + 1;
	before = util_xmalloc((size_t)(line + start - seg) + 1);
	memcpy(before, seg, (size_t)(line + start - seg));
	before[line + start - seg] = '\0';
	shell_split_words(before, &w);
	word = w.argc;
	shell_ncandidates = 0;
	c = word > 0 ? shell_find_command(w.argv[0]) : NULL;
	kind = word == 0 ? SHELL_ARG_COMMAND
	       : c	 ? (arg = shell_arg_of(c, w.argc, w.argv, word)).kind
			 : SHELL_ARG_NONE;
	switch (kind) {
	case SHELL_ARG_COMMAND:
		for (size_t i = 0; i < SHELL_NCOMMANDS; i++) {
			shell_candidate(shell_commands[i].name);
			if (shell_commands[i].alias)
				shell_candidate(shell_commands[i].alias);
		}
		break;
	case SHELL_ARG_TARGET:
	case SHELL_ARG_NAME: shell_candidate_targets(); break;
	case SHELL_ARG_WORD: shell_candidate_choices(arg.choices); break;
	case SHELL_ARG_SETTING:
		for (size_t i = 0; i < nsettings; i++)
			if (settings[i].set)
				shell_candidate(settings[i].name);
		break;
	case SHELL_ARG_VALUE:
		set = settings_find(w.argv[word - 1], true);
		if (set)
			shell_candidate_choices(set->choices);
		break;
	default: break;
	}
	free(w.buf);
	free(before);
	return shell_ncandidates ? rl_completion_matches(text, shell_complete_next) : NULL;
}

/* ------------------------------------------------------------ input */

static void shell_on_line(char *line)
{
	struct shell *sh = shell_active;

	/* Stop reading until the command is done: type-ahead waits in the tty. */
	rl_callback_handler_remove();
	sh->readline_on = false;
	if (line == NULL) {
		putchar('\n');
		sh->eof = true;
		return;
	}
	shell_history_add(line);
	free(sh->pending);
	sh->pending = line;
}

static void shell_on_stdin(void *arg, int fd, short revents)
{
	struct shell *sh = arg;

	(void)fd;
	(void)revents;
	if (sh->readline_on)
		rl_callback_read_char();
}

static void shell_on_stdin_raw(void *arg, int fd, short revents)
{
	struct shell *sh = arg;
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	(void)fd;
	(void)revents;
	if (n > 0) {
		if (sh->inlen + (size_t)n + 1 > sh->incap) {
			sh->incap = (sh->inlen + (size_t)n + 1) * 2;
			sh->inbuf = util_xrealloc(sh->inbuf, sh->incap);
		}
		memcpy(sh->inbuf + sh->inlen, buf, (size_t)n);
		sh->inlen += (size_t)n;
		sh->inbuf[sh->inlen] = '\0';
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		sh->eof = true;
	}
}

/* The next whole line of raw input (the last may lack its newline at EOF). */
static char *shell_take_raw_line(struct shell *sh)
{
	char *nl, *line;
	size_t n;

	if (sh->inlen == 0)
		return NULL;
	nl = memchr(sh->inbuf, '\n', sh->inlen);
	if (nl == NULL && !sh->eof)
		return NULL;
	n = nl ? (size_t)(nl - sh->inbuf) : sh->inlen;
	line = util_xmalloc(n + 1);
	memcpy(line, sh->inbuf, n);
	line[n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';
	n += nl ? 1 : 0;
	memmove(sh->inbuf, sh->inbuf + n, sh->inlen - n);
	sh->inlen -= n;
	return line;
}

static bool shell_ask(struct shell *sh, const char *question, char *answer, size_t len)
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

static void shell_make_prompt(struct shell *sh)
{
	struct target *t = shell_current(sh);

	if (sched_ntargets(sh->s) > 0 && t)
		snprintf(sh->prompt, sizeof(sh->prompt), "pgpulse:%s> ", t->dsn.name);
	else
		snprintf(sh->prompt, sizeof(sh->prompt), "pgpulse> ");
}

static void shell_input_resume(struct shell *sh)
{
	if (sh->eof || sh->leave || sh->stop)
		return;
	if (sh->interactive && !sh->readline_on) {
		shell_make_prompt(sh);
		fflush(stdout);
		rl_callback_handler_install(sh->prompt, shell_on_line);
		sh->readline_on = true;
	}
	if (!sh->stdin_watched) {
		sched_watch(sh->s, STDIN_FILENO, POLLIN,
			    sh->interactive ? shell_on_stdin : shell_on_stdin_raw, sh);
		sh->stdin_watched = true;
	}
}

static void shell_input_pause(struct shell *sh)
{
	if (sh->readline_on) {
		rl_callback_handler_remove();
		sh->readline_on = false;
	}
	if (sh->stdin_watched) {
		sched_unwatch(sh->s, STDIN_FILENO);
		sh->stdin_watched = false;
	}
}

static char *shell_next_line(struct shell *sh)
{
	char *line;

	if (sh->interactive) {
		line = sh->pending;
		sh->pending = NULL;
		return line;
	}
	return shell_take_raw_line(sh);
}

/* Reads and runs lines until quit, end of input or a stop signal. */
static void shell_loop(struct shell *sh)
{
	shell_input_resume(sh);
	while (!sh->leave && !sh->stop) {
		char *line = shell_next_line(sh);

		if (line) {
			/* Commands run here, at the top of the loop, never inside a callback. */
			shell_input_pause(sh);
			shell_execute(sh, line);
			free(line);
			shell_input_resume(sh);
			continue;
		}
		if (sh->eof)
			break;
		sched_run_once(sh->s, -1);
	}
	shell_input_pause(sh);
}

/* ------------------------------------------------------------ signals */

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
static void shell_watch_signals(struct shell *sh, bool on)
{
	if (on)
		sched_watch(sh->s, signals_fd(), POLLIN, shell_on_signal, sh);
	else
		sched_unwatch(sh->s, signals_fd());
}

/* ------------------------------------------------------------ set-up */

static void shell_readline_setup(void)
{
	rl_readline_name = "pgpulse";
	/* Signals come through the loop's pipes; readline must not catch them. */
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	/* LINES/COLUMNS in the environment would pin ncurses' size later. */
	rl_change_environment = 0;
	rl_attempted_completion_function = shell_complete;
	rl_completer_word_break_characters = shell_word_breaks;
}

static bool shell_start(struct shell *sh, struct sched *s, const struct app_options *o)
{
	memset(sh, 0, sizeof(*sh));
	sh->s = s;
	sh->o = o;
	sh->wait_r = util_xcalloc(1, sizeof(*sh->wait_r));
	sh->nseen = sched_ntargets(s);
	sh->seen = util_xcalloc((size_t)sh->nseen + 1, sizeof(*sh->seen));
	for (int i = 0; i < sh->nseen; i++)
		sh->seen[i] = sched_target(s, i)->health;
	sched_listen(s, shell_on_result, NULL, sh);
	shell_watch_signals(sh, true);
	shell_active = sh;
	return true;
}

static void shell_finish(struct shell *sh)
{
	shell_input_pause(sh);
	shell_watch_signals(sh, false);
	sched_unlisten(sh->s, sh);
	probe_table_free(sh->wait_table);
	free(sh->wait_r);
	free(sh->seen);
	free(sh->pending);
	free(sh->inbuf);
	shell_active = NULL;
	fflush(stdout);
}

enum app_next shell_run(struct app *a)
{
	struct sched *s = a->s;
	const struct app_options *o = a->o;
	struct shell sh;
	int rc;

	/* Ad-hoc checks only: each command opens exactly the connection it needs. */
	sched_set_paused(s, true);
	if (!shell_start(&sh, s, o)) {
		a->exit_code = APP_EXIT_USAGE;
		return APP_NEXT_EXIT;
	}
	if (o->shell_commands) {
		shell_execute_lines(&sh, o->shell_commands);
	} else if (isatty(STDIN_FILENO)) {
		struct target *t = shell_current(&sh);

		sh.interactive = true;
		shell_readline_setup();
		shell_history_open();
		printf("pgpulse shell: each command opens a fresh connection; background probing "
		       "is off\n(set probing on). help lists the commands, Tab completes, Ctrl-D "
		       "leaves.\ntarget %s: %s\n",
		       t->dsn.name, t->dsn.display);
		shell_loop(&sh);
		shell_history_close();
	} else {
		shell_loop(&sh);
	}
	if (sh.stop)
		rc = APP_EXIT_USAGE;
	else
		rc = sh.interactive ? APP_EXIT_OK : sh.worst;
	shell_finish(&sh);
	a->exit_code = rc;
	if (sh.to_dashboard) {
		/* The dashboard takes over; ':' there opens the prompt anew. */
		sched_set_paused(s, false);
		return APP_NEXT_DASHBOARD;
	}
	return APP_NEXT_EXIT;
}

enum app_next shell_prompt(struct app *a)
{
	struct sched *s = a->s;
	struct shell sh;

	/* The dashboard still listens; its descriptors rest while the prompt is open. */
	if (!shell_start(&sh, s, a->o))
		return APP_NEXT_DASHBOARD;
	sh.interactive = true;
	sh.in_dashboard = true;
	if (a->current >= 0 && a->current < sched_ntargets(s))
		sh.current = a->current;
	shell_readline_setup();
	shell_history_open();
	printf("pgpulse prompt: probing goes on meanwhile; health changes show up here.\n"
	       "help lists the commands; watch or Ctrl-D goes back to the dashboard.\n");
	shell_loop(&sh);
	shell_history_close();
	a->current = sh.current;
	a->quit = sh.quit || sh.stop;
	shell_finish(&sh);
	/* A resize seen here is the dashboard's too: hand it back through its pipe. */
	if (sh.resized)
		raise(SIGWINCH);
	return APP_NEXT_DASHBOARD;
}
