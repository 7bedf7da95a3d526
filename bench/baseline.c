/*
 * baseline: the bare libpq loop pgpulse is measured against: connect,
 * SELECT 1, finish, N times, blocking, nothing else. With SPACING_MS the
 * iterations start that far apart, as pgpulse's probes do at --interval
 * (back to back, a server and a loopback stay warmer and answer faster:
 * compare like with like). Prints the median wall time per iteration in
 * ms; CPU cost and RSS are counted by the caller.
 */
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double baseline_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int baseline_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int n, failed = 0;
	double t0, *ms, spacing = argc == 4 ? atof(argv[3]) : 0, start;

	if (argc < 3 || argc > 4 || (n = atoi(argv[2])) < 1 || spacing < 0) {
		fprintf(stderr, "usage: baseline CONNINFO N [SPACING_MS]\n");
		return 3;
	}
	ms = calloc((size_t)n, sizeof(*ms));
	if (ms == NULL)
		return 3;
	start = baseline_now_ms();
	for (int i = 0; i < n; i++) {
		PGconn *conn;
		PGresult *res;
		double wait = start + i * spacing - baseline_now_ms();

		if (wait > 0) {
			struct timespec ts = { (time_t)(wait / 1000), (long)(fmod(wait, 1000) * 1e6) };

			nanosleep(&ts, NULL);
		}
		t0 = baseline_now_ms();
		conn = PQconnectdb(argv[1]);
		if (PQstatus(conn) == CONNECTION_OK) {
			res = PQexec(conn, "SELECT 1");
			if (PQresultStatus(res) != PGRES_TUPLES_OK)
				failed++;
			PQclear(res);
		} else {
			failed++;
		}
		PQfinish(conn);
		ms[i] = baseline_now_ms() - t0;
	}
	qsort(ms, (size_t)n, sizeof(*ms), baseline_cmp);
	printf("%.3f\n", ms[n / 2]);
	free(ms);
	return failed ? 1 : 0;
}
