/*
 * check and watch: drive the scheduler to a count (or a signal) and print
 * through report. Both stop at Ctrl-C with every connection closed.
 */
#include "check.h"
#include "signals.h"
#include "text.h"
#include "util.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct check_loop {
	struct sched *s;
	const struct app_options *o;
	bool stop;
};

static void check_on_signal(void *arg, int fd, short revents)
{
	struct check_loop *l = arg;

	(void)fd;
	(void)revents;
	if (signals_take() & SIGNALS_ANY_STOP)
		l->stop = true;
}

/* Runs the loop until every target reached its count or a stop signal came. */
static void check_loop_run(struct check_loop *l)
{
	sched_watch(l->s, signals_fd(), POLLIN, check_on_signal, l);
	while (!l->stop && !sched_finished(l->s))
		sched_run_once(l->s, -1);
	sched_unwatch_owner(l->s, l);
	if (l->stop)
		sched_cancel_all(l->s);
}

/* open_memstream fails only without memory: as util_xmalloc does, stop. */
static void check_oom(void)
{
	fputs("pgpulse: out of memory\n", stderr);
	abort();
}

/*
 * Several targets: a status ranks by how bad it is, as monitoring-plugins'
 * max_state_alt ranks them (critical, warning, unknown, ok).
 */
static enum report_status check_worse(enum report_status a, enum report_status b)
{
	static const int rank[] = {
		[REPORT_OK] = 0,
		[REPORT_UNKNOWN] = 1,
		[REPORT_WARNING] = 2,
		[REPORT_CRITICAL] = 3,
	};
	return rank[b] > rank[a] ? b : a;
}

/*
 * One target of several: its Nagios line with its name after the status
 * ("PGPULSE OK - primary: connected ..."); its long output goes to longout,
 * each line after the name, to follow every target's line.
 */
static void check_line_named(const struct target *t, const struct probe_result *r,
			     enum report_status st, const char *why,
			     const struct report_thresholds *th, FILE *longout)
{
	char *text = NULL, *nl, *line, *dash, name[200];
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m == NULL)
		check_oom();
	/* a name from a host or service= value: made safe like all outside text */
	text_terminal(name, t->dsn.name, sizeof(name), text_locale_utf8());
	report_check_line(m, t, r, st, why, th);
	fclose(m);
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	dash = strstr(text, " - ");
	if (dash) {
		dash += 3;
		printf("%.*s%s: %s\n", (int)(dash - text), text, name, dash);
	} else {
		printf("%s\n", text);
	}
	for (line = nl ? nl + 1 : NULL; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		fprintf(longout, "%s: %s\n", name, line);
	}
	free(text);
}

enum app_next check_run(struct app *a)
{
	struct sched *s = a->s;
	const struct app_options *o = a->o;
	struct check_loop l = { s, o, false };
	enum report_status worst = REPORT_OK;
	int n = sched_ntargets(s);
	char why[400], *longtext = NULL;
	size_t longlen = 0;
	FILE *longout;

	check_loop_run(&l);
	for (int i = 0; i < n; i++)
		if (!sched_target(s, i)->have_last) {
			fprintf(stderr, "pgpulse: check interrupted before it finished\n");
			a->exit_code = APP_EXIT_USAGE;
			return APP_NEXT_EXIT;
		}
	longout = open_memstream(&longtext, &longlen);
	if (longout == NULL)
		check_oom();
	/* In the order given: one line (or JSON object) per target. */
	for (int i = 0; i < n; i++) {
		struct target *t = sched_target(s, i);
		const struct probe_result *r = &t->last;
		enum report_status st = report_evaluate(t, r, &o->thresholds, why, sizeof(why));

		/*
		 * A failure PgBouncer's console could have explained, but it was not
		 * readable: why, once (the pooler object has no room for it).
		 */
		if (!r->ok && t->have_pooler && t->pooler_kind == POOLER_KIND_PGBOUNCER &&
		    t->pooler.admin != POOLER_ADMIN_OK && t->pooler.reason[0]) {
			char name[200];

			fprintf(stderr, "pgpulse: %s: PgBouncer's admin console: %s\n",
				text_terminal(name, t->dsn.name, sizeof(name), text_locale_utf8()),
				t->pooler.reason);
		}

		if (o->json) {
			json_t *j = report_check_json_among(t, r, st, sched_targets(s), n);

			report_print_json(stdout, j);
			json_decref(j);
		} else if (n == 1) {
			report_check_line(stdout, t, r, st, why, &o->thresholds);
		} else {
			check_line_named(t, r, st, why, &o->thresholds, longout);
		}
		worst = check_worse(worst, st);
	}
	fclose(longout);
	fputs(longtext, stdout);
	fflush(stdout);
	free(longtext);
	a->exit_code = (int)worst;
	return APP_NEXT_EXIT;
}

static void watch_on_result(void *arg, struct target *t, const struct probe_result *r)
{
	struct check_loop *l = arg;

	report_watch_record(stdout, l->o->format, t, r);
	/* Nobody reads any more (| head): probing on would only add load. */
	if (ferror(stdout))
		l->stop = true;
}

enum app_next watch_run(struct app *a)
{
	struct sched *s = a->s;
	const struct app_options *o = a->o;
	struct check_loop l = { s, o, false };
	double start = util_now_ms();
	/* Machine formats keep stdout clean: the summary goes to stderr. */
	FILE *summary = o->format == REPORT_TEXT ? stdout : stderr;
	uint64_t ok = 0, probes = 0;

	report_watch_header(stdout, o->format);
	sched_listen(s, watch_on_result, NULL, &l);
	check_loop_run(&l);
	sched_unlisten(s, &l);
	for (int i = 0; i < sched_ntargets(s); i++) {
		struct target *t = sched_target(s, i);

		if (i || o->format == REPORT_TEXT)
			fputc('\n', summary);
		report_summary(summary, t, util_now_ms() - start);
		ok += t->ok;
		probes += t->probes;
	}
	a->exit_code = app_exit_like_ping(ok, probes);
	return APP_NEXT_EXIT;
}
