/*
 * resolve: the probe's own asynchronous name resolution (c-ares), so DNS
 * is timed on its own, every address is known, and a slow DNS server never
 * blocks the poll() loop.
 */
#ifndef PGPULSE_RESOLVE_H
#define PGPULSE_RESOLVE_H

#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define RESOLVE_MAX_ADDRS 8
#define RESOLVE_ADDR_LEN  46 /* INET6_ADDRSTRLEN */

struct resolve_addrs {
	int n;
	int family[RESOLVE_MAX_ADDRS];
	char text[RESOLVE_MAX_ADDRS][RESOLVE_ADDR_LEN];
	char error[160]; /* set when n == 0 */
};

struct resolver;
struct resolve_query;

/* Called once per query, unless it was cancelled first. */
typedef void (*resolve_cb)(void *arg, const struct resolve_addrs *addrs);

struct resolver *resolver_new(char *err, size_t errlen);
void resolver_free(struct resolver *r);

/*
 * Starts resolving host; returns a handle for resolve_cancel, or NULL when
 * the answer came at once (the callback has then already run).
 */
struct resolve_query *resolve_start(struct resolver *r, const char *host, resolve_cb cb, void *arg);
/* The callback will not be called; the handle is released internally. */
void resolve_cancel(struct resolve_query *q);

/* Fills up to max pollfds with the resolver's sockets; returns the count. */
int resolver_pollfds(struct resolver *r, struct pollfd *fds, int max);
/* Milliseconds until the resolver needs servicing, or -1 when idle. */
double resolver_timeout_ms(struct resolver *r);
/* Services the resolver's sockets (fds as filled by resolver_pollfds) and timeouts. */
void resolver_process(struct resolver *r, const struct pollfd *fds, int n);

#endif
