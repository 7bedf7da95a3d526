/*
 * shell: the readline prompt for ad-hoc checks (pgpulse shell, ':' in the
 * dashboard, shell -c scripts): its input (readline on a terminal, raw
 * lines from a pipe), history, completion and loop, and the two
 * front-ends. The commands are in shell_cmds.c, the prompt's state in
 * shell_session.c, its word splitting and masking in shell_words.c.
 */
#include "shell.h"
#include "shell_priv.h"
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

#define SHELL_HISTORY_LINES  1000
#define SHELL_MAX_CANDIDATES 256

/* readline's callbacks take no argument: the prompt open now. */
static struct shell *shell_active;
static char shell_history_file[PATH_MAX]; /* "" while history is off */
static bool shell_history_loaded;
static char shell_word_breaks[] = " \t\n;";

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

/* Commands first; then what the table says the word is: a target, a setting, a choice. */
static char **shell_complete(const char *text, int start, int end)
{
	const char *line = rl_line_buffer, *seg = line;
	struct shell_words w;
	char *before;

	(void)end;
	rl_attempted_completion_over = 1; /* never file names */
	for (const char *p = line; p < line + start; p++)
		if (*p == ';')
			seg = p + 1;
	before = util_xmalloc((size_t)(line + start - seg) + 1);
	memcpy(before, seg, (size_t)(line + start - seg));
	before[line + start - seg] = '\0';
	shell_split_words(before, &w);
	shell_ncandidates = 0;
	shell_candidates_for(shell_active ? shell_active->s : NULL, &w, shell_candidate);
	free(w.buf);
	free(before);
	return shell_ncandidates ? rl_completion_matches(text, shell_complete_next) : NULL;
}

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

static void shell_make_prompt(struct shell *sh)
{
	struct target *t = shell_current(sh);

	if (sched_ntargets(sh->s) > 0 && t)
		snprintf(sh->prompt, sizeof(sh->prompt), "pgpulse:%s> ", shell_show(t->dsn.name));
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

static void shell_start(struct shell *sh, struct sched *s, const struct app_options *o)
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
	shell_start(&sh, s, o);
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
		       shell_show(t->dsn.name), shell_show(t->dsn.display));
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
	shell_start(&sh, s, a->o);
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
