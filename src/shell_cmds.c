/*
 * shell_cmds: the prompt's commands. One table: name, alias, usage, help,
 * handler, and what each word after the name is (a target, a connection
 * string, a setting, a count, one of a few words, free SQL), which
 * completion, history masking, help and argument checks read. Also the
 * dispatch of a line and the reports the commands print.
 */
#include "shell_priv.h"
#include "burst.h"
#include "holders.h"
#include "settings.h"
#include "signals.h"
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define SHELL_PING_DEFAULT 5
#define SHELL_PING_MAX	   100000
#define SHELL_ERRORS_SHOWN 20

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
	const char *args;  /* usage after the name; NULL: built from the arguments' kinds */
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
static void shell_print_incident(const struct target_incident *inc);

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
	{SHELL_CMD("pooler", "pools", "",
	 "PgBouncer's view: mode, clients against max_client_conn, pools, holders",
	 shell_cmd_pooler, 0, 0)},
	{SHELL_CMD("clients", NULL, "",
	 "the pooler's clients joined to their server connections and backends",
	 shell_cmd_clients, 0, 0)},
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
	{SHELL_CMD("set", NULL, NULL,
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

static const struct shell_command *shell_find_command(const char *name)
{
	for (size_t i = 0; i < SHELL_NCOMMANDS; i++)
		if (strcmp(shell_commands[i].name, name) == 0 ||
		    (shell_commands[i].alias && strcmp(shell_commands[i].alias, name) == 0))
			return &shell_commands[i];
	return NULL;
}

/* The usage after the name: the row's, or for a setting the settings' names and VALUE. */
static const char *shell_args_text(const struct shell_command *c)
{
	static char buf[200];
	size_t n, len = 0;
	const struct settings_entry *all = settings_table(&n);

	if (c->args)
		return c->args;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (all[i].set)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
						len ? "|" : "", all[i].name);
	snprintf(buf + len, sizeof(buf) - len, " VALUE");
	return buf;
}

static int shell_usage(const struct shell_command *c)
{
	const char *args = shell_args_text(c);

	shell_error("usage: %s%s%s\n", c->name, args[0] ? " " : "", args);
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

char *shell_mask_line(const char *line)
{
	return shell_words_mask(line, shell_masked_from);
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

static void shell_print_tls_line(const struct target *t, const struct tls_info *tls)
{
	if (!tls->in_use) {
		shell_field("tls", "none (sslmode %s)",
			    t->dsn.sslmode ? shell_show(t->dsn.sslmode) : "prefer");
		return;
	}
	char days[40];

	if (tls->have_cert)
		shell_field("tls", "%s %s (%d bits); certificate %s, expires %s (%s)",
			    shell_show(tls->protocol), shell_show(tls->cipher), tls->bits,
			    shell_show(tls->subject), shell_show(tls->not_after),
			    util_fmt_days_left(tls->days_left, days, sizeof(days)));
	else
		shell_field("tls", "%s %s (%d bits)", shell_show(tls->protocol),
			    shell_show(tls->cipher), tls->bits);
}

static void shell_print_slots_line(const struct inspect_info *in)
{
	int usable = inspect_usable_slots(in);
	char states[200] = "", left[32];
	size_t n = 0;

	for (int s = 0; s < INSPECT_STATE_COUNT; s++)
		if (in->by_state[s] && n < sizeof(states))
			n += (size_t)snprintf(states + n, sizeof(states) - n, "%s%s %d",
					      n ? ", " : "", inspect_state_name(s),
					      in->by_state[s]);
	if (usable >= 0)
		shell_field("slots",
			    "%d of %d usable in use, %s (max_connections %d, %d reserved)%s%s",
			    in->in_use, usable, inspect_slots_left_text(in, left, sizeof(left)),
			    in->max_connections, in->reserved, n ? "; " : "", states);
	else
		shell_field("slots", "%d in use%s%s", in->in_use, n ? "; " : "", states);
}

static void shell_print_check(struct shell *sh, const struct target *t,
			      const struct probe_result *r, enum report_status st, const char *why)
{
	char ms[32], version[32], pid[16];

	printf("%s - ", report_status_name(st));
	if (!r->ok) {
		printf("%s\n", shell_show(why));
	} else {
		report_short_version(r->server_version, version, sizeof(version));
		printf("connected in %s (PostgreSQL %s, %s)",
		       util_fmt_ms(r->phase_ms[PROBE_TOTAL], ms, sizeof(ms)), shell_show(version),
		       r->tls.in_use ? shell_show(r->tls.protocol) : "no TLS");
		if (st != REPORT_OK && why[0])
			printf(": %s", shell_show(why));
		putchar('\n');
	}
	shell_field("target", "%s", shell_show(t->dsn.display));
	if (r->used_addr[0])
		shell_field("address", "%s", shell_show(r->used_addr));
	shell_print_phases(r);
	if (!r->ok) {
		shell_print_failure(r);
		return;
	}
	shell_field("server", "PostgreSQL %s, %s, backend pid %s", shell_show(r->server_version),
		    r->in_recovery < 0 ? "role unknown"
		    : r->in_recovery   ? "standby (in recovery)"
				       : "primary",
		    probe_pid_text(r->backend_pid, pid, sizeof(pid)));
	shell_print_tls_line(t, &r->tls);
	if (!r->inspected) {
		if (r->inspect.error[0])
			shell_field("inspect", "%s", shell_show(r->inspect.error));
		return;
	}
	shell_print_slots_line(&r->inspect);
	{
		char culprit[300];

		if (shell_slots_culprit(sh, t, &r->inspect, culprit, sizeof(culprit)))
			shell_field("culprit", "%s", shell_show(culprit));
	}
	for (int i = 0; i < r->inspect.nsettings; i++) {
		const struct inspect_setting *set = &r->inspect.settings[i];

		shell_field(i ? "" : "settings", "%s %s (%s)", shell_show(set->name),
			    shell_show(set->value), shell_show(set->source));
	}
	(void)sh;
}

/* psql's aligned format: centred headers, numbers to the right. */
static void shell_print_table(const struct probe_table *t)
{
	bool utf8 = text_locale_utf8();
	size_t ncells = (size_t)t->nrows * (size_t)t->ncols;
	int *width, *numeric;
	char **names, **cells; /* terminal forms of the server's names and values */

	if (t->ncols == 0) {
		printf("%s\n", shell_show(t->command));
		return;
	}
	width = util_xcalloc((size_t)t->ncols, sizeof(int));
	numeric = util_xcalloc((size_t)t->ncols, sizeof(int));
	names = util_xcalloc((size_t)t->ncols, sizeof(char *));
	cells = util_xcalloc(ncells + 1, sizeof(char *));
	for (int c = 0; c < t->ncols; c++)
		names[c] = text_terminal_dup(t->names[c], utf8);
	for (size_t i = 0; i < ncells; i++)
		cells[i] = t->cells[i] ? text_terminal_dup(t->cells[i], utf8) : NULL;
	for (int c = 0; c < t->ncols; c++) {
		bool any = false, all = true;

		width[c] = text_width(names[c]);
		for (int r = 0; r < t->nrows; r++) {
			const char *v = cells[r * t->ncols + c];
			char *end;

			if (v == NULL)
				continue;
			if (text_width(v) > width[c])
				width[c] = text_width(v);
			any = true;
			strtod(v, &end);
			if (end == v || *end != '\0' || isspace((unsigned char)v[0]))
				all = false;
		}
		numeric[c] = any && all;
	}
	for (int c = 0; c < t->ncols; c++) {
		int left = (width[c] - text_width(names[c])) / 2;

		printf("%s%*s", c ? "| " : " ", left, "");
		if (c + 1 < t->ncols) {
			shell_pad(names[c], width[c] - left, false);
			putchar(' ');
		} else {
			printf("%s\n", names[c]);
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
			const char *v = cells[r * t->ncols + c];
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
	for (int c = 0; c < t->ncols; c++)
		free(names[c]);
	for (size_t i = 0; i < ncells; i++)
		free(cells[i]);
	free(names);
	free(cells);
	free(width);
	free(numeric);
}

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
				printf("added target %s (targets lists them)\n",
				       shell_show(t->dsn.name));
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
			printf(" (%s)", shell_show(r->error.sqlstate));
		printf(" in %s after %s: %s\n", probe_phase_name(r->failed_phase),
		       util_fmt_ms(r->phase_ms[PROBE_TOTAL], ms, sizeof(ms)),
		       shell_show(r->error.message));
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
	printf("PING %s (%s): %ld probe%s, one every %s\n", shell_show(t->dsn.name),
	       shell_show(t->dsn.display), n, n == 1 ? "" : "s",
	       util_fmt_ms(interval, ms, sizeof(ms)));
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
	sum->dsn.display = NULL; /* borrowed: not ours to free */
	target_free(sum);
	free(sum);
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
	shell_field("server", "PostgreSQL %s", shell_show(r->server_version));
	shell_field("number", "%d", r->server_version_num);
	shell_field("role", "%s",
		    r->in_recovery < 0 ? "unknown"
		    : r->in_recovery   ? "standby (in recovery)"
				       : "primary (not in recovery)");
	shell_field("backend", "pid %s via %s", probe_pid_text(r->backend_pid, pid, sizeof(pid)),
		    shell_show(r->used_addr));
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
		printf("settings unknown: %s\n", shell_show(r->inspect.error));
		return APP_EXIT_USAGE;
	}
	printf("%-38s %-10s %s\n", "setting", "value", "source");
	for (int i = 0; i < r->inspect.nsettings; i++)
		printf("%-38s %-10s %s\n", shell_show(r->inspect.settings[i].name),
		       shell_show(r->inspect.settings[i].value),
		       shell_show(r->inspect.settings[i].source));
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
	if (st != APP_EXIT_OK) {
		shell_slots_elsewhere(sh, t);
		return st;
	}
	if (!r->inspected) {
		printf("slots unknown: %s\n", shell_show(in->error));
		return APP_EXIT_USAGE;
	}
	shell_print_slots_line(in);
	if (in->idle_in_xact)
		shell_field("idle-xact", "%d idle in transaction, the longest for %.0f s",
			    in->idle_in_xact, in->longest_idle_xact_s);
	/* Behind PgBouncer the server's oldest is the pooler's connection, not the app's. */
	if (!shell_slots_oldest_pooler(sh, t) && in->oldest_connection_s > 0)
		shell_field("oldest", "%.0f s (%s)%s", in->oldest_connection_s,
			    in->oldest_application[0] ? shell_show(in->oldest_application)
						      : "no application_name",
			    t->behind_pooler ? ": a server connection, which behind a pooler "
					       "outlives the app's sessions"
					     : "");
	shell_slots_supavisor(sh, t, in);
	printf("\n%-20s %-12s %-16s %5s %6s %5s %7s %8s %9s\n", "application", "user", "client",
	       "count", "active", "idle", "in-xact", "idle>10m", "oldest");
	for (int i = 0; i < in->nholders; i++) {
		const struct inspect_holder *h = &in->holders[i];

		printf("%-20s %-12s %-16s %5d %6d %5d %7d %8d %8.0fs\n",
		       h->application_name[0] ? shell_show(h->application_name) : "-",
		       h->usename[0] ? shell_show(h->usename) : "-", shell_show(h->client_addr),
		       h->count, h->active, h->idle, h->idle_in_transaction, h->idle_over_10min,
		       h->oldest_s);
	}
	if (shell_slots_culprit(sh, t, in, culprit, sizeof(culprit)))
		printf("\nculprit: %s\n", shell_show(culprit));
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
	shell_field("sslmode", "%s",
		    t->dsn.sslmode ? shell_show(t->dsn.sslmode) : "prefer (libpq default)");
	if (!tls->in_use) {
		shell_field("tls", "not in use: the connection is not encrypted");
		return APP_EXIT_OK;
	}
	shell_field("protocol", "%s", shell_show(tls->protocol));
	shell_field("cipher", "%s (%d bits)", shell_show(tls->cipher), tls->bits);
	if (!tls->have_cert) {
		shell_field("cert", "none seen");
		return APP_EXIT_OK;
	}
	shell_field("subject", "%s", shell_show(tls->subject));
	shell_field("issuer", "%s", shell_show(tls->issuer));
	shell_field("expires", "%s (%s)", shell_show(tls->not_after),
		    util_fmt_days_left(tls->days_left, days, sizeof(days)));
	return APP_EXIT_OK;
}

static bool shell_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static int shell_cmd_errors(struct shell *sh, const struct shell_words *w)
{
	struct target *t = shell_current(sh);
	const struct probe_event *shown[SHELL_ERRORS_SHOWN];
	int n = 0, before_reset = 0;
	uint64_t failed = 0;
	char ts[40], since[80] = "";

	(void)w;
	for (unsigned i = 0; n < SHELL_ERRORS_SHOWN; i++) {
		const struct probe_event *ev = target_event(t, i);

		if (ev == NULL)
			break;
		if (ev->kind != PROBE_EV_ERROR && ev->kind != PROBE_EV_TIMEOUT)
			continue;
		/* after the dashboard's r, the counts start again: so does the list */
		if (t->stats_reset && shell_before(&ev->wall, &t->stats_since))
			before_reset++;
		else
			shown[n++] = ev;
	}
	for (int c = 1; c < CLASS_COUNT; c++)
		failed += t->failures[c];
	if (t->stats_reset) {
		util_rfc3339(&t->stats_since, ts, sizeof(ts));
		snprintf(since, sizeof(since), " since the reset at %s", ts);
	}
	printf("%s (%s): %llu probe%s, %llu failed%s\n", shell_show(t->dsn.name),
	       shell_show(t->dsn.display),
	       (unsigned long long)t->probes, t->probes == 1 ? "" : "s", (unsigned long long)failed,
	       since);
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
		printf("%s seq=%llu %s\n", ts, (unsigned long long)shown[i]->seq,
		       shell_show(shown[i]->detail));
	}
	if (t->ninc)
		printf("\nmax_clients incidents (%llu in all):\n",
		       (unsigned long long)t->incidents_total);
	for (unsigned i = 0; i < t->ninc; i++)
		shell_print_incident(&t->incidents[i]);
	if (before_reset)
		printf("\n%d earlier failure%s, before the reset, not listed (the dashboard's "
		       "events view, e, keeps them)\n",
		       before_reset, before_reset == 1 ? "" : "s");
	if (!failed && !n && !t->ninc && !before_reset)
		printf("no failures recorded since %s\n",
		       t->stats_reset ? "the reset" : "pgpulse started");
	return APP_EXIT_OK;
}

/*
 * One incident: its start, its end as a range (back-off delays the probe
 * that sees recovery), what it was, and who held what it needed.
 */
static void shell_print_incident(const struct target_incident *inc)
{
	const char *limit = classify_limit_name(inc->limit);
	char ts[40], span[120];

	util_rfc3339(&inc->start, ts, sizeof(ts));
	report_incident_span(inc, util_now_ms(), span, sizeof(span));
	printf("%s -> %s: %llu probe%s failed%s%s, %s%s%s\n", ts, span,
	       (unsigned long long)inc->probes_failed, inc->probes_failed == 1 ? "" : "s",
	       limit ? ", limit " : "", limit ? limit : "", shell_show(inc->sqlstate),
	       inc->sqlstate[0] ? " " : "", shell_show(inc->message));
	if (inc->culprit[0])
		printf("  culprit: %s\n", shell_show(inc->culprit));
	else if (inc->end.tv_sec == 0)
		printf("  culprit: unknown: %s\n", TARGET_NO_CULPRIT_ADVICE);
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
				shell_safe(w->argv[2]));
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
		printf("added %s: %s (target use %s to make it current)\n", shell_show(t->dsn.name),
		       shell_show(t->dsn.display), shell_show(t->dsn.name));
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
		printf("using %s: %s\n", shell_show(t->dsn.name), shell_show(t->dsn.display));
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

		printf("%c %d %-20s %-10s %s\n", i == sh->current ? '*' : ' ', i + 1,
		       shell_show(t->dsn.name), shell_health_text(sh, t),
		       shell_show(t->dsn.display));
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
	printf("%-14s %s (%s)\n", "target", shell_show(t->dsn.name), shell_show(t->dsn.display));
	for (size_t i = 0; i < n; i++) {
		if (!all[i].set)
			continue;
		all[i].show(sh->s, value, sizeof(value));
		printf("%-14s %-26s %s\n", all[i].name, value, all[i].help);
	}
	return APP_EXIT_OK;
}

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
			 n == 1 ? "" : "s", shell_show(t->dsn.display));
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
				 shell_args_text(c)[0] ? " " : "", shell_args_text(c),
				 c->alias ? " (" : "", c->alias ? c->alias : "",
				 c->alias ? ")" : "");
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
	printf("usage: %s%s%s\n%s\n", c->name, shell_args_text(c)[0] ? " " : "", shell_args_text(c),
	       c->help);
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
void shell_execute(struct shell *sh, const char *line)
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
void shell_execute_lines(struct shell *sh, const char *text)
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

/* Each of the space-separated words (kept: readline copies the matches later). */
static void shell_candidate_choices(const char *choices, void (*add)(const char *))
{
	static char buf[256];
	size_t used = 0;

	for (const char *p = choices; p && *p; p += strspn(p, " ")) {
		size_t n = strcspn(p, " ");

		if (used + n + 1 > sizeof(buf))
			break;
		memcpy(buf + used, p, n);
		buf[used + n] = '\0';
		add(buf + used);
		used += n + 1;
		p += n;
	}
}

void shell_candidates_for(struct sched *s, const struct shell_words *w, void (*add)(const char *))
{
	const struct shell_command *c;
	struct shell_arg arg = { SHELL_ARG_NONE, NULL, 0, 0 };
	enum shell_arg_kind kind;
	size_t nsettings;
	const struct settings_entry *settings = settings_table(&nsettings), *set;
	int word = w->argc;

	c = word > 0 ? shell_find_command(w->argv[0]) : NULL;
	kind = word == 0 ? SHELL_ARG_COMMAND
	       : c	 ? (arg = shell_arg_of(c, w->argc, w->argv, word)).kind
			 : SHELL_ARG_NONE;
	switch (kind) {
	case SHELL_ARG_COMMAND:
		for (size_t i = 0; i < SHELL_NCOMMANDS; i++) {
			add(shell_commands[i].name);
			if (shell_commands[i].alias)
				add(shell_commands[i].alias);
		}
		break;
	case SHELL_ARG_TARGET:
	case SHELL_ARG_NAME:
		for (int i = 0; s && i < sched_ntargets(s); i++)
			add(sched_target(s, i)->dsn.name);
		break;
	case SHELL_ARG_WORD: shell_candidate_choices(arg.choices, add); break;
	case SHELL_ARG_SETTING:
		for (size_t i = 0; i < nsettings; i++)
			if (settings[i].set)
				add(settings[i].name);
		break;
	case SHELL_ARG_VALUE:
		set = settings_find(w->argv[word - 1], true);
		if (set)
			shell_candidate_choices(set->choices, add);
		break;
	default: break;
	}
}
