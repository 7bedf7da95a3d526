/*
 * resolve: c-ares behind a small interface. c-ares cannot cancel one query
 * of a channel, so a cancelled query keeps its handle until c-ares calls
 * back, and the callback is then swallowed.
 */
#include "resolve.h"
#include "util.h"

#include <ares.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct resolver {
	ares_channel channel;
	int pending;
};

struct resolve_query {
	struct resolver *resolver;
	resolve_cb cb;
	void *arg;
	bool cancelled;
	bool starting; /* inside resolve_start: c-ares may call back at once */
	bool done;
};

static int resolver_library_users;

struct resolver *resolver_new(char *err, size_t errlen)
{
	struct resolver *r = util_xcalloc(1, sizeof(*r));
	struct ares_options opts;
	int status;

	if (resolver_library_users++ == 0) {
		status = ares_library_init(ARES_LIB_INIT_ALL);
		if (status != ARES_SUCCESS) {
			snprintf(err, errlen, "cannot start the resolver: %s",
				 ares_strerror(status));
			free(r);
			resolver_library_users--;
			return NULL;
		}
	}
	/* Fail over between name servers quickly; the probe's deadline rules anyway. */
	memset(&opts, 0, sizeof(opts));
	opts.timeout = 2000;
	opts.tries = 2;
	status = ares_init_options(&r->channel, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (status != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot start the resolver: %s", ares_strerror(status));
		free(r);
		if (--resolver_library_users == 0)
			ares_library_cleanup();
		return NULL;
	}
	return r;
}

void resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	/* Calls back every pending query with ARES_EDESTRUCTION, freeing handles. */
	ares_destroy(r->channel);
	free(r);
	if (--resolver_library_users == 0)
		ares_library_cleanup();
}

static void resolve_done(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct resolve_query *q = arg;
	struct resolve_addrs addrs;
	struct ares_addrinfo_node *node;

	(void)timeouts;
	memset(&addrs, 0, sizeof(addrs));
	if (status != ARES_SUCCESS) {
		snprintf(addrs.error, sizeof(addrs.error), "%s", ares_strerror(status));
	} else {
		for (node = res->nodes; node && addrs.n < RESOLVE_MAX_ADDRS; node = node->ai_next) {
			const void *src;
			int dup = 0;

			if (node->ai_family == AF_INET)
				src = &((struct sockaddr_in *)node->ai_addr)->sin_addr;
			else if (node->ai_family == AF_INET6)
				src = &((struct sockaddr_in6 *)node->ai_addr)->sin6_addr;
			else
				continue;
			inet_ntop(node->ai_family, src, addrs.text[addrs.n], RESOLVE_ADDR_LEN);
			for (int i = 0; i < addrs.n; i++)
				dup |= strcmp(addrs.text[i], addrs.text[addrs.n]) == 0;
			if (dup)
				continue;
			addrs.family[addrs.n++] = node->ai_family;
		}
		if (addrs.n == 0)
			snprintf(addrs.error, sizeof(addrs.error), "no IPv4 or IPv6 address");
	}
	if (res)
		ares_freeaddrinfo(res);
	q->resolver->pending--;
	if (!q->cancelled)
		q->cb(q->arg, &addrs);
	/* An answer from within resolve_start: it frees the handle and returns NULL. */
	if (q->starting)
		q->done = true;
	else
		free(q);
}

struct resolve_query *resolve_start(struct resolver *r, const char *host, resolve_cb cb, void *arg)
{
	struct resolve_query *q = util_xcalloc(1, sizeof(*q));
	struct ares_addrinfo_hints hints;

	q->resolver = r;
	q->cb = cb;
	q->arg = arg;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	r->pending++;
	q->starting = true;
	/* May call back at once (e.g. /etc/hosts); the caller must be ready. */
	ares_getaddrinfo(r->channel, host, NULL, &hints, resolve_done, q);
	q->starting = false;
	if (q->done) {
		free(q);
		return NULL;
	}
	return q;
}

void resolve_cancel(struct resolve_query *q)
{
	if (q)
		q->cancelled = true;
}

int resolver_pollfds(struct resolver *r, struct pollfd *fds, int max)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	unsigned bits;
	int n = 0;

	if (r->pending == 0)
		return 0;
	/* c-ares' own ARES_GETSOCK_* macros shift a signed 1 into the sign bit. */
	bits = (unsigned)ares_getsock(r->channel, socks, ARES_GETSOCK_MAXNUM);
	for (int i = 0; i < ARES_GETSOCK_MAXNUM && n < max; i++) {
		short ev = 0;

		if (bits & (1u << i))
			ev |= POLLIN;
		if (bits & (1u << (i + ARES_GETSOCK_MAXNUM)))
			ev |= POLLOUT;
		if (!ev)
			continue;
		fds[n].fd = socks[i];
		fds[n].events = ev;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

double resolver_timeout_ms(struct resolver *r)
{
	struct timeval tv, *tvp;

	if (r->pending == 0)
		return -1;
	tvp = ares_timeout(r->channel, NULL, &tv);
	if (tvp == NULL)
		return -1;
	return (double)tvp->tv_sec * 1000.0 + (double)tvp->tv_usec / 1000.0;
}

void resolver_process(struct resolver *r, const struct pollfd *fds, int n)
{
	bool any = false;

	for (int i = 0; i < n; i++) {
		ares_socket_t rd = ARES_SOCKET_BAD, wr = ARES_SOCKET_BAD;

		if (fds[i].revents & (POLLIN | POLLERR | POLLHUP))
			rd = fds[i].fd;
		if (fds[i].revents & POLLOUT)
			wr = fds[i].fd;
		if (rd != ARES_SOCKET_BAD || wr != ARES_SOCKET_BAD) {
			ares_process_fd(r->channel, rd, wr);
			any = true;
		}
	}
	/* Lets c-ares handle its own timeouts even when no socket was ready. */
	if (!any && r->pending)
		ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}
