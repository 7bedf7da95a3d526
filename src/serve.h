/*
 * serve: pgpulse as a Prometheus exporter. libmicrohttpd answers /metrics,
 * /probe?target=NAME and / from the scheduler's one poll loop (its epoll
 * descriptor is watched like stdin; no thread). Only named targets can be
 * probed over HTTP.
 */
#ifndef PGPULSE_SERVE_H
#define PGPULSE_SERVE_H

#include "app.h"

/* Loopback only, on a port no exporter in Prometheus's allocation list uses. */
#define SERVE_DEFAULT_LISTEN "127.0.0.1:9089"

enum app_next serve_run(struct app *a);

#endif
