/*
 * tls: what a connection's TLS looks like: protocol, cipher and bits from
 * libpq, and the server certificate's subject, issuer and expiry read with
 * OpenSSL from PQsslStruct.
 */
#ifndef PGPULSE_TLS_H
#define PGPULSE_TLS_H

#include <stdbool.h>
#include <libpq-fe.h>

struct tls_info {
	bool in_use;
	char protocol[16];
	char cipher[64];
	int bits;
	bool have_cert;
	char subject[200];
	char issuer[200];
	char not_after[32]; /* RFC 3339, UTC */
	int days_left;	    /* whole days until not_after; negative when expired */
};

/* Reads TLS facts of an established connection (in_use false without TLS). */
void tls_read(PGconn *conn, struct tls_info *out);

#endif
