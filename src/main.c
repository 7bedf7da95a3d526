/*
 * main: parses the command line, builds the targets and hands them to one
 * front-end from the command table. Usage errors exit 3 with a message
 * that says what is wrong and what to do.
 */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "askpass.h"
#include "burst.h"
#include "check.h"
#include "dashboard.h"
#include "names.h"
#include "serve.h"
#include "settings.h"
#include "shell.h"
#include "signals.h"
#include "util.h"

/* The front-ends main chains: each returns the next (app.h). */
static const app_frontend main_frontends[APP_NEXT_COUNT] = {
	[APP_NEXT_DASHBOARD] = dashboard_run, [APP_NEXT_WATCH] = watch_run,
	[APP_NEXT_CHECK] = check_run,	      [APP_NEXT_SHELL] = shell_run,
	[APP_NEXT_BURST] = burst_run,	      [APP_NEXT_PROMPT] = shell_prompt,
	[APP_NEXT_SERVE] = serve_run,
};

/* The commands, as bits: an option says which of them it applies to. */
enum main_command_bit {
	CMD_DASHBOARD = 1 << 0,
	CMD_CHECK = 1 << 1,
	CMD_WATCH = 1 << 2,
	CMD_SHELL = 1 << 3,
	CMD_BURST = 1 << 4,
	CMD_SERVE = 1 << 5,
	CMD_ALL = CMD_DASHBOARD | CMD_CHECK | CMD_WATCH | CMD_SHELL | CMD_BURST | CMD_SERVE,
	/* those that probe on and on */
	CMD_PROBING = CMD_DASHBOARD | CMD_WATCH | CMD_SHELL | CMD_SERVE,
};

/* The commands; "dashboard" is what runs without a command word. */
struct main_command {
	const char *name;
	unsigned bit;
	enum app_next first; /* the front-end it starts */
	int max_targets;     /* 0: any number */
	const char *usage;   /* for --help: the synopsis and what it does */
	const char *summary;
};

/* clang-format off */
static const struct main_command main_commands[] = {
	{ "dashboard", CMD_DASHBOARD, APP_NEXT_DASHBOARD, 0,
	  "pgpulse [OPTION]... [TARGET]...", "live dashboard (needs a terminal)" },
	{ "check", CMD_CHECK, APP_NEXT_CHECK, 0,
	  "pgpulse check [OPTION]... [TARGET]...", "one health check per target, Nagios-style; exit 0/1/2/3" },
	{ "watch", CMD_WATCH, APP_NEXT_WATCH, 0,
	  "pgpulse watch [OPTION]... [TARGET]...", "one record per probe, for pipes and files" },
	{ "shell", CMD_SHELL, APP_NEXT_SHELL, 0,
	  "pgpulse shell [OPTION]... [TARGET]...", "prompt for ad-hoc checks (-c \"cmd; cmd\")" },
	{ "burst", CMD_BURST, APP_NEXT_BURST, 1,
	  "pgpulse burst -n N [OPTION]... [TARGET]", "headroom probe: open up to N connections at once" },
	{ "serve", CMD_SERVE, APP_NEXT_SERVE, 0,
	  "pgpulse serve [OPTION]... [TARGET]...", "Prometheus exporter: /metrics, /probe?target=NAME" },
};
/* clang-format on */

#define MAIN_NCOMMANDS (sizeof(main_commands) / sizeof(main_commands[0]))

enum main_long_only {
	OPT_JSON = 1000,
	OPT_FORMAT,
	OPT_COUNT,
	OPT_QUERY,
	OPT_QUERY_TIMEOUT,
	OPT_NO_COLOR,
	OPT_NO_BACKOFF,
	OPT_INSPECT_EVERY,
	OPT_HOLD,
	OPT_HELP,
	OPT_LISTEN, /* serve */
	OPT_POOLER_ADMIN,
	OPT_NO_POOLER_ADMIN,
};

/*
 * Every option, and the commands it applies to. A short option's letter is
 * its code; the getopt string of each command is built from this table.
 * Options named like a setting (settings.h) are parsed by its row.
 */
struct main_option {
	const char *name;
	int has_arg;
	int code;
	unsigned commands; /* 0: every command (help, version) */
};

/* clang-format off */
static const struct main_option main_options[] = {
	{ "host", required_argument, 'h', CMD_ALL },
	{ "port", required_argument, 'p', CMD_ALL },
	{ "username", required_argument, 'U', CMD_ALL },
	{ "dbname", required_argument, 'd', CMD_ALL },
	{ "password", no_argument, 'W', CMD_ALL },
	{ "interval", required_argument, 'i', CMD_PROBING },
	{ "timeout", required_argument, 't', CMD_ALL },
	{ "warning", required_argument, 'w', CMD_CHECK },
	/* -c: check's --critical, shell's --command (getopt takes either long name) */
	{ "critical", required_argument, 'c', CMD_CHECK },
	{ "command", required_argument, 'c', CMD_SHELL },
	{ "connections", required_argument, 'n', CMD_BURST },
	{ "yes", no_argument, 'y', CMD_BURST },
	{ "json", no_argument, OPT_JSON, CMD_CHECK | CMD_BURST },
	{ "format", required_argument, OPT_FORMAT, CMD_WATCH },
	{ "count", required_argument, OPT_COUNT, CMD_WATCH },
	{ "query", required_argument, OPT_QUERY, CMD_ALL & ~CMD_BURST },
	{ "query-timeout", required_argument, OPT_QUERY_TIMEOUT, CMD_ALL },
	{ "inspect-every", required_argument, OPT_INSPECT_EVERY, CMD_PROBING },
	{ "no-color", no_argument, OPT_NO_COLOR, CMD_ALL & ~CMD_SERVE },
	{ "listen", required_argument, OPT_LISTEN, CMD_SERVE },
	{ "no-backoff", no_argument, OPT_NO_BACKOFF, CMD_PROBING },
	{ "pooler-admin", required_argument, OPT_POOLER_ADMIN, CMD_ALL & ~CMD_BURST },
	{ "no-pooler-admin", no_argument, OPT_NO_POOLER_ADMIN, CMD_ALL & ~CMD_BURST },
	{ "hold", required_argument, OPT_HOLD, CMD_BURST },
	{ "help", no_argument, OPT_HELP, 0 },
	{ "version", no_argument, 'V', 0 },
};
/* clang-format on */

#define MAIN_NOPTIONS (sizeof(main_options) / sizeof(main_options[0]))

/* getopt's views of the table: the long options, and cmd's short ones. */
static void main_getopt_tables(const struct main_command *cmd, struct option *lo, char *shorts,
			       size_t shorts_len)
{
	size_t n = 0;

	for (size_t i = 0; i < MAIN_NOPTIONS; i++) {
		const struct main_option *m = &main_options[i];

		lo[i] = (struct option){ m->name, m->has_arg, NULL, m->code };
		if (m->code >= 256 || (m->commands && !(m->commands & cmd->bit)) ||
		    memchr(shorts, m->code, n) || n + 3 >= shorts_len)
			continue;
		shorts[n++] = (char)m->code;
		if (m->has_arg == required_argument)
			shorts[n++] = ':';
	}
	lo[MAIN_NOPTIONS] = (struct option){ NULL, 0, NULL, 0 };
	shorts[n++] = '?';
	shorts[n] = '\0';
}

/* The help's widest line, where the prompt's command list wraps. */
#define MAIN_HELP_WIDTH 80

/* The prompt's commands from its table, wrapped as the help's widest lines. */
static void main_help_prompt_commands(void)
{
	const char *indent = "                           ";
	int col = printf("%scommands:", indent);

	for (size_t i = 0; shell_command_name(i); i++) {
		const char *name = shell_command_name(i);

		if (col + 1 + (int)strlen(name) > MAIN_HELP_WIDTH) {
			printf("\n%.*s", (int)strlen(indent) - 1, indent);
			col = (int)strlen(indent) - 1;
		}
		col += printf(" %s", name);
	}
	putchar('\n');
}

static void main_help(void)
{
	printf("pgpulse watches PostgreSQL connection health the way a NullPool app connects:\n"
	       "a fresh connection per check, timed phase by phase, always closed.\n"
	       "\n"
	       "Usage:\n");
	for (size_t i = 0; i < MAIN_NCOMMANDS; i++)
		printf("  %s\n        %s\n", main_commands[i].usage, main_commands[i].summary);
	printf("\n"
	       "TARGET is a libpq conninfo string or URI; postgresql+driver:// (SQLAlchemy) and\n"
	       "jdbc:postgresql:// URLs are accepted (driver-only parameters dropped, with a\n"
	       "note).\n"
	       "Without one: $DATABASE_URL, else libpq's PG* environment (a note says what\n"
	       "that resolves to).\n"
	       "NAME=TARGET names a target; service=NAME targets are named after the service.\n"
	       "\n"
	       "Connection options (psql-style, applied to every target):\n"
	       "  -h, --host=HOST          server host or socket directory\n"
	       "  -p, --port=PORT          server port\n"
	       "  -U, --username=USER      user name\n"
	       "  -d, --dbname=DBNAME      database name\n"
	       "  -W, --password           ask for the password (on the terminal, not echoed)\n"
	       "                           for every target that carries none\n"
	       "\n"
	       "Probing:\n"
	       "  -i, --interval=SECONDS   time between probe starts per target (default 1)\n"
	       "  -t, --timeout=SECONDS    connect deadline when the target sets no\n"
	       "                           connect_timeout (default 10)\n"
	       "      --query-timeout=SECONDS  deadline for the check query, then cancelled\n"
	       "                               on the server (default 5)\n"
	       "      --query=SQL          check query (default SELECT 1)\n"
	       "      --inspect-every=SECONDS  read settings and slots at most this often\n"
	       "                           (default 5; 0 every probe; -1 never; check always\n"
	       "                           does)\n"
	       "      --no-backoff         keep the interval while a target answers max_clients\n"
	       "      --pooler-admin=CONNINFO  read PgBouncer's admin console with these\n"
	       "                           credentials (default: the target's own; host as IP)\n"
	       "      --no-pooler-admin    never read a PgBouncer's admin console\n"
	       "\n"
	       "check:\n"
	       "  -w, --warning=LIST       warning thresholds: MS, or total=MS,slots=PCT%%,\n"
	       "                           slots=LEFT,cert=DAYS (default slots=80%%,cert=14)\n"
	       "  -c, --critical=LIST      critical thresholds (default slots=95%%,cert=3)\n"
	       "      --json               print one JSON object instead of the Nagios line\n"
	       "\n"
	       "watch:\n"
	       "      --format=FORMAT      text (default), jsonl or csv\n"
	       "      --count=N            stop after N probes per target (default: until\n"
	       "                           Ctrl-C)\n"
	       "\n"
	       "shell:\n"
	       "  -c, --command=\"CMD; CMD\" run these commands and exit with the worst status\n");
	main_help_prompt_commands();
	printf("\n"
	       "burst:\n"
	       "  -n, --connections=N      open up to N connections at once (required)\n"
	       "      --hold=SECONDS       hold them this long before closing (default 1)\n"
	       "  -y, --yes                do not ask for confirmation\n"
	       "      --json               print one JSON object\n"
	       "\n"
	       "serve:\n"
	       "      --listen=ADDR:PORT   HTTP address (default " SERVE_DEFAULT_LISTEN "); "
	       "without a\n"
	       "                           TARGET, every service of libpq's service file\n"
	       "\n"
	       "Other:\n"
	       "      --no-color           no colours (also when NO_COLOR is set)\n"
	       "  -V, --version            print the version and exit\n"
	       "  -?, --help               print this help and exit (also: pgpulse help\n"
	       "                           COMMAND)\n"
	       "\n"
	       "Dashboard keys: q quit, p pause, +/- interval, r reset, Tab/arrows switch\n"
	       "target, Enter open, Esc back, e events, : prompt, ? help.\n"
	       "\n"
	       "Exit status: 0 ok, 1 warning, 2 critical (no connection, or a critical\n"
	       "threshold), 3 unknown or usage error.\n"
	       "Passwords are never printed: targets are shown as postgresql://user:***@host/db.\n"
	       "See pgpulse(1) for the dashboard's keys, the shell's commands and the JSON\n"
	       "format.\n");
}

static int main_usage_error(const char *fmt, const char *arg)
{
	fputs("pgpulse: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'pgpulse --help' for more information.\n", stderr);
	return APP_EXIT_USAGE;
}

/* The closest command to a mistyped word, or NULL (skips "dashboard"). */
static const char *main_near_command(const char *word)
{
	const char *best = NULL;
	int best_d = 3;

	for (size_t i = 1; i < MAIN_NCOMMANDS; i++) {
		int d = util_edit_distance(word, main_commands[i].name);

		if (d < best_d)
			best = main_commands[i].name, best_d = d;
	}
	return best;
}

static const struct main_command *main_find_command(const char *name)
{
	for (size_t i = 0; i < MAIN_NCOMMANDS; i++)
		if (strcmp(main_commands[i].name, name) == 0)
			return &main_commands[i];
	return NULL;
}

/*
 * "pgpulse help COMMAND": the command's synopsis and the options it accepts,
 * from the same tables getopt reads, so it cannot list one it refuses.
 */
static int main_help_command(const char *name)
{
	const struct main_command *cmd = main_find_command(name);
	char err[200];

	if (cmd == NULL) {
		const char *near = main_near_command(name);

		snprintf(err, sizeof(err),
			 "no command '%.40s'%s%s%s: commands are dashboard, check, watch, shell, "
			 "burst and serve",
			 name, near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
		return main_usage_error("%s", err);
	}
	printf("Usage: %s\n  %s\n\nOptions:\n", cmd->usage, cmd->summary);
	for (size_t i = 0; i < MAIN_NOPTIONS; i++) {
		const struct main_option *m = &main_options[i];
		const char *arg = m->has_arg == required_argument ? "=VALUE" : "";

		if (m->commands && !(m->commands & cmd->bit))
			continue;
		if (m->code < 256)
			printf("  -%c, --%s%s\n", m->code, m->name, arg);
		else
			printf("      --%s%s\n", m->name, arg);
	}
	if (cmd->bit == CMD_SHELL) {
		printf("\nAt the prompt ('help COMMAND' there says more):\n");
		main_help_prompt_commands();
	}
	printf("\n'pgpulse --help' says what each option does; pgpulse(1) says more.\n");
	return APP_EXIT_OK;
}


/* --format's words. */
static bool main_format(const char *arg, enum report_format *format)
{
	static const struct {
		const char *name;
		enum report_format format;
	} formats[] = {
		{ "text", REPORT_TEXT },
		{ "jsonl", REPORT_JSONL },
		{ "json", REPORT_JSONL },
		{ "csv", REPORT_CSV },
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].name, arg) == 0) {
			*format = formats[i].format;
			return true;
		}
	return false;
}

/* The setting an option stands for (its long name is the setting's); NULL: none. */
static const struct settings_entry *main_setting(int code)
{
	for (size_t i = 0; i < MAIN_NOPTIONS; i++)
		if (main_options[i].code == code) {
			const struct settings_entry *e = settings_find(main_options[i].name, false);

			return e && e->cli ? e : NULL;
		}
	return NULL;
}

static char main_threshold_error[300];
static bool main_ask_password; /* -W */

/* Parses one option; returns -1 when fine, else an exit code. */
static int main_option(const struct main_command *cmd, int c, const char *arg,
		       struct app_options *o)
{
	const struct settings_entry *set = main_setting(c);
	char err[300];
	char *end;
	long n;

	/* Options that are settings: their row parses them. */
	if (set && !set->cli(set, &o->sched, arg))
		return main_usage_error(set->cli_error, arg);
	if (set)
		return -1;
	switch (c) {
	case 'h': o->overrides.host = arg; break;
	case 'p': o->overrides.port = arg; break;
	case 'U': o->overrides.user = arg; break;
	case 'd': o->overrides.dbname = arg; break;
	case 'W': main_ask_password = true; break;
	case 'w':
	case 'c':
		if (cmd->bit == CMD_SHELL && c == 'c') {
			o->shell_commands = arg;
			break;
		}
		/* reported after all options: check answers UNKNOWN, --json or not */
		if (!report_thresholds_parse(&o->thresholds, c == 'c', arg, err, sizeof(err)))
			util_strlcpy(main_threshold_error, err, sizeof(main_threshold_error));
		break;
	case 'n':
		n = strtol(arg, &end, 10);
		if (end == arg || *end || n < 1 || n > 10000)
			return main_usage_error(
				"bad -n '%s': give the number of connections, 1 to 10000", arg);
		o->burst_n = (int)n;
		break;
	case 'y': o->yes = true; break;
	case OPT_HOLD:
		if (!settings_seconds(arg, 0, 86400, &o->burst_hold_ms))
			return main_usage_error("bad --hold '%s': give seconds", arg);
		break;
	case OPT_JSON: o->json = true; break;
	case OPT_FORMAT:
		if (!main_format(arg, &o->format))
			return main_usage_error("bad --format '%s': use text, jsonl or csv", arg);
		break;
	case OPT_COUNT:
		n = strtol(arg, &end, 10);
		if (end == arg || *end || n < 1)
			return main_usage_error("bad --count '%s': give a whole number, 1 or more",
						arg);
		o->sched.count = (uint64_t)n;
		break;
	case OPT_NO_COLOR: o->color = false; break;
	case OPT_NO_BACKOFF: o->sched.backoff = false; break;
	case OPT_LISTEN: o->listen = arg; break;
	case OPT_POOLER_ADMIN: o->sched.pooler_admin = arg; break;
	case OPT_NO_POOLER_ADMIN: o->sched.pooler_every_ms = -1; break;
	case 'V': printf("pgpulse %s\n", PACKAGE_VERSION); return APP_EXIT_OK;
	case OPT_HELP: main_help(); return APP_EXIT_OK;
	default: return APP_EXIT_USAGE;
	}
	return -1;
}

/* Is this option (short letter or long code) one the command accepts? */
static bool main_option_allowed(const struct main_command *cmd, int c)
{
	if (c == '?')
		return true;
	for (size_t i = 0; i < MAIN_NOPTIONS; i++)
		if (main_options[i].code == c &&
		    (main_options[i].commands == 0 || (main_options[i].commands & cmd->bit)))
			return true;
	return false;
}

/* "-t" or "--query-timeout": what the user typed, not its value. */
static const char *main_option_name(int c)
{
	static char buf[40];

	if (c < 256) {
		snprintf(buf, sizeof(buf), "-%c", c);
		return buf;
	}
	for (size_t i = 0; i < MAIN_NOPTIONS; i++)
		if (main_options[i].code == c) {
			snprintf(buf, sizeof(buf), "--%s", main_options[i].name);
			return buf;
		}
	return "?";
}

/*
 * A target has "=" (conninfo) or "://" (URI). A bare word is a mistyped
 * command far more often than a target: say so rather than "cannot parse".
 */
static bool main_looks_like_target(const char *arg, char *err, size_t errlen)
{
	const char *best;

	if (strchr(arg, '=') || strstr(arg, "://"))
		return true;
	best = main_near_command(arg);
	snprintf(err, errlen,
		 "'%.40s' is neither a command nor a target%s%s%s: commands are check, watch, "
		 "shell, burst, serve and help; a target looks like 'host=db dbname=app' or "
		 "'postgresql://user@host:5432/db'",
		 arg, best ? " (did you mean " : "", best ? best : "", best ? "?)" : "");
	return false;
}

/* check's answer to a usage error, in the format the monitoring expects. */
static void main_check_unknown(const struct app_options *o, const char *why)
{
	if (o->json) {
		/* A failure before any phase: the error object every failure has. */
		struct probe_result *r = util_xcalloc(1, sizeof(*r));
		json_t *j;

		r->failed_phase = PROBE_PHASE_COUNT;
		r->error.cls = CLASS_OTHER;
		r->error.advice = "fix the target or the options (pgpulse --help)";
		util_strlcpy(r->error.message, why, sizeof(r->error.message));
		j = json_pack("{s:s, s:n, s:n, s:o}", "status", "unknown", "target", "phases_ms",
			      "error", report_error_json(r));
		report_print_json(stdout, j);
		json_decref(j);
		free(r);
	} else {
		printf("PGPULSE UNKNOWN - %s\n", why);
	}
}

/*
 * The targets were parsed; blank their passwords in argv so that ps and
 * /proc/PID/cmdline no longer show them (as mysql and others do).
 */
static void main_scrub_passwords(struct app_options *o, char **commands_copy)
{
	/* shell -c's text: the shell gets a copy, ps the masked original. */
	if (o->shell_commands) {
		char *orig = (char *)o->shell_commands;
		char *masked = shell_mask_line(orig);

		*commands_copy = util_xstrdup(orig);
		o->shell_commands = *commands_copy;
		dsn_blank_in_place(orig, masked);
		free(masked);
	}
	/* --pooler-admin: the scheduler keeps its own copy */
	if (o->sched.pooler_admin) {
		char *masked = dsn_mask_password(o->sched.pooler_admin);

		dsn_blank_in_place((char *)o->sched.pooler_admin, masked);
		free(masked);
	}
	for (int i = 0; i < o->ntargets; i++) {
		char *masked = dsn_mask_password(o->targets[i]);

		dsn_blank_in_place(o->targets[i], masked);
		free(masked);
	}
}

int main(int argc, char **argv)
{
	const struct main_command *cmd = main_find_command("dashboard");
	struct app_options o;
	struct sched *s;
	struct option long_options[MAIN_NOPTIONS + 1];
	char shorts[64], err[400], *commands_copy = NULL, password[1024] = "";
	struct names_list services = { 0 };
	int c, rc, longidx;

	setlocale(LC_ALL, "");
	memset(&o, 0, sizeof(o));
	sched_config_defaults(&o.sched);
	report_thresholds_defaults(&o.thresholds);
	o.color = getenv("NO_COLOR") == NULL || getenv("NO_COLOR")[0] == '\0';
	o.burst_hold_ms = 1000;

	/* "pgpulse help [COMMAND]", as git and tmux answer it */
	if (argc > 1 && strcmp(argv[1], "help") == 0) {
		if (argc > 3)
			return main_usage_error("'help' takes one command, as in 'pgpulse help "
						"check' (got '%s' too)",
						argv[3]);
		if (argc == 3)
			return main_help_command(argv[2]);
		main_help();
		return APP_EXIT_OK;
	}
	if (argc > 1 && argv[1][0] != '-' && main_find_command(argv[1]) &&
	    main_find_command(argv[1])->bit != CMD_DASHBOARD) {
		static char progname[32];

		cmd = main_find_command(argv[1]);
		argv++;
		argc--;
		/* getopt's messages then read "pgpulse check: ..." */
		snprintf(progname, sizeof(progname), "pgpulse %s", cmd->name);
		argv[0] = progname;
	}
	o.command = cmd->name;
	opterr = 1;
	main_getopt_tables(cmd, long_options, shorts, sizeof(shorts));
	while ((c = getopt_long(argc, argv, shorts, long_options, &longidx)) != -1) {
		/* getopt answers '?' both for -? and for a bad option it has reported. */
		if (c == '?') {
			if (strcmp(argv[optind - 1], "-?") != 0) {
				fputs("Try 'pgpulse --help' for more information.\n", stderr);
				return APP_EXIT_USAGE;
			}
			c = OPT_HELP;
		}
		if (c != OPT_HELP && !main_option_allowed(cmd, c)) {
			snprintf(err, sizeof(err), "option '%s' does not apply to '%s'",
				 main_option_name(c), cmd->name);
			return main_usage_error("%s", err);
		}
		rc = main_option(cmd, c, optarg, &o);
		if (rc >= 0)
			return rc;
	}
	if (main_threshold_error[0]) {
		if (strcmp(cmd->name, "check") == 0)
			main_check_unknown(&o, main_threshold_error);
		return main_usage_error("%s", main_threshold_error);
	}
	o.targets = argv + optind;
	o.ntargets = argc - optind;
	if (cmd->max_targets && o.ntargets > cmd->max_targets) {
		snprintf(err, sizeof(err),
			 "'%s' takes one target, got %d (quote a conninfo string: "
			 "'host=db port=5432')",
			 cmd->name, o.ntargets);
		return main_usage_error("%s", err);
	}
	for (int i = 0; i < o.ntargets; i++)
		if (!main_looks_like_target(o.targets[i], err, sizeof(err)))
			return main_usage_error("%s", err);
	if (cmd->bit == CMD_BURST && o.burst_n == 0)
		return main_usage_error("burst needs -n N, the most connections to open at once%s",
					"");
	if (cmd->bit == CMD_CHECK)
		o.sched.count = 1, o.sched.inspect_every_ms = 0;
	/* serve: without a target, every service of libpq's service file */
	if (cmd->bit == CMD_SERVE && o.ntargets == 0) {
		names_service_targets(&services, err, sizeof(err));
		if (services.n == 0)
			return main_usage_error("serve needs targets: none given and no services "
						"in %s",
						err);
		o.targets = services.v, o.ntargets = services.n;
	}

	/* -W: asked once, for every target without a password (psql asks once too) */
	if (main_ask_password) {
		if (!askpass_read("Password: ", password, sizeof(password), err, sizeof(err))) {
			fprintf(stderr, "pgpulse: %s\n", err);
			if (cmd->bit == CMD_CHECK)
				main_check_unknown(&o, err);
			return APP_EXIT_USAGE;
		}
		o.overrides.password = password;
	}
	s = sched_new(&o.sched, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "pgpulse: %s\n", err);
		if (cmd->bit == CMD_CHECK) /* --pooler-admin's usage error: UNKNOWN on stdout too */
			main_check_unknown(&o, err);
		return APP_EXIT_USAGE;
	}
	for (int i = 0; i < (o.ntargets ? o.ntargets : 1); i++) {
		if (!app_add_target(s, &o, o.ntargets ? o.targets[i] : NULL, err, sizeof(err))) {
			fprintf(stderr, "pgpulse: %s\n", err);
			/* A monitoring system reads stdout: say UNKNOWN there too. */
			if (cmd->bit == CMD_CHECK)
				main_check_unknown(&o, err);
			names_list_free(&services);
			sched_free(s);
			return APP_EXIT_USAGE;
		}
	}
	main_scrub_passwords(&o, &commands_copy);
	if (!signals_init()) {
		fputs("pgpulse: cannot set up signal handling\n", stderr);
		free(commands_copy);
		sched_free(s);
		return APP_EXIT_USAGE;
	}
	/* Without a terminal the dashboard becomes a probe log, like watch. */
	if (cmd->bit == CMD_DASHBOARD) {
		const char *term = getenv("TERM");

		if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO) || term == NULL ||
		    strcmp(term, "dumb") == 0 || term[0] == '\0') {
			cmd = main_find_command("watch");
			if (isatty(STDERR_FILENO))
				fputs("pgpulse: no usable terminal (TERM unset or dumb, or not a "
				      "tty): "
				      "printing probe lines as 'pgpulse watch' does; Ctrl-C "
				      "stops\n",
				      stderr);
		}
	}
	{
		struct app a = { .s = s, .o = &o };
		enum app_next next = cmd->first;

		while (next != APP_NEXT_EXIT)
			next = main_frontends[next](&a);
		rc = a.exit_code;
	}
	free(commands_copy);
	names_list_free(&services);
	sched_free(s);
	signals_shutdown();
	explicit_bzero(password, sizeof(password));
	return rc;
}
