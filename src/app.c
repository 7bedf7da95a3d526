/*
 * app: what the front-ends share besides the scheduler: adding a target
 * the way the command line does (main, and the prompt's 'target add'), and the
 * exit codes they have in common.
 */
#include "app.h"
#include "names.h"
#include "signals.h"
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One question's state while the loop turns. */
struct app_question {
	char buf[256];
	size_t len;
	bool eof, line;
	int kinds; /* signals seen */
};

static void app_on_answer(void *arg, int fd, short revents)
{
	struct app_question *q = arg;
	ssize_t n;

	(void)revents;
	if (q->len + 1 >= sizeof(q->buf)) {
		q->line = true; /* a line longer than any answer: take what we have */
		return;
	}
	n = read(fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len);
	if (n > 0) {
		q->len += (size_t)n;
		q->buf[q->len] = '\0';
		q->line = memchr(q->buf, '\n', q->len) != NULL;
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		q->eof = true;
	}
}

static void app_on_question_signal(void *arg, int fd, short revents)
{
	struct app_question *q = arg;

	(void)fd;
	(void)revents;
	q->kinds |= signals_take();
}

enum app_answer app_ask(struct sched *s, FILE *out, const char *question, char *answer, size_t len,
			int *other)
{
	struct app_question q;
	const char *p;

	memset(&q, 0, sizeof(q));
	fputs(question, out);
	fflush(out);
	sched_watch(s, STDIN_FILENO, POLLIN, app_on_answer, &q);
	sched_watch(s, signals_fd(), POLLIN, app_on_question_signal, &q);
	while (!q.line && !q.eof && !(q.kinds & SIGNALS_ANY_STOP))
		sched_run_once(s, -1);
	sched_unwatch_owner(s, &q);
	if (other)
		*other |= q.kinds & ~SIGNALS_ANY_STOP;
	if (q.kinds & SIGNALS_STOP)
		return APP_ANSWER_STOP;
	if (q.kinds & SIGNALS_INTERRUPT)
		return APP_ANSWER_INTERRUPT;
	/* At the end of input, an answer without its newline still counts. */
	if (!q.line && q.len == 0)
		return APP_ANSWER_EOF;
	p = q.buf + strspn(q.buf, " \t");
	util_strlcpy(answer, p, len);
	answer[strcspn(answer, " \t\r\n")] = '\0';
	for (char *c = answer; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return APP_ANSWER_LINE;
}

bool app_answer_yes(const char *answer)
{
	return strcmp(answer, "y") == 0 || strcmp(answer, "yes") == 0;
}

/* PG* values come from the environment: shown visibly, like any target text. */
static const char *app_safe(char *out, const char *s, size_t outlen)
{
	return text_terminal(out, s, outlen, text_locale_utf8());
}

/*
 * No target was given: say what libpq's defaults resolved to and which PG*
 * variables set them, so "nothing listens" is not a mystery at 3 a.m.
 */
static void app_note_defaults(const struct dsn_target *t)
{
	static const char *const vars[] = { "PGSERVICE", "PGHOST",     "PGHOSTADDR", "PGPORT",
					    "PGUSER",	 "PGDATABASE", "PGSSLMODE" };
	char from[128] = "", host[256], port[64], user[128], db[128];

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v && strlen(from) + strlen(vars[i]) + 3 < sizeof(from)) {
			strcat(from, from[0] ? ", " : "");
			strcat(from, vars[i]);
		}
	}
	fprintf(stderr,
		"pgpulse: note: no target given and DATABASE_URL is unset: probing libpq's "
		"defaults (%s), %s%s port %s, user %s, database %s; give a target to probe "
		"another\n",
		from[0] ? from : "no PG* variables set", t->host_is_socket ? "socket " : "host ",
		app_safe(host, t->host ? t->host : "(libpq's default)", sizeof(host)),
		app_safe(port, t->port ? t->port : "5432", sizeof(port)),
		app_safe(user, t->user ? t->user : "(unknown)", sizeof(user)),
		app_safe(db, t->dbname ? t->dbname : "(same as user)", sizeof(db)));
}

static bool app_add_target_raw(struct sched *s, const struct app_options *o, const char *input,
			       char *err, size_t errlen)
{
	struct dsn_target t;
	char name[NAMES_MAX_LEN], note[512];
	bool named = input && names_split(input, name, sizeof(name), &input);
	const char *url = getenv("DATABASE_URL");
	const struct dsn_overrides *ov = &o->overrides;
	/* nothing on the command line or in DATABASE_URL: libpq's defaults decide */
	bool no_target = input == NULL && (url == NULL || url[0] == '\0') && !ov->host &&
			 !ov->port && !ov->user && !ov->dbname;

	memset(&t, 0, sizeof(t));
	if (named && *input == '\0') {
		snprintf(err, errlen,
			 "'%s=' names no target: write %s=postgresql://... or %s=host=...", name,
			 name, name);
		return false;
	}
	if (!dsn_parse(input, &o->overrides, &t, err, errlen)) {
		/*
		 * "hots=db" is a name to us but maybe a mistyped keyword to the
		 * user; libpq's words would quote what follows, and after
		 * "pasword=" that is a password nothing knew to mask.
		 */
		if (named)
			snprintf(err, errlen,
				 "read as NAME=TARGET: '%s' is no libpq keyword, and what follows "
				 "is no target (not quoted: it may be a password)",
				 name);
		return false;
	}
	if (t.note != NULL)
		fprintf(stderr, "pgpulse: note: %s\n",
			text_terminal(note, t.note, sizeof(note), text_locale_utf8()));
	if (no_target)
		app_note_defaults(&t);
	/* NAME=TARGET, else service=NAME is called NAME (names.h) */
	if (named || dsn_get(&t, "service")) {
		free(t.name);
		t.name = util_xstrdup(named ? name : dsn_get(&t, "service"));
	}
	sched_add_target(s, &t)->probe_cfg.no_target = no_target;
	return true;
}

/* The error quotes what was typed: shown visibly, never sent raw to a terminal. */
bool app_add_target(struct sched *s, const struct app_options *o, const char *input, char *err,
		    size_t errlen)
{
	char *raw;

	if (app_add_target_raw(s, o, input, err, errlen))
		return true;
	raw = util_xstrdup(err);
	text_terminal(err, raw, errlen, text_locale_utf8());
	free(raw);
	return false;
}

int app_exit_like_ping(uint64_t ok, uint64_t total)
{
	if (ok == total)
		return APP_EXIT_OK;
	return ok ? APP_EXIT_WARNING : APP_EXIT_CRITICAL;
}
