/*
 * Unit tests for the scheduler's loop without a server: a port on loopback
 * that refuses (a bound socket that does not listen) gives probes that end
 * at once, which is enough to see the phase bookkeeping of a failed probe,
 * the listeners (newest first), watched descriptors, one-shot wake-ups and
 * a caller-owned probe set driven by the same loop (as burst's is).
 */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "scheduler.h"
#include "util.h"

/* A loopback port that refuses: bound, never listening. Keeps *fd open. */
static int refusing_port(int *fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	*fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(*fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

static struct sched *sched_with_target(int port, uint64_t count)
{
	struct sched_config cfg;
	struct dsn_overrides ov;
	struct dsn_target dsn;
	struct sched *s;
	char err[300], input[128];

	sched_config_defaults(&cfg);
	cfg.count = count;
	cfg.interval_ms = 50;
	cfg.inspect_every_ms = -1;
	s = sched_new(&cfg, err, sizeof(err));
	assert_non_null(s);
	memset(&ov, 0, sizeof(ov));
	memset(&dsn, 0, sizeof(dsn));
	snprintf(input, sizeof(input), "host=127.0.0.1 port=%d user=app dbname=app", port);
	assert_true(dsn_parse(input, &ov, &dsn, err, sizeof(err)));
	sched_add_target(s, &dsn);
	return s;
}

/* Turns the loop until done() or 10 s. */
static void run_until(struct sched *s, bool (*done)(void *), void *arg)
{
	double end = util_now_ms() + 10000;

	while (!done(arg) && util_now_ms() < end)
		sched_run_once(s, 100);
	assert_true(done(arg));
}

struct heard {
	int results, events;
	char order[8];
	int norder;
};

static void on_result_a(void *arg, struct target *t, const struct probe_result *r)
{
	struct heard *h = arg;

	(void)t;
	(void)r;
	h->results++;
	if (h->norder < 7)
		h->order[h->norder++] = 'a';
}

static void on_result_b(void *arg, struct target *t, const struct probe_result *r)
{
	struct heard *h = (struct heard *)arg - 1; /* b's arg is &heard[1] */

	(void)t;
	(void)r;
	if (h->norder < 7)
		h->order[h->norder++] = 'b';
}

static void on_event(void *arg, struct target *t, const struct probe_event *ev)
{
	struct heard *h = arg;

	(void)t;
	(void)ev;
	h->events++;
}

static bool finished(void *arg)
{
	return sched_finished(arg);
}

static void test_refused_probe_bookkeeping_and_listeners(void **state)
{
	int fd, port = refusing_port(&fd);
	struct sched *s = sched_with_target(port, 1);
	struct heard h[2];
	struct target *t;
	const struct probe_result *r;

	(void)state;
	memset(h, 0, sizeof(h));
	sched_listen(s, on_result_a, on_event, &h[0]);
	sched_listen(s, on_result_b, NULL, &h[1]);
	run_until(s, finished, s);
	t = sched_target(s, 0);
	assert_true(t->have_last);
	r = &t->last;
	assert_false(r->ok);
	assert_false(r->connected);
	assert_int_equal(r->error.cls, CLASS_REFUSED);
	assert_int_equal(r->failed_phase, PROBE_TCP);
	/* The phases it went through have times; those it never reached do not. */
	assert_false(isnan(r->phase_ms[PROBE_TOTAL]));
	assert_true(r->phase_ms[PROBE_TOTAL] >= 0);
	assert_true(isnan(r->phase_ms[PROBE_AUTH]));
	assert_true(isnan(r->phase_ms[PROBE_QUERY]));
	assert_int_equal(t->probes, 1);
	assert_int_equal(t->ok, 0);
	/* One result, heard by both listeners, the newest first. */
	assert_int_equal(h[0].results, 1);
	assert_int_equal(h[0].norder, 2);
	assert_memory_equal(h[0].order, "ba", 2);
	assert_true(h[0].events > 0);
	/* Unlistened, a listener hears nothing more. */
	sched_unlisten(s, &h[1]);
	assert_int_equal(sched_open_connections(s), 0);
	sched_free(s);
	close(fd);
}

struct watcher {
	int fired;
	short revents;
	struct sched *s;
	int drop_fd; /* unwatch this one from the callback (-1: none) */
};

static void on_readable(void *arg, int fd, short revents)
{
	struct watcher *w = arg;
	char c;

	w->fired++;
	w->revents = revents;
	if (read(fd, &c, 1) < 0)
		fail_msg("read");
	if (w->drop_fd >= 0)
		sched_unwatch(w->s, w->drop_fd);
}

static void test_watch_calls_back_and_a_dropped_watch_is_not_called(void **state)
{
	int p1[2], p2[2];
	struct sched *s = sched_with_target(1, 1);
	struct watcher a = { 0, 0, s, -1 }, b = { 0, 0, s, -1 };

	(void)state;
	sched_set_paused(s, true);
	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	a.drop_fd = p2[0]; /* a's callback removes b's watch */
	assert_true(sched_watch(s, p1[0], POLLIN, on_readable, &a));
	assert_true(sched_watch(s, p2[0], POLLIN, on_readable, &b));
	assert_false(sched_watch(s, -1, POLLIN, on_readable, &b));
	assert_int_equal(write(p1[1], "x", 1), 1);
	assert_int_equal(write(p2[1], "y", 1), 1);
	sched_run_once(s, 1000);
	assert_int_equal(a.fired, 1);
	assert_true(a.revents & POLLIN);
	assert_int_equal(b.fired, 0); /* ready in the same turn, but dropped before its call */
	sched_unwatch_owner(s, &a);
	assert_int_equal(write(p1[1], "x", 1), 1);
	sched_run_once(s, 0);
	assert_int_equal(a.fired, 1);
	sched_free(s);
	close(p1[0]), close(p1[1]), close(p2[0]), close(p2[1]);
}

static void on_wake(void *arg)
{
	(*(int *)arg)++;
}

static void test_wake_at_fires_once_by_its_time(void **state)
{
	struct sched *s = sched_with_target(1, 1);
	int woken = 0, cancelled = 0;
	double start = util_now_ms();

	(void)state;
	sched_set_paused(s, true);
	sched_wake_at(s, start + 30, on_wake, &woken);
	sched_wake_at(s, start + 20, on_wake, &cancelled);
	sched_wake_cancel(s, &cancelled);
	/* Told to wait 5 s, the turn returns at the wake-up. */
	sched_run_once(s, 5000);
	assert_int_equal(woken, 1);
	assert_int_equal(cancelled, 0);
	assert_true(util_now_ms() - start >= 29);
	assert_true(util_now_ms() - start < 2000);
	sched_run_once(s, 50);
	assert_int_equal(woken, 1); /* one-shot */
	sched_free(s);
}

static bool set_done(void *arg)
{
	struct sched_probe_set *set = arg;

	for (int i = 0; i < set->n; i++)
		if (!probe_is_done(set->probes[i]))
			return false;
	return true;
}

static void test_a_probe_set_is_driven_by_the_loop(void **state)
{
	int fd, port = refusing_port(&fd);
	struct sched *s = sched_with_target(port, 1);
	struct target *t = sched_target(s, 0);
	struct probe *probes[3];
	struct sched_probe_set set = { probes, 3 };
	struct probe_config pc;

	(void)state;
	sched_set_paused(s, true);
	sched_probe_config(s, t, &pc);
	pc.hold = true;
	for (int i = 0; i < 3; i++) {
		probes[i] = probe_new(&t->dsn, &pc, sched_resolver(s), (uint64_t)i + 1, NULL, NULL);
		probe_begin(probes[i]);
	}
	sched_drive(s, &set);
	run_until(s, set_done, &set);
	for (int i = 0; i < 3; i++) {
		assert_false(probe_result(probes[i])->ok);
		assert_int_equal(probe_result(probes[i])->error.cls, CLASS_REFUSED);
	}
	/* The set's probes are the caller's: no result reached the target. */
	assert_int_equal(t->probes, 0);
	sched_undrive(s, &set);
	for (int i = 0; i < 3; i++)
		probe_free(probes[i]);
	sched_free(s);
	close(fd);
}

/* A loopback port that listens and never answers: probes wait for their deadline. */
static int silent_port(int *fd)
{
	int port = refusing_port(fd);

	assert_int_equal(listen(*fd, 128), 0);
	return port;
}

static void add_target(struct sched *s, int port, int i)
{
	struct dsn_overrides ov;
	struct dsn_target dsn;
	char err[300], input[160];

	memset(&ov, 0, sizeof(ov));
	snprintf(input, sizeof(input), "host=127.0.0.1 port=%d user=app dbname=app%d", port, i);
	assert_true(dsn_parse(input, &ov, &dsn, err, sizeof(err)));
	sched_add_target(s, &dsn);
}

struct flight {
	struct sched *s;
	int max_seen;
	int results;
	double first_ms, last_ms; /* when the first and last results came */
	double longest_ms;	  /* the longest probe, start to end */
};

static void on_flight_result(void *arg, struct target *t, const struct probe_result *r)
{
	struct flight *f = arg;
	double now = util_now_ms();

	(void)t;
	if (f->results++ == 0)
		f->first_ms = now;
	f->last_ms = now;
	if (r->phase_ms[PROBE_TOTAL] > f->longest_ms)
		f->longest_ms = r->phase_ms[PROBE_TOTAL];
}

static struct sched *sched_bounded(int max_in_flight, int max_per_host, double interval_ms,
				   double connect_timeout_ms)
{
	struct sched_config cfg;
	char err[300];
	struct sched *s;

	sched_config_defaults(&cfg);
	cfg.count = 1;
	cfg.interval_ms = interval_ms;
	cfg.inspect_every_ms = -1;
	cfg.connect_timeout_ms = connect_timeout_ms;
	cfg.max_in_flight = max_in_flight;
	cfg.max_per_host = max_per_host;
	s = sched_new(&cfg, err, sizeof(err));
	assert_non_null(s);
	return s;
}

/* Turns the loop until every target is done, noting the most probes in flight. */
static void run_counting(struct flight *f)
{
	double end = util_now_ms() + 20000;

	sched_listen(f->s, on_flight_result, NULL, f);
	while (!sched_finished(f->s) && util_now_ms() < end) {
		sched_run_once(f->s, 100);
		if (sched_in_flight(f->s) > f->max_seen)
			f->max_seen = sched_in_flight(f->s);
	}
	assert_true(sched_finished(f->s));
}

/*
 * 12 targets on one silent server, at most 3 probes to it at once: the rest
 * wait their turn, and each probe's deadline counts from its own start
 * (queued time is not eaten from it), so none runs past 300 ms.
 */
static void test_probes_in_flight_are_bounded_per_host(void **state)
{
	int fd, port = silent_port(&fd);
	struct flight f = { .s = sched_bounded(0, 3, 10, 300) };

	(void)state;
	for (int i = 0; i < 12; i++)
		add_target(f.s, port, i);
	run_counting(&f);
	assert_int_equal(f.results, 12);
	assert_true(f.max_seen >= 1 && f.max_seen <= 3);
	/* 4 waves of 300 ms: the last result well after one deadline */
	assert_true(f.last_ms - f.first_ms >= 600);
	/* the deadline plus a little (the loop wakes after it), never plus the queue */
	assert_true(f.longest_ms < 300 + 250);
	for (int i = 0; i < 12; i++)
		assert_int_equal(sched_target(f.s, i)->last.error.cls, CLASS_TIMEOUT);
	sched_free(f.s);
	close(fd);
}

/* The bound on all probes in flight holds across servers too. */
static void test_probes_in_flight_are_bounded_in_all(void **state)
{
	int fd[4], port[4];
	struct flight f = { .s = sched_bounded(5, 100, 10, 300) };

	(void)state;
	for (int k = 0; k < 4; k++) {
		port[k] = silent_port(&fd[k]);
		for (int i = 0; i < 4; i++)
			add_target(f.s, port[k], i);
	}
	assert_int_equal(sched_max_in_flight(f.s), 5);
	run_counting(&f);
	assert_int_equal(f.results, 16);
	assert_true(f.max_seen >= 1 && f.max_seen <= 5);
	sched_free(f.s);
	for (int k = 0; k < 4; k++)
		close(fd[k]);
}

/* Targets added together start spread over one interval, not at once. */
static void test_first_starts_spread_over_the_interval(void **state)
{
	int fd, port = refusing_port(&fd);
	struct flight f = { .s = sched_bounded(0, 0, 800, 1000) };

	(void)state;
	for (int i = 0; i < 4; i++)
		add_target(f.s, port, i);
	run_counting(&f);
	assert_int_equal(f.results, 4);
	/* refused at once: results come as they start, at 0, 200, 400 and 600 ms */
	assert_true(f.last_ms - f.first_ms >= 500);
	assert_true(f.last_ms - f.first_ms < 800);
	/* the default bound fits the descriptor limit */
	assert_true(sched_max_in_flight(f.s) >= 1 &&
		    sched_max_in_flight(f.s) <= SCHED_MAX_IN_FLIGHT);
	sched_free(f.s);
	close(fd);
}

/* Each target's late_ms, by index. */
static double late_of[16];

static void on_late_result(void *arg, struct target *t, const struct probe_result *r)
{
	(void)arg;
	late_of[t->index] = r->late_ms;
}

/*
 * 6 targets on one silent server, 2 probes to it at once, deadlines of
 * 200 ms: the waves start at 0, 200 and 400 ms, the longest waiting first
 * (target order, as their due times are), and each probe says how late it
 * started, in its result and on the target.
 */
static void test_queued_probes_report_how_late_they_started(void **state)
{
	int fd, port = silent_port(&fd);
	struct flight f = { .s = sched_bounded(0, 2, 10, 200) };

	(void)state;
	for (int i = 0; i < 6; i++)
		add_target(f.s, port, i);
	sched_listen(f.s, on_late_result, NULL, NULL);
	run_counting(&f);
	assert_int_equal(f.results, 6);
	for (int i = 0; i < 2; i++)
		assert_true(late_of[i] >= 0 && late_of[i] < 100);
	for (int i = 2; i < 4; i++)
		assert_true(late_of[i] >= 150);
	for (int i = 4; i < 6; i++)
		assert_true(late_of[i] >= 350);
	for (int i = 0; i < 6; i++)
		assert_true(sched_target(f.s, i)->last.late_ms == late_of[i]);
	sched_free(f.s);
	close(fd);
}

/*
 * Two thousand targets each get their one probe and the loop ends; the
 * event log is shared out by their number, and a one-off is never late.
 */
static void test_many_targets_each_probed_once(void **state)
{
	int fd, port = refusing_port(&fd);
	struct flight f = { .s = sched_bounded(0, 0, 300, 1000) };
	struct sched_oneoff oo = { .record = true };
	int n = 2000;

	(void)state;
	for (int i = 0; i < n; i++)
		add_target(f.s, port, i);
	run_counting(&f);
	assert_int_equal(f.results, n);
	for (int i = 0; i < n; i++) {
		const struct target *t = sched_target(f.s, i);

		assert_int_equal(t->probes, 1);
		assert_true(t->done);
		assert_int_equal(t->ev_max, TARGET_EVENTS_MIN);
		assert_true(t->ev_cap <= TARGET_EVENTS_MIN);
	}
	assert_int_equal(sched_in_flight(f.s), 0);
	assert_int_equal(sched_open_connections(f.s), 0);
	/* the prompt's one-off on a done target: it runs, on time by definition */
	assert_true(sched_probe_now(f.s, sched_target(f.s, 7), &oo));
	assert_false(sched_finished(f.s));
	while (!sched_finished(f.s))
		sched_run_once(f.s, 100);
	assert_int_equal(sched_target(f.s, 7)->probes, 2);
	assert_true(sched_target(f.s, 7)->last.late_ms == 0);
	sched_free(f.s);
	close(fd);
}

/*
 * The queues follow every change of schedule: a shorter interval brings
 * waiting probes forward, a pause holds due ones back, and unpausing
 * starts them, the longest waiting first.
 */
static void test_interval_change_and_pause_move_queued_probes(void **state)
{
	int fd, port = refusing_port(&fd), before;
	struct sched_config cfg;
	struct flight f = { 0 };
	char err[300];
	double start, end;

	(void)state;
	sched_config_defaults(&cfg);
	cfg.interval_ms = 60000;
	cfg.inspect_every_ms = -1;
	f.s = sched_new(&cfg, err, sizeof(err));
	assert_non_null(f.s);
	for (int i = 0; i < 3; i++)
		add_target(f.s, port, i);
	sched_listen(f.s, on_flight_result, NULL, &f);
	/* the first probe starts at once; the others are spread over the minute */
	end = util_now_ms() + 2000;
	while (f.results < 1 && util_now_ms() < end)
		sched_run_once(f.s, 100);
	assert_int_equal(f.results, 1);
	sched_run_once(f.s, 50);
	assert_int_equal(f.results, 1);
	/* a 100 ms interval: the others come within it, not in 20 and 40 s */
	start = util_now_ms();
	sched_set_interval(f.s, 100);
	end = start + 5000;
	while (f.results < 6 && util_now_ms() < end)
		sched_run_once(f.s, 100);
	assert_int_equal(f.results, 6);
	assert_true(util_now_ms() - start < 3000);
	/* paused: once what is in flight ends, nothing starts, however due */
	sched_set_paused(f.s, true);
	end = util_now_ms() + 2000;
	while (sched_in_flight(f.s) > 0 && util_now_ms() < end)
		sched_run_once(f.s, 50);
	before = f.results;
	end = util_now_ms() + 400;
	while (util_now_ms() < end)
		sched_run_once(f.s, 50);
	assert_int_equal(f.results, before);
	assert_int_equal(sched_in_flight(f.s), 0);
	/* unpaused: all three were due; each says it started late, by the pause */
	sched_set_paused(f.s, false);
	end = util_now_ms() + 2000;
	while (f.results < before + 3 && util_now_ms() < end)
		sched_run_once(f.s, 50);
	assert_true(f.results >= before + 3);
	for (int i = 0; i < 3; i++)
		assert_true(sched_target(f.s, i)->last.late_ms >= 250);
	sched_free(f.s);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_probe_bookkeeping_and_listeners),
		cmocka_unit_test(test_watch_calls_back_and_a_dropped_watch_is_not_called),
		cmocka_unit_test(test_wake_at_fires_once_by_its_time),
		cmocka_unit_test(test_a_probe_set_is_driven_by_the_loop),
		cmocka_unit_test(test_probes_in_flight_are_bounded_per_host),
		cmocka_unit_test(test_probes_in_flight_are_bounded_in_all),
		cmocka_unit_test(test_first_starts_spread_over_the_interval),
		cmocka_unit_test(test_queued_probes_report_how_late_they_started),
		cmocka_unit_test(test_many_targets_each_probed_once),
		cmocka_unit_test(test_interval_change_and_pause_move_queued_probes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
