/*
 * check and watch: drive the scheduler to a count (or a signal) and print
 * through report. Both stop at Ctrl-C with every connection closed.
 */
#include "check.h"
#include "signals.h"
#include "util.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

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

enum app_next check_run(struct app *a)
{
	struct sched *s = a->s;
	const struct app_options *o = a->o;
	struct check_loop l = { s, o, false };
	struct target *t = sched_target(s, 0);
	const struct probe_result *r;
	enum report_status st;
	char why[400];

	check_loop_run(&l);
	if (!t->have_last) {
		fprintf(stderr, "pgpulse: check interrupted before it finished\n");
		a->exit_code = APP_EXIT_USAGE;
		return APP_NEXT_EXIT;
	}
	r = &t->last;
	/*
	 * A failure PgBouncer's console could have explained, but it was not
	 * readable: why, once (the pooler object has no room for it).
	 */
	if (!r->ok && t->have_pooler && t->pooler_kind == POOLER_KIND_PGBOUNCER &&
	    t->pooler.admin != POOLER_ADMIN_OK && t->pooler.reason[0])
		fprintf(stderr, "pgpulse: PgBouncer's admin console: %s\n", t->pooler.reason);
	st = report_evaluate(t, r, &o->thresholds, why, sizeof(why));
	if (o->json) {
		json_t *j = report_check_json(t, r, st);

		report_print_json(stdout, j);
		json_decref(j);
	} else {
		report_check_line(stdout, t, r, st, why, &o->thresholds);
	}
	a->exit_code = (int)st;
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
