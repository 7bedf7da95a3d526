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
#include "burst.h"
#include "check.h"
#include "dashboard.h"
#include "shell.h"
#include "signals.h"
#include "util.h"

typedef int (*main_handler)(struct sched *s, const struct app_options *o);

/* The commands; "dashboard" is what runs without a command word. */
struct main_command {
	const char *name;
	const char *optstring; /* short options this command accepts */
	main_handler run;
	int max_targets; /* 0: any number */
};

static const struct main_command main_commands[] = {
	{ "dashboard", "h:p:U:d:i:t:V?", dashboard_run, 0 },
	{ "check", "h:p:U:d:t:w:c:V?", check_run, 1 },
	{ "watch", "h:p:U:d:i:t:V?", watch_run, 0 },
	{ "shell", "h:p:U:d:i:t:c:V?", shell_run, 0 },
	{ "burst", "h:p:U:d:t:n:yV?", burst_run, 1 },
};

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
};

static const struct option main_long_options[] = {
	{ "host", required_argument, NULL, 'h' },
	{ "port", required_argument, NULL, 'p' },
	{ "username", required_argument, NULL, 'U' },
	{ "dbname", required_argument, NULL, 'd' },
	{ "interval", required_argument, NULL, 'i' },
	{ "timeout", required_argument, NULL, 't' },
	{ "warning", required_argument, NULL, 'w' },
	{ "critical", required_argument, NULL, 'c' },
	{ "command", required_argument, NULL, 'c' },
	{ "connections", required_argument, NULL, 'n' },
	{ "yes", no_argument, NULL, 'y' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "query", required_argument, NULL, OPT_QUERY },
	{ "query-timeout", required_argument, NULL, OPT_QUERY_TIMEOUT },
	{ "inspect-every", required_argument, NULL, OPT_INSPECT_EVERY },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "no-backoff", no_argument, NULL, OPT_NO_BACKOFF },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void main_help(void)
{
	printf("pgpulse watches PostgreSQL connection health the way a NullPool app connects:\n"
	       "a fresh connection per check, timed phase by phase, always closed.\n"
	       "\n"
	       "Usage:\n"
	       "  pgpulse [OPTION]... [TARGET]...          live dashboard (needs a terminal)\n"
	       "  pgpulse check [OPTION]... [TARGET]       one health check, Nagios-style; exit "
	       "0/1/2/3\n"
	       "  pgpulse watch [OPTION]... [TARGET]...    one record per probe, for pipes and "
	       "files\n"
	       "  pgpulse shell [OPTION]... [TARGET]...    prompt for ad-hoc checks (-c \"cmd; "
	       "cmd\")\n"
	       "  pgpulse burst -n N [OPTION]... [TARGET]  headroom probe: open up to N "
	       "connections at once\n"
	       "\n"
	       "TARGET is a libpq conninfo string or URI; postgresql+driver:// URLs (SQLAlchemy)\n"
	       "are accepted. Without one: $DATABASE_URL, else libpq's PG* environment.\n"
	       "\n"
	       "Connection options (psql-style, applied to every target):\n"
	       "  -h, --host=HOST          server host or socket directory\n"
	       "  -p, --port=PORT          server port\n"
	       "  -U, --username=USER      user name\n"
	       "  -d, --dbname=DBNAME      database name\n"
	       "\n"
	       "Probing:\n"
	       "  -i, --interval=SECONDS   time between probe starts per target (default 1)\n"
	       "  -t, --timeout=SECONDS    connect deadline when the target sets no\n"
	       "                           connect_timeout (default 10)\n"
	       "      --query-timeout=SECONDS  deadline for the check query, then cancelled\n"
	       "                               on the server (default 5)\n"
	       "      --query=SQL          check query (default SELECT 1)\n"
	       "      --inspect-every=SECONDS  read settings and slots at most this often\n"
	       "                           (default 5; 0 every probe; -1 never; check always "
	       "does)\n"
	       "      --no-backoff         keep the interval while a target answers max_clients\n"
	       "\n"
	       "check:\n"
	       "  -w, --warning=LIST       warning thresholds: MS, or total=MS,slots=PCT%%,\n"
	       "                           slots=LEFT,cert=DAYS (default slots=80%%,cert=14)\n"
	       "  -c, --critical=LIST      critical thresholds (default slots=95%%,cert=3)\n"
	       "      --json               print one JSON object instead of the Nagios line\n"
	       "\n"
	       "watch:\n"
	       "      --format=FORMAT      text (default), jsonl or csv\n"
	       "      --count=N            stop after N probes per target (default: until Ctrl-C)\n"
	       "\n"
	       "shell:\n"
	       "  -c, --command=\"CMD; CMD\" run these commands and exit with the worst status\n"
	       "                           commands: check ping version settings slots tls errors\n"
	       "                           sql target targets set show burst watch help quit\n"
	       "\n"
	       "burst:\n"
	       "  -n, --connections=N      open up to N connections at once (required)\n"
	       "      --hold=SECONDS       hold them this long before closing (default 1)\n"
	       "  -y, --yes                do not ask for confirmation\n"
	       "      --json               print one JSON object\n"
	       "\n"
	       "Other:\n"
	       "      --no-color           no colours (also when NO_COLOR is set)\n"
	       "  -V, --version            print the version and exit\n"
	       "  -?, --help               print this help and exit\n"
	       "\n"
	       "Dashboard keys: q quit, p pause, +/- interval, r reset, Tab/arrows switch target,\n"
	       "Enter open, Esc back, e events, : prompt, ? help.\n"
	       "\n"
	       "Exit status: 0 ok, 1 warning, 2 critical (no connection, or a critical "
	       "threshold),\n"
	       "3 unknown or usage "
	       "error.\n"
	       "Passwords are never printed: targets are shown as postgresql://user:***@host/db.\n"
	       "See pgpulse(1) for the dashboard's keys, the shell's commands and the JSON "
	       "format.\n");
}

static int main_usage_error(const char *fmt, const char *arg)
{
	fputs("pgpulse: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'pgpulse --help' for more information.\n", stderr);
	return APP_EXIT_USAGE;
}

/* Seconds from the command line: a positive, finite number. */
static bool main_seconds(const char *s, double min, double *ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !isfinite(v) || v < min || v > 86400)
		return false;
	*ms = v * 1000.0;
	return true;
}

static const struct main_command *main_find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(main_commands) / sizeof(main_commands[0]); i++)
		if (strcmp(main_commands[i].name, name) == 0)
			return &main_commands[i];
	return NULL;
}

bool app_add_target(struct sched *s, const struct app_options *o, const char *input, char *err,
		    size_t errlen)
{
	struct dsn_target t;

	memset(&t, 0, sizeof(t));
	if (!dsn_parse(input, &o->overrides, &t, err, errlen))
		return false;
	sched_add_target(s, &t);
	return true;
}

/* Parses one option; returns -1 when fine, else an exit code. */
static int main_option(const struct main_command *cmd, int c, const char *arg,
		       struct app_options *o)
{
	char err[300];
	char *end;
	long n;

	switch (c) {
	case 'h': o->overrides.host = arg; break;
	case 'p': o->overrides.port = arg; break;
	case 'U': o->overrides.user = arg; break;
	case 'd': o->overrides.dbname = arg; break;
	case 'i':
		if (!main_seconds(arg, 0.05, &o->sched.interval_ms))
			return main_usage_error("bad --interval '%s': give seconds, 0.05 or more",
						arg);
		break;
	case 't':
		if (!main_seconds(arg, 0.1, &o->sched.connect_timeout_ms))
			return main_usage_error("bad --timeout '%s': give seconds, 0.1 or more",
						arg);
		o->sched.connect_timeout_source = "--timeout";
		break;
	case OPT_QUERY_TIMEOUT:
		if (!main_seconds(arg, 0.1, &o->sched.query_timeout_ms))
			return main_usage_error(
				"bad --query-timeout '%s': give seconds, 0.1 or more", arg);
		break;
	case OPT_INSPECT_EVERY:
		if (strcmp(arg, "-1") == 0)
			o->sched.inspect_every_ms = -1;
		else if (!main_seconds(arg, 0, &o->sched.inspect_every_ms))
			return main_usage_error(
				"bad --inspect-every '%s': give seconds, or -1 for never", arg);
		break;
	case OPT_QUERY:
		if (arg[0] == '\0')
			return main_usage_error("--query needs a query, e.g. --query 'SELECT 1'%s",
						"");
		o->sched.query = arg;
		break;
	case 'w':
	case 'c':
		if (strcmp(cmd->name, "shell") == 0 && c == 'c') {
			o->shell_commands = arg;
			break;
		}
		if (!report_thresholds_parse(&o->thresholds, c == 'c', arg, err, sizeof(err)))
			return main_usage_error("%s", err);
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
		if (!main_seconds(arg, 0, &o->burst_hold_ms))
			return main_usage_error("bad --hold '%s': give seconds", arg);
		break;
	case OPT_JSON: o->json = true; break;
	case OPT_FORMAT:
		if (strcmp(arg, "text") == 0)
			o->format = REPORT_TEXT;
		else if (strcmp(arg, "jsonl") == 0 || strcmp(arg, "json") == 0)
			o->format = REPORT_JSONL;
		else if (strcmp(arg, "csv") == 0)
			o->format = REPORT_CSV;
		else
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
	case 'V': printf("pgpulse %s\n", PACKAGE_VERSION); return APP_EXIT_OK;
	case OPT_HELP: main_help(); return APP_EXIT_OK;
	default: return APP_EXIT_USAGE;
	}
	return -1;
}

/* Is this option (short letter or long code) one the command accepts? */
static bool main_option_allowed(const struct main_command *cmd, int c)
{
	static const struct {
		int code;
		const char *commands;
	} long_only[] = {
		{ OPT_JSON, " check burst " },
		{ OPT_FORMAT, " watch " },
		{ OPT_COUNT, " watch " },
		{ OPT_HOLD, " burst " },
		{ OPT_NO_BACKOFF, " dashboard watch shell " },
		{ OPT_QUERY, " dashboard check watch shell " },
		{ OPT_QUERY_TIMEOUT, " dashboard check watch shell burst " },
		{ OPT_INSPECT_EVERY, " dashboard watch shell " },
		{ OPT_NO_COLOR, " dashboard check watch shell burst " },
	};
	char needle[32];

	if (c < 256)
		return c == '?' || strchr(cmd->optstring, c) != NULL;
	snprintf(needle, sizeof(needle), " %s ", cmd->name);
	for (size_t i = 0; i < sizeof(long_only) / sizeof(long_only[0]); i++)
		if (long_only[i].code == c)
			return strstr(long_only[i].commands, needle) != NULL;
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
	for (const struct option *lo = main_long_options; lo->name; lo++)
		if (lo->val == c) {
			snprintf(buf, sizeof(buf), "--%s", lo->name);
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
	const char *best = NULL;
	int best_d = 3;

	if (strchr(arg, '=') || strstr(arg, "://"))
		return true;
	for (size_t i = 1; i < sizeof(main_commands) / sizeof(main_commands[0]); i++) {
		int d = util_edit_distance(arg, main_commands[i].name);

		if (d < best_d)
			best = main_commands[i].name, best_d = d;
	}
	snprintf(
		err, errlen,
		"'%.40s' is neither a command nor a target%s%s%s: commands are check, watch, shell "
		"and burst; a target looks like 'host=db dbname=app' or "
		"'postgresql://user@host:5432/db'",
		arg, best ? " (did you mean " : "", best ? best : "", best ? "?)" : "");
	return false;
}

/* check's answer to a usage error, in the format the monitoring expects. */
static void main_check_unknown(const struct app_options *o, const char *why)
{
	if (o->json) {
		json_t *j = json_pack("{s:s, s:n, s:n, s:{s:s, s:n, s:s, s:s, s:n, s:n}}", "status",
				      "unknown", "target", "phases_ms", "error", "class", "other",
				      "sqlstate", "message", why, "advice",
				      "fix the target or the options (pgpulse --help)", "phase",
				      "limit");

		report_print_json(stdout, j);
		json_decref(j);
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
	char err[400], *commands_copy = NULL;
	int c, rc, longidx;

	setlocale(LC_ALL, "");
	memset(&o, 0, sizeof(o));
	sched_config_defaults(&o.sched);
	report_thresholds_defaults(&o.thresholds);
	o.color = getenv("NO_COLOR") == NULL || getenv("NO_COLOR")[0] == '\0';
	o.burst_hold_ms = 1000;

	if (argc > 1 && argv[1][0] != '-' && main_find_command(argv[1]) &&
	    strcmp(argv[1], "dashboard") != 0) {
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
	while ((c = getopt_long(argc, argv, cmd->optstring, main_long_options, &longidx)) != -1) {
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
	if (strcmp(cmd->name, "burst") == 0 && o.burst_n == 0)
		return main_usage_error("burst needs -n N, the most connections to open at once%s",
					"");
	if (strcmp(cmd->name, "check") == 0)
		o.sched.count = 1, o.sched.inspect_every_ms = 0;

	s = sched_new(&o.sched, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "pgpulse: %s\n", err);
		return APP_EXIT_USAGE;
	}
	for (int i = 0; i < (o.ntargets ? o.ntargets : 1); i++) {
		if (!app_add_target(s, &o, o.ntargets ? o.targets[i] : NULL, err, sizeof(err))) {
			fprintf(stderr, "pgpulse: %s\n", err);
			/* A monitoring system reads stdout: say UNKNOWN there too. */
			if (strcmp(cmd->name, "check") == 0)
				main_check_unknown(&o, err);
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
	if (strcmp(cmd->name, "dashboard") == 0) {
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
	rc = cmd->run(s, &o);
	free(commands_copy);
	sched_free(s);
	signals_shutdown();
	return rc;
}
