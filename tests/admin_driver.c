/*
 * admin_driver: runs admin.c's state machine in its own tiny poll() loop,
 * the way the scheduler will, and prints what pooler.c makes of it as one
 * JSON object, for tests/integration/t_pooler.sh.
 *
 *   admin_driver (--target CONNINFO | --pooler-admin CONNINFO)
 *                [--database DB --user USER] [--backends CONNINFO]
 *                [--incident] [--warn PCT] [--deadline MS]
 *
 * --target reads the console with a target's parameters (dbname replaced by
 * pgbouncer); --pooler-admin with a conninfo of its own. --backends reads
 * pg_stat_activity there (blocking: this is a test tool) for the join.
 * Exit: 0 the JSON was printed, 3 usage error.
 */
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "admin.h"
#include "pooler.h"
#include "util.h"

#define DRIVER_MAX_BACKENDS 512

static void driver_usage(const char *why)
{
	fprintf(stderr,
		"admin_driver: %s\n"
		"usage: admin_driver (--target CONNINFO | --pooler-admin CONNINFO) [--database DB "
		"--user USER] [--backends CONNINFO] [--incident] [--warn PCT] [--deadline MS]\n",
		why);
	exit(3);
}

/* The target's parameters, as the scheduler would hand them over. */
static struct admin *driver_from_target(const char *conninfo, const struct admin_config *cfg)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL), *o;
	const char *kw[64], *val[64];
	struct admin *a;
	int n = 0;

	if (!opts)
		driver_usage("--target: not a valid conninfo");
	for (o = opts; o->keyword && n < 63; o++) {
		if (!o->val || !o->val[0])
			continue;
		kw[n] = o->keyword;
		val[n++] = o->val;
	}
	kw[n] = val[n] = NULL;
	a = admin_new(kw, val, cfg);
	PQconninfoFree(opts);
	return a;
}

static void driver_copy(char *out, size_t len, PGresult *res, int r, int c)
{
	util_strlcpy(out, PQgetisnull(res, r, c) ? "" : PQgetvalue(res, r, c), len);
}

static int driver_backends(const char *conninfo, struct pooler_backend *b, int max)
{
	static const char sql[] =
		"SELECT pid, usename, datname, application_name, host(client_addr), "
		"coalesce(client_port, 0), coalesce(state, ''), "
		"extract(epoch FROM now() - backend_start), extract(epoch FROM now() - xact_start) "
		"FROM pg_stat_activity WHERE backend_type = 'client backend' "
		"AND pid <> pg_backend_pid()";
	PGconn *conn = PQconnectdb(conninfo);
	PGresult *res;
	int n = 0;

	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "admin_driver: --backends: %s", PQerrorMessage(conn));
		PQfinish(conn);
		exit(3);
	}
	res = PQexec(conn, sql);
	for (int r = 0; PQresultStatus(res) == PGRES_TUPLES_OK && r < PQntuples(res) && n < max;
	     r++, n++) {
		memset(&b[n], 0, sizeof(b[n]));
		b[n].pid = atoi(PQgetvalue(res, r, 0));
		driver_copy(b[n].usename, sizeof(b[n].usename), res, r, 1);
		driver_copy(b[n].datname, sizeof(b[n].datname), res, r, 2);
		driver_copy(b[n].application_name, sizeof(b[n].application_name), res, r, 3);
		driver_copy(b[n].client_addr, sizeof(b[n].client_addr), res, r, 4);
		b[n].client_port = atoi(PQgetvalue(res, r, 5));
		driver_copy(b[n].state, sizeof(b[n].state), res, r, 6);
		b[n].backend_age_s = PQgetisnull(res, r, 7) ? NAN : atof(PQgetvalue(res, r, 7));
		b[n].xact_age_s = PQgetisnull(res, r, 8) ? NAN : atof(PQgetvalue(res, r, 8));
	}
	PQclear(res);
	PQfinish(conn);
	return n;
}

/* The poll loop: the one thing the scheduler will do with a reader. */
static void driver_run(struct admin *a)
{
	admin_begin(a);
	while (!admin_is_done(a)) {
		struct pollfd pfd;
		bool have = admin_pollfd(a, &pfd);
		double wait = admin_deadline_ms(a) - util_now_ms();
		int ms = wait <= 0 ? 0 : (int)ceil(wait);
		int r = poll(have ? &pfd : NULL, have ? 1 : 0, ms);

		admin_step(a, r > 0 && have ? pfd.revents : 0);
	}
}

static json_t *driver_joins(const struct pooler_view *v, const struct pooler_backend *b, int nb)
{
	struct pooler_join *j = util_xcalloc((size_t)v->nclients + 1, sizeof(*j));
	int n = pooler_join_clients(v, b, nb, j, v->nclients);
	json_t *arr = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(
			arr,
			json_pack("{s:s, s:s, s:i, s:s, s:s, s:o, s:o, s:o, s:o}",
				  "application_name", j[i].client->application_name, "addr",
				  j[i].client->addr, "port", j[i].client->port, "database",
				  j[i].client->database, "state", j[i].client->state, "age_s",
				  isnan(j[i].client->age_s) ? json_null()
							    : json_real(j[i].client->age_s),
				  "remote_pid",
				  j[i].server ? json_integer(j[i].server->remote_pid) : json_null(),
				  "backend_pid",
				  j[i].backend ? json_integer(j[i].backend->pid) : json_null(),
				  "backend_state",
				  j[i].backend ? json_string(j[i].backend->state) : json_null()));
	free(j);
	return arr;
}

static json_t *driver_server_side(const struct pooler_view *v, const struct pooler_backend *b,
				  int nb)
{
	static const char *const owners[] = { "client", "pgbouncer", "supavisor" };
	json_t *arr = json_array();

	for (int i = 0; i < nb; i++)
		json_array_append_new(arr,
				      json_pack("{s:i, s:s, s:s}", "pid", b[i].pid,
						"application_name", b[i].application_name, "owner",
						owners[pooler_backend_owner(v, &b[i])]));
	return arr;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "pooler-admin", required_argument, NULL, 'a' },
		{ "database", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "backends", required_argument, NULL, 'b' },
		{ "incident", no_argument, NULL, 'i' },
		{ "warn", required_argument, NULL, 'w' },
		{ "deadline", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	const char *target = NULL, *admin_conninfo = NULL, *database = NULL, *user = NULL;
	const char *backends_conninfo = NULL;
	bool incident = false;
	double warn = 80;
	struct admin_config cfg = { .deadline_ms = 3000 };
	static struct pooler_backend backends[DRIVER_MAX_BACKENDS];
	int nbackends = 0, c;
	struct admin *a;
	char err[200];
	struct pooler_queue q;
	struct pooler_culprit culprit;
	json_t *out;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't': target = optarg; break;
		case 'a': admin_conninfo = optarg; break;
		case 'd': database = optarg; break;
		case 'u': user = optarg; break;
		case 'b': backends_conninfo = optarg; break;
		case 'i': incident = true; break;
		case 'w': warn = atof(optarg); break;
		case 'D': cfg.deadline_ms = atof(optarg); break;
		default: driver_usage("unknown option");
		}
	}
	if (!target == !admin_conninfo)
		driver_usage("give one of --target and --pooler-admin");
	if (admin_conninfo) {
		a = admin_new_conninfo(admin_conninfo, &cfg, err, sizeof(err));
		if (!a)
			driver_usage(err);
	} else {
		a = driver_from_target(target, &cfg);
	}
	driver_run(a);

	const struct pooler_view *v = admin_result(a);
	if (backends_conninfo)
		nbackends = driver_backends(backends_conninfo, backends, DRIVER_MAX_BACKENDS);
	pooler_queue_verdict(v, database, user, &q);
	pooler_culprit(v, database, user, nbackends ? backends : NULL, nbackends, incident, warn,
		       &culprit);
	out = json_pack(
		"{s:o, s:o, s:f, s:o, s:o, s:o, s:o, s:o}", "pooler",
		pooler_json(v, nbackends ? backends : NULL, nbackends), "reason",
		v->reason[0] ? json_string(v->reason) : json_null(), "elapsed_ms",
		admin_elapsed_ms(a), "config",
		json_pack(
			"{s:o, s:o, s:o, s:o, s:o, s:o}", "max_client_conn",
			v->config.max_client_conn >= 0 ? json_integer(v->config.max_client_conn)
						       : json_null(),
			"default_pool_size",
			v->config.default_pool_size >= 0 ? json_integer(v->config.default_pool_size)
							 : json_null(),
			"reserve_pool_size",
			v->config.reserve_pool_size >= 0 ? json_integer(v->config.reserve_pool_size)
							 : json_null(),
			"query_wait_timeout_s",
			isnan(v->config.query_wait_timeout_s)
				? json_null()
				: json_real(v->config.query_wait_timeout_s),
			"server_idle_timeout_s",
			isnan(v->config.server_idle_timeout_s)
				? json_null()
				: json_real(v->config.server_idle_timeout_s),
			"pool_mode",
			v->config.pool_mode[0] ? json_string(v->config.pool_mode) : json_null()),
		"queue",
		q.exhausted
			? json_pack("{s:s, s:s, s:s, s:i, s:i, s:i}", "limit", q.limit, "message",
				    q.message, "advice", q.advice, "cl_waiting", q.cl_waiting,
				    "sv_active", q.sv_active, "pool_size", q.pool_size)
			: json_null(),
		"culprit", pooler_culprit_json(&culprit), "joins",
		driver_joins(v, backends, nbackends), "server_side",
		driver_server_side(v, backends, nbackends));
	if (!out) {
		fprintf(stderr, "admin_driver: cannot build the JSON\n");
		admin_free(a);
		return 1;
	}
	json_dumpf(out, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(out);
	admin_free(a);
	return 0;
}
