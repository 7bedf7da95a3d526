/*
 * burst: N hold-mode probes started at once and driven by the scheduler's
 * loop as a probe set burst owns, so the answer is "how many more
 * connections fit right now". burst keeps what is its own: admission (the
 * fd limit, the question), retries through PgBouncer, the account.
 * Those refused for a limit get a second try one at a time, because some
 * servers refuse a crowd that would fit. Every connection has one owner here
 * and is closed before we return.
 */
#include "burst.h"
#include "signals.h"
#include "text.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

/* Descriptors besides the connections: stdio, the signal pipe, DNS, libraries. */
#define BURST_SPARE_FDS 64
/* Wake up at least this often, whatever the deadlines say. */
#define BURST_MAX_WAIT_MS 1000.0

/* Where each connection stands. */
enum burst_conn_state {
	BURST_PENDING = 0, /* resolving, connecting, authenticating */
	BURST_HELD,	   /* in, and held */
	BURST_REFUSED,	   /* never got in */
	BURST_LOST,	   /* got in, then the server closed it */
};

struct burst_loop {
	struct sched *s;
	const struct dsn_target *dsn;
	struct probe_config pc; /* hold probes */
	uint64_t next_seq;
	struct probe **probes;
	struct sched_probe_set set; /* the probes, as the scheduler drives them */
	enum burst_conn_state *state;
	int n;
	int pending;
	bool stop;
	int other_signals; /* kinds we took from the pipe but do not handle */
	double last_settled;
	struct burst_outcome *out;
};

/*
 * Each connection is a descriptor: make sure n of them fit, raising the
 * soft limit towards the hard one when needed.
 */
static bool burst_reserve_fds(int n, char *err, size_t errlen)
{
	rlim_t need = (rlim_t)n + BURST_SPARE_FDS;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= need)
		return true;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= need)
		return true;
	snprintf(err, errlen,
		 "opening %d connections at once needs about %llu file descriptors, but this "
		 "process may open only %llu: raise 'ulimit -n' or ask for fewer",
		 n, (unsigned long long)need, (unsigned long long)rl.rlim_cur);
	return false;
}

/* Reads what arrived on the self-pipe; a stop ends the burst. */
static void burst_on_signal(void *arg, int fd, short revents)
{
	struct burst_loop *l = arg;
	int kinds = signals_take();

	(void)fd;
	(void)revents;
	if (kinds & SIGNALS_ANY_STOP)
		l->stop = true;
	l->other_signals |= kinds & ~SIGNALS_ANY_STOP;
}

/* Moves connections whose probe changed to their new state. */
static void burst_account(struct burst_loop *l)
{
	double now = util_now_ms();

	for (int i = 0; i < l->n; i++) {
		const struct probe_result *r = probe_result(l->probes[i]);
		bool done = probe_is_done(l->probes[i]);

		switch (l->state[i]) {
		case BURST_PENDING:
			if (r->holding) {
				l->state[i] = BURST_HELD;
				l->out->opened++;
			} else if (done) {
				l->state[i] = BURST_REFUSED;
				if (!l->out->have_error) {
					l->out->first_error = *r;
					l->out->first_error.table = NULL;
					l->out->have_error = true;
				}
			} else {
				continue;
			}
			l->pending--;
			l->last_settled = now;
			break;
		case BURST_HELD:
			if (done) {
				l->state[i] = BURST_LOST;
				l->out->lost++;
			}
			break;
		default: break;
		}
	}
}

/* One turn of the scheduler's loop: waits until something happens or until_ms. */
static void burst_turn(struct burst_loop *l, double until_ms)
{
	double wait = until_ms - util_now_ms();

	if (wait > BURST_MAX_WAIT_MS)
		wait = BURST_MAX_WAIT_MS;
	if (wait < 0)
		wait = 0;
	sched_run_once(l->s, wait);
	burst_account(l);
}

/* A fresh probe for connection i, started now. */
static void burst_start(struct burst_loop *l, int i)
{
	l->probes[i] = probe_new(l->dsn, &l->pc, sched_resolver(l->s), ++l->next_seq, NULL, NULL);
	l->state[i] = BURST_PENDING;
	probe_begin(l->probes[i]);
}

/* Turns the loop until every pending connection got in or failed, or a stop. */
static void burst_settle(struct burst_loop *l)
{
	burst_account(l);
	while (l->pending > 0 && !l->stop)
		burst_turn(l, INFINITY);
}

static bool burst_refused_for_limit(const struct burst_loop *l, int i)
{
	return l->state[i] == BURST_REFUSED &&
	       probe_result(l->probes[i])->error.cls == CLASS_MAX_CLIENTS;
}

/*
 * Returns whether the answer is known (false: a stop came first).
 *
 * A refusal in a crowd is not always the limit. PgBouncer checks
 * max_client_conn when it reads a startup packet, against every client it
 * has accepted: those still logging in, and those it refuses in the same
 * turn of its loop. When more than max_client_conn arrive together it can
 * refuse every one of them, also those that would fit (10 at once against
 * max_client_conn = 6: none got in, where 6 fit). So connections refused
 * for a limit try again, one at a time while the others stay held, until
 * one is refused alone: that refusal is the limit, and what is held then
 * is what fits at once. A server that counts exactly (PostgreSQL) costs
 * one more refused attempt. Staggering the connects (the next one once the
 * previous TCP connect is done) would not avoid it: the check counts
 * accepted sockets, and the connects finish long before the first login.
 */
static bool burst_retry_refused(struct burst_loop *l)
{
	struct burst_outcome *out = l->out;
	bool any = false;

	for (int i = 0; i < l->n; i++)
		any = any || burst_refused_for_limit(l, i);
	if (!any || l->n == 1)
		return true;
	/* The crowd's refusals are not the answer; other failures still are. */
	out->have_error = false;
	for (int i = 0; i < l->n && !out->have_error; i++) {
		if (l->state[i] != BURST_REFUSED || burst_refused_for_limit(l, i))
			continue;
		out->first_error = *probe_result(l->probes[i]);
		out->first_error.table = NULL;
		out->have_error = true;
	}
	for (int i = 0; i < l->n; i++) {
		if (!burst_refused_for_limit(l, i))
			continue;
		if (l->stop)
			return false;
		probe_free(l->probes[i]);
		burst_start(l, i);
		l->pending++;
		burst_settle(l);
		if (l->state[i] != BURST_HELD)
			return l->state[i] == BURST_REFUSED; /* refused alone: the limit */
		out->opened_alone++;
	}
	return true;
}

/* Closes everything at once: held connections and those still on their way. */
static void burst_close_all(struct burst_loop *l)
{
	for (int i = 0; i < l->n; i++) {
		if (l->state[i] == BURST_HELD)
			probe_release(l->probes[i]);
		else
			probe_cancel(l->probes[i]);
	}
	for (int i = 0; i < l->n; i++)
		probe_free(l->probes[i]);
}

bool burst_execute(struct sched *s, struct target *t, int n, double hold_ms,
		   struct burst_outcome *out)
{
	struct burst_loop l;
	struct probe_config pc;
	bool was_paused = sched_paused(s);
	double t0, hold_start, hold_end;

	memset(out, 0, sizeof(*out));
	out->requested = n;
	if (n < 1) {
		snprintf(out->first_error.error.message, sizeof(out->first_error.error.message),
			 "a burst needs at least one connection");
		return false;
	}
	if (!burst_reserve_fds(n, out->first_error.error.message,
			       sizeof(out->first_error.error.message)))
		return false;

	/*
	 * The connections are the burst's alone: the scheduler's probes in
	 * flight end now (uncounted), and nothing new starts until we are
	 * done, so that no background probe takes a slot the burst counts.
	 */
	sched_set_paused(s, true);
	sched_cancel_busy(s);

	sched_probe_config(s, t, &pc);
	pc.hold = true;
	pc.inspect = false;
	pc.sql = NULL;

	memset(&l, 0, sizeof(l));
	l.s = s;
	l.dsn = &t->dsn;
	l.pc = pc;
	l.n = l.pending = n;
	l.out = out;
	l.probes = util_xcalloc((size_t)n, sizeof(*l.probes));
	l.state = util_xcalloc((size_t)n, sizeof(*l.state));
	l.set = (struct sched_probe_set){ l.probes, n };
	sched_drive(s, &l.set);
	sched_watch(s, signals_fd(), POLLIN, burst_on_signal, &l);

	/* All at once: the server sees n newcomers together, like a deploy's pools. */
	t0 = l.last_settled = util_now_ms();
	for (int i = 0; i < n; i++)
		burst_start(&l, i);
	burst_settle(&l);
	out->settled = l.pending == 0 && burst_retry_refused(&l);
	out->open_ms = (out->settled ? l.last_settled : util_now_ms()) - t0;

	hold_start = util_now_ms();
	hold_end = hold_start + hold_ms;
	while (!l.stop && out->opened > out->lost && util_now_ms() < hold_end)
		burst_turn(&l, hold_end);
	out->held_ms = out->opened > 0 ? util_now_ms() - hold_start : 0;
	out->interrupted = l.stop;

	sched_unwatch_owner(s, &l);
	sched_undrive(s, &l.set);
	burst_close_all(&l);
	free(l.probes);
	free(l.state);
	sched_set_paused(s, was_paused);
	/* A resize we drained belongs to the front-end: hand it back. */
	if (l.other_signals & SIGNALS_RESIZE)
		raise(SIGWINCH);
	return true;
}

int burst_exit_code(const struct burst_outcome *b)
{
	if (!b->settled)
		return APP_EXIT_USAGE;
	return app_exit_like_ping((uint64_t)b->opened, (uint64_t)b->requested);
}

/* before, text in its terminal form (text_terminal), after. */
static void burst_put_text(FILE *out, const char *before, const char *text, const char *after,
			   bool utf8)
{
	char *shown = text_terminal_dup(text, utf8);

	fprintf(out, "%s%s%s", before, shown, after);
	free(shown);
}

void burst_print(FILE *out, const struct target *t, const struct burst_outcome *b, bool json)
{
	const struct classify_result *e = &b->first_error.error;
	char took[32], held[32];
	bool utf8;

	if (json) {
		json_t *o =
			json_pack("{s:i, s:i, s:o, s:o, s:o}", "requested", b->requested, "opened",
				  b->opened, "open_ms", report_ms_json(b->open_ms), "held_ms",
				  report_ms_json(b->held_ms), "first_error",
				  /* a zeroed first_error is not ok either: ask have_error */
				  b->have_error ? report_error_json(&b->first_error) : json_null());

		report_print_json(out, o);
		json_decref(o);
		return;
	}
	util_fmt_ms(b->open_ms, took, sizeof(took));
	util_fmt_ms(b->held_ms, held, sizeof(held));
	/* the target's and the server's text in its terminal form */
	utf8 = text_locale_utf8();
	burst_put_text(out, "", t->dsn.display, ": ", utf8);
	if (!b->settled)
		fprintf(out, "interrupted after opening %d of %d connections in %s", b->opened,
			b->requested, took);
	else
		fprintf(out, "opened %d of %d connections in %s", b->opened, b->requested, took);
	if (b->have_error) {
		fprintf(out, "; first failure after %d: %s", b->opened,
			classify_class_name(e->cls));
		if (e->sqlstate[0])
			burst_put_text(out, " (", e->sqlstate, ")", utf8);
		burst_put_text(out, " ", e->message, "\n", utf8);
		if (e->advice && e->advice[0])
			burst_put_text(out, "advice: ", e->advice, "\n", utf8);
	} else {
		fputs(b->settled ? "; no failure\n" : "\n", out);
	}
	if (b->opened_alone > 0)
		fprintf(out,
			"%d of them got in only one at a time: the server refused them when they "
			"came together\n",
			b->opened_alone);
	if (b->opened > 0) {
		fprintf(out, "held %d for %s, then closed all of them", b->opened, held);
		if (b->lost)
			fprintf(out, " (%d closed by the server while held)", b->lost);
		fputs(b->interrupted ? " at once on a stop signal\n" : "\n", out);
	}
	fflush(out);
}

/* Asks on the terminal; a stop signal while waiting counts as no. */
static bool burst_confirm(struct sched *s, const struct target *t, int n, double hold_ms)
{
	char question[600], answer[16];
	enum app_answer got;

	snprintf(question, sizeof(question),
		 "Open up to %d connections at once to %s? This uses %d of the server's "
		 "slots for about %g s. [y/N] ",
		 n, t->dsn.display, n, hold_ms / 1000.0);
	got = app_ask(s, stderr, question, answer, sizeof(answer), NULL);
	if (got == APP_ANSWER_STOP || got == APP_ANSWER_INTERRUPT)
		fputc('\n', stderr);
	return got == APP_ANSWER_LINE && app_answer_yes(answer);
}

static int burst_command(struct sched *s, const struct app_options *o)
{
	struct target *t = sched_target(s, 0);
	struct burst_outcome b;

	if (!o->yes) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr,
				"pgpulse: burst opens up to %d connections at once to %s; "
				"without a terminal to ask on, pass --yes to confirm\n",
				o->burst_n, t->dsn.display);
			return APP_EXIT_USAGE;
		}
		if (!burst_confirm(s, t, o->burst_n, o->burst_hold_ms)) {
			fputs("pgpulse: burst cancelled; no connection was opened\n", stderr);
			return APP_EXIT_USAGE;
		}
	}
	if (!burst_execute(s, t, o->burst_n, o->burst_hold_ms, &b)) {
		burst_put_text(stderr, "pgpulse: ", b.first_error.error.message, "\n",
			       text_locale_utf8());
		return APP_EXIT_USAGE;
	}
	burst_print(stdout, t, &b, o->json);
	return burst_exit_code(&b);
}

enum app_next burst_run(struct app *a)
{
	a->exit_code = burst_command(a->s, a->o);
	return APP_NEXT_EXIT;
}
