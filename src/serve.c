/*
 * serve: HTTP in the scheduler's loop. MHD runs in "external select" mode
 * on its epoll descriptor: the loop polls that descriptor, calls MHD_run
 * after every turn and sleeps no longer than MHD_get_timeout says. A
 * /probe request is suspended until its probe's result comes back through
 * the scheduler's result callback; a slow client only ever costs MHD a
 * buffer, never the loop a wait.
 */
#include "config.h"

#include "serve.h"
#include "metrics.h"
#include "signals.h"
#include "text.h"
#include "util.h"

#include <arpa/inet.h>
#include <poll.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds: what a scraper, a crowd of them or a hostile client can cost. */
#define SERVE_MAX_CONNECTIONS	   128
#define SERVE_MAX_PER_ADDRESS	   64 /* one host's idle sockets cannot lock the others out */
#define SERVE_CONNECTION_TIMEOUT_S 10
#define SERVE_CONNECTION_MEMORY	   (16 * 1024) /* a longer request line gets 414 */
#define SERVE_MAX_PENDING_PROBES   32
/* A /metrics answer is reused by scrapes this close together when no probe finished since. */
#define SERVE_METRICS_REUSE_MS 1000

struct serve_request {
	struct serve *sv;
	struct MHD_Connection *conn;
	int target;   /* /probe: the target's index */
	uint64_t seq; /* /probe: the probe whose result answers it */
	bool answered;
	unsigned status;
	struct metrics_buf body;
	struct serve_request *next; /* in sv->pending while suspended */
};

struct serve {
	struct sched *s;
	struct MHD_Daemon *daemon;
	struct metrics_target *mt; /* one per target, by index */
	int ntargets;
	struct serve_request *pending;
	int npending;
	bool stop;
	/* the last /metrics answer, per format: [0] 0.0.4, [1] OpenMetrics */
	struct MHD_Response *metrics_cache[2];
	double metrics_cache_ms[2];
};

static enum MHD_Result serve_send(struct MHD_Connection *conn, unsigned status,
				  const char *content_type, struct metrics_buf *body)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	/* MUST_FREE hands the buffer to MHD, which frees it with free(). */
	resp = MHD_create_response_from_buffer(body->len, body->data ? body->data : (void *)"",
					       body->data ? MHD_RESPMEM_MUST_FREE
							  : MHD_RESPMEM_PERSISTENT);
	memset(body, 0, sizeof(*body));
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result serve_text(struct MHD_Connection *conn, unsigned status, const char *msg)
{
	struct metrics_buf b = { 0 };

	metrics_buf_printf(&b, "%s\n", msg);
	return serve_send(conn, status, "text/plain; charset=utf-8", &b);
}

static int serve_find_target(const struct serve *sv, const char *name)
{
	for (int i = 0; i < sv->ntargets; i++) {
		const struct target *t = sched_target(sv->s, i);

		if (t->dsn.name && strcmp(t->dsn.name, name) == 0)
			return i;
	}
	return -1;
}

static void serve_html_escaped(struct metrics_buf *b, const char *s)
{
	static const struct {
		char c;
		const char *entity;
	} entities[] = { { '&', "&amp;" },
			 { '<', "&lt;" },
			 { '>', "&gt;" },
			 { '"', "&quot;" },
			 { '\'', "&#39;" } };

	for (; *s; s++) {
		size_t k = 0;

		while (k < sizeof(entities) / sizeof(entities[0]) && entities[k].c != *s)
			k++;
		if (k < sizeof(entities) / sizeof(entities[0]))
			metrics_buf_printf(b, "%s", entities[k].entity);
		else
			metrics_buf_printf(b, "%c", *s);
	}
}

static void serve_url_encoded(struct metrics_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~", c))
			metrics_buf_printf(b, "%c", c);
		else
			metrics_buf_printf(b, "%%%02X", c);
	}
}

static enum MHD_Result serve_index(struct serve *sv, struct serve_request *rq)
{
	struct metrics_buf b = { 0 };

	metrics_buf_printf(&b,
			   "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			   "<title>pgpulse</title></head><body>\n<h1>pgpulse %s</h1>\n"
			   "<p><a href=\"/metrics\">/metrics</a></p>\n<ul>\n",
			   PACKAGE_VERSION);
	for (int i = 0; i < sv->ntargets; i++) {
		const struct target *t = sched_target(sv->s, i);

		metrics_buf_printf(&b, "<li><a href=\"/probe?target=");
		serve_url_encoded(&b, t->dsn.name);
		metrics_buf_printf(&b, "\">");
		serve_html_escaped(&b, t->dsn.name);
		metrics_buf_printf(&b, "</a> ");
		serve_html_escaped(&b, t->dsn.display); /* password masked */
		metrics_buf_printf(&b, "</li>\n");
	}
	metrics_buf_printf(&b, "</ul>\n</body></html>\n");
	return serve_send(rq->conn, MHD_HTTP_OK, "text/html; charset=utf-8", &b);
}

/* Prometheus asks for OpenMetrics first when it can parse it. */
static bool serve_wants_openmetrics(struct MHD_Connection *conn)
{
	const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");

	return accept && strstr(accept, "application/openmetrics-text") != NULL;
}

static void serve_drop_metrics_cache(struct serve *sv)
{
	for (int f = 0; f < 2; f++) {
		if (sv->metrics_cache[f])
			MHD_destroy_response(sv->metrics_cache[f]);
		sv->metrics_cache[f] = NULL;
	}
}

static enum MHD_Result serve_metrics(struct serve *sv, struct serve_request *rq)
{
	double start = util_now_ms();
	const struct target **targets;
	struct metrics_self self = { PACKAGE_VERSION, 0 };
	struct metrics_buf b = { 0 };
	struct MHD_Response *resp;
	int f = serve_wants_openmetrics(rq->conn);

	/* A crowd of scrapers shares one answer instead of one render each. */
	if (sv->metrics_cache[f] && start - sv->metrics_cache_ms[f] < SERVE_METRICS_REUSE_MS)
		return MHD_queue_response(rq->conn, MHD_HTTP_OK, sv->metrics_cache[f]);
	b.openmetrics = f;
	targets = util_xcalloc((size_t)sv->ntargets + 1, sizeof(*targets));
	for (int i = 0; i < sv->ntargets; i++) {
		targets[i] = sched_target(sv->s, i);
		self.probes_in_flight += sched_target_busy(targets[i]);
	}
	metrics_render(&b, targets, sv->mt, sv->ntargets, &self);
	free(targets);
	metrics_render_scrape_duration(&b, (util_now_ms() - start) / 1000.0);
	metrics_finish(&b);
	resp = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		metrics_buf_free(&b);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, metrics_content_type(&b));
	if (sv->metrics_cache[f])
		MHD_destroy_response(sv->metrics_cache[f]);
	sv->metrics_cache[f] = resp;
	sv->metrics_cache_ms[f] = start;
	return MHD_queue_response(rq->conn, MHD_HTTP_OK, resp);
}

/*
 * /probe?target=NAME and nothing else: no conninfo, host or credentials
 * from a URL ever reach libpq. Error texts never echo the argument (it
 * could be a conninfo with a password).
 */
static enum MHD_Result serve_probe(struct serve *sv, struct serve_request *rq)
{
	const char *name = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, "target");
	int nargs = MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, NULL, NULL);
	struct sched_oneoff once = { false, NULL, true };
	struct target *t;
	int i;

	if (name == NULL || nargs != 1)
		return serve_text(rq->conn, MHD_HTTP_BAD_REQUEST,
				  "give exactly one argument, the target's name: "
				  "/probe?target=NAME (the names are listed on /)");
	i = serve_find_target(sv, name);
	if (i < 0)
		return serve_text(rq->conn, MHD_HTTP_BAD_REQUEST,
				  "unknown target: /probe only probes the named targets this "
				  "pgpulse serve was started with (listed on /)");
	if (sv->npending >= SERVE_MAX_PENDING_PROBES)
		return serve_text(rq->conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "too many /probe requests in flight; retry later");
	t = sched_target(sv->s, i);
	/* A probe in flight is fresh: share it rather than queue a second one. */
	if (!sched_target_busy(t) && !sched_probe_now(sv->s, t, &once))
		return serve_text(rq->conn, MHD_HTTP_SERVICE_UNAVAILABLE, "shutting down");
	rq->target = i;
	rq->seq = t->seq;
	rq->body.openmetrics = serve_wants_openmetrics(rq->conn);
	rq->next = sv->pending;
	sv->pending = rq;
	sv->npending++;
	MHD_suspend_connection(rq->conn);
	return MHD_YES;
}

static const struct serve_route {
	const char *path;
	enum MHD_Result (*handler)(struct serve *sv, struct serve_request *rq);
} serve_routes[] = {
	{ "/", serve_index },
	{ "/metrics", serve_metrics },
	{ "/probe", serve_probe },
};

static enum MHD_Result serve_access(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_data_size,
				    void **req_cls)
{
	struct serve *sv = cls;
	struct serve_request *rq = *req_cls;

	if (rq == NULL) {
		rq = util_xcalloc(1, sizeof(*rq));
		rq->sv = sv;
		rq->conn = conn;
		rq->target = -1;
		*req_cls = rq;
	}
	if (rq->answered)
		return serve_send(conn, rq->status,
				  rq->status == MHD_HTTP_OK ? metrics_content_type(&rq->body)
							    : "text/plain; charset=utf-8",
				  &rq->body);
	if (*upload_data_size) {
		*upload_data_size = 0; /* a body is never read */
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return serve_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD");
	for (size_t i = 0; i < sizeof(serve_routes) / sizeof(serve_routes[0]); i++)
		if (strcmp(url, serve_routes[i].path) == 0)
			return serve_routes[i].handler(sv, rq);
	return serve_text(conn, MHD_HTTP_NOT_FOUND,
			  "not found: try /, /metrics or /probe?target=NAME");
}

static void serve_unlink(struct serve *sv, struct serve_request *rq)
{
	for (struct serve_request **p = &sv->pending; *p; p = &(*p)->next)
		if (*p == rq) {
			*p = rq->next;
			sv->npending--;
			return;
		}
}

static void serve_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			    enum MHD_RequestTerminationCode toe)
{
	struct serve_request *rq = *req_cls;

	if (rq == NULL)
		return;
	serve_unlink(rq->sv, rq);
	metrics_buf_free(&rq->body);
	free(rq);
	*req_cls = NULL;
}

static void serve_answer(struct serve *sv, struct serve_request *rq, unsigned status)
{
	serve_unlink(sv, rq);
	rq->status = status;
	rq->answered = true;
	MHD_resume_connection(rq->conn);
}

static void serve_on_result(void *arg, struct target *t, const struct probe_result *r)
{
	struct serve *sv = arg;
	struct serve_request *rq, *next;

	if (t->probe_record && t->index >= 0 && t->index < sv->ntargets)
		metrics_observe(&sv->mt[t->index], r);
	serve_drop_metrics_cache(sv);
	for (rq = sv->pending; rq; rq = next) {
		next = rq->next;
		if (rq->target == t->index && rq->seq == r->seq) {
			metrics_render_probe(&rq->body, r);
			metrics_finish(&rq->body);
			serve_answer(sv, rq, MHD_HTTP_OK);
		}
	}
}

static void serve_on_signal(void *arg, int fd, short revents)
{
	struct serve *sv = arg;

	(void)fd;
	(void)revents;
	if (signals_take() & SIGNALS_ANY_STOP) /* SIGTERM, SIGHUP, Ctrl-C */
		sv->stop = true;
}

static void serve_on_http(void *arg, int fd, short revents)
{
	/* Readiness ends the turn; MHD_run follows it (callbacks only record). */
	(void)arg;
	(void)fd;
	(void)revents;
}

/* MHD's own timeouts (idle clients) end the turn; MHD_run follows it. */
static void serve_on_timer(void *arg)
{
	(void)arg;
}

/* "127.0.0.1:9089", "[::1]:9089", "0.0.0.0:9089"; port 0 picks a free one. */
static bool serve_parse_listen(const char *listen, struct sockaddr_storage *ss, char *err,
			       size_t errlen)
{
	const char *colon = strrchr(listen, ':');
	char host[64];
	size_t hlen;
	char *end;
	long port;

	memset(ss, 0, sizeof(*ss));
	if (colon == NULL || colon == listen)
		goto bad;
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end || port < 0 || port > 65535)
		goto bad;
	hlen = (size_t)(colon - listen);
	if (listen[0] == '[' && hlen >= 2 && listen[hlen - 1] == ']')
		listen++, hlen -= 2;
	if (hlen >= sizeof(host))
		goto bad;
	memcpy(host, listen, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
		return true;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
		return true;
	}
bad:
	snprintf(err, errlen,
		 "bad --listen '%.80s': give ADDR:PORT with an IP address, e.g. 127.0.0.1:9089, "
		 "[::1]:9089 or 0.0.0.0:9089",
		 listen);
	return false;
}

/* Names are labels and /probe's keys: two targets cannot share one. */
static bool serve_names_unique(struct sched *s, char *err, size_t errlen)
{
	for (int i = 0; i < sched_ntargets(s); i++)
		for (int j = 0; j < i; j++)
			if (strcmp(sched_target(s, i)->dsn.name, sched_target(s, j)->dsn.name) ==
			    0) {
				char name[200];

				snprintf(err, errlen,
					 "two targets are called '%s': name them, e.g. "
					 "'primary=postgresql://...' 'replica=postgresql://...'",
					 text_terminal(name, sched_target(s, i)->dsn.name,
						       sizeof(name), text_locale_utf8()));
				return false;
			}
	return true;
}

static struct MHD_Daemon *serve_start(struct serve *sv, const struct sockaddr_storage *ss)
{
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, 0, NULL, NULL, serve_access, sv, MHD_OPTION_SOCK_ADDR, ss,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVE_MAX_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)SERVE_MAX_PER_ADDRESS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_CONNECTION_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_CONNECTION_MEMORY,
				MHD_OPTION_NOTIFY_COMPLETED, serve_completed, sv, MHD_OPTION_END);
}

enum app_next serve_run(struct app *a)
{
	struct sched *s = a->s;
	const struct app_options *o = a->o;
	const char *listen = o->listen ? o->listen : SERVE_DEFAULT_LISTEN;
	struct serve sv = { 0 };
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	char err[300];

	if (!serve_parse_listen(listen, &ss, err, sizeof(err)) ||
	    !serve_names_unique(s, err, sizeof(err))) {
		fprintf(stderr, "pgpulse serve: %s\n", err);
		a->exit_code = APP_EXIT_USAGE;
		return APP_NEXT_EXIT;
	}
	sv.s = s;
	sv.ntargets = sched_ntargets(s);
	sv.mt = util_xcalloc((size_t)sv.ntargets, sizeof(*sv.mt));
	sv.daemon = serve_start(&sv, &ss);
	info = sv.daemon ? MHD_get_daemon_info(sv.daemon, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	if (info == NULL) {
		fprintf(stderr,
			"pgpulse serve: cannot listen on %s (in use, or not an address of this "
			"host): pick another with --listen ADDR:PORT\n",
			listen);
		if (sv.daemon)
			MHD_stop_daemon(sv.daemon);
		free(sv.mt);
		a->exit_code = APP_EXIT_USAGE;
		return APP_NEXT_EXIT;
	}
	sched_listen(s, serve_on_result, NULL, &sv);
	sched_watch(s, signals_fd(), POLLIN, serve_on_signal, &sv);
	sched_watch(s, info->epoll_fd, POLLIN, serve_on_http, &sv);
	info = MHD_get_daemon_info(sv.daemon, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "pgpulse serve: listening on %.*s:%u, %d target%s\n",
		(int)(strrchr(listen, ':') - listen), listen, info ? info->port : 0, sv.ntargets,
		sv.ntargets == 1 ? "" : "s");
	sched_stagger(s);
	while (!sv.stop) {
		MHD_UNSIGNED_LONG_LONG timeout;

		if (MHD_get_timeout(sv.daemon, &timeout) == MHD_YES)
			sched_wake_at(s, util_now_ms() + (double)timeout, serve_on_timer, &sv);
		else
			sched_wake_cancel(s, &sv);
		sched_run_once(s, -1);
		/* Ready sockets, MHD's own timeouts (idle clients) and resumed requests. */
		MHD_run(sv.daemon);
	}
	sched_unwatch_owner(s, &sv);
	sched_unlisten(s, &sv);
	sched_cancel_all(s);
	while (sv.pending) {
		struct serve_request *rq = sv.pending;

		metrics_buf_printf(&rq->body, "pgpulse is shutting down\n");
		serve_answer(&sv, rq, MHD_HTTP_SERVICE_UNAVAILABLE);
	}
	MHD_run(sv.daemon);
	MHD_stop_daemon(sv.daemon);
	serve_drop_metrics_cache(&sv);
	free(sv.mt);
	a->exit_code = APP_EXIT_OK;
	return APP_NEXT_EXIT;
}
